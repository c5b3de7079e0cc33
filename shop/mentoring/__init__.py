"""Mentors: their home, read-only access to the enterprises they coach, and coaching
notes and visit records with next steps (docs/product.md: Programmes and mentors)."""
