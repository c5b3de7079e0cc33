"""Staff back office under ``/admin`` (docs/product.md: Roles, Listing review,
Expansion track, Programmes): review enterprise applications, verify retail buyers,
review listings, run the market-channel expansion track and its programmes.

Every route is staff-only: the blueprint's ``before_request`` checks it before any
view runs, so no route can forget. Guests are sent to sign in; other users get 403.
The back office changes nothing itself: it calls other areas' services.
"""

from flask import Blueprint
from flask_login import current_user

from shop.errors import PermissionDenied
from shop.extensions import login_manager

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _staff_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_staff:
        raise PermissionDenied()
    return None


from shop.admin import invoices, listing_review, mentors, programmes, reports, reviews, track, views  # noqa: E402,F401
