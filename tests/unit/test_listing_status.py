"""The listing state machine: every (from, to, role) is walked; what the table allows
succeeds and is recorded, everything else is refused and changes nothing."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from shop.catalog import listing_status, status
from shop.catalog.listing_models import ListingStatusChange
from shop.catalog.listing_status import MEMBER, STAFF, TransitionRefused, transition_product
from shop.errors import PermissionDenied, ValidationFailed
from shop.extensions import db
from tests.factories import MemberFactory, ProductFactory, UserFactory, VariantFactory

ALLOWED = {(t.from_status, t.to_status, t.role) for t in listing_status.TRANSITIONS}
ALL = list(itertools.product(status.PRODUCT_STATUSES, status.PRODUCT_STATUSES, (MEMBER, STAFF)))


@pytest.fixture
def people(app):
    member = MemberFactory()
    staff = UserFactory(is_staff=True)
    return member, staff


def make_product(member, from_status, *, taken_down=False):
    product = ProductFactory(enterprise=member.enterprise, status=from_status, published_at=None)
    VariantFactory(product=product)
    if from_status == status.PAUSED:
        role = STAFF if taken_down else MEMBER
        db.session.add(ListingStatusChange(product_id=product.id, from_status=status.LIVE, to_status=status.PAUSED,
                                           actor_role=listing_status.STORED_ROLES[role], actor_id=None))
        db.session.commit()
    return product


def test_the_table_is_the_documented_one():
    assert ALLOWED == {
        ("draft", "pending_review", MEMBER), ("pending_review", "draft", MEMBER), ("pending_review", "draft", STAFF),
        ("pending_review", "live", STAFF), ("live", "paused", MEMBER), ("live", "paused", STAFF),
        ("paused", "live", MEMBER), ("paused", "pending_review", MEMBER),
        ("draft", "archived", MEMBER), ("pending_review", "archived", MEMBER), ("live", "archived", MEMBER),
        ("paused", "archived", MEMBER),
    }


@pytest.mark.parametrize("from_status, to_status, role", ALL, ids=["-".join(c) for c in ALL])
def test_every_transition(app, people, from_status, to_status, role):
    member, staff = people
    actor = member.user if role == MEMBER else staff
    # A paused product resumes only after the member's own pause and is resubmitted
    # only after a staff take-down: set up the history that allows the move.
    product = make_product(member, from_status, taken_down=(to_status == status.PENDING_REVIEW))
    allowed = (from_status, to_status, role) in ALLOWED
    before = db.session.scalar(select(func.count(ListingStatusChange.id)))
    if allowed:
        change = transition_product(product, to_status, actor=actor, reason="because", role=role)
        db.session.commit()
        assert product.status == to_status
        assert (change.from_status, change.to_status, change.actor_id, change.actor_role) == (
            from_status, to_status, actor.id, listing_status.STORED_ROLES[role])
        assert change.created_at is not None
        assert db.session.scalar(select(func.count(ListingStatusChange.id))) == before + 1
    else:
        with pytest.raises((TransitionRefused, PermissionDenied)):
            transition_product(product, to_status, actor=actor, reason="because", role=role)
        db.session.rollback()
        db.session.refresh(product)
        assert product.status == from_status
        assert db.session.scalar(select(func.count(ListingStatusChange.id))) == before


def test_an_outsider_may_do_nothing(app, people):
    member, _staff = people
    product = make_product(member, status.DRAFT)
    outsider = MemberFactory().user  # a member of another enterprise
    with pytest.raises(PermissionDenied):
        transition_product(product, status.PENDING_REVIEW, actor=outsider)
    with pytest.raises(PermissionDenied):
        transition_product(product, status.PENDING_REVIEW, actor=member.user, role=STAFF)


def test_staff_send_back_and_take_down_need_a_reason(app, people):
    member, staff = people
    product = make_product(member, status.PENDING_REVIEW)
    with pytest.raises(ValidationFailed) as refused:
        transition_product(product, status.DRAFT, actor=staff, reason="   ")
    assert "reason" in refused.value.fields
    assert product.status == status.PENDING_REVIEW
    transition_product(product, status.DRAFT, actor=staff, reason="Photo is blurry")
    assert product.status_reason == "Photo is blurry"


def test_member_withdraw_needs_no_reason(app, people):
    member, _staff = people
    product = make_product(member, status.PENDING_REVIEW)
    transition_product(product, status.DRAFT, actor=member.user)
    assert product.status == status.DRAFT


def test_going_live_sets_published_at_once(app, people):
    member, staff = people
    product = make_product(member, status.PENDING_REVIEW)
    transition_product(product, status.LIVE, actor=staff)
    first = product.published_at
    assert first is not None
    transition_product(product, status.PAUSED, actor=member.user)
    transition_product(product, status.LIVE, actor=member.user)
    assert product.published_at == first


def test_taken_down_listing_cannot_simply_be_resumed(app, people):
    member, staff = people
    product = make_product(member, status.LIVE)
    transition_product(product, status.PAUSED, actor=staff, reason="Wrong FDA number")
    db.session.commit()
    assert listing_status.allowed_targets(product, member.user, role=MEMBER) == [status.PENDING_REVIEW,
                                                                                   status.ARCHIVED]
    with pytest.raises(TransitionRefused):
        transition_product(product, status.LIVE, actor=member.user)
    transition_product(product, status.PENDING_REVIEW, actor=member.user)
    assert product.status == status.PENDING_REVIEW and product.status_reason is None


def test_no_submission_without_a_variant_on_sale(app, people):
    member, _staff = people
    product = ProductFactory(enterprise=member.enterprise, status=status.DRAFT)
    with pytest.raises(TransitionRefused) as refused:
        transition_product(product, status.PENDING_REVIEW, actor=member.user)
    assert str(refused.value.message)


def test_staff_who_is_also_a_member_picks_the_capacity(app, people):
    member, staff = people
    MemberFactory(enterprise=member.enterprise, user=staff)
    product = make_product(member, status.PENDING_REVIEW)
    assert set(listing_status.allowed_targets(product, staff)) == {status.DRAFT, status.LIVE, status.ARCHIVED}
    change = transition_product(product, status.DRAFT, actor=staff, role=MEMBER)
    assert change.actor_role == listing_status.STORED_ROLES[MEMBER] and change.reason is None


def test_unknown_status_is_refused(app, people):
    member, _staff = people
    product = make_product(member, status.DRAFT)
    with pytest.raises(TransitionRefused):
        transition_product(product, "deleted", actor=member.user)
