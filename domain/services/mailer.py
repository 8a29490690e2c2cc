"""Delivering the outbox through SMTP, when a server is configured (never inside a transaction)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from domain.session import Session
from domain.settings import SmtpSettings


def deliver_outbox(session: Session, settings: SmtpSettings | None, limit: int = 100) -> tuple[int, int]:
    """Send queued messages; returns (sent, failed). Without settings, messages stay queued in the outbox."""
    if settings is None:
        return 0, 0
    store = session.store
    queued = store.outbox.find(status="queued", limit=limit)
    if not queued:
        return 0, 0
    sent = failed = 0
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=10) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            for message in queued:
                email = EmailMessage()
                email["From"] = settings.sender
                email["To"] = message.to_address
                email["Subject"] = message.subject
                email.set_content(message.body)
                try:
                    smtp.send_message(email)
                except smtplib.SMTPException as error:
                    store.outbox.update(message.model_copy(update={"status": "failed", "error": str(error)}),
                                        fields={"status", "error"})
                    failed += 1
                else:
                    store.outbox.update(message.model_copy(update={"status": "sent", "sent_at": session.clock.now(), "error": ""}),
                                        fields={"status", "sent_at", "error"})
                    sent += 1
    except (OSError, smtplib.SMTPException) as error:
        for message in queued[sent + failed:]:
            store.outbox.update(message.model_copy(update={"error": f"SMTP unavailable: {error}"}), fields={"error"})
        failed += len(queued) - sent - failed
    return sent, failed
