"""Device cookies (OWASP's "device cookie" lockout scheme): a browser that has signed in
to an account is known to that account, and sign-in throttling treats it apart from
clients nobody knows.

After a successful sign-in (or an e-mailed unlock link, ``throttle.use_unlock_link``)
the browser gets one long-lived cookie, signed with the app's ``SECRET_KEY``:

    {"d": "<random device id>", "a": [[<user id>, <issued, epoch seconds>], …]}

One cookie per browser, holding the accounts it signed in to (a shared family
computer may have a few; the most recent ``DEVICE_COOKIE_MAX_ACCOUNTS`` are kept):

* one random device id lets the throttle count a known device's failures on their
  own (``LoginAttempt.device_id``), so nobody else's failures can lock it out, while a
  thief of the cookie still meets the growing delays of that one device;
* the accounts are user ids, not e-mail addresses: the cookie is signed, not
  encrypted, and should not tell who uses the browser;
* one cookie rather than one per account keeps the request small and does not name
  accounts in cookie names.

It is signed rather than stored, so signing in writes nothing more to the database.
The cookie is HttpOnly, SameSite=Lax, limited to ``/account/`` (only sign-in reads
it) and Secure whenever the session cookie is. Each account's entry expires
``DEVICE_COOKIE_MAX_AGE`` after that account last signed in with the browser.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from shop.accounts.models import User

SALT = "chumchon.accounts.device-cookie"
COOKIE_PATH = "/account/"
_DEVICE_ID_LENGTH = 22  # secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Device:
    """A browser as its valid device cookie describes it."""

    id: str
    accounts: dict[int, int] = field(default_factory=dict)  # user id -> issued (epoch seconds)

    def knows(self, user: User | None) -> bool:
        return user is not None and user.id in self.accounts


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _parse(payload, now: int, max_age: int) -> Device | None:
    if not isinstance(payload, dict):
        return None
    device_id, entries = payload.get("d"), payload.get("a")
    if not isinstance(device_id, str) or len(device_id) != _DEVICE_ID_LENGTH or not isinstance(entries, list):
        return None
    accounts: dict[int, int] = {}
    for entry in entries:
        if (isinstance(entry, list) and len(entry) == 2
                and all(type(part) is int for part in entry) and now - entry[1] < max_age):
            accounts[entry[0]] = entry[1]
    return Device(id=device_id, accounts=accounts)


def from_request(request: Request) -> Device | None:
    """The browser's device, or None without a cookie or with one that is not ours
    (altered, signed with another key, too old)."""
    config = current_app.config
    value = request.cookies.get(config["DEVICE_COOKIE_NAME"])
    if not value:
        return None
    max_age = config["DEVICE_COOKIE_MAX_AGE"]
    try:
        payload = _serializer().loads(value, max_age=max_age)
    except BadSignature:  # SignatureExpired included
        return None
    return _parse(payload, int(time.time()), max_age)


def remember(response: Response, user: User, device: Device | None) -> Device:
    """Mark the browser as known to ``user`` on ``response``, keeping its device id and
    its other accounts; returns the device as the new cookie describes it."""
    config = current_app.config
    now = int(time.time())
    accounts = {uid: issued for uid, issued in (device.accounts if device else {}).items() if uid != user.id}
    accounts[user.id] = now
    # Newest first, this account first among equals; the oldest beyond the limit go.
    newest = sorted(accounts.items(), key=lambda item: (item[1], item[0] == user.id), reverse=True)
    newest = newest[: config["DEVICE_COOKIE_MAX_ACCOUNTS"]]
    known = Device(id=device.id if device else secrets.token_urlsafe(16), accounts=dict(newest))
    value = _serializer().dumps({"d": known.id, "a": [[uid, issued] for uid, issued in newest]})
    response.set_cookie(
        config["DEVICE_COOKIE_NAME"],
        value,
        max_age=config["DEVICE_COOKIE_MAX_AGE"],
        path=COOKIE_PATH,
        secure=bool(config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return known
