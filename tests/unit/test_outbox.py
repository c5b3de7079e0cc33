"""E-mails go through the outbox: written with the change, sent once, retried on failure."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select

from shop.dbtypes import utcnow
from shop.extensions import db
from shop.notifications import services
from shop.notifications.models import OutboxMessage
from shop.notifications.services import send_pending


def _queue(to="buyer@example.test", subject="Hello ทดสอบ", body="Body text"):
    message = OutboxMessage(to_address=to, subject=subject, body_text=body, kind="test")
    db.session.add(message)
    db.session.commit()
    return message


def test_pending_messages_are_written_as_files_once(app):
    _queue()
    report = send_pending()
    assert (report.sent, report.failed) == (1, 0)
    files = list(Path(app.config["MAIL_FILE_DIR"]).glob("*.eml"))
    assert len(files) == 1
    parsed = message_from_bytes(files[0].read_bytes())
    assert parsed["To"] == "buyer@example.test"
    assert "ทดสอบ" in str(parsed["Subject"]) or "=?utf-8?" in parsed["Subject"]

    again = send_pending()
    assert (again.sent, again.failed) == (0, 0)
    assert len(list(Path(app.config["MAIL_FILE_DIR"]).glob("*.eml"))) == 1


def test_a_failed_send_is_kept_and_retried_later(app, monkeypatch):
    message = _queue()
    app.config["MAIL_SMTP_HOST"] = "127.0.0.1"

    class Refusing:
        def __init__(self, *args, **kwargs):
            raise smtplib.SMTPConnectError(421, "try later")

    monkeypatch.setattr(smtplib, "SMTP", Refusing)
    report = send_pending()
    assert (report.sent, report.failed) == (0, 1)
    db.session.refresh(message)
    assert message.sent_at is None and message.attempts == 1
    assert "SMTPConnectError" in message.last_error
    assert message.next_attempt_at > utcnow()

    # Not due yet: nothing happens; once due, a working server gets it.
    assert send_pending().failed == 0
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    sent = []

    class Accepting:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            pass

        def login(self, *args):
            pass

        def send_message(self, email):
            sent.append(email)

    monkeypatch.setattr(smtplib, "SMTP", Accepting)
    assert send_pending().sent == 1
    assert len(sent) == 1 and sent[0]["To"] == "buyer@example.test"


def test_a_message_claimed_by_another_sender_is_not_sent_twice(app):
    message = _queue()
    message.claimed_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert send_pending().sent == 0


def test_queue_email_adds_to_the_callers_transaction(app, monkeypatch):
    monkeypatch.setattr(services, "render_template", lambda name, **ctx: "Subject: Hi\n\nBody" if name.endswith(".txt") else (_ for _ in ()).throw(__import__("jinja2").TemplateNotFound(name)))
    services.queue_email(to="a@example.test", kind="test", template="anything")
    db.session.rollback()
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_outbox_send_command(runner, app):
    _queue()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output


@pytest.mark.parametrize("first_line", ["Hello", ""])
def test_email_templates_must_start_with_a_subject(app, monkeypatch, first_line):
    from jinja2 import TemplateNotFound

    def render(name, **ctx):
        if name.endswith(".html"):
            raise TemplateNotFound(name)
        return f"{first_line}\nBody"

    monkeypatch.setattr(services, "render_template", render)
    with pytest.raises(ValueError):
        services.queue_email(to="a@example.test", kind="test", template="x")
