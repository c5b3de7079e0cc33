"""PromptPay QR payloads: checksum, known-good payloads, the PyPI ``promptpay`` package
as a second implementation, the drawn QR read back by a real decoder, and the payee."""

from __future__ import annotations

import re

import pytest

from shop.payments import promptpay as pp

# Published payloads of the reference implementation (dtinth's promptpay-qr and the
# libraries that copy its tests), which Thai banking apps read.
KNOWN_PAYLOADS = [
    ("0899999999", None, "00020101021129370016A000000677010111011300668999999995802TH53037646304FE29"),
    ("0899999999", 42000, "00020101021229370016A000000677010111011300668999999995802TH53037645406420.006304CF9E"),
    ("0841234567", None, "00020101021129370016A000000677010111011300668412345675802TH530376463046766"),
    ("0105551234567", None, "00020101021129370016A000000677010111021301055512345675802TH53037646304BEA9"),
    ("1234567890123", 42000, "00020101021229370016A000000677010111021312345678901235802TH53037645406420.006304BF7B"),
    ("0891234567", 1337133775,
     "00020101021229370016A000000677010111011300668912345675802TH5303764541113371337.756304B7D7"),
]


# --- CRC16 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"123456789", 0x29B1),  # the catalogued check value of CRC-16/CCITT-FALSE
        (b"", 0xFFFF),
        (b"A", 0xB915),
        # The body of a published payload, up to and including "6304".
        (b"00020101021129370016A000000677010111011300668999999995802TH53037646304", 0xFE29),
    ],
)
def test_crc16_of_known_strings(data, expected):
    assert pp.crc16_ccitt(data) == expected


def test_crc16_agrees_with_libscrc():
    libscrc = pytest.importorskip("libscrc")
    for data in (b"", b"0", b"PromptPay", bytes(range(256)), b"x" * 1000):
        assert pp.crc16_ccitt(data) == libscrc.xmodem(data, 0xFFFF)


# --- payloads ----------------------------------------------------------------------


@pytest.mark.parametrize(("target", "amount", "expected"), KNOWN_PAYLOADS)
def test_known_good_payloads(target, amount, expected):
    assert pp.build_payload(target, amount) == expected
    assert pp.payload_crc_ok(expected)


def test_payload_fields():
    payload = pp.build_payload("081-234-5678", 123450)
    fields = pp.parse_payload(payload)
    assert list(fields) == ["00", "01", "29", "58", "53", "54", "63"]
    assert fields["00"] == "01"
    assert fields["01"] == "12"  # one payment with its amount
    assert pp.parse_payload(fields["29"]) == {"00": "A000000677010111", "01": "0066812345678"}
    assert fields["58"] == "TH"
    assert fields["53"] == "764"
    assert fields["54"] == "1234.50"
    assert re.fullmatch(r"[0-9A-F]{4}", fields["63"])


def test_static_payload_has_no_amount():
    fields = pp.parse_payload(pp.build_payload("0105560000000"))
    assert fields["01"] == "11"
    assert "54" not in fields
    assert pp.parse_payload(fields["29"])["02"] == "0105560000000"


@pytest.mark.parametrize(
    ("satang", "text"),
    [(1, "0.01"), (10, "0.10"), (100, "1.00"), (5000, "50.00"), (123456, "1234.56"), (999999999999, "9999999999.99")],
)
def test_amount_is_written_from_integer_satang(satang, text):
    assert pp.format_amount(satang) == text
    assert pp.parse_payload(pp.build_payload("0812345678", satang))["54"] == text


@pytest.mark.parametrize("bad", [0, -100, 10**12, 12.5, True, "100"])
def test_amount_must_be_positive_integer_satang(bad):
    with pytest.raises((ValueError, TypeError)):
        pp.build_payload("0812345678", bad)


@pytest.mark.parametrize(
    ("written", "kind", "digits"),
    [
        ("0812345678", pp.KIND_PHONE, "0812345678"),
        ("081-234-5678", pp.KIND_PHONE, "0812345678"),
        ("+66 81 234 5678", pp.KIND_PHONE, "0812345678"),
        ("66812345678", pp.KIND_PHONE, "0812345678"),
        ("(081) 234 5678", pp.KIND_PHONE, "0812345678"),
        ("0105560000000", pp.KIND_TAX_ID, "0105560000000"),
        ("1-2345-67890-12-3", pp.KIND_TAX_ID, "1234567890123"),
    ],
)
def test_ids_are_normalized(written, kind, digits):
    assert pp.normalize_promptpay_id(written) == (kind, digits)


@pytest.mark.parametrize(
    "bad",
    ["", "081234567", "08123456789", "1812345678", "0012345678", "+1 812 345 6789", "08l2345678",
     "๐๘๑๒๓๔๕๖๗๘", "004999000288505", "12345678901234", "0812345678; DROP"],
)
def test_bad_ids_are_refused(bad):
    with pytest.raises(pp.InvalidPromptPayId):
        pp.build_payload(bad, 100)


def test_same_payloads_as_the_pypi_promptpay_package():
    reference = pytest.importorskip("promptpay.qrcode")
    targets = ["0812345678", "0899999999", "0612345678", "0105560000000", "1234567890123", "3100600445566"]
    amounts = [None, 1, 99, 100, 4200, 42000, 123456, 1_000_000_00, 1337133775]
    for target in targets:
        for amount in amounts:
            # The package takes baht as a float; every amount here is exact in binary
            # to two decimals once formatted, so the strings must match exactly.
            expected = reference.generate_payload(target, 0 if amount is None else amount / 100)
            assert pp.build_payload(target, amount) == expected, (target, amount)


# --- the drawn QR --------------------------------------------------------------------


def _svg_modules(svg: str) -> tuple[int, set[tuple[int, int]]]:
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    path = re.search(r'<path d="([^"]+)"', svg).group(1)
    dark = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H\d+V\d+H\d+z", path)}
    return size, dark


def test_svg_is_inline_and_scales():
    svg = str(pp.qr_svg(pp.build_payload("0812345678", 5000), title='Pay <"x">'))
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg
    assert 'width="' not in svg.split(">", 1)[0]  # sized by CSS, not in millimetres
    assert 'aria-label="Pay &lt;&#34;x&#34;&gt;"' in svg
    assert "<script" not in svg


def test_svg_decodes_to_the_payload():
    """Draw the SVG's modules as pixels and read them back with ZXing."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    payload = pp.build_payload("0105560000000", 123450)
    size, dark = _svg_modules(str(pp.qr_svg(payload)))
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    pixels = image.load()
    for x, y in dark:
        for dx in range(scale):
            for dy in range(scale):
                pixels[x * scale + dx, y * scale + dy] = 0
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [payload]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode


# --- masking -------------------------------------------------------------------------


def test_ids_are_masked_as_banks_show_them():
    assert pp.mask_promptpay_id("0812345678") == "xxx-xxx-5678"
    assert pp.mask_promptpay_id("0105560000000") == "x-xxxx-xxxxx-00-0"
    assert pp.mask_promptpay_id("1234567890123") == "x-xxxx-xxxxx-12-3"
    assert pp.mask_promptpay_id("rubbish") == "xxxxxxx"
    assert pp.format_promptpay_id("0812345678") == "081-234-5678"
    assert pp.format_promptpay_id("1234567890123") == "1-2345-67890-12-3"


# --- payee -------------------------------------------------------------------------


class _Enterprise:
    def __init__(self, id, promptpay_id, name_th="วิสาหกิจชุมชนกาแฟดอย", name_en="Doi Coffee"):
        self.id, self.promptpay_id, self.name_th, self.name_en = id, promptpay_id, name_th, name_en

    def t(self, field, locale="th"):
        return getattr(self, f"{field}_{locale}", None) or getattr(self, f"{field}_th")


class _Fulfilment:
    def __init__(self, enterprise):
        self.enterprise, self.enterprise_id = enterprise, enterprise.id


class _Order:
    def __init__(self, *enterprises, total=12345, locale="th"):
        self.fulfilments = [_Fulfilment(e) for e in enterprises]
        self.total_satang, self.locale = total, locale


@pytest.fixture
def platform():
    """A bare Flask app context with the platform's payee settings (no database needed)."""
    from flask import Flask

    bare = Flask(__name__)
    bare.config.update(PLATFORM_PROMPTPAY_ID="0105560000000", PLATFORM_PAYEE_NAME="Chumchon Market Co., Ltd.",
                       PLATFORM_BANK_ACCOUNT="Krungthai 123-4-56789-0")
    with bare.app_context():
        yield bare


def test_single_enterprise_with_promptpay_is_paid_directly(platform):
    coffee = _Enterprise(1, "081-234-5678")
    payee = pp.payee_for(_Order(coffee))
    assert payee.enterprise is coffee and payee.enterprise_id == 1
    assert payee.promptpay_id == "0812345678"
    assert payee.name == "วิสาหกิจชุมชนกาแฟดอย"
    assert payee.bank_account is None
    assert payee.masked_id == "xxx-xxx-5678"
    assert pp.payee_for(_Order(coffee, locale="en")).name == "Doi Coffee"
    assert pp.parse_payload(pp.order_payload(_Order(coffee)))["54"] == "123.45"


def test_platform_collects_otherwise(platform):
    coffee, rice = _Enterprise(1, "0812345678"), _Enterprise(2, "0898765432")
    no_id, broken_id = _Enterprise(3, None), _Enterprise(4, "12345")
    for order in (_Order(coffee, rice), _Order(no_id), _Order(broken_id)):
        payee = pp.payee_for(order)
        assert payee.enterprise is None
        assert payee.promptpay_id == "0105560000000"
        assert payee.name == "Chumchon Market Co., Ltd."
        assert payee.bank_account == "Krungthai 123-4-56789-0"


def test_platform_id_as_configured_by_default():
    from config import Config

    kind, _digits = pp.normalize_promptpay_id(Config.PLATFORM_PROMPTPAY_ID)
    assert kind == pp.KIND_TAX_ID
