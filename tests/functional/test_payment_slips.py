"""Transfer slips through the pages: the buyer uploads one, the payee (enterprise or
staff) confirms or rejects it. Bad input gets a clear 4xx and leaves nothing behind:
a file that is not an image, a huge file, the same slip twice, another order's slip,
a guest without the link, confirmation by the wrong enterprise, reject then re-upload,
and two reviewers confirming at the same moment."""

from __future__ import annotations

import io
import random
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, PngImagePlugin
from sqlalchemy import func, select

import shop.models  # noqa: F401  (every model first: importing orders.models alone can hit an import cycle)
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.orders import status as st
from shop.orders.access import order_token
from shop.orders.models import Fulfilment, Order, StatusChange
from shop.payments.models import SLIP_CONFIRMED, SLIP_REJECTED, SLIP_SUBMITTED, PaymentSlip
from shop.payments.slips import SLIP_FOLDER
from tests.factories import EnterpriseFactory, MemberFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order

# --------------------------------------------------------------------------- helpers


def slip_png(seed: int, *, size=(360, 640), comment: str | None = None) -> bytes:
    """A slip-like picture, different for each seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (246, 250, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0], 80), fill=(17, 53, 102))
    for row in range(100, size[1] - 20, 28):
        draw.rectangle((20, row, 20 + rng.randint(80, size[0] - 40), row + 12), fill=(rng.randint(0, 90),) * 3)
    buffer = io.BytesIO()
    info = None
    if comment:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", comment)
    image.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def upload(client, order, data: bytes, *, token: str | None = None, filename="slip.png", lang: str | None = None):
    form = {"slip": (io.BytesIO(data), filename)}
    if token:
        form["t"] = token
    url = f"/orders/{order.public_id}/slip" + (f"?lang={lang}" if lang else "")
    return client.post(url, data=form, content_type="multipart/form-data")


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def slips_of(order) -> list[PaymentSlip]:
    db.session.expire_all()
    return list(db.session.scalars(select(PaymentSlip).where(PaymentSlip.order_id == order.id)
                                   .order_by(PaymentSlip.id)))


def mails(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"]) / SLIP_FOLDER
    return sorted(root.glob("*")) if root.exists() else []


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def shopper(app):
    return UserFactory(email="shopper@example.test")


@pytest.fixture
def coffee(app):
    """An enterprise with its own PromptPay ID, and one of its members."""
    enterprise = EnterpriseFactory(promptpay_id="0898765432", name_th="วิสาหกิจชุมชนกาแฟดอยช้าง")
    member = MemberFactory(enterprise=enterprise, user__email="coffee@example.test").user
    return enterprise, member, VariantFactory(product__enterprise=enterprise, stock=10)


@pytest.fixture
def rice(app):
    """An enterprise without a PromptPay ID: the platform collects for it."""
    enterprise = EnterpriseFactory(promptpay_id=None, name_th="วิสาหกิจชุมชนข้าวหอมมะลิ")
    member = MemberFactory(enterprise=enterprise, user__email="rice@example.test").user
    return enterprise, member, VariantFactory(product__enterprise=enterprise, stock=10, price_satang=25050)


@pytest.fixture
def staff(app):
    return UserFactory(is_staff=True, email="staff@example.test", display_name="Khun Staff")


@pytest.fixture
def buyer(app, shopper, sign_in):
    return sign_in(shopper, client=app.test_client())


# --------------------------------------------------------------------------- upload


def test_pay_panel_shows_qr_amount_and_masked_payee(app, shopper, buyer, coffee, rice):
    order = make_order([(rice[2], 2)], user=shopper)
    html = buyer.get(f"/orders/{order.public_id}?lang=en").get_data(as_text=True)
    assert 'class="promptpay-qr"' in html
    assert "฿551.00" in html or "฿551" in html  # 2 × 250.50 + 50 shipping
    assert "Chumchon Market Co., Ltd." in html
    assert "x-xxxx-xxxxx-00-0" in html  # the platform's ID, masked
    assert "0105560000000" not in html
    assert app.config["PLATFORM_BANK_ACCOUNT"] in html
    assert 'name="slip"' in html

    direct = make_order([(coffee[2], 1)], user=shopper)
    html = buyer.get(f"/orders/{direct.public_id}").get_data(as_text=True)
    assert "วิสาหกิจชุมชนกาแฟดอยช้าง" in html
    assert "xxx-xxx-5432" in html and "0898765432" not in html


def test_buyer_uploads_a_slip_and_the_hold_pauses(app, shopper, buyer, rice):
    order = make_order([(rice[2], 1)], user=shopper)
    assert order.expires_at is not None
    response = upload(buyer, order, slip_png(1))
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/orders/{order.public_id}")
    [slip] = slips_of(order)
    assert slip.status == SLIP_SUBMITTED
    assert slip.amount_satang == order.total_satang
    assert slip.uploaded_by_id == shopper.id
    assert slip.payee_enterprise_id is None and slip.payee_promptpay_id == "0105560000000"
    assert len(slip.content_sha256) == 64 and len(slip.pixel_sha256) == 64
    assert fresh(order).expires_at is None
    assert len(stored_files(app)) == 3  # thumb, card, full

    html = buyer.get(f"/orders/{order.public_id}?lang=en").get_data(as_text=True)
    assert "We are checking your slip" in html
    assert 'name="slip"' not in html  # no second upload while one waits

    # The sweeper leaves it alone even long after the original hold.
    from shop.orders.services import release_lapsed_orders

    assert release_lapsed_orders(utcnow() + timedelta(hours=5)) == 0
    assert fresh(order).status == st.ORDER_PENDING_PAYMENT


def test_a_second_slip_while_one_waits_is_refused(app, shopper, buyer, rice):
    order = make_order([(rice[2], 1)], user=shopper)
    assert upload(buyer, order, slip_png(1)).status_code == 303
    response = upload(buyer, order, slip_png(2))
    assert response.status_code == 409
    assert len(slips_of(order)) == 1
    assert len(stored_files(app)) == 3


@pytest.mark.parametrize(
    ("payload", "filename"),
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "slip.jpg"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
         b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", "slip.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "slip.png"),
        (b"just some text", "slip.txt"),
    ],
)
def test_a_file_that_is_not_an_image_is_refused(app, shopper, buyer, rice, payload, filename):
    order = make_order([(rice[2], 1)], user=shopper)
    response = upload(buyer, order, payload, filename=filename, lang="en")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This file is not a JPEG, PNG or WebP image" in html
    assert 'name="slip"' in html  # the form is there to try again
    assert slips_of(order) == []
    assert stored_files(app) == []
    assert fresh(order).expires_at is not None  # the hold still runs


def test_a_truncated_image_is_refused(app, shopper, buyer, rice):
    order = make_order([(rice[2], 1)], user=shopper)
    data = slip_png(3)
    response = upload(buyer, order, data[: len(data) // 2])
    assert response.status_code == 422
    assert slips_of(order) == [] and stored_files(app) == []


def test_an_empty_or_missing_file_is_refused(app, shopper, buyer, rice):
    order = make_order([(rice[2], 1)], user=shopper)
    assert upload(buyer, order, b"").status_code == 422
    response = buyer.post(f"/orders/{order.public_id}/slip", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert slips_of(order) == []


def test_a_huge_file_is_refused_with_the_limit(app, shopper, buyer, rice):
    app.config["SLIP_MAX_BYTES"] = 100_000
    order = make_order([(rice[2], 1)], user=shopper)
    big = slip_png(4) + b"\0" * 150_000
    response = upload(buyer, order, big, lang="en")
    assert response.status_code == 413
    assert "The slip image is too large (at most 0.1 MB)" in response.get_data(as_text=True)
    assert slips_of(order) == [] and stored_files(app) == []


def test_a_body_over_the_request_limit_is_refused(app, shopper, buyer, rice):
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    order = make_order([(rice[2], 1)], user=shopper)
    response = upload(buyer, order, b"\xff\xd8" + b"x" * 300_000)
    assert response.status_code == 413
    assert slips_of(order) == []


def test_the_same_slip_cannot_pay_twice(app, shopper, buyer, rice, staff):
    first = make_order([(rice[2], 1)], user=shopper)
    second = make_order([(rice[2], 1)], user=shopper)
    data = slip_png(5)
    assert upload(buyer, first, data).status_code == 303

    # The same file for another order.
    response = upload(buyer, second, data, lang="en")
    assert response.status_code == 409
    assert "This slip has already been sent" in response.get_data(as_text=True)
    assert first.public_id not in response.get_data(as_text=True)
    # The same picture re-saved with other metadata (other bytes, same pixels).
    response = upload(buyer, second, slip_png(5, comment="edited"))
    assert response.status_code == 409
    assert slips_of(second) == []
    assert fresh(second).expires_at is not None
    assert len(stored_files(app)) == 3  # the refused copy was removed


def test_a_rejected_slip_cannot_be_sent_again(app, shopper, buyer, rice, staff, sign_in):
    order = make_order([(rice[2], 1)], user=shopper)
    data = slip_png(6)
    assert upload(buyer, order, data).status_code == 303
    [slip] = slips_of(order)
    reviewer = sign_in(staff, client=app.test_client())
    reviewer.post(f"/admin/payments/{slip.id}/reject", data={"reason": "ยอดเงินไม่ตรง"})
    response = upload(buyer, order, data, lang="en")
    assert response.status_code == 409
    assert "You sent this slip before and it was not accepted" in response.get_data(as_text=True)


def test_no_slip_for_a_paid_or_cancelled_order(app, shopper, buyer, rice):
    paid = make_order([(rice[2], 1)], user=shopper, paid=True)
    cancelled = make_order([(rice[2], 1)], user=shopper, status=st.ORDER_CANCELLED)
    files = stored_files(app)  # the paid order's own confirmed slip
    for order in (paid, cancelled):
        before = slips_of(order)
        assert upload(buyer, order, slip_png(order.id + 100)).status_code == 409
        assert slips_of(order) == before
    assert stored_files(app) == files


# --------------------------------------------------------------------------- access


def test_another_users_order_is_404(app, shopper, buyer, rice, sign_in):
    order = make_order([(rice[2], 1)], user=shopper)
    assert upload(buyer, order, slip_png(7)).status_code == 303
    [slip] = slips_of(order)
    stranger_user = UserFactory()
    stranger = sign_in(stranger_user, client=app.test_client())
    assert upload(stranger, order, slip_png(8)).status_code == 404
    assert stranger.get(f"/orders/{order.public_id}/slips/{slip.id}/card.webp").status_code == 404
    # The stranger's own order with the other order's slip id.
    own = make_order([(rice[2], 1)], user=stranger_user)
    assert stranger.get(f"/orders/{own.public_id}/slips/{slip.id}/card.webp").status_code == 404
    assert len(slips_of(order)) == 1


def test_the_buyer_sees_their_slip_image_privately(app, shopper, buyer, rice):
    order = make_order([(rice[2], 1)], user=shopper)
    upload(buyer, order, slip_png(9))
    [slip] = slips_of(order)
    response = buyer.get(f"/orders/{order.public_id}/slips/{slip.id}/card.webp")
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert buyer.get(f"/orders/{order.public_id}/slips/{slip.id}/huge.webp").status_code == 404


def test_slip_files_are_not_public_media(app, shopper, buyer, rice):
    order = make_order([(rice[2], 1)], user=shopper)
    upload(buyer, order, slip_png(10))
    [slip] = slips_of(order)
    assert app.test_client().get(f"/media/{SLIP_FOLDER}/{slip.image_key}-card.webp").status_code == 404


def test_guest_needs_the_signed_link(app, rice):
    order = make_order([(rice[2], 1)])
    guest = app.test_client()
    assert upload(guest, order, slip_png(11)).status_code == 404
    assert upload(guest, order, slip_png(11), token=order_token(order) + "x").status_code == 404
    other = make_order([(rice[2], 1)])
    assert upload(guest, order, slip_png(11), token=order_token(other)).status_code == 404
    assert slips_of(order) == []

    response = upload(guest, order, slip_png(11), token=order_token(order))
    assert response.status_code == 303
    assert "t=" in response.headers["Location"]  # back to the page the guest can open
    [slip] = slips_of(order)
    assert slip.uploaded_by_id is None
    assert guest.get(f"/orders/{order.public_id}/slips/{slip.id}/card.webp").status_code == 404
    assert guest.get(
        f"/orders/{order.public_id}/slips/{slip.id}/card.webp?t={order_token(order)}"
    ).status_code == 200


def test_guest_pay_panel_form_carries_the_token(app, rice):
    order = make_order([(rice[2], 1)])
    guest = app.test_client()
    html = guest.get(f"/orders/{order.public_id}?t={order_token(order)}").get_data(as_text=True)
    assert f'name="t" value="{order_token(order)}"' in html


# --------------------------------------------------------------------------- review


def test_queues_show_each_reviewer_their_slips(app, shopper, buyer, coffee, rice, staff, sign_in):
    direct = make_order([(coffee[2], 1)], user=shopper)
    platform = make_order([(rice[2], 1)], user=shopper)
    upload(buyer, direct, slip_png(12))
    upload(buyer, platform, slip_png(13))

    coffee_member = sign_in(coffee[1], client=app.test_client())
    html = coffee_member.get(f"/seller/{coffee[0].id}/payments").get_data(as_text=True)
    assert direct.public_id in html and platform.public_id not in html
    assert "089-876-5432" in html  # the reviewer sees the full ID paid to

    rice_member = sign_in(rice[1], client=app.test_client())
    html = rice_member.get(f"/seller/{rice[0].id}/payments").get_data(as_text=True)
    assert direct.public_id not in html and platform.public_id not in html
    assert rice_member.get(f"/seller/{coffee[0].id}/payments").status_code == 404

    html = sign_in(staff, client=app.test_client()).get("/admin/payments").get_data(as_text=True)
    assert direct.public_id in html and platform.public_id in html
    assert coffee_member.get("/admin/payments").status_code == 403
    assert app.test_client().get("/admin/payments").status_code == 302  # sign in first


def test_the_enterprise_confirms_a_slip_paid_to_it(app, shopper, buyer, coffee, sign_in):
    order = make_order([(coffee[2], 2)], user=shopper)
    upload(buyer, order, slip_png(14))
    [slip] = slips_of(order)
    member = sign_in(coffee[1], client=app.test_client())
    assert member.get(f"/orders/{order.public_id}/slips/{slip.id}/full.webp").status_code == 200

    response = member.post(f"/seller/{coffee[0].id}/payments/{slip.id}/confirm")
    assert response.status_code == 303
    order, slip = fresh(order), slips_of(order)[0]
    assert order.status == st.ORDER_PAID and order.paid_at is not None and order.expires_at is None
    assert slip.status == SLIP_CONFIRMED and slip.reviewed_by_id == coffee[1].id
    change = db.session.scalar(select(StatusChange).where(StatusChange.order_id == order.id,
                                                          StatusChange.to_status == st.ORDER_PAID))
    assert change.actor_role == st.ROLE_SELLER and change.actor_id == coffee[1].id
    assert all(f.document_no for f in order.fulfilments)
    assert len(mails("order_paid")) == 1
    assert len(mails("order_new_for_enterprise")) == 1

    again = member.post(f"/seller/{coffee[0].id}/payments/{slip.id}/confirm")
    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(StatusChange).where(
        StatusChange.order_id == order.id, StatusChange.to_status == st.ORDER_PAID)) == 1


def test_a_confirmation_that_fails_midway_writes_nothing(app, shopper, buyer, coffee, monkeypatch):
    """Confirming is one transaction: when it breaks after the order was marked paid
    and its e-mails queued (the ledger, here), none of it stays and the slip can still
    be confirmed."""
    from shop.ledger import services as ledger
    from shop.ledger.models import LedgerEntry, Payout
    from shop.payments import slips

    order = make_order([(coffee[2], 2)], user=shopper)
    upload(buyer, order, slip_png(16))
    [slip] = slips_of(order)
    real_direct_payment = ledger.apply_direct_payment

    def broken(*args, **kwargs):
        real_direct_payment(*args, **kwargs)
        raise RuntimeError("ledger unavailable")

    # The ledger books the direct payment through the slip's hook (shop/hooks.py).
    handlers = app.extensions["chumchon_hooks"]
    monkeypatch.setitem(handlers, slips.paid_to_enterprise.name, [broken])
    with pytest.raises(RuntimeError):
        slips.confirm_slip(slip, actor=coffee[1])
    db.session.rollback()
    order, [slip] = fresh(order), slips_of(order)
    assert order.status == st.ORDER_PENDING_PAYMENT and order.paid_at is None
    assert slip.status == SLIP_SUBMITTED and slip.reviewed_by_id is None
    assert db.session.scalar(select(func.count()).select_from(StatusChange).where(
        StatusChange.order_id == order.id, StatusChange.to_status == st.ORDER_PAID)) == 0
    assert mails("order_paid") == [] and mails("order_new_for_enterprise") == []
    assert db.session.scalars(select(LedgerEntry)).all() == [] and db.session.scalars(select(Payout)).all() == []

    monkeypatch.setitem(handlers, slips.paid_to_enterprise.name, [real_direct_payment])
    slips.confirm_slip(slip, actor=coffee[1])
    assert fresh(order).status == st.ORDER_PAID and len(mails("order_paid")) == 1


def test_staff_confirm_slips_paid_to_the_platform(app, shopper, buyer, coffee, rice, staff, sign_in):
    order = make_order([(coffee[2], 1), (rice[2], 1)], user=shopper)  # two enterprises: platform
    upload(buyer, order, slip_png(15))
    [slip] = slips_of(order)
    assert slip.payee_enterprise_id is None
    response = sign_in(staff, client=app.test_client()).post(f"/admin/payments/{slip.id}/confirm", data={"back_status": "submitted"})
    assert response.status_code == 303
    order = fresh(order)
    assert order.status == st.ORDER_PAID
    change = db.session.scalar(select(StatusChange).where(StatusChange.order_id == order.id,
                                                          StatusChange.to_status == st.ORDER_PAID))
    assert change.actor_role == st.ROLE_STAFF
    assert len(mails("order_new_for_enterprise")) == 2


def test_confirm_by_the_wrong_enterprise_is_404(app, shopper, buyer, coffee, rice, sign_in):
    direct = make_order([(coffee[2], 1)], user=shopper)
    platform = make_order([(rice[2], 1)], user=shopper)
    upload(buyer, direct, slip_png(16))
    upload(buyer, platform, slip_png(17))
    [direct_slip], [platform_slip] = slips_of(direct), slips_of(platform)

    rice_member = sign_in(rice[1], client=app.test_client())
    # Its own enterprise in the URL, another enterprise's slip.
    assert rice_member.post(f"/seller/{rice[0].id}/payments/{direct_slip.id}/confirm").status_code == 404
    # The other enterprise in the URL: not a member.
    assert rice_member.post(f"/seller/{coffee[0].id}/payments/{direct_slip.id}/confirm").status_code == 404
    # A slip paid to the platform, even for its own products, is for staff.
    assert rice_member.post(f"/seller/{rice[0].id}/payments/{platform_slip.id}/confirm").status_code == 404
    assert rice_member.get(f"/orders/{platform.public_id}/slips/{platform_slip.id}/card.webp").status_code == 404
    assert rice_member.post(f"/admin/payments/{platform_slip.id}/confirm").status_code == 403
    assert rice_member.post(f"/seller/{rice[0].id}/payments/999999/confirm").status_code == 404
    assert {s.status for s in slips_of(direct) + slips_of(platform)} == {SLIP_SUBMITTED}
    assert fresh(direct).status == fresh(platform).status == st.ORDER_PENDING_PAYMENT


def test_reject_needs_a_reason_then_restarts_the_hold_and_allows_a_new_slip(app, shopper, buyer, rice, staff, sign_in):
    order = make_order([(rice[2], 1)], user=shopper)
    upload(buyer, order, slip_png(18))
    [slip] = slips_of(order)
    reviewer = sign_in(staff, client=app.test_client())

    response = reviewer.post(f"/admin/payments/{slip.id}/reject", data={"reason": "   "})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert slips_of(order)[0].status == SLIP_SUBMITTED
    response = reviewer.post(f"/admin/payments/{slip.id}/reject", data={"reason": "x" * 501})
    assert response.status_code == 422

    before = utcnow()
    response = reviewer.post(f"/admin/payments/{slip.id}/reject", data={"reason": "ยอดเงินไม่ตรงกับคำสั่งซื้อ"})
    assert response.status_code == 303
    order, slip = fresh(order), slips_of(order)[0]
    assert slip.status == SLIP_REJECTED and slip.reject_reason == "ยอดเงินไม่ตรงกับคำสั่งซื้อ"
    assert order.status == st.ORDER_PENDING_PAYMENT
    hold = timedelta(minutes=app.config["ORDER_HOLD_MINUTES"])
    assert before + hold - timedelta(seconds=5) <= order.expires_at <= utcnow() + hold
    [mail] = mails("order_slip_rejected")
    assert mail.to_address == shopper.email and "ยอดเงินไม่ตรงกับคำสั่งซื้อ" in mail.body_text

    html = buyer.get(f"/orders/{order.public_id}").get_data(as_text=True)
    assert "ยอดเงินไม่ตรงกับคำสั่งซื้อ" in html and 'name="slip"' in html

    assert reviewer.post(f"/admin/payments/{slip.id}/reject", data={"reason": "again"}).status_code == 409
    assert reviewer.post(f"/admin/payments/{slip.id}/confirm").status_code == 409

    assert upload(buyer, order, slip_png(19)).status_code == 303
    assert [s.status for s in slips_of(order)] == [SLIP_REJECTED, SLIP_SUBMITTED]
    assert fresh(order).expires_at is None


def test_a_slip_for_an_order_cancelled_meanwhile_cannot_confirm_it(app, shopper, buyer, rice, staff, sign_in):
    order = make_order([(rice[2], 1)], user=shopper)
    upload(buyer, order, slip_png(20))
    [slip] = slips_of(order)
    from shop.orders.services import cancel_order

    cancel_order(fresh(order), actor=staff, role=st.ROLE_STAFF, reason="ลูกค้าขอยกเลิกทางโทรศัพท์")
    reviewer = sign_in(staff, client=app.test_client())
    response = reviewer.post(f"/admin/payments/{slip.id}/confirm")
    assert response.status_code == 409
    assert fresh(order).status == st.ORDER_CANCELLED
    assert slips_of(order)[0].status == SLIP_SUBMITTED
    # It can still be closed, without restarting a hold or e-mailing about paying again.
    assert reviewer.post(f"/admin/payments/{slip.id}/reject", data={"reason": "order cancelled"}).status_code == 303
    assert fresh(order).expires_at is None
    assert mails("order_slip_rejected") == []


def test_two_reviewers_confirming_at_once_pay_the_order_once(app, shopper, buyer, coffee, staff, sign_in):
    order = make_order([(coffee[2], 3)], user=shopper)
    upload(buyer, order, slip_png(21))
    [slip] = slips_of(order)
    reviewers = [sign_in(coffee[1], client=app.test_client()), sign_in(staff, client=app.test_client())]
    urls = [f"/seller/{coffee[0].id}/payments/{slip.id}/confirm", f"/admin/payments/{slip.id}/confirm"]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def confirm(client, url):
        with app.app_context():
            barrier.wait()
            statuses.append(client.post(url).status_code)

    db.session.commit()  # the test's own transaction must not hold SQLite's write lock
    threads = [threading.Thread(target=confirm, args=pair) for pair in zip(reviewers, urls, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [303, 409]
    order = fresh(order)
    assert order.status == st.ORDER_PAID
    assert db.session.scalar(select(func.count()).select_from(StatusChange).where(
        StatusChange.order_id == order.id, StatusChange.to_status == st.ORDER_PAID)) == 1
    assert len(mails("order_paid")) == 1
    numbers = [f.document_no for f in db.session.scalars(select(Fulfilment).where(Fulfilment.order_id == order.id))]
    assert all(numbers) and len(set(numbers)) == len(numbers)


def test_the_same_slip_for_two_orders_at_once_is_kept_once(app, shopper, rice, sign_in):
    orders = [make_order([(rice[2], 1)], user=shopper) for _ in range(2)]
    clients = [sign_in(shopper, client=app.test_client()) for _ in range(2)]
    data = slip_png(22)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send(client, public_id):
        with app.app_context():
            barrier.wait()
            response = client.post(f"/orders/{public_id}/slip", data={"slip": (io.BytesIO(data), "slip.png")},
                                   content_type="multipart/form-data")
            statuses.append(response.status_code)

    public_ids = [o.public_id for o in orders]  # read here: the threads must not touch this session
    db.session.commit()
    threads = [threading.Thread(target=send, args=pair) for pair in zip(clients, public_ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [303, 409]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PaymentSlip)) == 1
    assert len(stored_files(app)) == 3
    waiting = [o for o in orders if db.session.get(Order, o.id).expires_at is None]
    assert len(waiting) == 1
