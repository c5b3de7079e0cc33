"""Transfer slips for PromptPay QR / bank-transfer payments (docs/product.md: Payment): the buyer
uploads one, the payee reviews it.

* **Upload** (``submit_slip``): the bytes go through the hardened image pipeline
  (``catalog.images.process_upload``) into a private folder that ``/media`` does not
  serve; the slip is shown only through ``payments.views.slip_image``, to the buyer,
  staff and the payee enterprise. The same slip cannot pay twice: the SHA-256 of the
  file and of its normalised pixels are both unique. The pixel hash is taken over the
  pipeline's full-size WebP (upright RGB, metadata stripped, re-encoded with fixed
  settings), so the same picture re-saved as another PNG, with other metadata or as
  lossless WebP matches too. The upload pauses the order's lapse (``expires_at =
  None``) while the slip waits: the buyer may already have paid, and the sweeper must
  not give the stock away meanwhile.
* **Review** (``confirm_slip`` / ``reject_slip``): the payee enterprise's members
  (role seller) when the buyer paid that enterprise's own PromptPay ID, staff
  otherwise. Confirming marks the order paid (``orders.services.apply_paid``) in the
  same transaction; rejecting needs a reason, e-mails the buyer and restarts the hold
  so they can pay again or the order lapses.

Each use case checks, changes and commits once; a conditional UPDATE on the slip's
status makes two reviewers acting at once get one success and one clear refusal.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from shop import statemachine as sm
from shop import storage
from shop.accounts.models import User
from shop.catalog.access import enterprise_membership
from shop.catalog.images import delete_image, process_upload
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import Conflict, NotFound, ValidationFailed
from shop.extensions import db
from shop.hooks import Hook
from shop.orders import status as st
from shop.orders.models import Order
from shop.orders.services import apply_paid, apply_slip_rejected_email
from shop.pagination import Page, paginate
from shop.payments.machines import SLIPS, SlipAlreadyReviewed
from shop.payments.models import SLIP_CONFIRMED, SLIP_REJECTED, SLIP_SUBMITTED, PaymentSlip
from shop.payments.promptpay import Payee, build_payload, payee_for
from shop.text import checked_text

# Under ``private/``: the public ``/media`` route must never serve these files.
SLIP_FOLDER = "private/slips"
SLIP_STATUSES = (SLIP_SUBMITTED, SLIP_CONFIRMED, SLIP_REJECTED)
QUEUE_FILTERS = (SLIP_SUBMITTED, SLIP_CONFIRMED, SLIP_REJECTED, "all")
MAX_REASON_LENGTH = 500

#: ``(order, enterprise_id, *, reference)``, in ``confirm_slip``'s transaction: the
#: buyer paid the enterprise directly, so the ledger records that nothing is owed to it
#: (``shop/hooks.py``; the ledger sits above payments).
paid_to_enterprise = Hook("payments.paid_to_enterprise")


class SlipTooLarge(ValidationFailed):
    status_code = 413
    code = "payload_too_large"


class DuplicateSlip(Conflict):
    code = "duplicate_slip"
    default_message = _l("This slip has already been sent. Each transfer slip can be used only once: "
                         "send the slip of your own transfer for this order.")


# ---------------------------------------------------------------- upload


def _megabytes(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _waiting_slip_id(order_id: int) -> int | None:
    return db.session.scalar(
        select(PaymentSlip.id).where(PaymentSlip.order_id == order_id, PaymentSlip.status == SLIP_SUBMITTED).limit(1)
    )


def _slip_with_hash(content_sha256: str, pixel_sha256: str | None = None) -> PaymentSlip | None:
    condition = PaymentSlip.content_sha256 == content_sha256
    if pixel_sha256 is not None:
        condition = or_(condition, PaymentSlip.pixel_sha256 == pixel_sha256)
    return db.session.scalar(select(PaymentSlip).where(condition).limit(1))


def _duplicate(existing: PaymentSlip, order_id: int) -> DuplicateSlip:
    if existing.order_id == order_id and existing.status == SLIP_REJECTED:
        return DuplicateSlip(_l("You sent this slip before and it was not accepted. Send the slip of a new "
                                "transfer, or contact us if you think it was refused by mistake."))
    if existing.order_id == order_id:
        return DuplicateSlip(_l("You have already sent this slip for this order."))
    # Never say which order used it: that would reveal someone else's order.
    return DuplicateSlip()


def check_can_upload(order: Order) -> None:
    """Refuse early (before the file is read) when no slip can be sent for ``order``."""
    if not order.is_unpaid:
        raise Conflict(_l("This order is not waiting for payment, so no slip is needed."))
    if _waiting_slip_id(order.id) is not None:
        raise Conflict(_l("Your slip is being checked. You can send another one if it is not accepted."))


def _pixel_digest(image_key: str) -> str:
    data = storage.read_bytes(storage.image_file_key(SLIP_FOLDER, image_key, "full"))
    return hashlib.sha256(data or b"").hexdigest()


def submit_slip(order: Order, data: bytes, *, actor: User | None) -> PaymentSlip:
    """Store the buyer's transfer slip for ``order`` and pause the order's lapse.

    ``actor`` is the signed-in buyer (or staff uploading for them), None for a guest;
    the caller checked access (``orders.access.load_order_for_buyer``). Raises
    ``ValidationFailed`` (not an image, damaged, empty), ``SlipTooLarge`` (413),
    ``DuplicateSlip`` (409) or ``Conflict`` (409: paid, cancelled or a slip already
    waiting). Nothing is stored when it fails.
    """
    limit = int(current_app.config["SLIP_MAX_BYTES"])
    if not data:
        message = _l("Choose the photo or screenshot of your transfer slip.")
        raise ValidationFailed(message, fields={"slip": message})
    if len(data) > limit:
        message = _l("The slip image is too large (at most %(mb)s MB). Send a screenshot or a smaller photo.",
                     mb=_megabytes(limit))
        raise SlipTooLarge(message, fields={"slip": message})
    # Two transactions on purpose: the read-only checks end before Pillow decodes the
    # image (on SQLite a request's transaction holds the database's write lock, BEGIN
    # IMMEDIATE, and nobody else should wait for an image to be decoded); the slip is
    # written in the second.
    with transaction():
        check_can_upload(order)
        order_id = order.id
        payee = payee_for(order)
        content_sha256 = hashlib.sha256(data).hexdigest()
        existing = _slip_with_hash(content_sha256)
        if existing is not None:
            raise _duplicate(existing, order_id)

    stored = process_upload(data, folder=SLIP_FOLDER)  # ImageRejected (422) before anything is stored
    try:
        try:
            with transaction():
                pixel_sha256 = _pixel_digest(stored.image_key)
                # The row lock (PostgreSQL) / write lock (SQLite) taken here orders this
                # upload against the lapse sweeper, a cancellation and a second upload
                # for the order.
                paused = db.session.execute(
                    update(Order)
                    .where(Order.id == order_id, Order.status == st.ORDER_PENDING_PAYMENT)
                    .values(expires_at=None, updated_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
                if paused.rowcount != 1:
                    raise Conflict(_l("This order is no longer waiting for payment (it was paid or cancelled "
                                      "meanwhile); the slip was not kept."))
                if _waiting_slip_id(order_id) is not None:
                    raise Conflict(_l("Your slip is being checked. You can send another one if it is not "
                                      "accepted."))
                existing = _slip_with_hash(content_sha256, pixel_sha256)
                if existing is not None:
                    raise _duplicate(existing, order_id)
                order = db.session.get(Order, order_id, populate_existing=True)
                slip = PaymentSlip(
                    order_id=order_id, image_key=stored.image_key, width=stored.width, height=stored.height,
                    content_sha256=content_sha256, pixel_sha256=pixel_sha256, status=SLIP_SUBMITTED,
                    amount_satang=order.total_satang, uploaded_by_id=getattr(actor, "id", None),
                    payee_enterprise_id=payee.enterprise_id, payee_promptpay_id=payee.promptpay_id,
                )
                db.session.add(slip)
                db.session.flush()
        except IntegrityError:
            # The same slip sent twice at the same moment: the unique hashes decide.
            # The block has rolled back already, so building the message (which picks
            # the user's language, maybe from the database) reads a usable session.
            raise DuplicateSlip() from None
    except BaseException:
        delete_image(SLIP_FOLDER, stored.image_key)
        raise
    return slip


# ---------------------------------------------------------------- review


def reviewer_role(slip: PaymentSlip, user: User | None) -> str | None:
    """``ROLE_SELLER`` for a member of the enterprise the buyer paid, ``ROLE_STAFF`` for
    staff, else None (callers answer 404)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if slip.payee_enterprise_id is not None and enterprise_membership(user, slip.payee_enterprise_id) is not None:
        return st.ROLE_SELLER
    if getattr(user, "is_staff", False):
        return st.ROLE_STAFF
    return None


def slip_for_reviewer(slip_id: int, user: User | None, *, enterprise_id: int | None = None) -> tuple[PaymentSlip, str]:
    """The slip and the reviewer's role; NotFound for anyone who may not review it.

    With ``enterprise_id`` (the seller pages) only slips paid to that enterprise count,
    so another enterprise's slip id answers 404 like one that does not exist.
    """
    slip = db.session.get(PaymentSlip, slip_id) if isinstance(slip_id, int) else None
    if slip is None:
        raise NotFound()
    if enterprise_id is not None and slip.payee_enterprise_id != enterprise_id:
        raise NotFound()
    role = reviewer_role(slip, user)
    if role is None or (enterprise_id is not None and role != st.ROLE_SELLER):
        raise NotFound()
    return slip, role


def _clean_reason(reason: str | None) -> str:
    text = checked_text(reason, field="reason", multi_line=True).strip()
    if not text:
        message = _l("Say why the slip is not accepted: the buyer will see it.")
        raise ValidationFailed(message, fields={"reason": message})
    if len(text) > MAX_REASON_LENGTH:
        message = _l("Keep the reason under %(count)d characters.", count=MAX_REASON_LENGTH)
        raise ValidationFailed(message, fields={"reason": message})
    return text


def _close_slip(slip: PaymentSlip, to_status: str, *, actor: User, role: str, reason: str | None = None) -> None:
    now = utcnow()
    sm.transition(SLIPS, slip, to_status, actor=actor, role=role, reason=reason,
                  values={"reviewed_by_id": actor.id, "reviewed_at": now, "reject_reason": reason})


def confirm_slip(slip: PaymentSlip, *, actor: User) -> PaymentSlip:
    """The money arrived: the slip is confirmed and the order paid, in one transaction."""
    with transaction():
        role = reviewer_role(slip, actor)
        if role is None:
            raise NotFound()
        if slip.status != SLIP_SUBMITTED:
            raise SlipAlreadyReviewed()
        order = slip.order
        if not order.is_unpaid:
            raise Conflict(_l("This order is no longer waiting for payment (%(status)s), so the slip cannot "
                              "confirm it. Reject the slip and arrange a refund if money was received.",
                              status=st.status_label(st.ORDER, order.status)))
        _close_slip(slip, SLIP_CONFIRMED, actor=actor, role=role)
        apply_paid(order, actor=actor, role=role)
        if slip.payee_enterprise_id is not None:
            # The money went straight to the enterprise: nothing for the platform to pay out.
            paid_to_enterprise(order, slip.payee_enterprise_id, reference=f"slip {slip.id}")
    return slip


def reject_slip(slip: PaymentSlip, *, actor: User, reason: str | None) -> PaymentSlip:
    """The slip does not show a matching transfer: rejected with a reason the buyer
    reads, and the order's hold restarts (``ORDER_HOLD_MINUTES``) for a new payment."""
    with transaction():
        role = reviewer_role(slip, actor)
        if role is None:
            raise NotFound()
        text = _clean_reason(reason)
        if slip.status != SLIP_SUBMITTED:
            raise SlipAlreadyReviewed()
        order = slip.order
        _close_slip(slip, SLIP_REJECTED, actor=actor, role=role, reason=text)
        now = utcnow()
        restarted = db.session.execute(
            update(Order)
            .where(Order.id == order.id, Order.status == st.ORDER_PENDING_PAYMENT)
            .values(expires_at=now + timedelta(minutes=int(current_app.config["ORDER_HOLD_MINUTES"])),
                    updated_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(order)
        if restarted.rowcount == 1:
            # Only an order still awaiting payment can be paid again; a cancelled one
            # was already announced to the buyer.
            apply_slip_rejected_email(order, text)
    return slip


# ---------------------------------------------------------------- queries


@dataclass(frozen=True)
class SlipPage(Page[PaymentSlip]):
    counts: dict[str, int] = field(default_factory=dict)


def parse_filter(value: str | None) -> str:
    return value if value in QUEUE_FILTERS else SLIP_SUBMITTED


def review_queue(*, enterprise_id: int | None = None, status_filter: str = SLIP_SUBMITTED, page: int = 1,
                 per_page: int = 20) -> SlipPage:
    """Slips to review, oldest waiting first; for one payee enterprise, or all (staff).

    Staff see every slip, also those paid to an enterprise (they may step in).
    """
    base = select(PaymentSlip)
    count_query = select(PaymentSlip.status, func.count()).group_by(PaymentSlip.status)
    if enterprise_id is not None:
        base = base.where(PaymentSlip.payee_enterprise_id == enterprise_id)
        count_query = count_query.where(PaymentSlip.payee_enterprise_id == enterprise_id)
    if status_filter in SLIP_STATUSES:
        base = base.where(PaymentSlip.status == status_filter)
    if status_filter == SLIP_SUBMITTED:
        base = base.order_by(PaymentSlip.created_at, PaymentSlip.id)
    else:
        base = base.order_by(PaymentSlip.created_at.desc(), PaymentSlip.id.desc())
    counts = {status: 0 for status in SLIP_STATUSES}
    counts.update({status: n for status, n in db.session.execute(count_query)})
    return paginate(base, page, per_page, page_type=SlipPage, counts=counts)


def slips_of_order(order: Order) -> list[PaymentSlip]:
    """The order's slips, newest first."""
    return list(db.session.scalars(
        select(PaymentSlip).where(PaymentSlip.order_id == order.id)
        .order_by(PaymentSlip.created_at.desc(), PaymentSlip.id.desc())
    ))


def slip_of_order(order: Order, slip_id: int) -> PaymentSlip:
    slip = db.session.get(PaymentSlip, slip_id)
    if slip is None or slip.order_id != order.id:
        raise NotFound()
    return slip


def slip_image_response(slip: PaymentSlip, size: str):
    """The stored file of one size ("thumb", "card" or "full") as a private response;
    NotFound if missing."""
    if size not in storage.IMAGE_SIZES:
        raise NotFound()
    response = storage.file_response(storage.image_file_key(SLIP_FOLDER, slip.image_key, size), private=True)
    if response is None:
        raise NotFound()
    return response


# ---------------------------------------------------------------- the pay panel


@dataclass(frozen=True)
class PayPanel:
    """What the order page shows an unpaid order's buyer to pay it."""

    payee: Payee
    amount_satang: int
    payload: str
    expires_at: datetime | None
    minutes_left: int | None
    latest_slip: PaymentSlip | None

    @property
    def waiting(self) -> bool:
        return self.latest_slip is not None and self.latest_slip.status == SLIP_SUBMITTED

    @property
    def rejected(self) -> PaymentSlip | None:
        return self.latest_slip if self.latest_slip is not None and self.latest_slip.status == SLIP_REJECTED else None


def pay_panel(order: Order, *, now: datetime | None = None) -> PayPanel:
    payee = payee_for(order)
    slips = slips_of_order(order)
    minutes_left = None
    if order.expires_at is not None:
        remaining = (order.expires_at - (now or utcnow())).total_seconds()
        minutes_left = max(0, int(remaining // 60))
    return PayPanel(
        payee=payee, amount_satang=order.total_satang,
        payload=build_payload(payee.promptpay_id, order.total_satang) if order.total_satang > 0 else "",
        expires_at=order.expires_at, minutes_left=minutes_left, latest_slip=slips[0] if slips else None,
    )


def slip_waiting(order: Order) -> bool:
    """``orders.services.PAYMENT_UNDER_REVIEW``: a slip of the order waits for review
    (the buyer may already have paid)."""
    return db.session.scalar(
        select(PaymentSlip.id).where(PaymentSlip.order_id == order.id, PaymentSlip.status == SLIP_SUBMITTED).limit(1)
    ) is not None
