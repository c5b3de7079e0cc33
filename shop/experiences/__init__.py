"""Community experiences: workshops and village visits an enterprise hosts, their
sessions, and the bookings that hold seats on them (docs/product.md: Experiences)."""
