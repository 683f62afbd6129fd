"""Ingest throughput: posts/s through fetch (HTTP on loopback), parse, match, store.

    python benchmarks/ingest.py [--items 5000] [--db sqlite:///path.db]

Serves a generated RSS feed of --items entries (a third mention the brand) from a
real HTTP server on 127.0.0.1, then runs the real pipeline once and prints timings.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from monitor.pipeline import Pipeline
from monitor.settings import BrandConfig, Settings, SourceConfig
from monitor.store import Store

TEXTS = [
    "Movistela me ha cobrado dos veces la factura de este mes, ¿alguien más?",
    "La fibra de Movistela va genial desde que cambiaron el router",
    "Just switched to Movistela and the 5G coverage is surprisingly good",
    "Receta de paella valenciana para el domingo",
    "Traffic on the M-30 is terrible again this morning",
    "Nuevo parque en el barrio, qué bonito ha quedado",
]


def make_feed(n: int) -> bytes:
    items = []
    for i in range(n):
        text = f"{TEXTS[i % len(TEXTS)]} (#{i})"
        items.append(
            f"<item><guid>item-{i}</guid><title>{escape(text[:40])}</title>"
            f"<link>https://example.com/p/{i}</link><description>{escape(text)}</description>"
            f"<pubDate>Mon, 16 Nov 2026 10:{i % 60:02d}:00 GMT</pubDate></item>"
        )
    body = "".join(items)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bench</title><link>https://example.com</link><description>d</description>{body}</channel></rss>'.encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = ap.parse_args()
    payload = make_feed(args.items)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/feed.xml"
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{tmp}/bench.db"
        store = Store.open(db)
        settings = Settings(
            database_url=db,
            brands=(BrandConfig("Movistela"),),
            sources=(SourceConfig("bench", "rss", {"url": url}),),
        )
        pipeline = Pipeline(settings, store)
        t0 = time.perf_counter()
        (run,) = pipeline.collect()
        elapsed = time.perf_counter() - t0
        assert run.error is None, run.error
        print(f"feed: {args.items} items, {len(payload) / 1e6:.1f} MB, database {store.dialect}")
        print(
            f"fetched {run.fetched}, matched {run.matched}, stored {run.new_posts} in {elapsed:.2f} s"
        )
        print(
            f"throughput: {run.fetched / elapsed:.0f} items/s through fetch+parse+match+store "
            f"({run.new_posts / elapsed:.0f} stored posts/s)"
        )
        t0 = time.perf_counter()
        (again,) = pipeline.collect()
        print(
            f"second run (all duplicates): {again.fetched / (time.perf_counter() - t0):.0f} items/s, new={again.new_posts}"
        )
    server.shutdown()


if __name__ == "__main__":
    main()
