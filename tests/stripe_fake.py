"""A fake Stripe API for tests: no network, every request recorded.

``FakeStripeHTTP`` is a ``stripe.HTTPClient``: the app's Stripe client
(``shop.payments.providers.stripe.client.stripe_client``) uses it when a test puts it
in ``app.extensions["stripe_http_client"]``, which the ``fake_stripe`` fixture does
(together with the two keys, so ``stripe_enabled()`` is true)::

    # tests/conftest.py loads this module as a plugin: every test can ask for it

    def test_something(app, client, fake_stripe):
        ...
        req = fake_stripe.last("POST", "/v1/checkout/sessions")
        assert req.params["currency"] == "thb"
        assert req.idempotency_key == "checkout-CM…-1"

It answers Stripe-shaped JSON for

* ``POST /v1/checkout/sessions``, ``GET /v1/checkout/sessions/<id>``,
  ``POST /v1/checkout/sessions/<id>/expire``;
* ``POST /v1/refunds``, ``GET /v1/refunds/<id>``;
* ``POST /v1/transfers``, ``POST /v1/transfers/<id>/reversals``.

Like Stripe, a POST sent again with the same ``Idempotency-Key`` gets the first
answer back (and creates nothing); the same key with other parameters is a 400
``idempotency_error``. ``fail_once(...)`` makes the next matching request answer an
error; ``timeout_once(...)`` makes it raise ``stripe.APIConnectionError`` (with
``processed=True`` the request reaches "Stripe" first, as when the answer is lost on
the way back: a retry with the same key then gets the object created the first time).

``sign_webhook`` signs a payload as Stripe does, and the ``*_event`` builders return
Stripe-shaped event dicts; ``webhook_request(event)`` gives the body and headers to
post to ``/webhooks/stripe``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

SECRET_KEY = "sk_test_fake_chumchon"
WEBHOOK_SECRET = "whsec_test_fake_chumchon"
CHECKOUT_HOST = "https://checkout.stripe.test"


# --- Form decoding --------------------------------------------------------------------


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's ``a[b][0][c]=v`` form encoding back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        if not parts:
            continue
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = None if last else parts[i + 1]
            child_default: Any = [] if nxt is not None and (nxt.isdigit() or nxt == "[]") else {}
            if isinstance(node, list):
                if part == "[]":
                    idx = len(node)
                else:
                    idx = int(part)
                while len(node) <= idx:
                    node.append(None)
                if last:
                    node[idx] = value
                else:
                    if node[idx] is None:
                        node[idx] = child_default
                    node = node[idx]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, child_default)
    return root


def _to_int(value: Any) -> int:
    return int(value) if value not in (None, "") else 0


# --- The fake HTTP client -------------------------------------------------------------


@dataclass
class RecordedRequest:
    method: str
    url: str
    path: str
    headers: dict[str, str]
    body: str
    params: dict[str, Any]  # decoded form body (POST) or query (GET), nested

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    @property
    def idempotency_key(self) -> str | None:
        return self.header("Idempotency-Key")

    @property
    def stripe_account(self) -> str | None:
        return self.header("Stripe-Account")


@dataclass
class _Trap:
    kind: str  # "fail" | "timeout"
    method: str | None
    path_prefix: str | None
    status: int = 500
    error: dict[str, Any] = field(default_factory=dict)
    processed: bool = False

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path_prefix is None or path.startswith(self.path_prefix)
        )


class FakeStripeHTTP(stripe.HTTPClient):
    name = "fake"

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[RecordedRequest] = []
        self.sessions: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.transfers: dict[str, dict[str, Any]] = {}
        self.reversals: dict[str, dict[str, Any]] = {}
        # Status a new refund is created with ("pending" as for PromptPay).
        self.refund_status = "succeeded"
        self._ids = itertools.count(1)
        self._idempotent: dict[str, tuple[str, str, tuple[str, int, dict[str, str]]]] = {}
        self._traps: list[_Trap] = []

    # -- configuration used by tests ---------------------------------------------------

    def fail_once(
        self,
        path_prefix: str | None = None,
        *,
        method: str | None = "POST",
        status: int = 500,
        error_type: str = "api_error",
        message: str = "Something went wrong on Stripe's end.",
        code: str | None = None,
    ) -> None:
        """The next matching request answers ``status`` with a Stripe error body."""
        err: dict[str, Any] = {"type": error_type, "message": message}
        if code:
            err["code"] = code
        self._traps.append(_Trap("fail", method, path_prefix, status=status, error=err))

    def timeout_once(self, path_prefix: str | None = None, *, method: str | None = "POST",
                     processed: bool = False) -> None:
        """The next matching request raises a retryable ``APIConnectionError``.

        ``processed=True``: the request is carried out first (the answer is "lost").
        """
        self._traps.append(_Trap("timeout", method, path_prefix, processed=processed))

    def set_session(self, session_id: str, **fields: Any) -> dict[str, Any]:
        """Change a stored Checkout Session (e.g. ``status="complete"``)."""
        self.sessions[session_id].update(fields)
        return self.sessions[session_id]

    # -- inspection --------------------------------------------------------------------

    def calls(self, method: str | None = None, path_prefix: str | None = None) -> list[RecordedRequest]:
        return [
            r for r in self.requests
            if (method is None or r.method == method) and (path_prefix is None or r.path.startswith(path_prefix))
        ]

    def last(self, method: str | None = None, path_prefix: str | None = None) -> RecordedRequest:
        found = self.calls(method, path_prefix)
        assert found, f"no {method or ''} {path_prefix or ''} request was sent to the fake Stripe"
        return found[-1]

    # -- stripe.HTTPClient -------------------------------------------------------------

    def request(self, method, url, headers, post_data=None):
        method = method.upper()
        parts = urlsplit(url)
        path = parts.path
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        raw = body if method == "POST" else parts.query
        params = decode_form(parse_qsl(raw, keep_blank_values=True))
        rec = RecordedRequest(method, url, path, dict(headers or {}), body, params)
        self.requests.append(rec)

        trap = next((t for t in self._traps if t.matches(method, path)), None)
        if trap is not None:
            self._traps.remove(trap)
            if trap.kind == "fail":
                return self._json({"error": trap.error}, trap.status)
            if trap.processed:
                self._answer(rec)
            raise stripe.APIConnectionError("Request timed out (fake).", should_retry=True)
        return self._answer(rec)

    def request_stream(self, method, url, headers, post_data=None):
        raise AssertionError("the app never streams from Stripe; a test reaching this has found a new call")

    def close(self) -> None:
        pass

    # -- routing -----------------------------------------------------------------------

    def _answer(self, rec: RecordedRequest) -> tuple[str, int, dict[str, str]]:
        key = rec.idempotency_key if rec.method == "POST" else None
        if key and key in self._idempotent:
            path, body, answer = self._idempotent[key]
            if path != rec.path or body != rec.body:
                return self._json({"error": {
                    "type": "idempotency_error",
                    "message": "Keys for idempotent requests can only be used with the same parameters "
                               "they were first used with.",
                }}, 400)
            return answer[0], answer[1], {**answer[2], "Idempotent-Replayed": "true"}
        answer = self._route(rec)
        if key and answer[1] < 500:
            self._idempotent[key] = (rec.path, rec.body, answer)
        return answer

    def _route(self, rec: RecordedRequest) -> tuple[str, int, dict[str, str]]:
        m, p = rec.method, rec.path
        if m == "POST" and p == "/v1/checkout/sessions":
            return self._json(self._create_session(rec.params))
        if match := re.fullmatch(r"/v1/checkout/sessions/([^/]+)", p):
            if m == "GET" and match[1] in self.sessions:
                return self._json(self.sessions[match[1]])
        if (match := re.fullmatch(r"/v1/checkout/sessions/([^/]+)/expire", p)) and m == "POST":
            session = self.sessions.get(match[1])
            if session is not None:
                if session["status"] != "open":
                    return self._error(400, "invalid_request_error",
                                       "Only Checkout Sessions with a status in [\"open\"] can be expired.")
                session["status"] = "expired"
                session["url"] = None
                return self._json(session)
        if m == "POST" and p == "/v1/refunds":
            return self._create_refund(rec.params)
        if (match := re.fullmatch(r"/v1/refunds/([^/]+)", p)) and m == "GET" and match[1] in self.refunds:
            return self._json(self.refunds[match[1]])
        if m == "POST" and p == "/v1/transfers":
            return self._json(self._create_transfer(rec))
        if (match := re.fullmatch(r"/v1/transfers/([^/]+)/reversals", p)) and m == "POST":
            if match[1] in self.transfers:
                return self._create_reversal(match[1], rec.params)
        return self._error(404, "invalid_request_error", f"Unrecognized request URL ({m}: {p}).",
                           code="resource_missing")

    # -- objects -----------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self._ids):06d}"

    def _create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        sid = self._new_id("cs")
        lines = params.get("line_items") or []
        total = 0
        for line in lines:
            price = line.get("price_data") or {}
            total += _to_int(price.get("unit_amount")) * _to_int(line.get("quantity") or 1)
        currency = next(((line.get("price_data") or {}).get("currency") for line in lines), "thb")
        session = {
            "id": sid,
            "object": "checkout.session",
            "mode": params.get("mode"),
            "status": "open",
            "payment_status": "unpaid",
            "url": f"{CHECKOUT_HOST}/c/pay/{sid}",
            "amount_subtotal": total,
            "amount_total": total,
            "currency": currency,
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata") or {},
            "payment_intent": None,
            "payment_method_types": params.get("payment_method_types") or ["card"],
            "expires_at": _to_int(params.get("expires_at")) or int(time.time()) + 24 * 3600,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "locale": params.get("locale"),
            "livemode": False,
            "created": int(time.time()),
        }
        self.sessions[sid] = session
        return session

    def _create_refund(self, params: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
        target = params.get("payment_intent") or params.get("charge")
        if not target:
            return self._error(400, "invalid_request_error",
                               "One of the following params should be provided for this request: "
                               "payment_intent or charge.", code="parameter_missing")
        rid = self._new_id("re")
        refund = {
            "id": rid,
            "object": "refund",
            "amount": _to_int(params.get("amount")),
            "currency": "thb",
            "payment_intent": params.get("payment_intent"),
            "charge": params.get("charge"),
            "status": self.refund_status,
            "reason": params.get("reason"),
            "metadata": params.get("metadata") or {},
            "created": int(time.time()),
        }
        self.refunds[rid] = refund
        return self._json(refund)

    def _create_transfer(self, rec: RecordedRequest) -> dict[str, Any]:
        params = rec.params
        tid = self._new_id("tr")
        transfer = {
            "id": tid,
            "object": "transfer",
            "amount": _to_int(params.get("amount")),
            "amount_reversed": 0,
            "currency": params.get("currency") or "thb",
            "destination": params.get("destination"),
            "transfer_group": params.get("transfer_group"),
            "source_transaction": params.get("source_transaction"),
            "metadata": params.get("metadata") or {},
            "reversed": False,
            "reversals": {"object": "list", "data": [], "has_more": False},
            "created": int(time.time()),
        }
        self.transfers[tid] = transfer
        return transfer

    def _create_reversal(self, transfer_id: str, params: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
        transfer = self.transfers[transfer_id]
        amount = _to_int(params.get("amount")) or transfer["amount"] - transfer["amount_reversed"]
        if amount > transfer["amount"] - transfer["amount_reversed"]:
            return self._error(400, "invalid_request_error",
                               "Amount exceeds the transfer's remaining amount.")
        reversal = {
            "id": self._new_id("trr"),
            "object": "transfer_reversal",
            "amount": amount,
            "currency": transfer["currency"],
            "transfer": transfer_id,
            "metadata": params.get("metadata") or {},
            "created": int(time.time()),
        }
        self.reversals[reversal["id"]] = reversal
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] >= transfer["amount"]
        transfer["reversals"]["data"].append(reversal)
        return self._json(reversal)

    @staticmethod
    def _json(obj: dict[str, Any], status: int = 200) -> tuple[str, int, dict[str, str]]:
        return json.dumps(obj), status, {"Content-Type": "application/json", "Request-Id": "req_fake"}

    def _error(self, status: int, type_: str, message: str, code: str | None = None):
        err: dict[str, Any] = {"type": type_, "message": message}
        if code:
            err["code"] = code
        return self._json({"error": err}, status)


@pytest.fixture
def fake_stripe(app) -> FakeStripeHTTP:
    """Turn Stripe on for ``app`` (test keys) and route its API calls to a fake."""
    fake = FakeStripeHTTP()
    app.config["STRIPE_SECRET_KEY"] = SECRET_KEY
    app.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    app.config["STRIPE_CHECKOUT_ORIGIN"] = CHECKOUT_HOST  # the CSP's form-action allows it
    app.config["STRIPE_MAX_NETWORK_RETRIES"] = 0  # a failure reaches the app; it retries itself
    app.extensions["stripe_http_client"] = fake
    yield fake
    app.extensions.pop("stripe_http_client", None)


# --- Webhooks -------------------------------------------------------------------------


def sign_webhook(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header for ``payload``: ``t=<ts>,v1=<hmac-sha256>``."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    sig = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={sig}"


def webhook_request(event: dict[str, Any], secret: str = WEBHOOK_SECRET,
                    timestamp: int | None = None) -> tuple[str, dict[str, str]]:
    """Body and headers for ``client.post("/webhooks/stripe", data=body, headers=headers)``."""
    body = json.dumps(event)
    return body, {"Stripe-Signature": sign_webhook(body, secret, timestamp), "Content-Type": "application/json"}


_event_ids = itertools.count(1)


def _event(type_: str, obj: dict[str, Any], event_id: str | None, created: int | None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_test_{next(_event_ids):06d}_{int(time.time() * 1000) % 100000}",
        "object": "event",
        "api_version": "2025-01-01",
        "created": created or int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": type_,
        "data": {"object": obj},
    }


def checkout_session_event(
    type_: str,
    session_id: str,
    order=None,
    *,
    payment_status: str = "paid",
    status: str | None = None,
    amount_total: int | None = None,
    currency: str = "thb",
    payment_intent: str | None = "pi_test_default",
    method: str = "card",
    public_id: str | None = None,
    event_id: str | None = None,
    created: int | None = None,
) -> dict[str, Any]:
    """A ``checkout.session.*`` event (``completed``, ``async_payment_succeeded``,
    ``async_payment_failed``, ``expired``) for ``order`` (its public id and total)."""
    if not type_.startswith("checkout.session."):
        type_ = f"checkout.session.{type_}"
    pid = public_id or (order.public_id if order is not None else None)
    total = amount_total if amount_total is not None else (order.total_satang if order is not None else 0)
    if status is None:
        status = "expired" if type_.endswith(".expired") else "complete"
    if type_.endswith(".expired"):
        payment_status = "unpaid" if payment_status == "paid" else payment_status
        payment_intent = None
    obj = {
        "id": session_id,
        "object": "checkout.session",
        "mode": "payment",
        "status": status,
        "payment_status": payment_status,
        "amount_total": total,
        "amount_subtotal": total,
        "currency": currency,
        "client_reference_id": pid,
        "metadata": {"order_id": pid} if pid else {},
        "payment_intent": payment_intent,
        "payment_method_types": ["card", "promptpay"],
        "payment_method_options": {},
        "customer_details": {"email": getattr(order, "email", None)},
        "livemode": False,
    }
    if method:
        # Stripe shows the chosen method only on the payment intent; tests that want
        # it may expand it here as ``payment_intent`` would be when expanded.
        obj["payment_method_types"] = [method]
    return _event(type_, obj, event_id, created)


def refund_object(refund_id: str, amount: int, *, status: str = "succeeded", payment_intent: str | None = None,
                  charge: str | None = None, metadata: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "currency": "thb",
        "status": status,
        "payment_intent": payment_intent,
        "charge": charge,
        "metadata": metadata or {},
        "created": int(time.time()),
    }


def charge_refunded_event(
    charge_id: str,
    *,
    payment_intent: str | None,
    amount: int,
    amount_refunded: int,
    refunds: list[dict[str, Any]] | None = None,
    currency: str = "thb",
    metadata: dict[str, str] | None = None,
    event_id: str | None = None,
    created: int | None = None,
) -> dict[str, Any]:
    """A ``charge.refunded`` event; ``refunds`` are ``refund_object(...)`` dicts (the
    list Stripe embeds in ``charge.refunds``)."""
    refunds = refunds or []
    obj = {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_refunded": amount_refunded,
        "currency": currency,
        "payment_intent": payment_intent,
        "refunded": amount_refunded >= amount,
        "status": "succeeded",
        "metadata": metadata or {},
        "refunds": {"object": "list", "data": refunds, "has_more": False, "total_count": len(refunds)},
    }
    return _event("charge.refunded", obj, event_id, created)


def refund_event(type_: str, refund: dict[str, Any], *, event_id: str | None = None,
                 created: int | None = None) -> dict[str, Any]:
    """``refund.created`` / ``refund.updated`` / ``refund.failed`` with a ``refund_object``."""
    if not type_.startswith("refund."):
        type_ = f"refund.{type_}"
    return _event(type_, refund, event_id, created)
