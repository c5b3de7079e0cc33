"""Requests for quote (docs/product.md: Wholesale, Requests for quote): a verified
retail buyer asks an enterprise for a quantity of one variant at a target price by a
date; the enterprise answers with a quote or declines; both sides write on the
request; the buyer accepts the quote before it lapses and that places the order at the
quoted price. The blueprint lives in ``views.py``, so importing the models or the
machine never imports the pages."""
