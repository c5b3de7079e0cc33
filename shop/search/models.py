"""The search change log: one row per product (or enterprise, or category) whose
search documents may have changed.

Rows are written by session events (``search.outbox``) in the same transaction as the
change, so they commit or roll back with it. Every host's indexer follows the log into
its own Whoosh index (``search.indexer``); the sweeper prunes old rows and records in
``search_log_state`` how far it pruned, so a host that was away longer knows to rebuild.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.dbtypes import UTCDateTime, utcnow
from shop.extensions import db

# What changed. The indexer always reloads the product from the database, so the
# operation only says how to find the products concerned.
OP_PRODUCT = "product"  # product_id changed (created, edited, repriced, deleted …)
OP_ENTERPRISE = "enterprise"  # every product of enterprise_id
OP_CATEGORY = "category"  # every product of category_id
# A change that shows on the storefront's pages but in no search document (stock, a
# rating, a track stage): the indexer skips it; the page cache's generation counts it.
OP_PAGE = "page"
OPS = (OP_PRODUCT, OP_ENTERPRISE, OP_CATEGORY, OP_PAGE)


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    op: Mapped[str] = mapped_column(String(16), default=OP_PRODUCT)
    # No foreign keys: a row must outlive the deletion of what it points to.
    product_id: Mapped[int | None] = mapped_column(Integer)
    enterprise_id: Mapped[int | None] = mapped_column(Integer)
    category_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchOutbox {self.id} {self.op} p={self.product_id} e={self.enterprise_id} c={self.category_id}>"


class SearchLogState(db.Model):
    """One row (id 1): the highest log id the sweeper has pruned, and the log's epoch.

    The epoch names this log: an index records the epoch it follows, and one that
    follows another (it was built before the log existed, or the database was
    restored from a backup, whose ids start again below its watermark) rebuilds.
    ``flask db restore`` gives the restored log a new epoch."""

    __tablename__ = "search_log_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    pruned_through: Mapped[int] = mapped_column(Integer, default=0)
    epoch: Mapped[str | None] = mapped_column(String(32))
