"""Receipts and tax invoices: VAT and amount arithmetic, Thai line breaking, and what
the PDFs say (text extracted with pypdf), for receipts and full tax invoices."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader

import shop.models  # noqa: F401  (all models first, as the app loads them)
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.orders import receipts
from shop.orders import status as st
from shop.orders.receipts import (
    DocumentNotReady,
    baht_text,
    build_document,
    format_amount,
    receipt_pdf,
    vat_included,
    wrap_text,
)
from tests.factories import EnterpriseFactory, ProductFactory, VariantFactory
from tests.order_helpers import cancel_part, make_order

SELLER_TAX_ID = "0994000165030"
BUYER_TAX_ID = "0105561234560"
LONG_THAI_NAME = "น้ำพริกเผาปลาทูกุ้งแห้งสูตรคุณย่าผู้ใหญ่บ้านที่อร่อยที่สุดในตำบลนี้ก็ว่าได้ไม่ผิดเลยจริงๆ"


# ---------------------------------------------------------------------------------------
# Arithmetic


@pytest.mark.parametrize(
    ("total", "vat"),
    [(0, 0), (1, 0), (7, 0), (8, 1), (100, 7), (10700, 700), (107, 7), (53, 3), (5350, 350),
     (99999, 6542), (1_070_000_000, 70_000_000)],
)
def test_vat_is_seven_107ths_of_the_total_rounded(total, vat):
    assert vat_included(total) == vat


def test_vat_rounds_to_the_nearest_satang_for_every_amount():
    for total in range(0, 20_000):
        vat = vat_included(total)
        assert isinstance(vat, int)
        # |total*7/107 - vat| <= 1/2, in integers: |14*total - 214*vat| <= 107
        assert abs(14 * total - 214 * vat) <= 107
        assert vat + (total - vat) == total


def test_vat_refuses_negative_amounts():
    with pytest.raises(ValueError):
        vat_included(-1)


@pytest.mark.parametrize(
    ("satang", "text"),
    [
        (0, "ศูนย์บาทถ้วน"),
        (100, "หนึ่งบาทถ้วน"),
        (1100, "สิบเอ็ดบาทถ้วน"),
        (2100, "ยี่สิบเอ็ดบาทถ้วน"),
        (10100, "หนึ่งร้อยเอ็ดบาทถ้วน"),
        (100000, "หนึ่งพันบาทถ้วน"),
        (100050, "หนึ่งพันบาทห้าสิบสตางค์"),
        (123456, "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบหกสตางค์"),
        (50, "ห้าสิบสตางค์"),
        (1, "หนึ่งสตางค์"),
        (21, "ยี่สิบเอ็ดสตางค์"),
        (100_000_100, "หนึ่งล้านเอ็ดบาทถ้วน"),
        (1_100_000_000, "สิบเอ็ดล้านบาทถ้วน"),
        (2_500_000_000, "ยี่สิบห้าล้านบาทถ้วน"),
        (100_000_000_000_000, "หนึ่งล้านล้านบาทถ้วน"),
        (37_550, "สามร้อยเจ็ดสิบห้าบาทห้าสิบสตางค์"),
    ],
)
def test_amount_in_thai_words(satang, text):
    assert baht_text(satang) == text


@pytest.mark.parametrize(("satang", "text"), [(0, "0.00"), (5, "0.05"), (123450, "1,234.50"),
                                              (100_000_000, "1,000,000.00"), (-250, "-2.50")])
def test_amounts_always_show_two_decimals(satang, text):
    assert format_amount(satang) == text


# ---------------------------------------------------------------------------------------
# Line breaking


def _breaks_inside_a_cluster(lines: list[str]) -> list[str]:
    bad = []
    for line in lines:
        if line and (unicodedata.category(line[0]) in ("Mn", "Mc") or line[0] in "ะาำๅๆฯ"):
            bad.append(line)
        if line and line[-1] in "เแโใไ":
            bad.append(line)
    return bad


@pytest.mark.parametrize("width", [3, 5, 8, 13, 21])
def test_wrapping_thai_never_separates_marks_from_their_consonant(width):
    lines = wrap_text(LONG_THAI_NAME, width, len)
    assert "".join(lines) == LONG_THAI_NAME
    assert not _breaks_inside_a_cluster(lines)
    assert len(lines) > 1


def test_wrapping_prefers_spaces_then_thai_words():
    lines = wrap_text("กาแฟคั่วกลาง ดอยช้าง 250 กรัม", 14, len)
    assert lines == ["กาแฟคั่วกลาง", "ดอยช้าง 250", "กรัม"]
    # Without spaces, at a word boundary rather than in the middle of a word.
    assert wrap_text("ผู้ใหญ่บ้านน้ำพริกเผา", 12, len) == ["ผู้ใหญ่บ้าน", "น้ำพริกเผา"]


def test_wrapping_keeps_lines_and_short_text():
    assert wrap_text("one\ntwo", 50, len) == ["one", "two"]
    assert wrap_text("", 50, len) == [""]
    assert wrap_text("Medium roast coffee", 12, len) == ["Medium roast", "coffee"]
    assert wrap_text("ABCDEFGHIJ", 4, len) == ["ABCD", "EFGH", "IJ"]


# ---------------------------------------------------------------------------------------
# Documents


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return receipts.join_sara_am("\n".join(page.extract_text() for page in reader.pages))


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def vat_enterprise(app):
    return EnterpriseFactory(
        name_th="วิสาหกิจชุมชนกาแฟดอยช้าง", name_en="Doi Chang Coffee Community Enterprise",
        vat_registered=True, tax_id=SELLER_TAX_ID, village="บ้านดอยช้าง", subdistrict="วาวี",
        district="แม่สรวย", province_code="57", contact_phone="053123456",
    )


@pytest.fixture
def small_enterprise(app):
    return EnterpriseFactory(name_th="กลุ่มแม่บ้านทอผ้าบ้านนาต้นจั่น", name_en="Ban Na Ton Chan Weavers",
                             vat_registered=False, tax_id=None, subdistrict="บ้านตึก", district="ศรีสัชนาลัย",
                             province_code="64")


def _variant(enterprise, name_th, price, name_en=None, variant_th="250 กรัม"):
    product = ProductFactory(enterprise=enterprise, name_th=name_th, name_en=name_en or name_th)
    return VariantFactory(product=product, price_satang=price, name_th=variant_th, stock=500)


def _bangkok_year_be() -> int:
    return utcnow().astimezone(receipts.BANGKOK).year + 543


def test_receipt_of_an_enterprise_without_vat(small_enterprise):
    cloth = _variant(small_enterprise, "ผ้าซิ่นตีนจกลายน้ำอ่าง", 125050, variant_th="ผืน")
    order = make_order([(cloth, 2)], paid=True, shipping_satang=6000)
    fulfilment = order.fulfilments[0]
    rendered = receipt_pdf(fulfilment, locale="th")
    assert rendered.data.startswith(b"%PDF-")
    assert rendered.filename == f"{fulfilment.document_no}.pdf"
    assert not rendered.is_tax_invoice
    text = _flat(_text(rendered.data))
    assert "ใบเสร็จรับเงิน" in text
    assert "เอกสารนี้ไม่ใช่ใบกำกับภาษี" in text
    assert "ภาษีมูลค่าเพิ่ม" not in text
    assert fulfilment.document_no.startswith("RC") and fulfilment.document_no in text
    assert order.public_id in text
    assert "กลุ่มแม่บ้านทอผ้าบ้านนาต้นจั่น" in text
    assert "ผ้าซิ่นตีนจกลายน้ำอ่าง — ผืน" in text
    assert "1,250.50" in text and "2,501.00" in text and "60.00" in text
    assert "2,561.00" in text
    assert "(สองพันห้าร้อยหกสิบเอ็ดบาทถ้วน)" in text
    assert str(_bangkok_year_be()) in text
    # The buyer: name and full address.
    assert "สมหญิง ใจดี" in text
    assert "99/1 ซอยสุขุมวิท 63" in text
    assert "แขวงคลองตันเหนือ เขตวัฒนา กรุงเทพมหานคร 10110" in text


def test_tax_invoice_has_what_the_revenue_code_asks_for(vat_enterprise):
    coffee = _variant(vat_enterprise, "กาแฟคั่วกลาง ดอยช้าง", 35050, name_en="Medium roast coffee, Doi Chang")
    beans = _variant(vat_enterprise, "เมล็ดกาแฟดิบ", 21400, variant_th="1 กิโลกรัม")
    order = make_order([(coffee, 3), (beans, 1)], paid=True, shipping_satang=5000)
    fulfilment = order.fulfilments[0]
    doc = build_document(fulfilment, locale="th")
    total = 3 * 35050 + 21400 + 5000
    assert doc.is_tax_invoice
    assert doc.total_satang == total == fulfilment.total_satang
    assert doc.vat_satang == vat_included(total) == 8606  # 131,550 × 7 / 107 = 8,606.07
    assert doc.net_satang == total - 8606

    rendered = receipt_pdf(fulfilment, locale="th")
    assert rendered.is_tax_invoice
    text = _flat(_text(rendered.data))
    # (1) the words "ใบกำกับภาษี"
    assert "ใบกำกับภาษี" in text
    # (2) seller's name, address, tax ID and branch
    assert "วิสาหกิจชุมชนกาแฟดอยช้าง" in text
    assert "บ้านดอยช้าง" in text and "ตำบลวาวี อำเภอแม่สรวย จังหวัดเชียงราย" in text
    assert f"เลขประจำตัวผู้เสียภาษี {SELLER_TAX_ID}" in text
    assert "สำนักงานใหญ่" in text
    # (3) buyer's name and address
    assert "สมหญิง ใจดี" in text and "แขวงคลองตันเหนือ เขตวัฒนา กรุงเทพมหานคร 10110" in text
    # (4) number and (7) date
    assert fulfilment.document_no.startswith("INV") and fulfilment.document_no in text
    assert str(_bangkok_year_be()) in text
    # (5) description, quantity, value of goods
    assert "กาแฟคั่วกลาง ดอยช้าง — 250 กรัม" in text
    assert "เมล็ดกาแฟดิบ — 1 กิโลกรัม" in text
    assert "350.50" in text and "1,051.50" in text and "214.00" in text
    # (6) VAT shown separately
    assert "ภาษีมูลค่าเพิ่ม 7%" in text
    assert "86.06" in text
    assert "1,229.44" in text
    assert format_amount(total) in text  # 1,315.50
    assert "ราคาสินค้ารวมภาษีมูลค่าเพิ่ม 7% แล้ว" in text
    assert "ไม่ใช่ใบกำกับภาษี" not in text


def test_tax_invoice_names_a_business_buyer_with_tax_id_and_branch(vat_enterprise):
    order = make_order([(_variant(vat_enterprise, "กาแฟ", 10000), 5)], paid=True)
    order.buyer_company = "บริษัท ร้านดีของฝาก จำกัด"
    order.buyer_tax_id = BUYER_TAX_ID
    order.buyer_branch = "สาขาที่ 00002"
    db.session.commit()
    text = _flat(_text(receipt_pdf(order.fulfilments[0]).data))
    assert "บริษัท ร้านดีของฝาก จำกัด" in text
    assert f"เลขประจำตัวผู้เสียภาษี {BUYER_TAX_ID}" in text
    assert "สาขาที่ 00002" in text


def test_a_consumer_buyer_has_no_tax_id_line(vat_enterprise):
    order = make_order([(_variant(vat_enterprise, "กาแฟ", 10000), 1)], paid=True)
    text = _flat(_text(receipt_pdf(order.fulfilments[0]).data))
    assert text.count("เลขประจำตัวผู้เสียภาษี") == 1  # the seller's only


def test_an_english_reader_gets_an_english_receipt(small_enterprise):
    order = make_order([(_variant(small_enterprise, "ผ้าทอ", 50000, name_en="Hand-woven cloth"), 1)], paid=True)
    text = _flat(_text(receipt_pdf(order.fulfilments[0], locale="en").data))
    assert "Receipt" in text
    assert "This receipt is not a tax invoice." in text
    assert "Hand-woven cloth" in text
    assert "Total amount" in text
    assert "Bangkok" in text and str(utcnow().astimezone(receipts.BANGKOK).year) in text
    assert "บาทถ้วน" not in text


def test_an_english_readers_tax_invoice_stays_thai_with_english_beside_it(vat_enterprise):
    order = make_order([(_variant(vat_enterprise, "กาแฟคั่ว", 10700, name_en="Roasted coffee"), 1)],
                       paid=True, shipping_satang=0)
    text = _flat(_text(receipt_pdf(order.fulfilments[0], locale="en").data))
    assert "ใบกำกับภาษี" in text and "Tax invoice / Receipt" in text
    assert "กาแฟคั่ว" in text and "Roasted coffee" in text
    assert "ภาษีมูลค่าเพิ่ม 7% / VAT 7%" in text
    assert "7.00" in text and "100.00" in text and "107.00" in text
    assert "Doi Chang Coffee Community Enterprise" in text


def test_no_document_before_payment(small_enterprise):
    unpaid = make_order([(_variant(small_enterprise, "ผ้า", 1000), 1)])
    with pytest.raises(DocumentNotReady) as refused:
        receipt_pdf(unpaid.fulfilments[0])
    assert refused.value.status_code == 409
    cancelled = make_order([(_variant(small_enterprise, "ผ้า", 1000), 1)], status=st.ORDER_CANCELLED)
    with pytest.raises(DocumentNotReady):
        receipt_pdf(cancelled.fulfilments[0])


def test_the_kind_of_document_is_fixed_by_its_number(small_enterprise):
    order = make_order([(_variant(small_enterprise, "ผ้า", 1000), 1)], paid=True)
    small_enterprise.vat_registered = True
    small_enterprise.tax_id = SELLER_TAX_ID
    db.session.commit()
    text = _flat(_text(receipt_pdf(order.fulfilments[0]).data))
    assert "เอกสารนี้ไม่ใช่ใบกำกับภาษี" in text


def test_a_cancelled_part_of_a_paid_order_says_so(small_enterprise):
    order = make_order([(_variant(small_enterprise, "ผ้า", 20000), 1)], paid=True, shipping_satang=3000)
    fulfilment = order.fulfilments[0]
    cancel_part(fulfilment)  # the paid total (฿230) is owed back
    text = _flat(_text(receipt_pdf(fulfilment).data))
    assert "ยกเลิก" in text
    assert "230.00" in text


def test_many_lines_run_over_pages_and_every_line_is_printed(small_enterprise):
    variants = [_variant(small_enterprise, f"{LONG_THAI_NAME} รุ่นที่ {n}", 1000 + n) for n in range(40)]
    order = make_order([(variant, 1) for variant in variants], paid=True)
    data = receipt_pdf(order.fulfilments[0]).data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    text = _text(data)
    for variant in variants:
        assert variant.sku in text
    assert f"หน้า 1 จาก {len(reader.pages)}" in text
    # Long Thai names wrap inside their column without tearing a vowel or tone mark
    # from its consonant.
    assert not _breaks_inside_a_cluster([line.strip() for line in text.splitlines()])


def test_thai_text_is_shaped_with_the_packaged_font(small_enterprise):
    name = "ผู้ใหญ่บ้านน้ำพริกเผาปั้นสิ้นเปลี่ยน"
    order = make_order([(_variant(small_enterprise, name, 1000), 1)], paid=True)
    data = receipt_pdf(order.fulfilments[0]).data
    assert receipts.text_shaping_available()  # uharfbuzz is a requirement
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Sarabun" in font for font in fonts)
    # Extractors guess word gaps from glyph positions and may see one after stacked
    # marks (ปั้น): compare without spaces.
    assert name in "".join(_text(data).split())


def test_copied_text_has_no_stray_characters_after_sara_am(small_enterprise):
    # HarfBuzz draws ำ as two glyphs; fpdf2 would leave the second one unmapped.
    order = make_order([(_variant(small_enterprise, "น้ำผึ้งป่า ลำไยอบแห้ง", 1000), 1)], paid=True)
    reader = PdfReader(io.BytesIO(receipt_pdf(order.fulfilments[0]).data))
    raw = "".join(page.extract_text() for page in reader.pages)
    assert not [char for char in raw if ord(char) < 0x20 and char not in "\n\t"]
    assert receipts.join_sara_am(receipts.split_sara_am("น้ำ คำ ค่ำ")) == "น้ำ คำ ค่ำ"


@pytest.mark.parametrize(
    ("subdistrict", "district", "province", "expected"),
    [
        ("วาวี", "แม่สรวย", "57", "ตำบลวาวี อำเภอแม่สรวย จังหวัดเชียงราย 57180"),
        ("ต.วาวี", "อ.แม่สรวย", "57", "ต.วาวี อ.แม่สรวย จังหวัดเชียงราย 57180"),
        ("คลองตันเหนือ", "วัฒนา", "10", "แขวงคลองตันเหนือ เขตวัฒนา กรุงเทพมหานคร 57180"),
    ],
)
def test_thai_addresses_are_written_with_their_place_words(app, subdistrict, district, province, expected):
    lines = receipts._address_lines("1 หมู่ 2", subdistrict, district, province, "57180", "th")
    assert lines == ("1 หมู่ 2", expected)
