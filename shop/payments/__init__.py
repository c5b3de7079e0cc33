"""Payments: PromptPay QR / bank transfer with transfer slips.

The blueprint lives in ``blueprint.py`` and the pages in ``*views.py`` (``views.py``
imports the others), not here, so importing ``shop.payments.models`` (or any other
module of this package) does not pull in the views and their imports.
"""
