"""Receipt and tax-invoice numbers: one unbroken sequence per enterprise and year.

Thai tax invoices must be numbered in sequence without gaps, so the number is taken
inside the payment's transaction from a per-enterprise counter row: a conditional
UPDATE bumps it (on PostgreSQL the row lock serialises two payments of the same
enterprise; on SQLite the write transaction already holds the database lock), and the
new value is read back in the same transaction. A payment that rolls back gives its
number back with it.

Numbers look like ``RC2026-000042`` (receipt) or ``INV2026-000042`` (tax invoice, for
VAT-registered enterprises). The year is the Gregorian year of the payment in
Bangkok time.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from shop.dbtypes import utcnow
from shop.extensions import db
from shop.orders.models import DocumentCounter

BANGKOK = ZoneInfo("Asia/Bangkok")
RECEIPT_PREFIX = "RC"
TAX_INVOICE_PREFIX = "INV"


def next_in_sequence(counter: type, **key) -> int:
    """The next number of the sequence kept in the ``counter`` row matching ``key``
    (a model with ``last_number`` and a unique constraint over ``key``'s columns),
    taken in the caller's transaction: a conditional UPDATE bumps it (the row lock
    serialises two takers on PostgreSQL), the first number creates the row."""
    where = [getattr(counter, name) == value for name, value in key.items()]
    for _ in range(3):
        result = db.session.execute(
            update(counter)
            .where(*where)
            .values(last_number=counter.last_number + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            return db.session.scalar(select(counter.last_number).where(*where))
        # First document of the sequence: create the counter. Another transaction may
        # create it at the same moment; the unique constraint decides, and the loser
        # retries the UPDATE.
        try:
            with db.session.begin_nested():
                db.session.add(counter(last_number=1, **key))
            return 1
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a document number")  # pragma: no cover


def _next_number(enterprise_id: int, year: int) -> int:
    return next_in_sequence(DocumentCounter, enterprise_id=enterprise_id, year=year)


def assign_document_number(fulfilment, *, when: datetime | None = None) -> str:
    """Give ``fulfilment`` its receipt / tax-invoice number (once) in the caller's
    transaction; returns it."""
    if fulfilment.document_no:
        return fulfilment.document_no
    when = (when or utcnow()).astimezone(BANGKOK)
    number = _next_number(fulfilment.enterprise_id, when.year)
    prefix = TAX_INVOICE_PREFIX if fulfilment.enterprise.vat_registered else RECEIPT_PREFIX
    fulfilment.document_no = f"{prefix}{when.year}-{number:06d}"
    fulfilment.issuer = issuer_details(fulfilment.enterprise)
    return fulfilment.document_no


ISSUER_FIELDS = ("name_th", "name_en", "village", "subdistrict", "district", "province_code", "tax_id",
                 "contact_phone", "vat_registered")


def issuer_details(enterprise) -> dict:
    """What a receipt or tax invoice says about its issuer, frozen at numbering time."""
    return {name: getattr(enterprise, name, None) for name in ISSUER_FIELDS}


def is_tax_invoice(fulfilment) -> bool:
    return bool(fulfilment.document_no and fulfilment.document_no.startswith(TAX_INVOICE_PREFIX))
