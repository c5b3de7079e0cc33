"""Receipt and tax-invoice downloads for buyers and enterprise members.

* ``GET /orders/<public_id>/fulfilments/<fid>/receipt.pdf``: whoever may see the order
  page (its buyer, a guest with the signed link or whose session remembers the order,
  staff), through ``access.load_order_for_buyer``;
* ``GET /seller/<enterprise_id>/orders/<fid>/receipt.pdf``: members of the enterprise
  whose part of the order it is.

Anyone else, and a fulfilment of another order or enterprise, gets 404 (nothing tells
which ids exist). A known order that is not paid yet answers 409 with the reason. The
PDF is personal data: it is never cached by shared caches.

Templates link to the documents with the ``buyer_receipt_url`` and ``seller_receipt_url``
globals, and ``documents/_links.html`` renders the links where a document exists.
"""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from flask_login import current_user, login_required

from shop.catalog.access import get_member_enterprise_or_404
from shop.i18n import current_language
from shop.orders import receipts
from shop.orders.access import load_order_for_buyer, order_token
from shop.orders.documents import is_tax_invoice
from shop.orders.models import Fulfilment

bp = Blueprint("documents", __name__)


def _pdf_response(rendered: receipts.RenderedDocument) -> Response:
    response = Response(rendered.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{rendered.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/orders/<public_id>/fulfilments/<int:fulfilment_id>/receipt.pdf")
def buyer_receipt(public_id: str, fulfilment_id: int):
    order = load_order_for_buyer(public_id, current_user, request.args.get("t"))
    fulfilment = receipts.order_fulfilment(order, fulfilment_id)
    return _pdf_response(receipts.receipt_pdf(fulfilment, locale=current_language()))


@bp.get("/seller/<int:enterprise_id>/orders/<int:fulfilment_id>/receipt.pdf")
@login_required
def seller_receipt(enterprise_id: int, fulfilment_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    fulfilment = receipts.enterprise_fulfilment(enterprise.id, fulfilment_id)
    return _pdf_response(receipts.receipt_pdf(fulfilment, locale=current_language()))


@bp.app_template_global()
def buyer_receipt_url(fulfilment: Fulfilment) -> str | None:
    """The buyer's link to ``fulfilment``'s receipt (with the order's signed token, like
    the order page's own link), or None while there is no document."""
    if not receipts.has_document(fulfilment):
        return None
    order = fulfilment.order
    return url_for("documents.buyer_receipt", public_id=order.public_id, fulfilment_id=fulfilment.id,
                   t=order_token(order))


@bp.app_template_global()
def seller_receipt_url(fulfilment: Fulfilment) -> str | None:
    """The enterprise's link to ``fulfilment``'s receipt, or None while there is none."""
    if not receipts.has_document(fulfilment):
        return None
    return url_for("documents.seller_receipt", enterprise_id=fulfilment.enterprise_id, fulfilment_id=fulfilment.id)


@bp.app_template_global()
def document_is_tax_invoice(fulfilment: Fulfilment) -> bool:
    """True when ``fulfilment``'s document is a tax invoice (for the link's wording)."""
    return is_tax_invoice(fulfilment)
