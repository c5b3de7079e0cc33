"""Orders: the buyer's order pages, order services and state machines.

The blueprint lives in ``views.py``, not here, so importing ``shop.orders.models`` (or
any other module of this package) does not pull in the views and their imports.
"""
