"""Cart and checkout: the cart pages (``/cart``), checkout (``/checkout``) and the
saved addresses under ``/account/addresses`` (docs/product.md: Orders, Contracts).

The blueprint lives in ``blueprint.py`` and the pages in ``*views.py`` (``views.py``
imports the others), not here, so importing ``shop.cart.models`` (or any other
module of this package) does not pull in the views and their imports.
"""

#: The session key of a guest's cart (kept across sign-in so it can be merged).
CART_SESSION_KEY = "cart"
