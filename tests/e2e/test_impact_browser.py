"""The public impact page at phone and desktop width, and the staff report on a desktop,
in Chromium: the charts are drawn (inline SVG, nothing from another origin), nothing
overflows the screen sideways, text in the charts stays readable on a phone, and axe
finds no serious or critical violation on /impact."""

from __future__ import annotations

import pytest

from shop.admin import services as admin_services
from shop.extensions import db
from tests.e2e.test_accessibility_browser import AXE, BLOCKING
from tests.e2e.test_seller_listing_browser import shot, sign_in
from tests.factories import EnterpriseFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order

pytestmark = pytest.mark.e2e

PROVINCES = [("52", "บ้านแม่แจ๋ม", "Ban Mae Jaem"), ("21", "บ้านเพ", "Ban Phe"), ("67", "บ้านเขาค้อ", "Ban Khao Kho"),
             ("14", "บ้านพระนครศรีอยุธยา", "Ban Ayutthaya"), ("80", "บ้านคีรีวง", "Ban Khiri Wong")]


@pytest.fixture
def market(app):
    staff = UserFactory(is_staff=True, email="staff@example.test")
    for index, (code, name_th, name_en) in enumerate(PROVINCES):
        enterprise = EnterpriseFactory(name_th=f"วิสาหกิจชุมชน{name_th}", name_en=f"{name_en} community enterprise",
                                       province_code=code, village=name_th, track_stage="foundation",
                                       story_th="กลุ่มแม่บ้านที่รวมตัวกันทำผลิตภัณฑ์จากวัตถุดิบในหมู่บ้าน ขายผ่านตลาดออนไลน์",
                                       story_en="Village women making products from what the village grows.")
        variant = VariantFactory(product__enterprise=enterprise, price_satang=25_000 * (index + 1), stock=50)
        for _ in range(index + 1):
            make_order([(variant, 2)], paid=True)
        if index < 3:
            admin_services.move_track_stage(staff, enterprise.id, "advancing", note="Costing done")
    seeded = {"staff": staff.email}
    db.session.commit()
    db.session.rollback()  # the server thread needs SQLite's lock
    return seeded


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _chart_text_px(page, selector: str) -> float:
    """The rendered height of the chart's text, in CSS pixels."""
    return page.evaluate(f"""() => {{
        const text = document.querySelector('{selector} text');
        return text.getBoundingClientRect().height;
    }}""")


def _axe(page) -> list:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    print(", ".join(f"{v['id']} ({v['impact']})" for v in results["violations"]) or "no violations")
    return [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in results["violations"] if v["impact"] in BLOCKING]


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_impact_page_reads_on_a_phone_and_a_desktop(browser, live_server, market, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="th-TH", bypass_csp=True)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    for lang in ("th", "en"):
        page.goto(f"{live_server}/impact?lang={lang}")
        page.wait_for_load_state("networkidle")
        assert page.locator(".rp-chart-svg rect.rp-chart-bar").count() == len(PROVINCES)
        assert page.locator(".impact-story").count() == 3
        _no_sideways_scroll(page)
        assert _chart_text_px(page, ".rp-chart-svg") >= 10.5  # readable on a 390 px phone
        shot(page, f"impact-{lang}-{width}")
    assert all(url.startswith(live_server) for url in requests), "nothing from another origin"
    assert _axe(page) == []
    page.goto(f"{live_server}/impact?lang=th")
    assert _axe(page) == []
    context.close()


def test_staff_report_on_a_desktop(browser, live_server, market):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH", bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, market["staff"])
    page.goto(f"{live_server}/admin/reports?lang=en")
    page.wait_for_load_state("networkidle")
    assert page.locator("text=The report matches the ledger.").count() == 1
    assert page.locator(".so-chart-svg rect.so-chart-bar").count() >= 1
    assert page.locator("#province-chart-title").count() == 1
    _no_sideways_scroll(page)
    shot(page, "admin-reports-1280")
    page.goto(f"{live_server}/admin/reports?lang=th&from=2026-13-01")
    assert page.locator(".form-errors").count() == 1
    shot(page, "admin-reports-error")
    context.close()
