"""Thai addresses (orders.addresses): what a buyer types is checked field by field,
the postcode must belong to the province, and saved addresses stay with their owner."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from shop.errors import NotFound, ValidationFailed
from shop.orders import addresses
from shop.orders.models import SavedAddress
from tests.cart_helpers import ADDRESS, CHIANG_MAI_POSTCODE, count
from tests.factories import UserFactory


def problems(**changes) -> dict[str, str]:
    with force_locale("en"):
        return {name: str(message) for name, message in addresses.address_problems({**ADDRESS, **changes}).items()}


def test_a_good_address_is_stored_in_normal_form(app):
    clean = addresses.clean_address({
        **ADDRESS,
        "recipient_name": "  สมหญิง   ใจดี ",
        "phone": "+66 81 234 5678",
        "postcode": "๑๐๑๑๐",  # Thai digits
        "address_line": "99/1 ซอยสุขุมวิท 63\nแขวงคลองตันเหนือ",
    })
    assert clean.recipient_name == "สมหญิง ใจดี"
    assert clean.phone == "0812345678"
    assert clean.postcode == "10110"
    assert clean.address_line == "99/1 ซอยสุขุมวิท 63 แขวงคลองตันเหนือ"
    assert clean.province_code == "10"


def test_postcode_of_another_province_is_refused(app):
    found = problems(postcode=CHIANG_MAI_POSTCODE)
    assert set(found) == {"postcode"}
    assert found["postcode"] == f"Postcode {CHIANG_MAI_POSTCODE} is not in Bangkok. Check the postcode or the province."


def test_the_province_check_names_the_province_in_thai_too(app):
    with force_locale("th"):
        found = {k: str(v) for k, v in addresses.address_problems({**ADDRESS, "postcode": CHIANG_MAI_POSTCODE}).items()}
    assert "กรุงเทพมหานคร" in found["postcode"]


def test_same_postcode_is_fine_in_its_own_province(app):
    assert problems(province_code="50", postcode=CHIANG_MAI_POSTCODE) == {}


@pytest.mark.parametrize("code", ["99", "00", "ZZ", "1", "100", "<script>"])
def test_unknown_province_is_refused(app, code):
    found = problems(province_code=code)
    assert found["province_code"] == "Choose a province from the list."


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("", "Enter the 5-digit postcode."),
        ("1011", "A postcode has 5 digits, e.g. 50180."),
        ("101100", "A postcode has 5 digits, e.g. 50180."),
        ("10-11O", "A postcode has 5 digits, e.g. 50180."),
        ("99999", "There is no postcode 99999 in Thailand. Check the digits."),
    ],
)
def test_bad_postcodes(app, postcode, message):
    assert problems(postcode=postcode)["postcode"] == message


@pytest.mark.parametrize("phone", ["", "12345", "0812345678901", "phone me", "1812345678"])
def test_bad_phone_numbers(app, phone):
    assert "phone" in problems(phone=phone)


def test_every_missing_field_is_named(app):
    found = problems(recipient_name=" ", phone="", address_line="", subdistrict="", district="", province_code="",
                     postcode="")
    assert set(found) == set(addresses.ADDRESS_FIELDS)
    assert found["province_code"] == "Choose the province."


def test_too_long_fields_are_refused(app):
    found = problems(address_line="ก" * 301, recipient_name="x" * 121)
    assert found["address_line"] == "Use at most 300 characters."
    assert found["recipient_name"] == "Use at most 120 characters."


def test_clean_address_raises_with_every_field(app):
    with pytest.raises(ValidationFailed) as caught:
        addresses.clean_address({**ADDRESS, "postcode": "1", "district": ""})
    assert caught.value.status_code == 422
    assert set(caught.value.fields) == {"postcode", "district"}


def test_format_lines_for_a_parcel_label(app):
    lines = addresses.format_lines(addresses.clean_address(ADDRESS), "en")
    assert lines[-1] == "Bangkok 10110"
    assert lines[0] == "สมหญิง ใจดี"


# ---------------------------------------------------------------- saved addresses


def test_first_saved_address_is_the_default_and_duplicates_are_not_kept(app):
    user = UserFactory()
    first = addresses.save_address(user, ADDRESS, label="Home")
    assert first.is_default
    again = addresses.save_address(user, {**ADDRESS, "phone": "0812345678"})
    assert again.id == first.id  # the same address in another spelling
    second = addresses.save_address(user, {**ADDRESS, "address_line": "1 ถนนนิมมานเหมินท์", "province_code": "50",
                                           "postcode": "50200", "district": "เมืองเชียงใหม่", "subdistrict": "สุเทพ"})
    assert not second.is_default
    assert [a.id for a in addresses.list_saved_addresses(user)] == [first.id, second.id]


def test_make_another_address_the_default(app):
    user = UserFactory()
    first = addresses.save_address(user, ADDRESS)
    second = addresses.save_address(user, {**ADDRESS, "address_line": "2 ซอยอารีย์"}, make_default=True)
    assert addresses.default_address(user).id == second.id
    db_first = addresses.get_saved_address(user, first.id)
    assert not db_first.is_default
    addresses.set_default_address(user, first.id)
    assert addresses.default_address(user).id == first.id
    assert sum(a.is_default for a in addresses.list_saved_addresses(user)) == 1


def test_deleting_the_default_promotes_the_next(app):
    user = UserFactory()
    first = addresses.save_address(user, ADDRESS)
    second = addresses.save_address(user, {**ADDRESS, "address_line": "2 ซอยอารีย์"})
    addresses.delete_saved_address(user, first.id)
    remaining = addresses.list_saved_addresses(user)
    assert [a.id for a in remaining] == [second.id]
    assert remaining[0].is_default


def test_update_checks_the_address_again(app):
    user = UserFactory()
    saved = addresses.save_address(user, ADDRESS)
    with pytest.raises(ValidationFailed):
        addresses.update_saved_address(user, saved.id, {**ADDRESS, "postcode": CHIANG_MAI_POSTCODE})
    updated = addresses.update_saved_address(user, saved.id, {**ADDRESS, "recipient_name": "คุณแดง"}, label="Office")
    assert (updated.recipient_name, updated.label) == ("คุณแดง", "Office")


@pytest.mark.parametrize("action", ["get", "update", "delete", "default"])
def test_another_users_address_is_not_found(app, action):
    owner, other = UserFactory(), UserFactory()
    saved = addresses.save_address(owner, ADDRESS)
    calls = {
        "get": lambda: addresses.get_saved_address(other, saved.id),
        "update": lambda: addresses.update_saved_address(other, saved.id, ADDRESS),
        "delete": lambda: addresses.delete_saved_address(other, saved.id),
        "default": lambda: addresses.set_default_address(other, saved.id),
    }
    with pytest.raises(NotFound):
        calls[action]()
    assert count(SavedAddress) == 1


@pytest.mark.parametrize("bad_id", ["abc", None, "", "1.5", -1, 10**12])
def test_nonsense_ids_are_not_found(app, bad_id):
    with pytest.raises(NotFound):
        addresses.get_saved_address(UserFactory(), bad_id)


def test_at_most_twenty_addresses(app):
    user = UserFactory()
    for n in range(addresses.MAX_SAVED_ADDRESSES):
        addresses.save_address(user, {**ADDRESS, "address_line": f"{n} ซอยสุขุมวิท"})
    with pytest.raises(ValidationFailed):
        addresses.save_address(user, {**ADDRESS, "address_line": "one too many"})
    assert count(SavedAddress) == addresses.MAX_SAVED_ADDRESSES


def test_a_long_label_is_refused(app):
    with pytest.raises(ValidationFailed) as caught:
        addresses.save_address(UserFactory(), ADDRESS, label="x" * 61)
    assert "label" in caught.value.fields
