"""The cancellation policies an experience may have, as data: a code, labels and how
long before the session a guest may cancel for a full refund (None: no refund)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class CancellationPolicy:
    code: str
    label: object
    description: object
    full_refund_hours: int | None


POLICIES: dict[str, CancellationPolicy] = {
    policy.code: policy
    for policy in (
        CancellationPolicy("flexible", _l("Flexible"),
                           _l("Full refund if you cancel at least 24 hours before the session starts."), 24),
        CancellationPolicy("moderate", _l("Moderate"),
                           _l("Full refund if you cancel at least 7 days before the session starts."), 7 * 24),
        CancellationPolicy("strict", _l("Strict"), _l("No refund once booked and paid."), None),
    )
}
DEFAULT_POLICY = "flexible"


def policy_of(code: str | None) -> CancellationPolicy:
    return POLICIES.get(code or "", POLICIES[DEFAULT_POLICY])
