"""Property-based tests of the whole API against its own OpenAPI document.

Schemathesis reads ``/api/v1/openapi.json`` from the app and, for every operation,
sends generated requests, valid and invalid, with a member's token, then checks each
answer: no server error, a documented status, a JSON body matching the documented
schema, a 401 when the token is left out, a 405 for undocumented methods.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, settings
from schemathesis import checks

from shop import create_app
from shop.experiences import services as experiences
from shop.extensions import db
from shop.orders import status as st
from shop.search.indexer import rebuild
from tests.api_helpers import token_for
from tests.experience_helpers import FORM, book
from tests.factories import (
    CategoryFactory,
    EnterpriseFactory,
    MemberFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.order_helpers import make_order, pay_by_slip

# Examples per operation and phase. Enough to find the classic failures (overflowing
# numbers, odd Unicode, wrong types, missing fields) while keeping the suite quick.
MAX_EXAMPLES = 25


@pytest.fixture
def api_world(app):
    """A small marketplace: two approved enterprises with live products, and a token
    for an owner of the first who also shops."""
    user = UserFactory(email="owner@example.test")
    category = CategoryFactory(slug="coffee", name_th="กาแฟ", name_en="Coffee")
    own = EnterpriseFactory(slug="maejaem", province_code="50")
    other = EnterpriseFactory(slug="banpaen", province_code="52")
    MemberFactory(enterprise=own, user=user)
    variants = []
    for enterprise in (own, other):
        for n in range(3):
            product = ProductFactory(enterprise=enterprise, category=category)
            variants.append(VariantFactory(product=product, sku=f"{enterprise.slug}-{n}-a", stock=1000))
            variants.append(VariantFactory(product=product, sku=f"{enterprise.slug}-{n}-b", stock=1000,
                                           price_satang=25000))
    db.session.commit()
    # Orders in every state the endpoints act on: the owner's own purchases (unpaid
    # and paid) and sales of its enterprise at each step.
    make_order([(variants[0], 1), (variants[6], 2)], user=user)
    make_order([(variants[1], 1)], user=user, paid=True)
    for fulfilment_status in (st.FULFILMENT_NEW, st.FULFILMENT_ACCEPTED, st.FULFILMENT_PACKED):
        for _ in range(3):
            make_order([(variants[2], 1)], paid=True, fulfilment_status=fulfilment_status)
    # A published experience of the owner's enterprise with a session ahead, and a
    # paid booking on it (the host's sessions, guest list and check-in have data).
    experience = experiences.create_experience(own, dict(FORM))
    session = experiences.add_session(experience, day=(experiences.local_now().date() + timedelta(days=9)).isoformat(),
                                      start_time="09:00", seats="20")
    pay_by_slip(book(session.id, adults=1))
    rebuild(app)
    return {"token": token_for(user)}


@pytest.fixture
def api_app(app, api_world):
    def wsgi(environ, start_response):
        # A fresh ``g`` per request, as in production (the test keeps one app context).
        for name in list(vars(g)):
            delattr(g, name)
        return app.wsgi_app(environ, start_response)

    return wsgi


# The document as the app serves it; each test case is then sent to the test's own app.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}))


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_the_api_keeps_its_contract(case, api_app, api_world):
    # The member's token replaces whatever Authorization value was generated; a
    # negative case that leaves the header out (it is a required parameter of the
    # operations that need a token) keeps it out, so the API must refuse it.
    sent = {name.lower() for name in (case.headers or {})}
    headers = {"Authorization": f"Bearer {api_world['token']}"} if "authorization" in sent else {}
    case.call_and_validate(
        app=api_app,
        headers=headers,
        # A request can match the schema and still name what does not exist (an
        # unknown category, a SKU nobody sells): the API refuses those with a
        # documented 4xx, which this check would count as a failure.
        excluded_checks=[checks.positive_data_acceptance],
    )
