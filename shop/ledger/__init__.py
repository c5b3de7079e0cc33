"""The enterprise ledger (docs/product.md: Ledger and payouts): what each enterprise
earned, the platform's fees, refunds and clawbacks, and what was paid out, in integer
satang, independent of the payment rail.

The blueprint lives in ``views.py`` so importing the models does not pull in views.
"""
