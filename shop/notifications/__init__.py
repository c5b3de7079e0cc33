"""Outgoing e-mail through an outbox table (PRODUCT.md §5)."""
