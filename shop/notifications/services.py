"""Queue e-mails in the caller's transaction; send them later, retrying failures.

``queue_email`` only adds a row to the session: the message exists exactly when the
change that caused it commits. ``send_pending`` claims each message with a
conditional update before sending, so two senders running at once never send the
same message, and a failed send is retried with back-off, never dropped.

``queue_job`` defers the making of a message itself: the row carries only what the
request was given, and the handler registered for its kind (``@job("kind")``) runs in
the sender, looks things up, and queues the message or nothing. A request whose
answer must not depend on what the database holds (is there an account with this
address?) writes one job and does nothing else that depends on it. ``send_pending``
runs the due jobs first, each in one transaction with the messages it queues, with
the same claims and back-off as messages.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import make_transient_to_detached

from shop.database import transaction
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.notifications.html import render_html
from shop.notifications.models import OutboxJob, OutboxMessage

CLAIM_SECONDS = 300
MAX_BACKOFF_SECONDS = 6 * 60 * 60


def queue_email(*, to: str, kind: str, template: str, locale: str = "th", **context) -> OutboxMessage:
    """Render ``templates/email/<template>.txt`` in ``locale``, and its HTML part:
    ``email/<template>.html`` where a message has one, else the text drawn in the
    shared layout (``notifications/html.py``).

    The first line of the text template is ``Subject: …``.
    """
    with force_locale(locale):
        rendered = render_template(f"email/{template}.txt", **context)
        first, _, body = rendered.partition("\n")
        if not first.startswith("Subject:"):
            raise ValueError(f"email/{template}.txt must start with 'Subject: '")
        subject, body = first[len("Subject:") :].strip(), body.lstrip("\n")
        try:
            html = render_template(f"email/{template}.html", **context)
        except TemplateNotFound:
            html = render_html(subject=subject, body_text=body, locale=locale)
    message = OutboxMessage(to_address=to, subject=subject, body_text=body, body_html=html, kind=kind)
    db.session.add(message)
    return message


JobHandler = Callable[[dict], None]
_job_handlers: dict[str, JobHandler] = {}


def job(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register the handler for outbox jobs of ``kind``.

    It is called in the sender with the job's payload and queues messages with
    ``queue_email`` (or none); it must not commit: the sender commits the messages and
    marks the job done together, or rolls both back and retries the job later.
    """

    def register(handler: JobHandler) -> JobHandler:
        known = _job_handlers.get(kind)
        if known is not None and (known.__module__, known.__qualname__) != (handler.__module__, handler.__qualname__):
            raise ValueError(f"outbox job kind {kind!r} already has a handler: {known.__qualname__}")
        _job_handlers[kind] = handler
        return handler

    return register


def queue_job(kind: str, **payload) -> OutboxJob:
    """Add a job to the caller's transaction; ``payload`` must be JSON (no secrets: it
    is stored as it is). Nothing is looked up or rendered here."""
    if kind not in _job_handlers:
        raise ValueError(f"no handler for outbox job kind {kind!r}")
    # One INSERT now, rather than a row for the next flush to work out: a busy sale
    # queues a job with every order.
    now = utcnow()
    values = dict(kind=kind, payload=payload, created_at=now, next_attempt_at=now, done_at=None, attempts=0,
                  last_error=None, claimed_until=None)
    job_id = db.session.execute(_INSERT_JOB, values).scalar_one()
    row = OutboxJob(id=job_id, **values)
    make_transient_to_detached(row)
    db.session.add(row)
    return row


_INSERT_JOB = insert(OutboxJob.__table__).returning(OutboxJob.__table__.c.id)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    jobs_done: int = 0
    jobs_failed: int = 0


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


def _file_name(message: OutboxMessage) -> str:
    return f"{message.id:08d}-{message.kind}.eml"


def _deliver(email: EmailMessage, file_name: str) -> None:
    """Send over SMTP, or write ``file_name`` in ``MAIL_FILE_DIR`` (no database here)."""
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
    (folder / file_name).write_bytes(bytes(email))


def _claim(model: type[OutboxMessage] | type[OutboxJob], row_id: int) -> bool:
    """Take the row for this sender, in a transaction of its own: the committed claim
    is what keeps another sender away while this one works."""
    now = utcnow()
    finished = model.sent_at if model is OutboxMessage else model.done_at
    with transaction():
        result = db.session.execute(
            update(model)
            .where(
                model.id == row_id,
                finished.is_(None),
                or_(model.claimed_until.is_(None), model.claimed_until < now),
            )
            .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        )
    return result.rowcount == 1


def _backoff(row: OutboxMessage | OutboxJob, exc: Exception) -> None:
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    delay = min(60 * 2 ** (row.attempts - 1), MAX_BACKOFF_SECONDS)
    row.next_attempt_at = utcnow() + timedelta(seconds=delay)
    row.claimed_until = None


def _due_ids(model, finished_at, limit: int) -> list[int]:
    """The oldest ``limit`` rows of ``model`` (jobs or messages) not finished yet and
    due now, read in a transaction that ends at once."""
    with transaction():
        return list(db.session.scalars(
            select(model.id)
            .where(finished_at.is_(None), model.next_attempt_at <= utcnow())
            .order_by(model.id)
            .limit(limit)
        ))


def run_pending_jobs(report: SendReport, limit: int = 100) -> None:
    """Run the due jobs, each in its own transaction with the messages it queues.

    Several transactions on purpose: the due ids are read in one that ends at once;
    each job is claimed in its own (``_claim``), then run in one with the messages it
    queues, or, when it fails, has its failure recorded in another."""
    for job_id in _due_ids(OutboxJob, OutboxJob.done_at, limit):
        if not _claim(OutboxJob, job_id):
            continue
        try:
            with transaction():
                row = db.session.get(OutboxJob, job_id)
                handler = _job_handlers.get(row.kind)
                if handler is None:
                    raise LookupError(f"no handler for outbox job kind {row.kind!r}")
                handler(dict(row.payload))
                row.attempts += 1
                row.done_at = utcnow()
                row.last_error = None
                row.claimed_until = None
        except Exception as exc:  # whatever the handler queued goes; the job is retried later
            with transaction():
                _backoff(db.session.get(OutboxJob, job_id), exc)
            report.jobs_failed += 1
        else:
            report.jobs_done += 1


def send_pending(limit: int = 100) -> SendReport:
    """Drain the outbox: run the due jobs, then send the due messages (theirs too)."""
    report = SendReport()
    run_pending_jobs(report, limit)
    ids = _due_ids(OutboxMessage, OutboxMessage.sent_at, limit)
    # Per message: claim it (its own transaction), read it, send it with no
    # transaction open (SMTP may take seconds), record the outcome.
    for message_id in ids:
        if not _claim(OutboxMessage, message_id):
            continue
        with transaction():
            message = db.session.get(OutboxMessage, message_id)
            email, file_name = _build(message), _file_name(message)
        try:
            _deliver(email, file_name)
        except Exception as exc:  # any failure is recorded and retried later
            with transaction():
                _backoff(db.session.get(OutboxMessage, message_id), exc)
            report.failed += 1
        else:
            with transaction():
                message = db.session.get(OutboxMessage, message_id)
                message.attempts += 1
                message.sent_at = utcnow()
                message.last_error = None
            report.sent += 1
    return report
