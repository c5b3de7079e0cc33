"""Queue e-mails in the caller's transaction; send them later, retrying failures.

``queue_email`` only adds a row to the session: the message exists exactly when the
change that caused it commits. ``send_pending`` claims each message with a
conditional update before sending, so two senders running at once never send the
same message, and a failed send is retried with back-off, never dropped.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import or_, select, update

from shop.dbtypes import utcnow
from shop.extensions import db
from shop.notifications.models import OutboxMessage

CLAIM_SECONDS = 300
MAX_BACKOFF_SECONDS = 6 * 60 * 60


def queue_email(*, to: str, kind: str, template: str, locale: str = "th", **context) -> OutboxMessage:
    """Render ``templates/email/<template>.txt`` (and ``.html`` if present) in ``locale``.

    The first line of the text template is ``Subject: …``.
    """
    with force_locale(locale):
        rendered = render_template(f"email/{template}.txt", **context)
        try:
            html = render_template(f"email/{template}.html", **context)
        except Exception as exc:  # only a missing HTML part is fine
            from jinja2 import TemplateNotFound

            if not isinstance(exc, TemplateNotFound):
                raise
            html = None
    first, _, body = rendered.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with 'Subject: '")
    message = OutboxMessage(
        to_address=to, subject=first[len("Subject:") :].strip(), body_text=body.lstrip("\n"),
        body_html=html, kind=kind,
    )
    db.session.add(message)
    return message


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def _deliver(email: EmailMessage, message: OutboxMessage) -> None:
    config = current_app.config
    if config["MAIL_SMTP_HOST"]:
        with smtplib.SMTP(config["MAIL_SMTP_HOST"], config["MAIL_SMTP_PORT"], timeout=30) as smtp:
            if config["MAIL_SMTP_STARTTLS"]:
                smtp.starttls()
            if config["MAIL_SMTP_USER"]:
                smtp.login(config["MAIL_SMTP_USER"], config["MAIL_SMTP_PASSWORD"] or "")
            smtp.send_message(email)
        return
    folder = Path(config["MAIL_FILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{message.id:08d}-{message.kind}.eml").write_bytes(bytes(email))


def _claim(message_id: int) -> bool:
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )
    db.session.commit()
    return result.rowcount == 1


def send_pending(limit: int = 100) -> SendReport:
    report = SendReport()
    now = utcnow()
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    for message_id in ids:
        if not _claim(message_id):
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            _deliver(_build(message), message)
        except Exception as exc:  # any failure is recorded and retried later
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            delay = min(60 * 2 ** (message.attempts - 1), MAX_BACKOFF_SECONDS)
            message.next_attempt_at = utcnow() + timedelta(seconds=delay)
            message.claimed_until = None
            report.failed += 1
        else:
            message.attempts += 1
            message.sent_at = utcnow()
            message.last_error = None
            report.sent += 1
        db.session.commit()
    return report
