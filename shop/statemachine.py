"""The one state-machine engine: every status in the shop changes through
``transition``.

Each area declares a ``StateMachine`` for its model (orders and fulfilments in
``orders/status.py``, listings in ``catalog/listing_status.py``, enterprise
applications in ``sellers/services.py``, payments, refunds and slips in
``payments/machines.py``, payouts and batches in ``ledger/machines.py``, retail-buyer
verification in ``accounts/machines.py``, requests for quote in
``quotes/machines.py``): its states, its transition table (from → to, and the roles of
``shop/roles.py`` that may make each move), the moves that need a reason, the status
column, and how a change is recorded.

``transition`` checks the move against the table, changes the row with a conditional
UPDATE (``… SET status = :to WHERE id = :id AND status = :from``, row count checked)
so two people acting at once cannot both move the same row, sets the row's new values
on the loaded object, and records the change, all in the caller's transaction: it
never commits. A forbidden move or a lost race raises the machine's ``DomainError``
subclass with a translated message, and nothing is changed.

History: a machine that had a history table before the engine keeps it
(``order_status_changes``, ``listing_status_changes``, ``enterprise_events``); the
others write one row per change into the generic ``status_changes`` table
(``StatusChangeLog``: machine name, row id, from, to, actor, role, reason, when).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from shop import roles as R
from shop.dbtypes import UTCDateTime, utcnow
from shop.errors import Conflict, PermissionDenied, ValidationFailed
from shop.extensions import db


class TransitionRefused(Conflict):
    """The move is not in the table from the row's state, or someone else moved the
    row first (409)."""

    code = "transition_refused"
    default_message = _l("This has changed since you opened it; nothing was changed.")


class StatusChangeLog(db.Model):
    """One status change of a row whose machine keeps no history table of its own."""

    __tablename__ = "status_changes"
    __table_args__ = (Index("ix_status_changes_machine_row", "machine", "row_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    machine: Mapped[str] = mapped_column(String(24))
    row_id: Mapped[int] = mapped_column(Integer)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True)
class Change:
    """What ``transition`` hands to a machine's recorder."""

    machine: StateMachine
    row: Any
    from_status: str
    to_status: str
    actor: Any
    role: str
    reason: str | None
    at: datetime

    @property
    def actor_id(self) -> int | None:
        return getattr(self.actor, "id", None)


def record_generic(change: Change) -> StatusChangeLog:
    """The default recorder: a ``status_changes`` row."""
    return StatusChangeLog(
        machine=change.machine.name, row_id=change.row.id, from_status=change.from_status,
        to_status=change.to_status, actor_id=change.actor_id, actor_role=change.role, reason=change.reason,
        created_at=change.at,
    )


def _refuse_state(machine: StateMachine, from_status: str, to_status: str) -> Exception:
    return machine.error(_l("This cannot be done while the status is “%(status)s”.",
                            status=machine.label(from_status)))


def _refuse_role(machine: StateMachine, from_status: str, to_status: str, role: str) -> Exception:
    return PermissionDenied()


def _refuse_race(machine: StateMachine, from_status: str, to_status: str) -> Exception:
    return machine.error()


def _refuse_reason(machine: StateMachine) -> Exception:
    message = _l("Please give a reason.")
    return ValidationFailed(message, fields={"reason": message})


@dataclass(eq=False)
class StateMachine:
    """A model's states, its transition table and how its changes are recorded.

    ``moves`` maps ``(from, to)`` to the roles that may make that move;
    ``reason_required`` lists the ``(from, to, role)`` moves that must say why. The
    ``refuse_*`` hooks build the exception for a move not in the table, a role the move
    does not allow, a lost race and a missing reason (each machine keeps its own
    wording); ``record`` builds the history row (added to the session here);
    ``after``, when given, runs once the row has moved (e.g. to queue the search index:
    the UPDATE skips the session's flush events).
    """

    name: str
    model: type
    states: tuple[str, ...]
    moves: Mapping[tuple[str, str], Iterable[str]]
    record: Callable[[Change], Any] = record_generic
    column: str = "status"
    reason_required: frozenset[tuple[str, str, str]] = frozenset()
    labels: Mapping[str, Any] = field(default_factory=dict)
    error: type[Exception] = TransitionRefused
    refuse_state: Callable[..., Exception] = _refuse_state
    refuse_role: Callable[..., Exception] = _refuse_role
    refuse_race: Callable[..., Exception] = _refuse_race
    refuse_reason: Callable[..., Exception] = _refuse_reason
    after: Callable[[Change], None] | None = None

    def __post_init__(self) -> None:
        self.moves = {key: frozenset(roles) for key, roles in self.moves.items()}
        self.reason_required = frozenset(self.reason_required)
        for (frm, to), allowed in self.moves.items():
            if frm not in self.states or to not in self.states:
                raise ValueError(f"{self.name}: unknown state in move {frm} → {to}")
            if not allowed or not allowed <= set(R.ROLES):
                raise ValueError(f"{self.name}: unknown role in move {frm} → {to}: {sorted(allowed)}")
        for frm, to, role in self.reason_required:
            if role not in self.moves.get((frm, to), ()):
                raise ValueError(f"{self.name}: a reason is required for a move not in the table")

    def label(self, state: str):
        return self.labels.get(state, state)

    def allows(self, from_status: str, to_status: str, role: str) -> bool:
        return role in self.moves.get((from_status, to_status), ())

    def targets(self, from_status: str, role: str) -> list[str]:
        """Where ``role`` may move a row that is ``from_status`` (table order)."""
        return [to for (frm, to), allowed in self.moves.items() if frm == from_status and role in allowed]

    def needs_reason(self, from_status: str, to_status: str, role: str) -> bool:
        return (from_status, to_status, role) in self.reason_required


def transition(machine: StateMachine, row, to_status: str, *, actor, role: str, reason: str | None = None,
               values: Mapping[str, Any] | None = None, at: datetime | None = None):
    """Move ``row`` to ``to_status`` as ``actor`` acting as ``role``, in the caller's
    transaction; returns the history row.

    ``values`` are other columns set by the same UPDATE (``paid_at``, ``reviewed_by_id``
    …); ``updated_at`` is set when the model has one. ``at`` backdates the change (demo
    data only). Raises ``ValueError`` for a role that does not exist (a programming
    error), else the machine's refusals; the caller rolls back or carries on.
    """
    if role not in R.ROLES:
        raise ValueError(f"unknown role {role!r}")
    if not isinstance(row, machine.model):
        raise TypeError(f"{machine.name} moves {machine.model.__name__} rows, not {type(row).__name__}")
    from_status = getattr(row, machine.column)
    allowed = machine.moves.get((from_status, to_status))
    if allowed is None:
        raise machine.refuse_state(machine, from_status, to_status)
    if role not in allowed:
        raise machine.refuse_role(machine, from_status, to_status, role)
    reason = (reason or "").strip() or None
    if reason is None and machine.needs_reason(from_status, to_status, role):
        raise machine.refuse_reason(machine)
    now = at or utcnow()
    new_values = {machine.column: to_status, **(values or {})}
    if "updated_at" in machine.model.__table__.c and "updated_at" not in new_values:
        new_values["updated_at"] = now
    column = getattr(machine.model, machine.column)
    result = db.session.execute(
        update(machine.model)
        .where(machine.model.id == row.id, column == from_status)
        .values(**new_values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise machine.refuse_race(machine, from_status, to_status)
    for key, value in new_values.items():
        set_committed_value(row, key, value)
    change = Change(machine=machine, row=row, from_status=from_status, to_status=to_status, actor=actor,
                    role=role, reason=reason, at=now)
    record = machine.record(change)
    db.session.add(record)
    if machine.after is not None:
        machine.after(change)
    return record


def history(machine: StateMachine, row_id: int) -> list[StatusChangeLog]:
    """The generic history of one row, oldest first."""
    return list(db.session.scalars(
        select(StatusChangeLog)
        .where(StatusChangeLog.machine == machine.name, StatusChangeLog.row_id == row_id)
        .order_by(StatusChangeLog.created_at, StatusChangeLog.id)
    ))
