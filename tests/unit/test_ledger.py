"""The enterprise ledger: fees, entries for sales, refunds, payouts and clawbacks, and a
property test that any sequence of them keeps every balance equal to the sum of its
entries and never posts a fact twice.

Orders are placed and paid through the shop's use cases (``tests/order_helpers.py``):
by card through Stripe (the fake HTTP client and signed webhooks) when an enterprise
of the order is connected to Stripe, else by a confirmed transfer slip; refunds go
through ``payments.refunds``. Connect transfers and their reversals go through a tiny
local provider here (``LocalProvider``); the functional tests drive the real Stripe
provider's transfers through the fake HTTP client.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from sqlalchemy import delete, func, select

from shop.catalog.models import Product, Variant
from shop.errors import Conflict, ValidationFailed
from shop.extensions import db
from shop.ledger import services
from shop.ledger.models import PAYOUT_FAILED, PAYOUT_PAID, PAYOUT_PENDING, LedgerEntry, Payout
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order
from shop.payments import refunds
from shop.payments.models import REFUND_PENDING, REFUND_SUCCEEDED, Refund
from tests.factories import EnterpriseFactory, ProductFactory, UserFactory, VariantFactory
from tests.order_helpers import cancel_part, make_order, pay_by_slip, payments_desk, refund_part

_serial = itertools.count(1)


class LocalProvider:
    """Stands in for the Stripe provider: records transfers, can fail."""

    name = "local"

    def __init__(self) -> None:
        self.transfers: list[tuple[str, str, int]] = []
        self.reversals: list[tuple[str, int, str]] = []
        self.fail_next = False
        self.fail_reversal_next = False

    def transfer(self, payout, *, destination: str) -> str:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("network down")
        self.transfers.append((payout.idempotency_key, destination, payout.amount_satang))
        return f"tr_{payout.idempotency_key}"

    def reverse_transfer(self, transfer_id: str, amount_satang: int, *, idempotency_key: str,
                         metadata: dict | None = None) -> str:
        if self.fail_reversal_next:
            self.fail_reversal_next = False
            raise RuntimeError("network down")
        self.reversals.append((transfer_id, amount_satang, idempotency_key))
        return f"trr_{idempotency_key}"


@pytest.fixture
def provider(monkeypatch, fake_stripe) -> LocalProvider:
    """Transfers and reversals; card payments and refunds go to ``fake_stripe``."""
    fake = LocalProvider()
    monkeypatch.setattr(services, "_provider", lambda: fake)
    return fake


def goods(enterprise, price_satang: int) -> Variant:
    """A variant of ``enterprise`` at ``price_satang`` (one product per enterprise)."""
    product = db.session.scalar(select(Product).where(Product.enterprise_id == enterprise.id).limit(1))
    if product is None:
        product = ProductFactory(enterprise=enterprise)
    return VariantFactory(product=product, price_satang=price_satang, stock=1000)


def paid_order(parts: list[tuple[object, int]]) -> Order:
    """A paid order with one fulfilment of ``total`` satang (goods, free shipping) per
    (enterprise, total). Paid by card through Stripe when one of the enterprises is
    connected to Stripe (only Stripe payments send Connect transfers; the test needs
    the ``provider`` fixture), else by a confirmed transfer slip."""
    connected = any(enterprise.stripe_account_id for enterprise, _ in parts)
    return make_order([(goods(enterprise, total), 1) for enterprise, total in parts], shipping_satang=0, paid=True,
                      payment_method=st.PAYMENT_STRIPE if connected else st.PAYMENT_PROMPTPAY_QR)


def succeeded_refund(fulfilment: Fulfilment, amount: int) -> Refund:
    """Staff refund ``amount`` of ``fulfilment``: through Stripe for a card payment,
    else paid back by transfer and recorded with its reference."""
    refund = refund_part(fulfilment, amount, reason="test")
    assert refund.status == REFUND_SUCCEEDED, refund.failure_reason
    return refund


def forget_entries(order: Order) -> None:
    """Delete the order's ledger entries: an order paid before the ledger existed."""
    db.session.execute(delete(LedgerEntry).where(LedgerEntry.order_id == order.id))
    db.session.commit()


def _half_up(value: Fraction) -> int:
    return int((value + Fraction(1, 2)).__floor__())


def entries_for(enterprise_id: int) -> list[LedgerEntry]:
    return db.session.scalars(select(LedgerEntry).where(LedgerEntry.enterprise_id == enterprise_id)
                              .order_by(LedgerEntry.id)).all()


# ---------------------------------------------------------------- fees


@pytest.mark.parametrize(("bps", "amount", "fee"), [
    (500, 10000, 500),
    (500, 10, 1),      # 0.5 rounds half up
    (500, 9, 0),       # 0.45 rounds down
    (500, 0, 0),
    (250, 12345, 309),  # 308.625
    (0, 5000, 0),
    (10000, 777, 777),
    (333, 1500, 50),   # 49.95
])
def test_fee_rounds_half_up_with_integers(app, bps, amount, fee):
    enterprise = EnterpriseFactory(platform_fee_bps=bps)
    assert services.fee_for(enterprise, amount) == fee
    assert isinstance(services.fee_for(enterprise, amount), int)


def test_fee_uses_the_default_unless_the_enterprise_overrides_it(app):
    app.config["PLATFORM_FEE_BPS"] = 700
    default, special = EnterpriseFactory(), EnterpriseFactory(platform_fee_bps=100)
    assert services.fee_bps(default) == 700
    assert services.fee_bps(special) == 100
    assert services.fee_for(default, 10000) == 700
    assert services.fee_for(special, 10000) == 100


# ---------------------------------------------------------------- sales


def test_sale_entries_per_enterprise_and_idempotent(app):
    coffee, rice = EnterpriseFactory(), EnterpriseFactory(platform_fee_bps=1000)
    order = paid_order([(coffee, 25000), (rice, 12050)])
    services.apply_sale_entries(order)
    services.apply_sale_entries(order)  # a webhook delivered twice
    db.session.commit()
    assert [(e.kind, e.amount_satang) for e in entries_for(coffee.id)] == [("sale", 25000), ("fee", -1250)]
    assert [(e.kind, e.amount_satang) for e in entries_for(rice.id)] == [("sale", 12050), ("fee", -1205)]
    assert services.balance(coffee.id) == 23750
    assert services.balance(rice.id) == 10845
    assert services.reconcile() == []


def test_a_part_cancelled_before_payment_earns_nothing(app):
    coffee, rice = EnterpriseFactory(), EnterpriseFactory()
    order = make_order([(goods(coffee, 10000), 1), (goods(rice, 5000), 1)], shipping_satang=0)
    rice_part = next(f for f in order.fulfilments if f.enterprise_id == rice.id)
    cancel_part(rice_part)
    pay_by_slip(order)
    services.apply_sale_entries(order)  # posted when paid; again: nothing more
    db.session.commit()
    assert services.balance(rice.id) == 0
    assert services.balance(coffee.id) == 9500
    assert services.reconcile() == []


# ---------------------------------------------------------------- refunds


def test_partial_refunds_give_back_exactly_the_fee_in_total(app):
    enterprise = EnterpriseFactory()  # 5 %
    order = paid_order([(enterprise, 101)])  # fee 5 (5.05)
    services.apply_sale_entries(order)
    part = order.fulfilments[0]
    amounts = [51, 50]  # each alone would round to a fee of 3
    for amount in amounts:
        refund = succeeded_refund(part, amount)
        services.apply_refund_entries(refund)
        services.apply_refund_entries(refund)  # twice: once
    db.session.commit()
    kinds = [(e.kind, e.amount_satang) for e in entries_for(enterprise.id)]
    assert kinds == [("sale", 101), ("fee", -5), ("refund", -51), ("fee_refund", 3), ("refund", -50),
                     ("fee_refund", 2)]
    assert services.balance(enterprise.id) == 0
    assert services.reconcile() == []


def test_fee_given_back_uses_the_fee_charged_not_todays_rate(app):
    enterprise = EnterpriseFactory(platform_fee_bps=500)
    order = paid_order([(enterprise, 10000)])
    services.apply_sale_entries(order)
    enterprise.platform_fee_bps = 2000
    refund = succeeded_refund(order.fulfilments[0], 10000)
    services.apply_refund_entries(refund)
    db.session.commit()
    assert services.balance(enterprise.id) == 0


# ---------------------------------------------------------------- Connect payouts


def test_connect_payout_per_order_and_enterprise(app, provider):
    connected = EnterpriseFactory(stripe_account_id="acct_coffee")
    batch_paid = EnterpriseFactory()
    order = paid_order([(connected, 20000), (batch_paid, 8000)])
    db.session.commit()
    payouts = services.create_connect_payouts(order)
    again = services.create_connect_payouts(order)  # the same event twice
    assert [p.id for p in payouts] == [p.id for p in again]
    assert provider.transfers == [(f"transfer-{order.public_id}-{connected.id}", "acct_coffee", 19000)]
    payout = payouts[0]
    assert payout.status == PAYOUT_PAID
    assert payout.provider_ref == f"tr_transfer-{order.public_id}-{connected.id}"
    assert services.balance(connected.id) == 0
    assert services.balance(batch_paid.id) == 7600
    assert services.reconcile() == []


def test_failed_transfer_is_kept_and_retried_with_the_same_key(app, provider):
    staff = UserFactory(is_staff=True)
    connected = EnterpriseFactory(stripe_account_id="acct_rice")
    provider.fail_next = True  # the transfer sent once the payment's webhook is in
    order = paid_order([(connected, 10000)])
    payout = services.connect_payout_for(order.fulfilments[0])
    assert provider.transfers == []
    assert payout.status == PAYOUT_FAILED
    assert "network down" in payout.failure_reason
    assert services.balance(connected.id) == 9500  # nothing left the ledger
    assert services.available_for_payout(connected.id) == 0  # but it is promised
    assert services.reconcile() == []
    payout = services.retry_payout(payout.id, actor=staff)
    assert payout.status == PAYOUT_PAID
    assert provider.transfers == [(payout.idempotency_key, "acct_rice", 9500)]
    with pytest.raises(Conflict):
        services.retry_payout(payout.id, actor=staff)
    assert services.balance(connected.id) == 0


def test_refund_after_transfer_is_clawed_back(app, provider):
    connected = EnterpriseFactory(stripe_account_id="acct_tea")
    order = paid_order([(connected, 10000)])
    services.create_connect_payouts(order)  # sent when paid; again: nothing more
    assert len(provider.transfers) == 1
    provider.fail_reversal_next = True  # the refund's own clawback does not get through
    refund = succeeded_refund(order.fulfilments[0], 4000)
    services.apply_refund_entries(refund)
    db.session.commit()
    assert provider.reversals == []
    assert services.balance(connected.id) == -3800  # owes back the refund net of the fee
    assert services.claw_back(refund) == 3800
    assert services.claw_back(refund) == 0  # once
    assert provider.reversals == [(f"tr_transfer-{order.public_id}-{connected.id}", 3800,
                                   f"reversal-{refund.idempotency_key}")]
    assert services.balance(connected.id) == 0
    assert services.reconcile() == []


# ---------------------------------------------------------------- batches


def test_batch_pays_available_balances_and_records_references(app, provider):
    staff = UserFactory(is_staff=True)
    qr, bank, connected = (EnterpriseFactory(promptpay_id="0812345678"), EnterpriseFactory(),
                           EnterpriseFactory(stripe_account_id="acct_x"))
    order = paid_order([(qr, 10000), (bank, 20000), (connected, 3000)])
    services.apply_sale_entries(order)
    db.session.commit()
    batch = services.open_payout_batch(staff)
    lines = {p.enterprise_id: p for p in batch.payouts}
    assert set(lines) == {qr.id, bank.id}
    assert (lines[qr.id].method, lines[qr.id].amount_satang) == ("promptpay", 9500)
    assert (lines[bank.id].method, lines[bank.id].amount_satang) == ("bank_transfer", 19000)
    assert services.balance(qr.id) == 9500  # posted when paid
    with pytest.raises(Conflict):
        services.open_payout_batch(staff)  # everything is promised already
    with pytest.raises(ValidationFailed) as missing:
        services.record_batch_paid(batch, staff, {lines[qr.id].id: "KBANK 123"})
    assert f"reference-{lines[bank.id].id}" in missing.value.fields
    # Only the connected enterprise's transfer (sent when the order was paid) is out.
    assert db.session.scalar(select(func.count(LedgerEntry.id)).where(
        LedgerEntry.kind == "payout", LedgerEntry.enterprise_id.in_((qr.id, bank.id)))) == 0
    services.record_batch_paid(batch, staff, {lines[qr.id].id: "KBANK 123", lines[bank.id].id: " SCB  999 "})
    assert batch.status == "paid"
    assert lines[bank.id].reference == "SCB 999"
    assert services.balance(qr.id) == services.balance(bank.id) == 0
    with pytest.raises(Conflict):
        services.record_batch_paid(batch, staff, {})
    assert services.reconcile() == []


def test_only_staff_open_batches(app):
    with pytest.raises(Exception) as refused:
        services.open_payout_batch(UserFactory())
    assert getattr(refused.value, "status_code", None) == 404


# ---------------------------------------------------------------- reconciliation


def test_reconcile_finds_tampering(app):
    enterprise = EnterpriseFactory()
    order = paid_order([(enterprise, 10000)])
    pending = refunds.request_refund(order.fulfilments[0], 100, actor=payments_desk(), role=st.ROLE_STAFF,
                                     reason="x")  # paid back by transfer: pending until staff record it
    assert pending.status == REFUND_PENDING
    assert services.reconcile() == []
    # Tampering no use case does: an entry changed, a payout marked paid without its
    # entry, a pending refund posted.
    sale = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "sale"))
    sale.amount_satang = 9999
    db.session.add(Payout(enterprise_id=enterprise.id, method="bank_transfer", status=PAYOUT_PAID,
                          amount_satang=500, idempotency_key="batch-x"))
    services.apply_refund_entries(pending)  # a pending refund must not be posted
    db.session.commit()
    problems = services.reconcile()
    assert any("sale 9999" in p for p in problems)
    assert any("paid but no payout entry" in p for p in problems)
    assert any("pending but has a refund entry" in p for p in problems)


def test_ledger_check_command(app, runner):
    if "ledger" not in app.cli.commands:  # until shop/cli.py registers it
        from shop.ledger.cli import register_cli

        register_cli(app)
    enterprise = EnterpriseFactory()
    order = paid_order([(enterprise, 10000)])
    forget_entries(order)  # what ``post-missing`` is for
    result = runner.invoke(args=["ledger", "check"])
    assert result.exit_code == 1
    assert "paid but no sale entry" in result.output
    result = runner.invoke(args=["ledger", "post-missing"])
    assert result.exit_code == 0, result.output
    assert "Posted 2 entries" in result.output
    assert "Ledger OK" in result.output
    result = runner.invoke(args=["ledger", "check"])
    assert result.exit_code == 0
    assert services.balance(order.fulfilments[0].enterprise_id) == 9500


# ---------------------------------------------------------------- property


_ops = hs.lists(
    hs.one_of(
        # Small totals make rounding matter; large ones check nothing overflows.
        hs.tuples(hs.just("sale"), hs.lists(hs.tuples(hs.integers(0, 3),
                                                      hs.one_of(hs.integers(1, 300), hs.integers(1, 5_000_000))),
                                             min_size=1, max_size=3)),
        # Percent of what is left: often all of it or half, to reach full refunds.
        hs.tuples(hs.just("refund"), hs.integers(0, 50), hs.integers(0, 50),
                  hs.one_of(hs.just(100), hs.just(50), hs.integers(1, 100))),
        hs.tuples(hs.just("refund"), hs.integers(0, 50), hs.integers(0, 50), hs.integers(1, 60)),
        hs.tuples(hs.just("resale"), hs.integers(0, 50)),
        hs.tuples(hs.just("connect"), hs.integers(0, 50), hs.booleans()),
        hs.tuples(hs.just("batch"), hs.booleans()),
        hs.tuples(hs.just("clawback"), hs.integers(0, 50)),
    ),
    min_size=2, max_size=16,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=_ops)
def test_any_sequence_keeps_balances_equal_to_entries(app, provider, ops):
    """Sales, partial and full refunds (some posted twice), Connect transfers (some
    failing, retried), batches opened and paid, clawbacks, replays: every balance
    equals the sum of its entries, each fact is posted once, fees given back never
    exceed the fee charged, and ``reconcile`` finds nothing."""
    staff = UserFactory(is_staff=True)
    # Four fresh enterprises per example, two of them connected to Stripe.
    enterprises = [EnterpriseFactory(platform_fee_bps=bps, stripe_account_id=acct)
                   for bps, acct in ((None, None), (250, None), (None, f"acct_{next(_serial)}"),
                                     (1234, f"acct_{next(_serial)}"))]
    ids = [e.id for e in enterprises]
    orders: list[Order] = []
    refunds: list[Refund] = []
    # Every sequence starts with a sale to each enterprise, so refunds and payouts
    # have something to act on from the first step.
    for op in [("sale", [(0, 101), (1, 12345), (2, 999), (3, 7)])] + ops:
        kind = op[0]
        if kind == "sale":
            parts = {}
            for index, total in op[1]:
                parts.setdefault(index, total)  # one part per enterprise
            order = paid_order([(enterprises[i], total) for i, total in parts.items()])
            services.apply_sale_entries(order)  # posted when paid; again: nothing more
            db.session.commit()
            orders.append(order)
        elif kind == "resale" and orders:
            services.apply_sale_entries(orders[op[1] % len(orders)])
            db.session.commit()
        elif kind == "refund" and orders:
            order = orders[op[1] % len(orders)]
            part = order.fulfilments[op[2] % len(order.fulfilments)]
            left = part.total_satang - sum(r.amount_satang for r in refunds if r.fulfilment_id == part.id)
            if left <= 0:
                continue
            amount = max(1, left * op[3] // 100)
            refund = succeeded_refund(part, amount)
            services.apply_refund_entries(refund)
            services.apply_refund_entries(refund)
            db.session.commit()
            refunds.append(refund)
        elif kind == "connect" and orders:
            provider.fail_next = op[2]
            services.create_connect_payouts(orders[op[1] % len(orders)])
        elif kind == "batch":
            try:
                batch = services.open_payout_batch(staff)
            except Conflict:
                db.session.rollback()
                continue
            if op[1]:
                services.record_batch_paid(batch, staff, {p.id: f"REF{p.id}" for p in batch.payouts})
        elif kind == "clawback" and refunds:
            services.claw_back(refunds[op[1] % len(refunds)])

    # Failed transfers are retried at the end, as staff would.
    for payout in db.session.scalars(select(Payout).where(Payout.status == PAYOUT_FAILED)):
        services.retry_payout(payout.id, actor=staff)

    for enterprise_id in ids:
        amounts = [e.amount_satang for e in entries_for(enterprise_id)]
        assert services.balance(enterprise_id) == sum(amounts)
        # What the books say must be what happened: sales − fees − refunds + fees
        # back − paid payouts + clawbacks, each counted from its source row.
        assert all(isinstance(a, int) for a in amounts)
    keys = db.session.scalars(select(LedgerEntry.entry_key)).all()
    assert len(keys) == len(set(keys))
    expected_count = (
        2 * sum(len(o.fulfilments) for o in orders)
        + len(refunds) + sum(1 for r in refunds if services._entry_amount(f"fee_refund:r{r.id}") is not None)
        + db.session.scalar(select(func.count(Payout.id)).where(Payout.status == PAYOUT_PAID,
                                                               Payout.enterprise_id.in_(ids)))
        + sum(1 for r in refunds if services._entry_amount(f"clawback:r{r.id}") is not None)
    )
    assert db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.enterprise_id.in_(ids))) \
        == expected_count
    # Every connected enterprise got exactly one transfer per order it sold in.
    transfer_keys = [key for key, _dest, _amount in provider.transfers]
    assert len(transfer_keys) == len(set(transfer_keys))
    assert services.reconcile() == []
    # An independent model of the books, from the source rows and exact fractions:
    # fee = round(total × bps), fee given back = round(fee × refunded / total).
    expected: dict[int, int] = dict.fromkeys(ids, 0)
    bps_of = {e.id: (e.platform_fee_bps if e.platform_fee_bps is not None else app.config["PLATFORM_FEE_BPS"])
              for e in enterprises}
    for order in orders:
        for part in order.fulfilments:
            fee = _half_up(Fraction(part.total_satang * bps_of[part.enterprise_id], 10_000))
            refunded = sum(r.amount_satang for r in refunds if r.fulfilment_id == part.id)
            fee_back = _half_up(Fraction(fee * refunded, part.total_satang))
            given = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_satang), 0)).where(
                LedgerEntry.fulfilment_id == part.id, LedgerEntry.kind == "fee_refund"))
            assert given == fee_back, (part.total_satang, fee, [r.amount_satang for r in refunds
                                                                if r.fulfilment_id == part.id])
            expected[part.enterprise_id] += part.total_satang - fee - refunded + fee_back
    for payout in db.session.scalars(select(Payout).where(Payout.enterprise_id.in_(ids),
                                                          Payout.status == PAYOUT_PAID)):
        expected[payout.enterprise_id] -= payout.amount_satang
    for entry in db.session.scalars(select(LedgerEntry).where(LedgerEntry.enterprise_id.in_(ids),
                                                              LedgerEntry.kind == "clawback")):
        expected[entry.enterprise_id] += entry.amount_satang
    assert {i: services.balance(i) for i in ids} == expected
    # A fully refunded part nets to zero for the enterprise (fee given back exactly).
    for order in orders:
        for part in order.fulfilments:
            refunded = sum(r.amount_satang for r in refunds if r.fulfilment_id == part.id)
            if refunded == part.total_satang:
                assert services._fulfilment_net(part) == 0
    assert db.session.scalar(select(func.count(Payout.id)).where(
        Payout.status == PAYOUT_PENDING, Payout.batch_id.is_(None))) == 0


def test_two_workers_posting_the_same_sale_post_it_once(app):
    """Two deliveries of the same payment in two threads (two sessions): the unique
    entry key and ON CONFLICT DO NOTHING leave one sale and one fee, no error."""
    import threading

    enterprise = EnterpriseFactory()
    order = paid_order([(enterprise, 10000)])
    forget_entries(order)  # paid before the ledger existed: the workers race to post it
    order_id, enterprise_id = order.id, enterprise.id
    db.session.remove()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        with app.app_context():
            try:
                barrier.wait()
                services.apply_sale_entries(db.session.get(Order, order_id))
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert [e.kind for e in entries_for(enterprise_id)] == ["sale", "fee"]
    assert services.balance(enterprise_id) == 9500
