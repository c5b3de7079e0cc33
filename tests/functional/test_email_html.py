"""Every e-mail carries an HTML part drawn from its text part in the shared layout
(shop/notifications/html.py, templates/email/layout.html): the same facts, everything
escaped, sent as multipart/alternative."""

from __future__ import annotations

import html
import re
from datetime import date, time
from email import message_from_bytes, policy
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.notifications import html as email_html
from shop.notifications.models import OutboxMessage
from shop.notifications.services import queue_email, send_pending
from shop.orders import services as order_services
from shop.orders import status as st
from tests.factories import (
    EnterpriseFactory,
    ProductFactory,
    RetailBuyerFactory,
    UserFactory,
    VariantFactory,
)
from tests.order_helpers import make_order

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "Somchai"'
TEMPLATES = sorted(path.stem for path in (Path(__file__).parents[2] / "templates" / "email").glob("*.txt")
                   if path.stem != "order_lines")
LINK = "https://chumchon.example/orders/CM7K2Q?token=a1b2&lang=th"


@pytest.fixture
def world(app):
    enterprise = EnterpriseFactory(name_th="กาแฟ " + HOSTILE, name_en="Coffee " + HOSTILE)
    variant = VariantFactory(product=ProductFactory(enterprise=enterprise, name_th="กาแฟคั่ว " + HOSTILE),
                             price_satang=18000, stock=10)
    order = make_order([(variant, 2)])
    order.recipient_name = HOSTILE
    fulfilment = order.fulfilments[0]
    fulfilment.carrier, fulfilment.tracking_number = "kerry", "KEX123456789"
    user = UserFactory(display_name=HOSTILE)
    invoice = SimpleNamespace(number="INV-2026-000123", due_on=date(2026, 12, 31), due_satang=27_500)
    req = SimpleNamespace(
        reference="RFQ-2026-000045", variant=variant, buyer=user, enterprise=enterprise, quantity=500,
        delivery_date=date(2027, 1, 15), target_unit_satang=14_500, message=HOSTILE, quoted_quantity=500,
        quoted_unit_satang=14_800, quoted_total_satang=7_450_000, valid_until=date(2026, 12, 20), quote_note=HOSTILE)
    return {
        "order": order, "fulfilment": fulfilment, "fulfilments": [fulfilment], "enterprise": enterprise,
        "user": user, "inviter": user, "product": variant.product,
        "buyer": RetailBuyerFactory(user=user, company_name=HOSTILE),
        "business": True, "refund": SimpleNamespace(amount_satang=5000, provider_ref="TR-1", reason=HOSTILE),
        "link": LINK, "business_link": LINK, "login_link": LINK, "reset_link": LINK, "edit_url": LINK,
        "product_url": LINK, "reason": HOSTILE, "note": HOSTILE, "stage_name": HOSTILE, "role": "owner",
        "days": 7, "hold_minutes": 30, "valid_minutes": 30, "valid_hours": 24, "lapsed": False,
        "was_paid": True, "manual": True, "resubmitted": False,
        "carrier_label": st.carrier_label, "tracking_url": st.tracking_url,
        "invoice": invoice, "payment": SimpleNamespace(amount_satang=30_000), "reminder": "after_7",
        "req": req, "event": "quoted", "message": SimpleNamespace(body=HOSTILE), "was_quoted": True,
        "to_buyer": True,
        "coaching": SimpleNamespace(kind="visit", author=user, visited_on=date(2026, 12, 1), topics=HOSTILE,
                                    body=HOSTILE, steps=[SimpleNamespace(text=HOSTILE, due_on=date(2026, 12, 20))]),
        "steps": 1,
        "experience": SimpleNamespace(t=lambda field, locale="th": f"{field} {HOSTILE}", enterprise=enterprise,
                                      village=HOSTILE, subdistrict="แจ้ซ้อน", district="เมืองปาน"),
        "session": SimpleNamespace(day=date(2026, 12, 19), start_time=time(9, 0)),
        "booking": SimpleNamespace(guest_name=HOSTILE, seats=2, ticket_code="K7M2Q9XA"),
    }


def _facts(text: str) -> set[str]:
    """What a reader must find in both parts: links, amounts, order numbers."""
    return (set(re.findall(r"https?://\S+", text)) | set(re.findall(r"฿[\d,]+(?:\.\d\d)?", text))
            | set(re.findall(r"\bCM[0-9A-Z]{4,}\b", text)))


@pytest.mark.parametrize("locale", ["th", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_email_has_an_escaped_html_part_with_the_same_facts(world, template, locale):
    message = queue_email(to="buyer@example.test", kind=template, template=template, locale=locale, **world)
    text, part = message.body_text, message.body_html
    assert text and part and part.lstrip().lower().startswith("<!doctype html>")
    assert f'<html lang="{locale}">' in part
    # Nothing a person typed becomes markup: the only tags are the layout's.
    assert "<script" not in part and "<img" not in part and "onerror=alert(1)>" not in part
    if "alert" in text:
        assert "&lt;script&gt;" in part
    readable = html.unescape(re.sub(r"<[^>]+>", " ", part))
    for fact in _facts(text):
        assert fact.rstrip(".,:") in readable, f"{fact!r} is missing from the HTML part"
    for url in set(re.findall(r"https?://\S+", text)):
        assert f'href="{html.escape(url.rstrip(".,:"))}"' in part


@pytest.mark.parametrize(("template", "context"), [
    *[("quote_event", {"event": event, "was_quoted": was_quoted})
      for event in ("requested", "quoted", "revised", "declined", "withdrawn", "accepted", "expired", "message")
      for was_quoted in (True, False)],
    *[("invoice_reminder", {"reminder": kind}) for kind in ("before_3", "due", "after_7", "after_30")],
])
def test_each_kind_of_quote_and_reminder_email_is_escaped_with_its_facts(world, template, context):
    message = queue_email(to="buyer@example.test", kind=template, template=template, locale="en",
                          **(world | context))
    text, part = message.body_text, message.body_html
    assert "<script" not in part and "<img" not in part
    readable = html.unescape(re.sub(r"<[^>]+>", " ", part))
    for fact in _facts(text) | set(re.findall(r"\b(?:RFQ|INV)-\d{4}-\d+\b", text)):
        assert fact.rstrip(".,:") in readable, f"{fact!r} is missing from the HTML part"


def test_order_lines_become_a_table_and_the_order_link_a_button(world):
    order = world["order"]
    message = queue_email(to="buyer@example.test", kind="order_placed", template="order_placed", locale="th",
                          **world)
    part = message.body_html
    assert order.public_id in part
    line_row = re.search(r"<tr><td[^>]*>([^<]*× 2)</td><td align=\"right\"[^>]*>(฿[\d,]+)</td></tr>", part)
    assert line_row and line_row.group(2) == "฿360"
    assert "กาแฟคั่ว &lt;script&gt;" in line_row.group(1)
    assert re.search(r'<td style="background-color:#2f5d3a;border-radius:8px;"><a href="'
                     + re.escape(html.escape(LINK)) + '"', part)
    assert "font-family:Sarabun, Tahoma, Noto Sans Thai, Leelawadee UI" in part and "max-width:600px" in part
    assert "<style" not in part and "@font-face" not in part


def test_text_is_read_into_blocks():
    blocks = email_html.blocks_from_text(
        "Hello Nok,\n\nThank you.\nSee https://x.example/a, then reply.\n\n"
        "Ban Rai\n  - Rice × 2: ฿240\n  Shipping (post): ฿50\n\n"
        "- first\n- second\n\nYour page:\nhttps://x.example/orders/1\n"
    )
    assert [b.kind for b in blocks] == ["paragraph", "paragraph", "table", "list", "paragraph", "button"]
    assert blocks[1].lines[1] == [email_html.Segment("See "), email_html.Segment("https://x.example/a", "https://x.example/a"),
                                  email_html.Segment(", then reply.")]
    assert blocks[2].heading == "Ban Rai" and blocks[2].rows == [("Rice × 2", "฿240"), ("Shipping (post)", "฿50")]
    assert [[s.text for s in line] for line in blocks[3].lines] == [["first"], ["second"]]
    assert blocks[5].href == "https://x.example/orders/1"
    assert email_html.blocks_from_text("") == []


def test_sent_mail_is_multipart_alternative_in_the_mail_folder(app, world):
    order = world["order"]
    order_services.apply_order_placed_emails(order)
    db.session.commit()
    assert send_pending().sent >= 1
    stored = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order_placed")).all()
    assert stored and all(message.body_html for message in stored)
    files = sorted(Path(app.config["MAIL_FILE_DIR"]).glob("*-order_placed.eml"))
    assert files
    parsed = message_from_bytes(files[-1].read_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    plain, rich = parsed.iter_parts()
    assert plain.get_content_type() == "text/plain" and rich.get_content_type() == "text/html"
    assert plain.get_content().strip() in {message.body_text.strip() for message in stored}
    assert order.public_id in rich.get_content() and "<script" not in rich.get_content()
