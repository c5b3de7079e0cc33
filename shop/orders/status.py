"""Order and fulfilment states, their transition tables, and the one function that
changes either (docs/architecture.md: state changes go through one function).

Orders: ``pending_payment → paid → cancelled | refunded | partially_refunded``; an
unpaid order can also be cancelled (by the buyer, staff, or the sweeper when its hold
lapses). An order paid on invoice starts ``invoiced`` (confirmed, fulfilled as if paid)
and moves to ``paid`` when the invoice is paid, or to ``cancelled`` by staff. Fulfilments: ``new → accepted → packed → shipped → delivered``, and
``cancelled`` from any state before shipping.

Each allowed move names the roles (``shop/roles.py``) that may make it. Both machines
run on the engine (``shop/statemachine.py``): ``transition`` checks the move and the
role, changes the row with a conditional UPDATE (``… WHERE status = :from``) so two
people acting at once cannot both move the same order, and records a ``StatusChange``
in ``order_status_changes``. Services decide the actor's role (``ROLE_SELLER`` only for
a member of the fulfilment's enterprise) and add the side effects: stock, e-mails,
timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app
from flask_babel import lazy_gettext as _l

from shop import roles
from shop import statemachine as sm

# Orders.
ORDER_PENDING_PAYMENT = "pending_payment"
ORDER_PAID = "paid"
ORDER_CANCELLED = "cancelled"
ORDER_REFUNDED = "refunded"
ORDER_PARTIALLY_REFUNDED = "partially_refunded"
# Confirmed without payment: the buyer pays on invoice (net terms, ``shop/invoicing``).
# Enterprises fulfil it like a paid order; it becomes paid when the invoice is paid in
# full. The sweeper never releases it (it has no hold).
ORDER_INVOICED = "invoiced"
ORDER_STATUSES = (ORDER_PENDING_PAYMENT, ORDER_PAID, ORDER_CANCELLED, ORDER_REFUNDED, ORDER_PARTIALLY_REFUNDED,
                  ORDER_INVOICED)

# Fulfilments.
FULFILMENT_NEW = "new"
FULFILMENT_ACCEPTED = "accepted"
FULFILMENT_PACKED = "packed"
FULFILMENT_SHIPPED = "shipped"
FULFILMENT_DELIVERED = "delivered"
FULFILMENT_CANCELLED = "cancelled"
FULFILMENT_STATUSES = (FULFILMENT_NEW, FULFILMENT_ACCEPTED, FULFILMENT_PACKED, FULFILMENT_SHIPPED,
                       FULFILMENT_DELIVERED, FULFILMENT_CANCELLED)
# Fulfilments an enterprise still has to act on (once the order is paid).
FULFILMENT_OPEN = (FULFILMENT_NEW, FULFILMENT_ACCEPTED, FULFILMENT_PACKED)

# Who acts: the shop's roles (``shop/roles.py``) under the names the order code uses.
ROLE_BUYER = roles.BUYER
ROLE_SELLER = roles.ENTERPRISE_MEMBER
ROLE_STAFF = roles.PROGRAMME_STAFF
ROLE_SYSTEM = roles.SYSTEM
ROLES = roles.ROLES

ORDER = "order"
FULFILMENT = "fulfilment"

# Payment methods and channels.
PAYMENT_PROMPTPAY_QR = "promptpay_qr"
PAYMENT_STRIPE = "stripe"  # Stripe Checkout: card or PromptPay, confirmed by webhook
PAYMENT_INVOICE = "invoice"  # pay on invoice (net terms): verified retail buyers with terms only
PAYMENT_METHODS = (PAYMENT_PROMPTPAY_QR, PAYMENT_STRIPE, PAYMENT_INVOICE)
CHANNEL_ONLINE = "online"
CHANNEL_WHOLESALE = "wholesale"

# Shipping option kinds.
SHIPPING_FLAT = "flat"
SHIPPING_WEIGHT = "weight"
SHIPPING_PICKUP = "pickup"
SHIPPING_KINDS = (SHIPPING_FLAT, SHIPPING_WEIGHT, SHIPPING_PICKUP)

# Carriers offered on the ship form ("other" lets the seller type any name).
CARRIERS = ("thailand_post", "kerry", "flash", "jt", "best", "ninjavan", "lalamove", "other")

_B, _S, _T, _Y = ROLE_BUYER, ROLE_SELLER, ROLE_STAFF, ROLE_SYSTEM

ORDER_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    # A confirmed slip (seller when paid to its own PromptPay ID, or staff) or a
    # verified payment-provider event (system).
    (ORDER_PENDING_PAYMENT, ORDER_PAID): frozenset({_S, _T, _Y}),
    # The buyer changes their mind, staff cancel, or the hold lapses.
    (ORDER_PENDING_PAYMENT, ORDER_CANCELLED): frozenset({_B, _T, _Y}),
    # Every fulfilment of a paid order was cancelled before shipping.
    (ORDER_PAID, ORDER_CANCELLED): frozenset({_T, _Y}),
    (ORDER_PAID, ORDER_PARTIALLY_REFUNDED): frozenset({_S, _T, _Y}),
    (ORDER_PAID, ORDER_REFUNDED): frozenset({_S, _T, _Y}),
    (ORDER_PARTIALLY_REFUNDED, ORDER_PARTIALLY_REFUNDED): frozenset({_S, _T, _Y}),
    (ORDER_PARTIALLY_REFUNDED, ORDER_REFUNDED): frozenset({_S, _T, _Y}),
    # An invoice order: paid once its payments reach the total (staff record a
    # transfer or confirm a slip); cancelled by staff (or when every part is cancelled).
    (ORDER_INVOICED, ORDER_PAID): frozenset({_T, _Y}),
    (ORDER_INVOICED, ORDER_CANCELLED): frozenset({_T, _Y}),
}

FULFILMENT_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (FULFILMENT_NEW, FULFILMENT_ACCEPTED): frozenset({_S, _T}),
    (FULFILMENT_ACCEPTED, FULFILMENT_PACKED): frozenset({_S, _T}),
    (FULFILMENT_PACKED, FULFILMENT_SHIPPED): frozenset({_S, _T}),
    # The buyer confirms receipt, or the seller/staff record the carrier's delivery.
    (FULFILMENT_SHIPPED, FULFILMENT_DELIVERED): frozenset({_B, _S, _T, _Y}),
    (FULFILMENT_NEW, FULFILMENT_CANCELLED): frozenset({_S, _T, _Y}),
    (FULFILMENT_ACCEPTED, FULFILMENT_CANCELLED): frozenset({_S, _T, _Y}),
    (FULFILMENT_PACKED, FULFILMENT_CANCELLED): frozenset({_S, _T, _Y}),
}

TABLES = {ORDER: ORDER_TRANSITIONS, FULFILMENT: FULFILMENT_TRANSITIONS}
STATUSES = {ORDER: ORDER_STATUSES, FULFILMENT: FULFILMENT_STATUSES}

_LABELS = {
    (ORDER, ORDER_PENDING_PAYMENT): _l("Awaiting payment"),
    (ORDER, ORDER_PAID): _l("Paid"),
    (ORDER, ORDER_CANCELLED): _l("Cancelled"),
    (ORDER, ORDER_REFUNDED): _l("Refunded"),
    (ORDER, ORDER_PARTIALLY_REFUNDED): _l("Partly refunded"),
    (ORDER, ORDER_INVOICED): _l("Confirmed, pay on invoice"),
    (FULFILMENT, FULFILMENT_NEW): _l("New"),
    (FULFILMENT, FULFILMENT_ACCEPTED): _l("Accepted"),
    (FULFILMENT, FULFILMENT_PACKED): _l("Packed"),
    (FULFILMENT, FULFILMENT_SHIPPED): _l("Shipped"),
    (FULFILMENT, FULFILMENT_DELIVERED): _l("Delivered"),
    (FULFILMENT, FULFILMENT_CANCELLED): _l("Cancelled"),
}

_CARRIER_LABELS = {
    "thailand_post": _l("Thailand Post"),
    "kerry": _l("Kerry Express"),
    "flash": _l("Flash Express"),
    "jt": _l("J&T Express"),
    "best": _l("BEST Express"),
    "ninjavan": _l("Ninja Van"),
    "lalamove": _l("Lalamove"),
    "other": _l("Other carrier"),
}


def status_label(machine: str, code: str):
    return _LABELS.get((machine, code), code)


def role_label(role: str):
    return roles.label(role)


def carrier_label(code: str | None):
    if not code:
        return ""
    return _CARRIER_LABELS.get(code, code)


def tracking_url(carrier: str | None, tracking_number: str | None) -> str | None:
    """The carrier's public tracking page for this parcel (``CARRIER_TRACKING_URLS``),
    or None for a carrier without one."""
    pattern = current_app.config["CARRIER_TRACKING_URLS"].get(carrier or "")
    if not pattern or not tracking_number:
        return None
    return pattern.replace("{number}", quote(tracking_number.strip(), safe=""))


class TransitionRefused(sm.TransitionRefused):
    """The move is not allowed from this state, or not for this role."""

    code = "conflict"
    default_message = _l("This order has changed since you opened it; nothing was changed.")


@dataclass(frozen=True)
class Refusal:
    reason: str  # "state" | "role"


def check(machine: str, from_status: str, to_status: str, role: str) -> Refusal | None:
    """None when ``role`` may move a ``machine`` from ``from_status`` to ``to_status``."""
    roles_allowed = TABLES[machine].get((from_status, to_status))
    if roles_allowed is None:
        return Refusal("state")
    if role not in roles_allowed:
        return Refusal("role")
    return None


def allowed_targets(machine: str, from_status: str, role: str) -> list[str]:
    return [to for (frm, to), allowed in TABLES[machine].items() if frm == from_status and role in allowed]


def _refuse_state(machine: sm.StateMachine, from_status: str, to_status: str) -> Exception:
    return TransitionRefused(
        _l("This cannot be done while the status is “%(status)s”.", status=machine.label(from_status))
    )


def _refuse_role(machine: sm.StateMachine, from_status: str, to_status: str, role: str) -> Exception:
    return TransitionRefused(_l("You may not make this change to the order."))


# The tables the machines move and record in. ``orders/models.py`` imports this module
# for the codes above, so it hands its classes over (``use_models``) instead of being
# imported here.
_MODELS: dict[str, type] = {}


def use_models(*, order: type, fulfilment: type, status_change: type) -> None:
    _MODELS.update(order=order, fulfilment=fulfilment, status_change=status_change)


def _record(change: sm.Change):
    Fulfilment, StatusChange = _MODELS["fulfilment"], _MODELS["status_change"]
    row = change.row
    is_fulfilment = isinstance(row, Fulfilment)
    return StatusChange(
        order_id=row.order_id if is_fulfilment else row.id, fulfilment_id=row.id if is_fulfilment else None,
        machine=change.machine.name, from_status=change.from_status, to_status=change.to_status,
        actor_id=change.actor_id, actor_role=change.role, reason=change.reason, created_at=change.at,
    )


def _machine(name: str, model: type) -> sm.StateMachine:
    return sm.StateMachine(
        name=name, model=model, states=STATUSES[name], moves=TABLES[name], record=_record,
        labels={code: label for (machine, code), label in _LABELS.items() if machine == name},
        error=TransitionRefused, refuse_state=_refuse_state, refuse_role=_refuse_role,
    )


_MACHINES: dict[str, sm.StateMachine] = {}


def machines() -> dict[str, sm.StateMachine]:
    """The two machines, built on first use (the models import this module)."""
    if not _MACHINES:
        _MACHINES.update({ORDER: _machine(ORDER, _MODELS["order"]),
                          FULFILMENT: _machine(FULFILMENT, _MODELS["fulfilment"])})
    return _MACHINES


def machine_of(obj) -> sm.StateMachine:
    for machine in machines().values():
        if isinstance(obj, machine.model):
            return machine
    raise TypeError(f"no state machine for {type(obj).__name__}")  # pragma: no cover - programming error


def transition(obj, to_status: str, *, actor, role: str, reason: str | None = None,
               values: dict | None = None, at=None):
    """Move an ``Order`` or a ``Fulfilment`` to ``to_status`` inside the caller's
    transaction and record the change; returns the ``StatusChange``.

    Raises ``TransitionRefused`` (409) when the table forbids it for ``role`` or when
    someone else moved the row first. The caller commits.
    """
    return sm.transition(machine_of(obj), obj, to_status, actor=actor, role=role, reason=reason,
                         values=values, at=at)
