"""The market-channel expansion track: programmes, each stage's checklist (items the
data proves, items staff or a mentor tick with evidence), who is ready to move
(docs/product.md: Expansion track)."""
