"""E-mails go through the outbox: written with the change, sent once, retried on failure;
jobs make their messages in the sender, once, and are retried the same way."""

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
from shop.notifications.models import OutboxJob, OutboxMessage
from shop.notifications.services import queue_job, send_pending

#: What the test job handler does next: "mail" queues one message to the payload address,
#: "fail" queues one and then raises.
job_behaviour = {"mode": "mail"}


@services.job("test_job")
def _test_job(payload: dict) -> None:
    db.session.add(OutboxMessage(to_address=payload["to"], subject="From a job", body_text="Body", kind="test_job"))
    if job_behaviour["mode"] == "fail":
        raise RuntimeError("the job broke")


@pytest.fixture
def behaviour():
    job_behaviour["mode"] = "mail"
    yield job_behaviour
    job_behaviour["mode"] = "mail"


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


def test_no_transaction_is_open_while_a_message_is_delivered(app, monkeypatch):
    """SMTP may take seconds: the message is read before and marked sent after, each in
    a transaction of its own, never one held across the send."""
    _queue()
    open_at_delivery = []
    real_deliver = services._deliver

    def deliver(*args, **kwargs):
        open_at_delivery.append(db.session().in_transaction())
        return real_deliver(*args, **kwargs)

    monkeypatch.setattr(services, "_deliver", deliver)
    assert send_pending().sent == 1
    assert open_at_delivery == [False]
    db.session.rollback()  # only what was committed counts
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.sent_at is not None and message.attempts == 1


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
    queue_job("test_job", to="job@example.test")
    db.session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2, failed 0; jobs done 1, failed 0" in result.output


# ---------------------------------------------------------------- jobs


def test_a_job_runs_once_and_its_message_is_sent_in_the_same_drain(app, behaviour):
    job = queue_job("test_job", to="job@example.test")
    db.session.commit()
    assert db.session.scalars(select(OutboxMessage)).all() == []  # nothing made until the sender runs

    report = send_pending()

    assert (report.jobs_done, report.jobs_failed, report.sent, report.failed) == (1, 0, 1, 0)
    db.session.refresh(job)
    assert job.done_at is not None and job.attempts == 1 and job.claimed_until is None
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.to_address == "job@example.test" and message.sent_at is not None
    assert [path.name for path in Path(app.config["MAIL_FILE_DIR"]).glob("*.eml")] == [f"{message.id:08d}-test_job.eml"]

    again = send_pending()
    assert (again.jobs_done, again.sent) == (0, 0)
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_a_failing_job_leaves_no_message_and_is_retried_later(app, behaviour):
    behaviour["mode"] = "fail"
    job = queue_job("test_job", to="job@example.test")
    db.session.commit()

    report = send_pending()

    assert (report.jobs_done, report.jobs_failed, report.sent) == (0, 1, 0)
    db.session.refresh(job)
    assert job.done_at is None and job.attempts == 1 and job.claimed_until is None
    assert "RuntimeError: the job broke" in job.last_error
    assert job.next_attempt_at > utcnow()
    assert db.session.scalars(select(OutboxMessage)).all() == []  # rolled back with the job

    behaviour["mode"] = "mail"
    assert send_pending().jobs_done == 0  # not due yet
    job.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    report = send_pending()
    assert (report.jobs_done, report.sent) == (1, 1)
    db.session.refresh(job)
    assert job.done_at is not None and job.attempts == 2 and job.last_error is None


def test_a_job_claimed_by_another_sender_is_not_run(app, behaviour):
    job = queue_job("test_job", to="job@example.test")
    job.claimed_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert send_pending().jobs_done == 0
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_job_of_a_kind_nobody_handles_is_kept_and_retried(app):
    db.session.add(OutboxJob(kind="no_such_job", payload={}))
    db.session.commit()
    report = send_pending()
    assert report.jobs_failed == 1
    job = db.session.scalar(select(OutboxJob))
    assert job.done_at is None and "no handler" in job.last_error


def test_queue_job_refuses_a_kind_without_a_handler(app):
    with pytest.raises(ValueError, match="no handler"):
        queue_job("no_such_job", to="x@example.test")


def test_a_second_handler_for_a_job_kind_is_refused():
    def other(payload):
        pass

    with pytest.raises(ValueError, match="already has a handler"):
        services.job("test_job")(other)


def test_queue_job_adds_to_the_callers_transaction(app):
    queue_job("test_job", to="job@example.test")
    db.session.rollback()
    assert db.session.scalars(select(OutboxJob)).all() == []


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
