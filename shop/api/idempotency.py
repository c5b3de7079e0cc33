"""``Idempotency-Key`` for orders created through the API.

A client that sends ``POST /api/v1/orders`` with an ``Idempotency-Key`` header and
does not get the answer (a timeout, a dropped connection) sends the same request
again with the same key and gets the order the first request created, never a second
one. The key is recorded as an ``IdempotencyKey`` row in the same transaction as the
order (``recorder`` is given to ``place_order`` as its ``before_commit``), so a key
names a committed order or nothing.

* same user, same key, same request body (within ``KEY_LIFETIME``): the existing
  order is answered again, marked ``Idempotent-Replayed: true``;
* same key with a different body: refused (422 ``idempotency_key_reused``);
* two requests racing with one key: on PostgreSQL the second INSERT waits for the
  first transaction and then fails on the unique constraint; everything the loser
  wrote (its order, the stock it took) is rolled back and it answers the winner's
  order. On SQLite the write transactions queue, so the loser already finds the key.

Keys older than ``KEY_LIFETIME`` are ignored (the same key may then name a new order)
and deleted by ``flask orders sweep`` (``prune_expired_keys``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from shop.accounts.models import User
from shop.api.models import IdempotencyKey
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import DomainError, ValidationFailed
from shop.extensions import db
from shop.orders.models import Order

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEY_LIFETIME = timedelta(hours=24)


class BadIdempotencyKey(DomainError):
    status_code = 400
    code = "invalid_idempotency_key"
    default_message = _l("The Idempotency-Key header must be 1 to 255 visible ASCII characters, "
                         "e.g. a UUID.")


class IdempotencyKeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    default_message = _l("This Idempotency-Key was already used for a different request. "
                         "Use a new key for a new order.")


def parse_key(value: str | None) -> str | None:
    """The header's key, None when absent; ``BadIdempotencyKey`` when malformed."""
    if value is None:
        return None
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not all("!" <= ch <= "~" for ch in value):
        raise BadIdempotencyKey()
    return value


def request_hash(payload: dict) -> str:
    """The digest of a request body in a canonical form (key order and spacing of
    the JSON do not matter)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _cutoff(now: datetime | None = None) -> datetime:
    return (now or utcnow()) - KEY_LIFETIME


def find_order(user: User, key: str, digest: str) -> Order | None:
    """The order a live key of ``user`` names, None when there is none;
    ``IdempotencyKeyReused`` when the key was used with another request body."""
    row = db.session.scalar(
        select(IdempotencyKey)
        .where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key,
               IdempotencyKey.created_at >= _cutoff())
        .execution_options(populate_existing=True)
    )
    if row is None:
        return None
    if row.request_hash != digest:
        raise IdempotencyKeyReused()
    return db.session.get(Order, row.order_id, populate_existing=True)


def recorder(user: User, key: str, digest: str) -> Callable[[Order], None]:
    """A ``before_commit`` for ``place_order`` that records the key with the order.

    An expired row with the same key is removed first (it no longer counts, and the
    unique constraint would refuse the new one). The row is flushed here so that a
    racing request with the same key fails now, inside ``place_order``'s rollback.
    """

    def record(order: Order) -> None:
        db.session.execute(
            delete(IdempotencyKey)
            .where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key,
                   IdempotencyKey.created_at < _cutoff())
            .execution_options(synchronize_session=False)
        )
        db.session.add(IdempotencyKey(user_id=user.id, key=key, request_hash=digest, order_id=order.id))
        db.session.flush()

    return record


def sweep_expired_keys() -> str:
    """``orders.cli.sweep_chores``: delete the keys past their lifetime."""
    return f"pruned {prune_expired_keys()} expired idempotency keys"


def prune_expired_keys(now: datetime | None = None) -> int:
    """Delete keys older than ``KEY_LIFETIME``; commits; returns how many went."""
    with transaction():
        result = db.session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < _cutoff(now))
            .execution_options(synchronize_session=False)
        )
    return int(result.rowcount or 0)
