"""Email the weekly report through apprise: a short HTML summary with the PDF and the
full HTML report attached.

The SMTP server, sender, TLS mode and password variable come from the email channel
of ``[[alerts.channels]]`` named by ``report.channel``; ``report.to`` replaces the
channel's recipients, each sent to on its own. Attempts and backoff follow
``[alerts.delivery]``; a recipient that took the email is not sent it again. A failure
raises :class:`NotifyError` after the last attempt; the report files stay on disk.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.alerts.config import AlertSettings, ChannelConfig
from monitor.alerts.notify import describe, recipient_urls, send_each
from monitor.errors import NotifyError


@dataclass(frozen=True)
class Email:
    subject: str
    html: str
    attachments: tuple[Path, ...]


def _apprise_send(url: str, email: Email) -> tuple[bool, str | None]:
    import apprise

    asset = apprise.AppriseAsset(
        app_id="Escucha", app_desc="Escucha brand monitor", storage_mode="memory"
    )
    client = apprise.Apprise(asset=asset)
    if not client.add(url):
        raise NotifyError("apprise", "the channel URL was not accepted (check host and address)")
    attach = apprise.AppriseAttachment()
    for path in email.attachments:
        attach.add(str(path))
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as logs:
        ok = client.notify(
            body=email.html,
            title=email.subject,
            body_format=apprise.NotifyFormat.HTML,
            attach=attach,
        )
        logged = logs.getvalue().strip()
    return bool(ok), (logged.splitlines()[-1] if logged else None)


def send_report(
    email: Email,
    channel: ChannelConfig,
    alerts: AlertSettings,
    *,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    send: Callable[[str, Email], tuple[bool, str | None]] = _apprise_send,
    skip: Collection[str] = (),
) -> int:
    """Send ``email`` through ``channel``, to each recipient on its own so that a retry
    after one refused address does not send it again to the others; ``skip``: recipients
    who already have it (an earlier try). Returns the attempts it took; the NotifyError
    of a failure names who did get it (``reached``)."""
    d = alerts.delivery
    if not channel.to:
        raise NotifyError(channel.name, "the report has no recipients", hint="set report.to")
    urls = recipient_urls(
        channel, [to for to in channel.to if to not in skip], env, d.timeout_seconds
    )
    if not urls:
        return 0
    sent = send_each(
        urls,
        lambda url: send(url, email),
        max_attempts=d.max_attempts,
        backoff_seconds=d.backoff_seconds,
        sleep=sleep,
    )
    if not sent.errors:
        return sent.rounds
    reached = f" (it reached {', '.join(map(str, sent.reached))})" if sent.reached else ""
    raise NotifyError(
        channel.name,
        f"the report was not delivered after {_attempts(sent.rounds)}: {describe(sent.errors)}"
        + reached,
        hint="check the SMTP server and credentials; the report files are kept: "
        + (", ".join(str(f) for f in email.attachments) or "none were written"),
        reached=tuple(str(to) for to in sent.reached),
    )


def summary_html(
    title: str,
    intro: str,
    lines: Sequence[str],
    kpis: Sequence[Mapping],
    *,
    link: str | None = None,
    link_text: str = "",
) -> str:
    """The email body: what an executive reads before opening the attachment, and a link
    to the dashboard's weekly page when its address is configured."""
    from html import escape

    rows = "".join(
        f"<tr><td style='padding:2px 12px 2px 0;color:#555'>{escape(k['label'])}</td>"
        f"<td style='padding:2px 12px 2px 0'><b>{escape(k['value'])}</b></td>"
        f"<td style='color:#555'>{escape(k['delta'])}</td></tr>"
        for k in kpis
    )
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return (
        "<div style='font-family:Arial,sans-serif;font-size:14px;color:#222'>"
        f"<h2 style='color:#1f4e79'>{escape(title)}</h2><p>{escape(intro)}</p>"
        f"<table>{rows}</table><ul>{items}</ul>"
        + (f"<p><a href='{escape(link)}'>{escape(link_text)}</a></p>" if link else "")
        + "</div>"
    )


def _attempts(n: int) -> str:
    return "1 attempt" if n == 1 else f"{n} attempts"
