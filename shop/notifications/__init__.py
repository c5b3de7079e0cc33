"""Outgoing e-mail through an outbox table (docs/product.md: Orders)."""
