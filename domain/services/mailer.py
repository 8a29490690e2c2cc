"""The outbox: e-mail automations wrote, read as the session may see it, and delivered through SMTP when
a server is configured — never inside a transaction: each message's new status is a unit of work of its own,
written as soon as the server answered, so a failure later never sends a message twice."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from domain.records import OutboxMessage
from domain.session import Session
from domain.settings import SmtpSettings


def outbox(session: Session, status: str | None = None, limit: int = 50) -> list[OutboxMessage]:
    """The newest e-mails automations wrote, as far as this session sees: an admin all of them, others
    those addressed to someone they see or about a deal they see."""
    return session.store.outbox_messages(status or None, session.visible_logins(), limit)


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
                    _record(session, message, status="failed", error=str(error))
                    failed += 1
                else:
                    _record(session, message, status="sent", sent_at=session.clock.now(), error="")
                    sent += 1
    except (OSError, smtplib.SMTPException) as error:
        with session.write({"outbox"}):
            for message in queued[sent + failed:]:
                store.outbox.update(message.model_copy(update={"error": f"SMTP unavailable: {error}"}), fields={"error"})
        failed += len(queued) - sent - failed
    return sent, failed


def _record(session: Session, message: OutboxMessage, **changes) -> None:
    """A message's outcome, in a unit of work of its own."""
    with session.write({"outbox"}, ids={"outbox": {message.id}}):
        session.store.outbox.update(message.model_copy(update=changes), fields=set(changes))
