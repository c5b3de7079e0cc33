"""Ledger use cases: entries for sales, fees, refunds and clawbacks, and payouts by
Stripe Connect transfer or by staff-recorded batches (docs/product.md: Ledger and
payouts).

The ledger says what the platform owes each enterprise. Signs: a sale is positive,
the platform fee negative, a refund negative and the fee given back with it positive,
a payout negative. A **clawback** (money taken back from a connected account by
reversing a transfer after a refund) is *positive*: the refund had already made the
balance negative (the enterprise owed the platform the money it had been sent), and
the reversal settles that debt. An enterprise's balance is ``SUM(amount_satang)``,
never a stored figure.

Every entry has an ``entry_key`` naming the fact it records (``sale:f42``,
``fee:f42``, ``refund:r7``, ``fee_refund:r7``, ``clawback:r7``, ``payout:p3``); it is
unique, and entries are written with ``INSERT … ON CONFLICT DO NOTHING``, so posting
the same fact twice (a webhook redelivered, a command run again, two workers racing)
leaves one entry and never raises.

Fees: ``fee_for`` is integer basis-point math rounded half up, on the fulfilment's
total (goods and shipping: the platform collected both). The fee given back with a
refund is the original fee's share of the refunded amount, computed on the running
total (``round(fee × refunded_so_far / total) − fee already given back``), so partial
refunds never give back more than the fee charged and a full refund gives back
exactly all of it, even if the enterprise's fee rate changed in between.

Payouts: the ``payout:p<id>`` entry is posted **when the payout is paid** (a Connect
transfer accepted by Stripe, a batch line recorded by staff), so the ledger only
records money that has left. Money promised to a payout that is not paid yet
(pending or failed) is *reserved*: ``available_for_payout`` is the balance minus
those amounts, and batches only pay what is available.

``apply_*`` functions work in the caller's transaction and never commit; the others
are use cases that commit (once per payout for the ones that call Stripe, so a
transfer accepted by Stripe is recorded before the next one is attempted).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from shop import roles
from shop import statemachine as sm
from shop.catalog.models import Enterprise
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import Conflict, NotFound, ValidationFailed
from shop.extensions import db
from shop.ledger.machines import PAYOUT_BATCHES, PAYOUTS
from shop.ledger.models import (
    BATCH_OPEN,
    BATCH_PAID,
    ENTRY_CLAWBACK,
    ENTRY_FEE,
    ENTRY_FEE_REFUND,
    ENTRY_PAYOUT,
    ENTRY_REFUND,
    ENTRY_SALE,
    PAYOUT_BANK_TRANSFER,
    PAYOUT_FAILED,
    PAYOUT_PAID,
    PAYOUT_PENDING,
    PAYOUT_PROMPTPAY,
    PAYOUT_STRIPE_CONNECT,
    LedgerEntry,
    Payout,
    PayoutBatch,
)
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order
from shop.pagination import Page, paginate
from shop.payments.models import REFUND_SUCCEEDED, Refund
from shop.payments.providers import capabilities_of, get_provider
from shop.spreadsheets import CsvText, baht_cell, csv_producer, write_csv

log = logging.getLogger(__name__)

BPS_DENOMINATOR = 10_000
MAX_REFERENCE_LENGTH = 120


# ---------------------------------------------------------------- fees


def fee_bps(enterprise: Enterprise) -> int:
    """The enterprise's platform fee in basis points (its override, else the default)."""
    if enterprise.platform_fee_bps is not None:
        return int(enterprise.platform_fee_bps)
    return int(current_app.config["PLATFORM_FEE_BPS"])


def _round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def fee_for(enterprise: Enterprise, amount_satang: int) -> int:
    """The platform fee on ``amount_satang`` (positive satang; round half up)."""
    if amount_satang <= 0:
        return 0
    return _round_half_up(amount_satang * fee_bps(enterprise), BPS_DENOMINATOR)


# ---------------------------------------------------------------- posting


def _post(*, entry_key: str, enterprise_id: int, kind: str, amount_satang: int, order_id: int | None = None,
          fulfilment_id: int | None = None, refund_id: int | None = None, payout_id: int | None = None,
          memo: str | None = None) -> bool:
    """Insert one entry unless ``entry_key`` exists; True when this call posted it."""
    values = dict(
        entry_key=entry_key, enterprise_id=enterprise_id, kind=kind, amount_satang=int(amount_satang),
        order_id=order_id, fulfilment_id=fulfilment_id, refund_id=refund_id, payout_id=payout_id,
        memo=memo, created_at=utcnow(),
    )
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = pg_insert(LedgerEntry).values(**values).on_conflict_do_nothing(index_elements=["entry_key"])
    elif dialect == "sqlite":
        statement = sqlite_insert(LedgerEntry).values(**values).on_conflict_do_nothing(index_elements=["entry_key"])
    else:  # pragma: no cover - the app runs on SQLite and PostgreSQL only
        if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.entry_key == entry_key)) is not None:
            return False
        db.session.add(LedgerEntry(**values))
        db.session.flush()
        return True
    result = db.session.execute(statement)
    return bool(result.rowcount)


def _entry_amount(entry_key: str) -> int | None:
    return db.session.scalar(select(LedgerEntry.amount_satang).where(LedgerEntry.entry_key == entry_key))


def apply_sale_entries(order: Order) -> None:
    """Post ``sale:f<id>`` (+total) and ``fee:f<id>`` (−fee) for every fulfilment of a
    paid order that was not cancelled before payment. Idempotent."""
    for fulfilment in order.fulfilments:
        if fulfilment.status == st.FULFILMENT_CANCELLED and (
            order.paid_at is None or fulfilment.cancelled_at is None or fulfilment.cancelled_at < order.paid_at
        ):
            # Cancelled before the buyer paid: it was taken off the amount due. A paid
            # part cancelled later keeps its sale; the money back is a refund.
            continue
        enterprise = fulfilment.enterprise
        total = int(fulfilment.total_satang)
        common = dict(enterprise_id=fulfilment.enterprise_id, order_id=order.id, fulfilment_id=fulfilment.id)
        _post(entry_key=f"sale:f{fulfilment.id}", kind=ENTRY_SALE, amount_satang=total,
              memo=order.public_id, **common)
        _post(entry_key=f"fee:f{fulfilment.id}", kind=ENTRY_FEE, amount_satang=-fee_for(enterprise, total),
              memo=f"{order.public_id} {fee_bps(enterprise)} bps", **common)


def _fulfilment_sum(fulfilment_id: int, kinds: Iterable[str]) -> int:
    return int(db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_satang), 0)).where(
            LedgerEntry.fulfilment_id == fulfilment_id, LedgerEntry.kind.in_(list(kinds))
        )
    ))


def fee_share(fulfilment: Fulfilment, amount_satang: int, *, refund_id: int | None = None) -> int:
    """The part of the fee charged on ``fulfilment`` to give back with a refund of
    ``amount_satang`` (see the module docstring)."""
    total = int(fulfilment.total_satang)
    if total <= 0 or amount_satang <= 0:
        return 0
    fee_amount = _entry_amount(f"fee:f{fulfilment.id}")
    fee_charged = -fee_amount if fee_amount is not None else fee_for(fulfilment.enterprise, total)
    refunded_before = -_fulfilment_sum(fulfilment.id, [ENTRY_REFUND])
    given_back = _fulfilment_sum(fulfilment.id, [ENTRY_FEE_REFUND])
    if refund_id is not None:
        # Recomputing for a refund already posted: leave its own entries out.
        refunded_before += _entry_amount(f"refund:r{refund_id}") or 0
        given_back -= _entry_amount(f"fee_refund:r{refund_id}") or 0
    refunded_after = min(total, refunded_before + int(amount_satang))
    share = _round_half_up(fee_charged * refunded_after, total) - given_back
    return max(0, min(share, fee_charged - given_back))


def apply_refund_entries(refund) -> None:
    """Post ``refund:r<id>`` (−amount) and ``fee_refund:r<id>`` (+fee share) for a
    refund that succeeded. Idempotent: a second call posts nothing."""
    if _entry_amount(f"refund:r{refund.id}") is not None:
        return
    fulfilment = db.session.get(Fulfilment, refund.fulfilment_id)
    if fulfilment is None:
        raise NotFound()
    share = fee_share(fulfilment, int(refund.amount_satang))
    common = dict(enterprise_id=fulfilment.enterprise_id, order_id=refund.order_id, fulfilment_id=fulfilment.id,
                  refund_id=refund.id)
    _post(entry_key=f"refund:r{refund.id}", kind=ENTRY_REFUND, amount_satang=-int(refund.amount_satang),
          memo=fulfilment.order.public_id, **common)
    if share:
        _post(entry_key=f"fee_refund:r{refund.id}", kind=ENTRY_FEE_REFUND, amount_satang=share,
              memo=fulfilment.order.public_id, **common)


def connect_payout_for(fulfilment: Fulfilment) -> Payout | None:
    """The Connect payout that carried this fulfilment's share, if any."""
    return db.session.scalar(
        select(Payout).where(Payout.idempotency_key == transfer_key(fulfilment.order, fulfilment.enterprise_id))
    )


def clawback_due(refund) -> int:
    """What to take back from the connected account after ``refund``: the refund net
    of the fee given back, no more than the transfer still holds."""
    fulfilment = db.session.get(Fulfilment, refund.fulfilment_id)
    payout = connect_payout_for(fulfilment) if fulfilment is not None else None
    if payout is None or payout.status != PAYOUT_PAID:
        return 0
    refund_amount = -(_entry_amount(f"refund:r{refund.id}") or 0) or int(refund.amount_satang)
    given_back = _entry_amount(f"fee_refund:r{refund.id}")
    if given_back is None:
        given_back = fee_share(fulfilment, refund_amount)
    clawed = int(db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_satang), 0)).where(
            LedgerEntry.payout_id == payout.id, LedgerEntry.kind == ENTRY_CLAWBACK
        )
    ))
    return max(0, min(refund_amount - given_back, int(payout.amount_satang) - clawed))


def apply_clawback(refund, *, amount_satang: int, payout: Payout, reversal_ref: str | None = None) -> bool:
    """Post ``clawback:r<id>`` (+amount): the money taken back from the connected
    account (a transfer reversal) after ``refund``. Idempotent."""
    if amount_satang <= 0:
        return False
    memo = f"{payout.provider_ref or ''} {reversal_ref or ''}".strip() or None
    return _post(entry_key=f"clawback:r{refund.id}", kind=ENTRY_CLAWBACK, amount_satang=int(amount_satang),
                 enterprise_id=payout.enterprise_id, order_id=refund.order_id, fulfilment_id=refund.fulfilment_id,
                 refund_id=refund.id, payout_id=payout.id, memo=memo)


def _apply_payout_paid(payout: Payout, *, actor=None, role: str = roles.SYSTEM, reference: str | None = None,
                       provider_ref: str | None = None) -> None:
    values: dict = {"paid_at": utcnow(), "failure_reason": None}
    if reference is not None:
        values["reference"] = reference
    if provider_ref is not None:
        values["provider_ref"] = provider_ref
    sm.transition(PAYOUTS, payout, PAYOUT_PAID, actor=actor, role=role, values=values)
    _post(entry_key=f"payout:p{payout.id}", kind=ENTRY_PAYOUT, amount_satang=-int(payout.amount_satang),
          enterprise_id=payout.enterprise_id, order_id=payout.order_id, payout_id=payout.id,
          memo=provider_ref or reference)


# ---------------------------------------------------------------- balances


def balance(enterprise_id: int) -> int:
    """What the platform owes the enterprise: the sum of its entries (satang)."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_satang), 0)).where(LedgerEntry.enterprise_id == enterprise_id)
    ))


def reserved(enterprise_id: int) -> int:
    """Money promised to payouts not paid yet (pending or failed)."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(Payout.amount_satang), 0)).where(
            Payout.enterprise_id == enterprise_id, Payout.status.in_([PAYOUT_PENDING, PAYOUT_FAILED])
        )
    ))


def available_for_payout(enterprise_id: int) -> int:
    return balance(enterprise_id) - reserved(enterprise_id)


@dataclass(frozen=True)
class BalanceRow:
    enterprise: Enterprise
    balance_satang: int
    reserved_satang: int
    earned_satang: int  # sales
    fees_satang: int  # fees net of fees given back (negative)
    refunds_satang: int  # negative
    clawbacks_satang: int
    paid_out_satang: int  # negative

    @property
    def available_satang(self) -> int:
        return self.balance_satang - self.reserved_satang


def balances(enterprise_ids: Iterable[int] | None = None) -> list[BalanceRow]:
    """Every enterprise that has an entry or a payout (or those asked for), with its
    totals by kind, in enterprise id order."""
    entry_query = select(LedgerEntry.enterprise_id, LedgerEntry.kind, func.sum(LedgerEntry.amount_satang))
    held_query = select(Payout.enterprise_id, func.sum(Payout.amount_satang)).where(
        Payout.status.in_([PAYOUT_PENDING, PAYOUT_FAILED]))
    wanted = None if enterprise_ids is None else list(enterprise_ids)
    if wanted is not None:
        entry_query = entry_query.where(LedgerEntry.enterprise_id.in_(wanted))
        held_query = held_query.where(Payout.enterprise_id.in_(wanted))
    sums: dict[int, dict[str, int]] = {}
    for enterprise_id, kind, total in db.session.execute(
        entry_query.group_by(LedgerEntry.enterprise_id, LedgerEntry.kind)
    ):
        sums.setdefault(enterprise_id, {})[kind] = int(total or 0)
    held = {eid: int(total or 0) for eid, total in db.session.execute(held_query.group_by(Payout.enterprise_id))}
    ids = sorted(set(sums) | set(held) | set(wanted or []))
    enterprises = {e.id: e for e in db.session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)))} if ids else {}
    rows = []
    for enterprise_id in ids:
        if enterprise_id not in enterprises:
            continue
        kinds = sums.get(enterprise_id, {})
        rows.append(BalanceRow(
            enterprise=enterprises[enterprise_id], balance_satang=sum(kinds.values()),
            reserved_satang=held.get(enterprise_id, 0), earned_satang=kinds.get(ENTRY_SALE, 0),
            fees_satang=kinds.get(ENTRY_FEE, 0) + kinds.get(ENTRY_FEE_REFUND, 0),
            refunds_satang=kinds.get(ENTRY_REFUND, 0), clawbacks_satang=kinds.get(ENTRY_CLAWBACK, 0),
            paid_out_satang=kinds.get(ENTRY_PAYOUT, 0),
        ))
    return rows


# ---------------------------------------------------------------- Stripe Connect


_STRIPE_ACCOUNT_RE = re.compile(r"^acct_[A-Za-z0-9]{6,60}$")
MAX_FEE_BPS = 3000  # 30 %: anything above is a typing mistake


def set_payout_settings(actor, enterprise_id: int, *, fee_percent: str | None, stripe_account_id: str | None) -> Enterprise:
    """Staff set an enterprise's platform-fee override (a percentage with up to two
    decimals; blank uses ``PLATFORM_FEE_BPS``) and its Stripe Connect account (``acct_…``;
    blank pays it through batches). Commits; ``ValidationFailed`` with nothing written
    on bad input."""
    with transaction():
        if not getattr(actor, "is_staff", False):
            raise NotFound()
        enterprise = db.session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise NotFound()
        fields: dict[str, object] = {}
        fee_text = (fee_percent or "").strip().replace(",", ".")
        bps: int | None = None
        if fee_text:
            match = re.fullmatch(r"(\d{1,2})(?:\.(\d{1,2}))?", fee_text)
            if match is None:
                fields["fee_percent"] = _l("Enter a percentage such as 5 or 4.5, or leave it blank for the standard fee.")
            else:
                bps = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
                if bps > MAX_FEE_BPS:
                    fields["fee_percent"] = _l("The fee can be at most %(max)s%%.", max=MAX_FEE_BPS // 100)
        account = (stripe_account_id or "").strip() or None
        if account is not None and not _STRIPE_ACCOUNT_RE.match(account):
            fields["stripe_account_id"] = _l("A Stripe account id looks like acct_1A2b3C4d5E6f.")
        if fields:
            raise ValidationFailed(next(iter(fields.values())), fields=fields)
        enterprise.platform_fee_bps = bps
        enterprise.stripe_account_id = account
    return enterprise


def apply_direct_payment(order: Order, enterprise_id: int, *, reference: str | None = None) -> None:
    """In the caller's transaction: the buyer paid ``enterprise_id`` directly (a slip to
    the enterprise's own PromptPay ID), so its part counts as already paid out. The
    sale and fee entries stand; a paid payout of the part's total leaves the balance at
    minus the fee, which the enterprise owes the platform."""
    for fulfilment in order.fulfilments:
        if fulfilment.enterprise_id != enterprise_id or _entry_amount(f"sale:f{fulfilment.id}") is None:
            continue
        key = f"direct-{order.public_id}-{enterprise_id}"
        if db.session.scalar(select(Payout.id).where(Payout.idempotency_key == key)) is not None:
            continue
        payout = Payout(enterprise_id=enterprise_id, method=PAYOUT_PROMPTPAY, status=PAYOUT_PENDING,
                        amount_satang=int(fulfilment.total_satang), idempotency_key=key, order_id=order.id)
        db.session.add(payout)
        db.session.flush()
        _apply_payout_paid(payout, reference=reference or "paid directly by the buyer")


def transfer_key(order: Order, enterprise_id: int) -> str:
    return f"transfer-{order.public_id}-{enterprise_id}"


def _fulfilment_net(fulfilment: Fulfilment) -> int:
    """What the enterprise earned on this fulfilment so far: sale − fee − refunds +
    fees given back."""
    return _fulfilment_sum(fulfilment.id, [ENTRY_SALE, ENTRY_FEE, ENTRY_REFUND, ENTRY_FEE_REFUND])


def apply_connect_payouts(order: Order) -> list[Payout]:
    """In the caller's transaction: one pending Connect payout per fulfilment whose
    enterprise has a connected account, for the fulfilment's net (sale − fee, less any
    refund already posted), keyed ``transfer-<public id>-<enterprise id>``. Existing
    payouts are returned as they are (idempotent). Sale entries must be posted first."""
    payouts: list[Payout] = []
    for fulfilment in order.fulfilments:
        enterprise = fulfilment.enterprise
        if not enterprise.stripe_account_id:
            continue
        existing = connect_payout_for(fulfilment)
        if existing is not None:
            payouts.append(existing)
            continue
        if _entry_amount(f"sale:f{fulfilment.id}") is None:
            continue  # never paid (or cancelled before payment): nothing earned
        amount = _fulfilment_net(fulfilment)
        if amount <= 0:
            continue
        payout = Payout(enterprise_id=enterprise.id, method=PAYOUT_STRIPE_CONNECT, status=PAYOUT_PENDING,
                        amount_satang=amount, idempotency_key=transfer_key(order, enterprise.id), order_id=order.id)
        db.session.add(payout)
        db.session.flush()
        payouts.append(payout)
    return payouts


def _provider():
    return get_provider("stripe")


def record_paid_order(order: Order) -> None:
    """``orders.services.ORDER_PAID``: each part's sale and the platform's fee, and the
    Connect payouts when the order's provider pays enterprises by transfer (sent after
    the commit, see ``create_connect_payouts``)."""
    apply_sale_entries(order)
    if capabilities_of(order.payment_method).connect_payouts:
        apply_connect_payouts(order)


def send_connect_transfer(payout: Payout, *, actor=None, role: str = roles.SYSTEM) -> Payout:
    """Ask Stripe to transfer one pending (or failed) Connect payout, with its
    deterministic idempotency key; record the outcome and commit. A failure leaves the
    payout ``failed`` with the reason (staff retry it); it never raises for the
    provider's errors.

    Two transactions around the call to Stripe, never one open during it: what is
    pending is committed first (if the process dies during the call, the payout row
    and its key are there to retry with), then the outcome is recorded."""
    with transaction():
        if payout.status == PAYOUT_PAID:
            return payout
        enterprise = db.session.get(Enterprise, payout.enterprise_id)
        destination = enterprise.stripe_account_id if enterprise is not None else None
        if payout.method != PAYOUT_STRIPE_CONNECT or not destination:
            raise Conflict(_l("This payout is not a Stripe Connect transfer."))
        payout_id, key = payout.id, payout.idempotency_key
    try:
        transfer_id = _provider().transfer(payout, destination=destination)
    except Exception as exc:  # noqa: BLE001 - any provider failure: keep it for a retry
        log.warning("Connect transfer %s failed: %s", key, exc)
        with transaction():
            payout = db.session.get(Payout, payout_id)
            reason = str(exc)[:2000] or exc.__class__.__name__
            sm.transition(PAYOUTS, payout, PAYOUT_FAILED, actor=actor, role=role, reason=reason,
                          values={"failure_reason": reason})
        return payout
    with transaction():
        _apply_payout_paid(payout, actor=actor, role=role, provider_ref=transfer_id)
    return payout


def create_connect_payouts(order: Order) -> list[Payout]:
    """After the transaction that paid the order has committed: post its sale entries
    (if the caller did not), create the Connect payouts and send each transfer. Safe
    to call again or from two workers at once: paid payouts are left alone, unpaid
    ones are sent again with the same idempotency key. Commits (do not call it inside
    another use case's open transaction)."""
    # One transaction for the payouts, then one pair per transfer (``send_connect_transfer``).
    order_id = order.id
    try:
        with transaction():
            apply_sale_entries(order)
            payouts = apply_connect_payouts(order)
    except IntegrityError:
        # Another worker created the same payouts (same keys) at this instant: use theirs.
        with transaction():
            order = db.session.get(Order, order_id)
            payouts = [p for p in (connect_payout_for(f) for f in order.fulfilments) if p is not None]
    return [send_connect_transfer(payout) for payout in payouts]


def retry_payout(payout_id: int, *, actor) -> Payout:
    """Staff retry a failed (or stuck pending) Connect transfer: same key, same amount."""
    _require_staff(actor)
    payout = db.session.get(Payout, payout_id)
    if payout is None:
        raise NotFound()
    if payout.method != PAYOUT_STRIPE_CONNECT:
        raise Conflict(_l("Only Stripe Connect transfers can be retried; record batch payouts as paid."))
    if payout.status == PAYOUT_PAID:
        raise Conflict(_l("This payout has already been paid."))
    return send_connect_transfer(payout, actor=actor, role=roles.PROGRAMME_STAFF)


def reversal_key(refund) -> str:
    return f"reversal-{refund.idempotency_key}"


def claw_back(refund) -> int:
    """After ``refund`` succeeded on a fulfilment whose share was already transferred
    to a connected account: reverse that much of the transfer (key
    ``reversal-<refund key>``) and post the clawback. Commits; returns the amount
    taken back (0 when nothing was due or the provider refused; staff see the
    negative balance).

    Two transactions around the call to Stripe, never one open during it: what to
    reverse is read (and anything pending committed) first, the clawback recorded
    after."""
    with transaction():
        if _entry_amount(f"clawback:r{refund.id}") is not None:
            return 0
        amount = clawback_due(refund)
        if amount <= 0:
            return 0
        fulfilment = db.session.get(Fulfilment, refund.fulfilment_id)
        payout = connect_payout_for(fulfilment)
        provider = _provider()
        reverse = getattr(provider, "reverse_transfer", None)
        if reverse is None:
            log.warning("provider cannot reverse transfers; clawback of %s left to staff", refund.idempotency_key)
            return 0
        transfer_ref, key = payout.provider_ref, reversal_key(refund)
        metadata = {"refund": refund.idempotency_key, "payout_id": str(payout.id)}
    try:
        reversal_ref = reverse(transfer_ref, amount, idempotency_key=key, metadata=metadata)
    except Exception as exc:  # noqa: BLE001
        log.warning("transfer reversal %s failed: %s", key, exc)
        return 0
    with transaction():
        apply_clawback(refund, amount_satang=amount, payout=payout, reversal_ref=reversal_ref)
    return amount


# ---------------------------------------------------------------- batches


def _require_staff(actor) -> None:
    if not getattr(actor, "is_staff", False):
        raise NotFound()


def _batch_method(enterprise: Enterprise) -> str:
    return PAYOUT_PROMPTPAY if enterprise.promptpay_id else PAYOUT_BANK_TRANSFER


def open_payout_batch(actor) -> PayoutBatch:
    """Open a batch: one pending payout for every enterprise without a connected
    account whose available balance is positive (PromptPay when it has a PromptPay ID,
    else bank transfer). Commits. No entry is posted until staff record it paid.

    Two staff opening batches at once compute the same payout keys
    (``batch-e<enterprise>-n<count>``): the second gets a conflict, not a double payout.
    """
    try:
        with transaction():
            _require_staff(actor)
            enterprise_ids = db.session.scalars(
                select(LedgerEntry.enterprise_id).distinct().order_by(LedgerEntry.enterprise_id)
            ).all()
            candidates = []
            for enterprise_id in enterprise_ids:
                enterprise = db.session.get(Enterprise, enterprise_id)
                if enterprise is None or enterprise.stripe_account_id:
                    continue
                amount = available_for_payout(enterprise_id)
                if amount > 0:
                    candidates.append((enterprise, amount))
            if not candidates:
                raise Conflict(_l("No enterprise has money waiting to be paid out."))
            batch = PayoutBatch(status=BATCH_OPEN, created_by_id=getattr(actor, "id", None))
            db.session.add(batch)
            db.session.flush()
            for enterprise, amount in candidates:
                count = db.session.scalar(select(func.count(Payout.id)).where(Payout.enterprise_id == enterprise.id))
                db.session.add(Payout(
                    enterprise_id=enterprise.id, method=_batch_method(enterprise), status=PAYOUT_PENDING,
                    amount_satang=amount, idempotency_key=f"batch-e{enterprise.id}-n{count + 1}", batch_id=batch.id,
                ))
    except IntegrityError as exc:
        raise Conflict(_l("Someone else opened a batch at the same moment. Please look at the open batches.")) from exc
    return batch


def _clean_reference(text: str | None) -> str:
    return " ".join((text or "").split())


def record_batch_paid(batch: PayoutBatch, actor, references: Mapping[int, str]) -> PayoutBatch:
    """Staff paid every payout of an open batch: each needs the transfer reference
    they typed (``references`` maps payout id to text). Every payout becomes paid and
    gets its ``payout:p<id>`` entry; the batch is closed. Commits once; on any missing
    or bad reference nothing is written."""
    with transaction():
        _require_staff(actor)
        if batch.status != BATCH_OPEN:
            raise Conflict(_l("This batch has already been recorded as paid."))
        errors: dict[str, str] = {}
        cleaned: dict[int, str] = {}
        pending = [p for p in batch.payouts if p.status != PAYOUT_PAID]
        for payout in pending:
            text = _clean_reference(references.get(payout.id))
            if not text:
                errors[f"reference-{payout.id}"] = str(_l("Type the transfer reference for this payout."))
            elif len(text) > MAX_REFERENCE_LENGTH:
                errors[f"reference-{payout.id}"] = str(
                    _l("Keep the reference under %(count)d characters.", count=MAX_REFERENCE_LENGTH))
            else:
                cleaned[payout.id] = text
        if errors:
            raise ValidationFailed(_l("Every payout needs its transfer reference."), fields=errors)
        # Close the batch with a conditional UPDATE: two staff recording it at once
        # cannot both post the payout entries.
        sm.transition(PAYOUT_BATCHES, batch, BATCH_PAID, actor=actor, role=roles.PROGRAMME_STAFF,
                      values={"paid_at": utcnow(), "paid_by_id": getattr(actor, "id", None)})
        for payout in pending:
            _apply_payout_paid(payout, actor=actor, role=roles.PROGRAMME_STAFF, reference=cleaned[payout.id])
    db.session.refresh(batch)
    return batch


def get_batch(batch_id: int) -> PayoutBatch:
    batch = db.session.get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound()
    return batch


# ---------------------------------------------------------------- reconciliation

_SIGNS = {ENTRY_SALE: 1, ENTRY_FEE: -1, ENTRY_REFUND: -1, ENTRY_FEE_REFUND: 1, ENTRY_CLAWBACK: 1, ENTRY_PAYOUT: -1}


def reconcile() -> list[str]:
    """Every way the ledger disagrees with itself or with the orders, refunds and
    payouts it records, as plain sentences for staff (empty when all is well).

    Checks: each balance (SQL SUM) equals the sum of its entries read one by one;
    every entry has a known kind with the right sign; every paid order's parts have
    their sale (= the part's total) and fee; no unpaid order has a sale; every
    succeeded refund has its refund entry (= −amount), and no other refund has one;
    fees given back never exceed the fee charged; every paid payout has its payout
    entry (= −amount) and no unpaid payout has one; clawbacks never exceed the
    transfer they reverse; every entry belongs to the enterprise of its fulfilment or
    payout.
    """
    problems: list[str] = []
    entries = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    by_key = {entry.entry_key: entry for entry in entries}
    per_enterprise: dict[int, int] = {}
    for entry in entries:
        per_enterprise[entry.enterprise_id] = per_enterprise.get(entry.enterprise_id, 0) + entry.amount_satang
        sign = _SIGNS.get(entry.kind)
        if sign is None:
            problems.append(f"entry {entry.entry_key}: unknown kind {entry.kind!r}")
        elif entry.amount_satang * sign < 0:
            problems.append(f"entry {entry.entry_key}: {entry.kind} of {entry.amount_satang} has the wrong sign")
        if not entry.entry_key.startswith(f"{entry.kind}:"):
            problems.append(f"entry {entry.entry_key}: key does not match kind {entry.kind}")
    for enterprise_id, total in per_enterprise.items():
        if balance(enterprise_id) != total:
            problems.append(f"enterprise {enterprise_id}: balance {balance(enterprise_id)} != sum of entries {total}")

    fulfilments = {f.id: f for f in db.session.scalars(
        select(Fulfilment).join(Order).where(Order.paid_at.is_not(None))
    )}
    for fulfilment in fulfilments.values():
        order = fulfilment.order
        if fulfilment.status == st.FULFILMENT_CANCELLED and (
            fulfilment.cancelled_at is None or fulfilment.cancelled_at < order.paid_at
        ):
            continue
        sale = by_key.get(f"sale:f{fulfilment.id}")
        fee = by_key.get(f"fee:f{fulfilment.id}")
        if sale is None:
            problems.append(f"order {order.public_id} part {fulfilment.id}: paid but no sale entry")
        elif sale.amount_satang != fulfilment.total_satang:
            problems.append(f"order {order.public_id} part {fulfilment.id}: sale {sale.amount_satang} "
                            f"!= part total {fulfilment.total_satang}")
        if fee is None:
            problems.append(f"order {order.public_id} part {fulfilment.id}: paid but no fee entry")
        elif -fee.amount_satang > fulfilment.total_satang:
            problems.append(f"order {order.public_id} part {fulfilment.id}: fee larger than the part")
    for entry in entries:
        if entry.kind in (ENTRY_SALE, ENTRY_FEE):
            fulfilment = fulfilments.get(entry.fulfilment_id)
            if fulfilment is None:
                problems.append(f"entry {entry.entry_key}: its order part is not paid")
            elif fulfilment.enterprise_id != entry.enterprise_id:
                problems.append(f"entry {entry.entry_key}: posted to enterprise {entry.enterprise_id}, "
                                f"the part belongs to {fulfilment.enterprise_id}")

    refunds = {r.id: r for r in db.session.scalars(select(Refund))}
    refunded: dict[int, int] = {}
    for refund in refunds.values():
        entry = by_key.get(f"refund:r{refund.id}")
        if refund.status == REFUND_SUCCEEDED:
            refunded[refund.fulfilment_id] = refunded.get(refund.fulfilment_id, 0) + refund.amount_satang
            if entry is None:
                problems.append(f"refund {refund.idempotency_key}: succeeded but no refund entry")
            elif entry.amount_satang != -refund.amount_satang:
                problems.append(f"refund {refund.idempotency_key}: entry {entry.amount_satang} "
                                f"!= -{refund.amount_satang}")
        elif entry is not None:
            problems.append(f"refund {refund.idempotency_key}: {refund.status} but has a refund entry")
    for entry in entries:
        if entry.kind in (ENTRY_REFUND, ENTRY_FEE_REFUND, ENTRY_CLAWBACK) and entry.refund_id not in refunds:
            problems.append(f"entry {entry.entry_key}: no such refund")
    fee_back: dict[int, int] = {}
    for entry in entries:
        if entry.kind == ENTRY_FEE_REFUND and entry.fulfilment_id is not None:
            fee_back[entry.fulfilment_id] = fee_back.get(entry.fulfilment_id, 0) + entry.amount_satang
    for fulfilment_id, given in fee_back.items():
        fee = by_key.get(f"fee:f{fulfilment_id}")
        if fee is not None and given > -fee.amount_satang:
            problems.append(f"part {fulfilment_id}: fee given back {given} > fee charged {-fee.amount_satang}")
    for fulfilment_id, amount in refunded.items():
        fulfilment = fulfilments.get(fulfilment_id)
        if fulfilment is not None and amount > fulfilment.total_satang:
            problems.append(f"part {fulfilment_id}: refunded {amount} > total {fulfilment.total_satang}")

    payouts = {p.id: p for p in db.session.scalars(select(Payout))}
    for payout in payouts.values():
        entry = by_key.get(f"payout:p{payout.id}")
        if payout.status == PAYOUT_PAID:
            if entry is None:
                problems.append(f"payout {payout.idempotency_key}: paid but no payout entry")
            elif entry.amount_satang != -payout.amount_satang or entry.enterprise_id != payout.enterprise_id:
                problems.append(f"payout {payout.idempotency_key}: entry does not match the payout")
        elif entry is not None:
            problems.append(f"payout {payout.idempotency_key}: {payout.status} but has a payout entry")
    clawed: dict[int, int] = {}
    for entry in entries:
        if entry.kind == ENTRY_PAYOUT and entry.payout_id not in payouts:
            problems.append(f"entry {entry.entry_key}: no such payout")
        if entry.kind == ENTRY_CLAWBACK:
            payout = payouts.get(entry.payout_id)
            if payout is None or payout.status != PAYOUT_PAID or payout.enterprise_id != entry.enterprise_id:
                problems.append(f"entry {entry.entry_key}: does not reverse a paid transfer of this enterprise")
            else:
                clawed[payout.id] = clawed.get(payout.id, 0) + entry.amount_satang
    for payout_id, amount in clawed.items():
        if amount > payouts[payout_id].amount_satang:
            problems.append(f"payout {payouts[payout_id].idempotency_key}: clawed back {amount} > transferred")
    return problems


def add_to_demo(*, now, summary) -> None:
    """``catalog.demo.demo_catalogue_loaded``: the paid demo orders' sales and fees, in
    each enterprise's ledger."""
    for order in db.session.scalars(select(Order).where(Order.paid_at.is_not(None)).order_by(Order.id)):
        apply_sale_entries(order)


def post_missing_entries() -> int:
    """Post the entries of paid orders and succeeded refunds that have none (orders
    paid before the ledger existed). Commits; returns how many entries it posted."""
    with transaction():
        before = db.session.scalar(select(func.count(LedgerEntry.id)))
        for order in db.session.scalars(select(Order).where(Order.paid_at.is_not(None)).order_by(Order.id)):
            apply_sale_entries(order)
        for refund in db.session.scalars(select(Refund).where(Refund.status == REFUND_SUCCEEDED)
                                         .order_by(Refund.id)):
            apply_refund_entries(refund)
        after = db.session.scalar(select(func.count(LedgerEntry.id)))
    return int(after - before)


# ---------------------------------------------------------------- pages and exports

PAGE_SIZE = 25


def entries_page(enterprise_id: int | None = None, page: int = 1, per_page: int = PAGE_SIZE) -> Page[LedgerEntry]:
    """Entries, newest first (one enterprise's, or everyone's for staff)."""
    query = select(LedgerEntry).order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
    if enterprise_id is not None:
        query = query.where(LedgerEntry.enterprise_id == enterprise_id)
    return paginate(query, page, per_page)


def recent_payouts(enterprise_id: int | None = None, limit: int = 50) -> list[Payout]:
    query = select(Payout).order_by(Payout.created_at.desc(), Payout.id.desc()).limit(limit)
    if enterprise_id is not None:
        query = query.where(Payout.enterprise_id == enterprise_id)
    return list(db.session.scalars(query))


def failed_transfers() -> list[Payout]:
    return list(db.session.scalars(
        select(Payout).where(Payout.method == PAYOUT_STRIPE_CONNECT, Payout.status != PAYOUT_PAID)
        .order_by(Payout.id)
    ))


def recent_batches(limit: int = 20) -> list[PayoutBatch]:
    return list(db.session.scalars(select(PayoutBatch).order_by(PayoutBatch.id.desc()).limit(limit)))


@csv_producer("Staff ledger entries (/admin/ledger/entries.csv)")
def entries_csv() -> CsvText:
    """Every entry, oldest first: for staff's accounting."""
    enterprises = {e.id: e for e in db.session.scalars(select(Enterprise))}
    orders = dict(db.session.execute(select(Order.id, Order.public_id)).all())
    rows = []
    for entry in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)):
        enterprise = enterprises.get(entry.enterprise_id)
        rows.append([
            str(entry.id), entry.created_at.isoformat() if entry.created_at else "", str(entry.enterprise_id),
            enterprise.name_th if enterprise else "", entry.kind, baht_cell(entry.amount_satang),
            entry.amount_satang, entry.entry_key, orders.get(entry.order_id, ""),
            str(entry.refund_id or ""), str(entry.payout_id or ""), entry.memo or "",
        ])
    return write_csv(["id", "created_at", "enterprise_id", "enterprise", "kind", "amount_baht", "amount_satang",
                 "entry_key", "order", "refund_id", "payout_id", "memo"], rows)


@csv_producer("Staff payouts (/admin/ledger/payouts.csv)")
def payouts_csv() -> CsvText:
    """Every payout, oldest first."""
    enterprises = {e.id: e for e in db.session.scalars(select(Enterprise))}
    orders = dict(db.session.execute(select(Order.id, Order.public_id)).all())
    rows = []
    for payout in db.session.scalars(select(Payout).order_by(Payout.id)):
        enterprise = enterprises.get(payout.enterprise_id)
        rows.append([
            str(payout.id), payout.created_at.isoformat() if payout.created_at else "", str(payout.enterprise_id),
            enterprise.name_th if enterprise else "", payout.method, payout.status,
            baht_cell(payout.amount_satang), payout.amount_satang, payout.idempotency_key,
            orders.get(payout.order_id, ""), str(payout.batch_id or ""), payout.provider_ref or "",
            payout.reference or "", payout.paid_at.isoformat() if payout.paid_at else "",
            payout.failure_reason or "",
        ])
    return write_csv(["id", "created_at", "enterprise_id", "enterprise", "method", "status", "amount_baht",
                 "amount_satang", "idempotency_key", "order", "batch_id", "transfer_id", "reference", "paid_at",
                 "failure_reason"], rows)
