"""Thai postal addresses: checking what a buyer typed, and the addresses a signed-in
user saves for later checkouts (docs/product.md: Orders).

An address has a recipient, a phone number, an address line, subdistrict (tambon /
khwaeng), district (amphoe / khet), province (TIS 1099 code) and a 5-digit postcode
that must belong to that province (checked against ``geothai``'s postcode list, since
a postcode from another province sends the parcel to the wrong sorting centre).
People type Thai digits, spaces and dashes in phone numbers and postcodes; those are
accepted and stored in one normal form.

``clean_address`` is used by checkout and by the saved-address pages alike, so both
refuse the same things with the same messages. The saved-address services take the
user explicitly and commit once; another user's address id is "not found".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import geothai
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from shop.accounts.models import User
from shop.database import transaction
from shop.dbtypes import MAX_INT
from shop.errors import NotFound, ValidationFailed
from shop.extensions import db
from shop.geo import province_by_code
from shop.i18n import current_language
from shop.orders.models import SavedAddress
from shop.thai import ascii_digits, normalize_thai_phone, thai_phone_problem

#: A user keeps at most this many addresses.
MAX_SAVED_ADDRESSES = 20

ADDRESS_FIELDS = ("recipient_name", "phone", "address_line", "subdistrict", "district", "province_code", "postcode")

_MAX_LENGTHS = {"recipient_name": 120, "address_line": 300, "subdistrict": 120, "district": 120, "label": 60}

_REQUIRED_MESSAGES = {
    "recipient_name": _l("Enter the name of the person who receives the parcel."),
    "address_line": _l("Enter the house number, village, street or building."),
    "subdistrict": _l("Enter the subdistrict (tambon or khwaeng)."),
    "district": _l("Enter the district (amphoe or khet)."),
}


class SavedAddressNotFound(NotFound):
    default_message = _l("We could not find that address.")


@dataclass(frozen=True)
class AddressInput:
    """A checked Thai address in its stored form."""

    recipient_name: str
    phone: str
    address_line: str
    subdistrict: str
    district: str
    province_code: str
    postcode: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_row(cls, row) -> AddressInput:
        """From anything with the address columns (a SavedAddress, an Order)."""
        return cls(**{name: getattr(row, name) for name in ADDRESS_FIELDS})


def _text(value) -> str:
    # Collapse runs of whitespace (including newlines pasted into a one-line field).
    return " ".join(str(value or "").split())


def normalize_postcode(value: str | None) -> str:
    return "".join(ascii_digits(value).split()).replace("-", "")


def postcode_belongs_to_province(postcode: str, province_code: str) -> bool:
    """True when some subdistrict of the province uses this postcode."""
    return any(s.province_code == province_code for s in geothai.by_postal_code(postcode))


def address_problems(data: dict) -> dict[str, object]:
    """Field name -> user-facing reason, for every problem of a typed address."""
    problems: dict[str, object] = {}
    for name, message in _REQUIRED_MESSAGES.items():
        value = _text(data.get(name))
        if not value:
            problems[name] = message
        elif len(value) > _MAX_LENGTHS[name]:
            problems[name] = _l("Use at most %(max)d characters.", max=_MAX_LENGTHS[name])
    phone = data.get("phone")
    if not _text(phone):
        problems["phone"] = _l("Enter a phone number the carrier can call.")
    else:
        problem = thai_phone_problem(phone)
        if problem:
            problems["phone"] = problem
    province_code = _text(data.get("province_code"))
    province = province_by_code(province_code) if province_code else None
    if not province_code:
        problems["province_code"] = _l("Choose the province.")
    elif province is None:
        problems["province_code"] = _l("Choose a province from the list.")
    postcode = normalize_postcode(data.get("postcode"))
    if not postcode:
        problems["postcode"] = _l("Enter the 5-digit postcode.")
    elif not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
        problems["postcode"] = _l("A postcode has 5 digits, e.g. 50180.")
    elif not geothai.by_postal_code(postcode):
        problems["postcode"] = _l("There is no postcode %(postcode)s in Thailand. Check the digits.", postcode=postcode)
    elif province is not None and not postcode_belongs_to_province(postcode, province.code):
        problems["postcode"] = _l(
            "Postcode %(postcode)s is not in %(province)s. Check the postcode or the province.",
            postcode=postcode, province=province.name(current_language()),
        )
    return problems


def clean_address(data: dict) -> AddressInput:
    """The address in stored form, or ValidationFailed naming every bad field."""
    problems = address_problems(data)
    if problems:
        raise ValidationFailed(_l("Please check the address."), fields=problems)
    return AddressInput(
        recipient_name=_text(data.get("recipient_name")),
        phone=normalize_thai_phone(data.get("phone")),
        address_line=_text(data.get("address_line")),
        subdistrict=_text(data.get("subdistrict")),
        district=_text(data.get("district")),
        province_code=_text(data.get("province_code")),
        postcode=normalize_postcode(data.get("postcode")),
    )


def format_lines(address, locale: str = "th") -> list[str]:
    """The address as the lines of a parcel label: name, phone, street, area, postcode."""
    province = province_by_code(address.province_code)
    province_name = province.name(locale) if province else address.province_code
    return [
        address.recipient_name,
        address.phone,
        address.address_line,
        " ".join(part for part in (address.subdistrict, address.district) if part),
        f"{province_name} {address.postcode}",
    ]


# ---------------------------------------------------------------- saved addresses


def list_saved_addresses(user: User) -> list[SavedAddress]:
    """The user's addresses, the default first."""
    return list(
        db.session.scalars(
            select(SavedAddress)
            .where(SavedAddress.user_id == user.id)
            .order_by(SavedAddress.is_default.desc(), SavedAddress.id)
        )
    )


def default_address(user: User) -> SavedAddress | None:
    addresses = list_saved_addresses(user)
    return addresses[0] if addresses else None


def get_saved_address(user: User, address_id) -> SavedAddress:
    """The user's own address, or SavedAddressNotFound (also for someone else's)."""
    try:
        address_id = int(address_id)
    except (TypeError, ValueError):
        raise SavedAddressNotFound() from None
    if not 0 < address_id <= MAX_INT:
        raise SavedAddressNotFound()
    address = db.session.get(SavedAddress, address_id)
    if address is None or address.user_id != user.id:
        raise SavedAddressNotFound()
    return address


def _clean_label(label: str | None) -> str | None:
    label = _text(label)
    if len(label) > _MAX_LENGTHS["label"]:
        raise ValidationFailed(
            _l("Use at most %(max)d characters.", max=_MAX_LENGTHS["label"]),
            fields={"label": _l("Use at most %(max)d characters.", max=_MAX_LENGTHS["label"])},
        )
    return label or None


def _make_only_default(user: User, address: SavedAddress) -> None:
    db.session.execute(
        update(SavedAddress)
        .where(SavedAddress.user_id == user.id, SavedAddress.id != address.id)
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )
    address.is_default = True


def apply_save_address(user: User, address: AddressInput, *, label: str | None = None,
                       make_default: bool = False) -> SavedAddress:
    """Add ``address`` to the user's book in the caller's transaction (no commit).

    The same address saved again is not duplicated; the user's first address becomes
    the default.
    """
    label = _clean_label(label)
    existing = list_saved_addresses(user)
    for saved in existing:
        if AddressInput.from_row(saved) == address:
            if label:
                saved.label = label
            if make_default:
                _make_only_default(user, saved)
            return saved
    if len(existing) >= MAX_SAVED_ADDRESSES:
        raise ValidationFailed(
            _l("You can keep at most %(max)d addresses. Delete one you no longer use first.", max=MAX_SAVED_ADDRESSES)
        )
    saved = SavedAddress(user_id=user.id, label=label, is_default=not existing, **address.as_dict())
    db.session.add(saved)
    db.session.flush()
    if make_default:
        _make_only_default(user, saved)
    return saved


def save_address(user: User, data: dict, *, label: str | None = None, make_default: bool = False) -> SavedAddress:
    """Check and save a new address for the user."""
    with transaction():
        address = clean_address(data)
        saved = apply_save_address(user, address, label=label, make_default=make_default)
    return saved


def update_saved_address(user: User, address_id, data: dict, *, label: str | None = None,
                         make_default: bool = False) -> SavedAddress:
    with transaction():
        saved = get_saved_address(user, address_id)
        address = clean_address(data)
        label = _clean_label(label)
        for name, value in address.as_dict().items():
            setattr(saved, name, value)
        saved.label = label
        if make_default:
            _make_only_default(user, saved)
    return saved


def set_default_address(user: User, address_id) -> SavedAddress:
    with transaction():
        saved = get_saved_address(user, address_id)
        _make_only_default(user, saved)
    return saved


def delete_saved_address(user: User, address_id) -> None:
    """Delete the address; if it was the default, the oldest remaining one becomes it."""
    with transaction():
        saved = get_saved_address(user, address_id)
        was_default = saved.is_default
        db.session.delete(saved)
        db.session.flush()
        if was_default:
            next_id = db.session.scalar(
                select(func.min(SavedAddress.id)).where(SavedAddress.user_id == user.id)
            )
            if next_id is not None:
                db.session.execute(
                    update(SavedAddress).where(SavedAddress.id == next_id).values(is_default=True)
                    .execution_options(synchronize_session="fetch")
                )
