"""Who may see a buyer's order, and the signed links that let guests see theirs; and
an enterprise's part of an order, found only within that enterprise
(``fulfilment_for_enterprise``: another enterprise's part is 404).

An order page (``/orders/<public_id>``) is shown to

* the signed-in user who placed the order;
* whoever holds the order's signed link (``?t=<token>``, e-mailed with every order
  notice): guests have no account, so the link is their key. The token signs the
  order's ``public_id`` with the app's secret (itsdangerous, salt ``order-link``) and
  does not expire, like a parcel tracking link;
* a guest whose session remembers the order (``session["guest_orders"]``, set when
  the guest placed it), so the page works right after checkout without the e-mail;
* programme staff.

Anyone else gets 404, exactly as for an order that does not exist, so public ids
cannot be probed. ``buyer_role`` says in which role the viewer acts on the order
(staff acting on someone else's order are recorded as staff on the timeline).
"""

from __future__ import annotations

import hmac
import re
import secrets

from flask import current_app, has_request_context, session, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.catalog.models import Enterprise
from shop.errors import NotFound
from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order

ORDER_LINK_SALT = "order-link"
GUEST_ORDERS_KEY = "guest_orders"
# The session is a cookie: remember only the latest few guest orders.
MAX_REMEMBERED_GUEST_ORDERS = 20
# Order numbers are letters and digits (see ``new_public_id``; older ones used another
# alphabet): anything else cannot name an order, and is refused before a query.
_PUBLIC_ID = re.compile(r"^[A-Z0-9]{4,16}$")
_MAX_TOKEN_LENGTH = 200
PUBLIC_ID_PREFIX = "CM"
# 32 symbols (5 bits each) without the look-alikes 0/O and 1/I: a number read out over
# the phone or copied from a slip cannot be mistyped between them. Numbers issued
# before kept I and O; lookups accept any letters and digits, so they still open.
_PUBLIC_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PUBLIC_ID_LENGTH = 10


def new_public_id() -> str:
    """``CM`` + 10 random characters of ``_PUBLIC_ID_ALPHABET`` (50 bits): unguessable and
    easy to read out."""
    return PUBLIC_ID_PREFIX + "".join(secrets.choice(_PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=ORDER_LINK_SALT)


def order_token(order: Order) -> str:
    """The signed token that opens ``order``'s page for whoever holds it."""
    return _serializer().dumps(order.public_id)


def token_opens(order: Order, token: str | None) -> bool:
    """True when ``token`` is a genuine token for this very order."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return False
    try:
        public_id = _serializer().loads(token)
    except BadSignature:
        return False
    return isinstance(public_id, str) and hmac.compare_digest(public_id, order.public_id)


def order_path(order: Order, *, with_token: bool = True) -> str:
    """The order page's path (with ``?t=`` unless ``with_token`` is False)."""
    values = {"public_id": order.public_id}
    if with_token:
        values["t"] = order_token(order)
    if has_request_context():
        return url_for("orders.detail", **values)
    # Commands and workers (the sweeper's e-mails): no request to build against.
    return current_app.url_map.bind("localhost").build("orders.detail", values)


def order_url(order: Order, _external: bool = False) -> str:
    """The order page's link with its token; absolute (from ``PUBLIC_BASE_URL``, so it
    works in e-mails queued outside a request) when ``_external``."""
    path = order_path(order)
    if _external:
        return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
    return path


def remember_guest_order(order: Order) -> None:
    """Let this browser's session open ``order`` without the link (checkout calls it
    for guests)."""
    remembered = [pid for pid in session.get(GUEST_ORDERS_KEY, []) if isinstance(pid, str) and pid != order.public_id]
    remembered.append(order.public_id)
    session[GUEST_ORDERS_KEY] = remembered[-MAX_REMEMBERED_GUEST_ORDERS:]
    session.modified = True


def remembered_guest_order_ids() -> list[str]:
    """Public ids of the guest orders this session remembers (newest last)."""
    if not has_request_context():
        return []
    value = session.get(GUEST_ORDERS_KEY, [])
    return [pid for pid in value if isinstance(pid, str)] if isinstance(value, list) else []


def _is_staff(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False))


def _is_owner(order: Order, user) -> bool:
    return bool(
        order.user_id is not None and user is not None and getattr(user, "is_authenticated", False)
        and order.user_id == user.id
    )


def can_view(order: Order, user, token: str | None) -> bool:
    if _is_owner(order, user) or _is_staff(user):
        return True
    if token_opens(order, token):
        return True
    # Only guest orders are remembered in a session (see remember_guest_order).
    return order.user_id is None and order.public_id in remembered_guest_order_ids()


def load_order_for_buyer(public_id: str, user, token: str | None) -> Order:
    """The order ``public_id`` if ``user`` (or a guest holding ``token``) may see it.

    Raises ``NotFound`` otherwise: never 403, so nobody learns which orders exist.
    """
    if not isinstance(public_id, str) or not _PUBLIC_ID.match(public_id):
        raise NotFound()
    order = db.session.scalar(select(Order).where(Order.public_id == public_id))
    if order is None or not can_view(order, user, token):
        raise NotFound()
    return order


def buyer_role(order: Order, user) -> str:
    """``ROLE_STAFF`` for staff acting on someone else's order, else ``ROLE_BUYER``."""
    if _is_staff(user) and not _is_owner(order, user):
        return st.ROLE_STAFF
    return st.ROLE_BUYER


def viewer_token(order: Order, user) -> str | None:
    """The token a guest's links and forms on ``order``'s pages carry; None for the
    order's owner and staff, who need none."""
    if user is not None and getattr(user, "is_authenticated", True) and (
            user.id == order.user_id or getattr(user, "is_staff", False)):
        return None
    return order_token(order)


def fulfilment_for_enterprise(enterprise: Enterprise, fulfilment_id: int) -> Fulfilment:
    """The enterprise's fulfilment with that id; NotFound for anything else."""
    fulfilment = db.session.scalar(
        select(Fulfilment)
        .where(Fulfilment.id == fulfilment_id, Fulfilment.enterprise_id == enterprise.id)
        .options(selectinload(Fulfilment.lines), selectinload(Fulfilment.order))
    )
    if fulfilment is None:
        raise NotFound()
    return fulfilment
