"""Account pages under ``/account``: register, verify, sign in and out, reset, settings
and personal API tokens.

Views parse the form, call one service and render or redirect. A refused form is
shown again with the reason and a 4xx status; the service has written nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from shop.accounts import api_tokens, bp, devices, forms, services, sessions
from shop.accounts.models import User
from shop.accounts.tokens import InvalidLink
from shop.accounts.validation import HEAD_OFFICE
from shop.errors import DomainError
from shop.extensions import limiter, login_manager
from shop.forms import ConfirmForm, show_domain_error
from shop.i18n import SESSION_KEY as LANG_SESSION_KEY
from shop.i18n import current_language
from shop.security import is_safe_local_path

#: Session entries that survive signing in and out (the rest is dropped so nothing
#: from before the sign-in, or from the previous user, carries over); areas above add
#: theirs with ``keep_in_session``.
PRESERVED_SESSION_KEYS: tuple[str, ...] = (LANG_SESSION_KEY,)
_KEPT_KEY = "chumchon_kept_session_keys"


def keep_in_session(app, key: str, *, at_sign_in: Callable[[User, Any], Any] | None = None) -> None:
    """Keep ``session[key]`` when a browser signs in or out. With ``at_sign_in``,
    signing in hands the value to ``at_sign_in(user, value)`` instead of keeping it: a
    guest's cart is merged into the account's cart (then it is gone from the session:
    a signed-in user's cart is stored in the database)."""
    app.extensions.setdefault(_KEPT_KEY, {})[key] = at_sign_in


def _kept_keys() -> dict[str, Callable[[User, Any], Any] | None]:
    return {**dict.fromkeys(PRESERVED_SESSION_KEYS), **current_app.extensions.get(_KEPT_KEY, {})}

# Per-address backstops. Sign-in's own (LOGIN_RATE_LIMIT) is a high, short-lived ceiling
# only: many people can share an address, and the real throttle is per account and
# client (shop/accounts/throttle.py).
REGISTER_RATE = "10 per minute; 50 per hour"
RESET_RATE = "5 per minute; 30 per hour"
RESEND_RATE = "3 per minute; 10 per hour"
UNLOCK_RATE = "3 per minute; 10 per hour"


def _login_rate() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


OFF_SITE_NEXT = _l("That return address is not on this site.")


@bp.record_once
def _configure_login_manager(state) -> None:
    # Flashed by login_required; str() renders the lazy text in the visitor's language.
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.localize_callback = str


@bp.app_template_global()
def endpoint_exists(endpoint: str) -> bool:
    """Lets shared templates link to an area only when that area is installed."""
    return endpoint in current_app.view_functions


@bp.app_template_filter()
def branch_label(branch: str | None) -> str:
    if not branch or branch == HEAD_OFFICE:
        return _("Head office")
    return _("Branch %(number)s", number=branch)


# ---------------------------------------------------------------- helpers


def _home_url() -> str:
    return url_for("catalog.home") if endpoint_exists("catalog.home") else "/"


def _next_target() -> tuple[str | None, bool]:
    """(safe local path or None, whether an off-site address was refused)."""
    raw = (request.form.get("next") if request.method == "POST" else None) or request.args.get("next")
    if not raw:
        return None, False
    if is_safe_local_path(raw):
        return raw, False
    return None, True


def _me():
    """The signed-in user itself, not the ``current_user`` proxy: what services are
    given (one that keeps the user, in a relationship say, must not keep the proxy)."""
    return current_user._get_current_object()


def _start_session(user, *, remember: bool = False) -> None:
    """Sign ``user`` in: the one way the site does it. A new server-side sign-in
    (``sessions.open_session``) and a fresh session: nothing from before carries over
    but the language and the guest's cart, which joins the user's stored cart.

    ``user`` must be the ``User`` itself: ``current_user`` is refused (TypeError).
    """
    sessions.require_user(user)
    previous = _me()
    if previous.is_authenticated and previous.sign_in is not None:
        sessions.close_session(previous.sign_in.cookie_id)  # one sign-in per browser
    carried = _kept_keys()
    kept = {key: session[key] for key in carried if key in session}
    session.clear()  # nothing an earlier visitor put in the cookie survives (fixation)
    handed_over = {key: kept.pop(key) for key, at_sign_in in carried.items() if at_sign_in and key in kept}
    session.update(kept)
    sessions.open_session(user, remember=remember, user_agent=request.headers.get("User-Agent"))
    login_user(user, remember=remember, fresh=True)
    if not remember and current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies:
        session["_remember"] = "clear"  # Flask-Login then deletes the one left from before
    for key, value in handed_over.items():
        if value:
            carried[key](user, value)


def _end_session() -> None:
    """Sign this browser out: its sign-in row goes, so a copy of its session or
    remember-me cookie is refused from now on."""
    user = _me()  # loads the user, from the remember-me cookie if that is all there is
    if user.is_authenticated and user.sign_in is not None:
        sessions.close_session(user.sign_in.cookie_id)
    kept = {key: session[key] for key in _kept_keys() if key in session}
    session.clear()
    session.update(kept)
    logout_user()  # after clear(): it leaves the note that deletes the remember-me cookie


@bp.after_app_request
def _record_sign_in_use(response):
    # After the request's work, and only for a user this request loaded.
    user = g.get("_login_user")
    due = getattr(getattr(user, "sign_in", None), "touch_due", None)
    if due is not None:
        user.sign_in.touch_due = None
        sessions.touch(due)
    return response


def _flash_check_mail(user) -> None:
    flash(_("We have sent a link to %(email)s. Open it to confirm your e-mail address.", email=user.email), "info")


# ---------------------------------------------------------------- registration


def _render_register(form, status: int = 200, *, business: bool, next_notice: bool = False):
    return render_template(
        "accounts/register.html", form=form, business=business, next_notice=next_notice
    ), status


def _register(form, *, business: bool):
    target, refused = _next_target()
    if request.method == "GET":
        form.lang.data = current_language()
        form.next.data = target or ""
        return _render_register(form, business=business, next_notice=refused)
    if refused:
        form.next.data = ""
        form.form_errors.append(OFF_SITE_NEXT)
        return _render_register(form, 400, business=business)
    if not form.validate():
        return _render_register(form, 422, business=business)
    details = None
    if business:
        details = services.BusinessDetails(
            company_name=form.company_name.data,
            tax_id=form.tax_id.data,
            branch=form.branch.data,
            business_type=form.business_type.data,
        )
    try:
        email = services.register_user(
            display_name=form.display_name.data,
            email=form.email.data,
            password=form.password.data,
            locale=form.lang.data,
            business=details,
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_register(form, exc.status_code, business=business)
    # The same page, and no session or flash (no cookie), whether the address was new
    # or already had an account: registering signs nobody in; the new user follows the
    # link in the mail, then signs in with their password.
    return render_template(
        "accounts/register_sent.html",
        email=email,
        business=business,
        next=target,
        hours=current_app.config["EMAIL_VERIFY_MAX_AGE"] // 3600,
    )


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(REGISTER_RATE, methods=["POST"])
def register():
    if current_user.is_authenticated:
        flash(_("You are already signed in."), "info")
        return redirect(url_for("accounts.index"))
    return _register(forms.RegisterForm(), business=False)


@bp.route("/register/business", methods=["GET", "POST"])
@limiter.limit(REGISTER_RATE, methods=["POST"])
def register_business():
    if current_user.is_authenticated:
        return _apply_for_business()
    return _register(forms.BusinessRegisterForm(), business=True)


def _apply_for_business():
    """A signed-in user adds a business account to the one they have."""
    if current_user.retail_buyer is not None:
        flash(_("You already have a business account."), "info")
        return redirect(url_for("accounts.index"))
    form = forms.BusinessFieldsForm()
    if request.method == "GET":
        return render_template("accounts/apply_business.html", form=form)
    if not form.validate():
        return render_template("accounts/apply_business.html", form=form), 422
    try:
        services.apply_for_business_account(
            _me(),
            services.BusinessDetails(
                company_name=form.company_name.data,
                tax_id=form.tax_id.data,
                branch=form.branch.data,
                business_type=form.business_type.data,
            ),
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        return render_template("accounts/apply_business.html", form=form), exc.status_code
    flash(_("Our staff will check your business details. You will see wholesale prices once it is verified."), "info")
    return redirect(url_for("accounts.index"))


# ---------------------------------------------------------------- e-mail verification


def _render_link_failed(exc: InvalidLink, *, kind: str):
    return render_template(
        "accounts/link_failed.html", message=exc.message, kind=kind, resend_form=forms.ResendVerificationForm()
    ), exc.status_code


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        services.verify_email(token)
    except InvalidLink as exc:
        return _render_link_failed(exc, kind="verify")
    flash(_("Thank you: your e-mail address is confirmed."), "success")
    return redirect(url_for("accounts.index") if current_user.is_authenticated else url_for("accounts.login"))


@bp.post("/verify/resend")
@limiter.limit(RESEND_RATE)
def resend_verification():
    if current_user.is_authenticated:
        if services.resend_verification(_me()):
            _flash_check_mail(_me())
        else:
            flash(_("Your e-mail address is already confirmed."), "info")
        return redirect(url_for("accounts.index"))
    form = forms.ResendVerificationForm()
    if not form.validate() or not form.email.data:
        if not form.email.errors:
            form.email.errors = [_("Enter your e-mail address.")]
        return render_template("accounts/link_failed.html", message=None, kind="verify", resend_form=form), 422
    services.resend_verification_to(form.email.data)
    flash(_("If that address has an account waiting for confirmation, we have sent it a new link."), "info")
    return redirect(url_for("accounts.login"))


# ---------------------------------------------------------------- sign in and out


def _render_login(form, status: int = 200, *, next_notice: bool = False, unlock_offer: bool = False):
    return render_template(
        "accounts/login.html", form=form, next_notice=next_notice, unlock_offer=unlock_offer
    ), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate, methods=["POST"])
def login():
    form = forms.LoginForm()
    target, refused = _next_target()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(target or url_for("accounts.index"))
        form.next.data = target or ""
        return _render_login(form, next_notice=refused)
    if refused:
        # Refuse before checking anything: a link built to bounce people off-site.
        form.next.data = ""
        form.form_errors.append(OFF_SITE_NEXT)
        return _render_login(form, 400)
    if not form.validate():
        return _render_login(form, 422)
    device = devices.from_request(request)
    try:
        user = services.authenticate(
            email=form.email.data, password=form.password.data, ip_address=request.remote_addr or "unknown",
            device=device,
        )
    except services.TooManyAttempts as exc:
        form.form_errors.append(exc.message)
        response = make_response(_render_login(form, exc.status_code, unlock_offer=True))
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    except DomainError as exc:
        form.form_errors.append(exc.message)
        return _render_login(form, exc.status_code)
    _start_session(user, remember=bool(form.remember.data))
    flash(_("Welcome back, %(name)s.", name=user.display_name), "success")
    response = redirect(target or _home_url())
    devices.remember(response, user, device)  # this browser is now known to the account
    return response


# ---------------------------------------------------------------- unlock links


@bp.route("/unlock", methods=["GET", "POST"])
@limiter.limit(UNLOCK_RATE, methods=["POST"])
def unlock_request():
    form = forms.UnlockRequestForm()
    if request.method == "GET":
        return render_template("accounts/unlock_request.html", form=form)
    if not form.validate():
        return render_template("accounts/unlock_request.html", form=form), 422
    services.request_unlock_link(form.email.data, request.remote_addr or "unknown")
    minutes = current_app.config["LOGIN_UNLOCK_MAX_AGE"] // 60
    return render_template("accounts/unlock_sent.html", email=form.email.data, minutes=minutes)


def _render_unlock_failed(exc: InvalidLink):
    return render_template("accounts/unlock.html", message=exc.message, form=None), exc.status_code


@bp.route("/unlock/<token>", methods=["GET", "POST"])
@limiter.limit(UNLOCK_RATE, methods=["POST"])
def unlock(token: str):
    """The e-mailed link: a GET only shows a button (mail scanners follow links), the
    POST spends the link and makes this browser a device known to the account."""
    try:
        if request.method == "GET":
            user = services.user_for_unlock_token(token)
            return render_template("accounts/unlock.html", message=None, form=ConfirmForm(), email=user.email)
        user = services.use_unlock_link(token)  # CSRFProtect has checked the form's token
    except InvalidLink as exc:
        return _render_unlock_failed(exc)
    flash(_("This browser can now sign in to %(email)s. Enter your password to continue.", email=user.email),
          "success")
    response = redirect(url_for("accounts.login"))
    devices.remember(response, user, devices.from_request(request))
    return response


@bp.post("/logout")
def logout():
    _end_session()
    flash(_("You have signed out."), "info")
    return redirect(_home_url())


# ---------------------------------------------------------------- password reset


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(RESET_RATE, methods=["POST"])
def reset_request():
    form = forms.ResetRequestForm()
    if request.method == "GET":
        return render_template("accounts/reset_request.html", form=form)
    if not form.validate():
        return render_template("accounts/reset_request.html", form=form), 422
    services.request_password_reset(form.email.data)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    return render_template("accounts/reset_sent.html", email=form.email.data, minutes=minutes)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(RESET_RATE, methods=["POST"])
def reset_password(token: str):
    try:
        user = services.user_for_reset_token(token)
    except InvalidLink as exc:
        return _render_link_failed(exc, kind="reset")
    form = forms.ResetPasswordForm()
    form.account_email = user.email
    if request.method == "GET":
        return render_template("accounts/reset_password.html", form=form)
    if not form.validate():
        return render_template("accounts/reset_password.html", form=form), 422
    try:
        user = services.reset_password(token, form.password.data)
    except InvalidLink as exc:
        return _render_link_failed(exc, kind="reset")
    except DomainError as exc:
        show_domain_error(form, exc)
        return render_template("accounts/reset_password.html", form=form), exc.status_code
    _start_session(user)
    flash(_("Your new password is set, and every other device has been signed out."), "success")
    return redirect(url_for("accounts.index"))


# ---------------------------------------------------------------- account settings


def _render_index(status: int = 200, **forms_in_use):
    profile = forms_in_use.get("profile") or forms.ProfileForm(prefix="profile", obj=current_user)
    password = forms_in_use.get("password") or forms.ChangePasswordForm(prefix="password")
    return render_template(
        "accounts/index.html",
        profile_form=profile,
        password_form=password,
        confirm_form=ConfirmForm(),
        buyer=current_user.retail_buyer,
        devices=sessions.live_sessions(_me()),
        this_device=_me().sign_in,
    ), status


@bp.get("/")
@login_required
def index():
    return _render_index()


@bp.post("/profile")
@login_required
def update_profile():
    form = forms.ProfileForm(prefix="profile")
    if not form.validate():
        return _render_index(422, profile=form)
    try:
        services.update_profile(
            _me(), display_name=form.display_name.data, phone=form.phone.data, locale=form.locale.data
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_index(exc.status_code, profile=form)
    session[LANG_SESSION_KEY] = form.locale.data
    refresh()
    flash(_("Your details are saved."), "success")
    return redirect(url_for("accounts.index"))


@bp.post("/password")
@login_required
def change_password():
    form = forms.ChangePasswordForm(prefix="password")
    form.account_email = current_user.email
    if not form.validate():
        return _render_index(422, password=form)
    remember = _me().sign_in.remember
    try:
        user = services.change_password(
            _me(), current_password=form.current_password.data, new_password=form.new_password.data
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_index(exc.status_code, password=form)
    # Every sign-in ended: sign this browser in again so only the others are out.
    _start_session(user, remember=remember)
    flash(_("Your password is changed, and every other device has been signed out."), "success")
    return redirect(url_for("accounts.index"))


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    services.sign_out_everywhere(_me())
    _end_session()
    flash(_("You have been signed out on every device."), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/devices/<int:device_id>/sign-out")
@login_required
def sign_out_device(device_id: int):
    me = _me()
    this_device = device_id == me.sign_in.id
    sessions.sign_out_device(me, device_id)  # another user's, or gone already: NotFound (404)
    if this_device:
        _end_session()
        flash(_("You have signed out."), "info")
        return redirect(_home_url())
    flash(_("That device is signed out."), "success")
    return redirect(url_for("accounts.index"))


# ---------------------------------------------------------------- personal API tokens


def _render_tokens(form, status: int = 200, *, new_token: api_tokens.NewToken | None = None):
    """The token page. A token just created is shown in this response only: its secret
    is never put in the session, a flash message or a redirect, and the page is not
    stored by the browser or any cache on the way."""
    tokens = api_tokens.list_tokens(current_user)
    response = make_response(render_template(
        "accounts/tokens.html",
        form=form,
        confirm_form=ConfirmForm(),
        tokens=tokens,
        new_token=new_token,
        active_count=sum(1 for token in tokens if token.is_active),
        max_active=api_tokens.MAX_ACTIVE_TOKENS,
        name_max=api_tokens.MAX_NAME_LENGTH,
    ), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/tokens")
@login_required
def tokens():
    return _render_tokens(forms.ApiTokenForm())


@bp.post("/tokens")
@login_required
def create_token():
    form = forms.ApiTokenForm()
    if not form.validate():
        return _render_tokens(form, 422)
    try:
        new_token = api_tokens.create_token(current_user, form.name.data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_tokens(form, exc.status_code)
    return _render_tokens(forms.ApiTokenForm(formdata=None), 201, new_token=new_token)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = api_tokens.revoke_token(current_user, token_id)  # another user's token: NotFound (404)
    flash(_("The token “%(name)s” is revoked: programs using it can no longer reach the API.", name=token.name),
          "success")
    response = redirect(url_for("accounts.tokens"))
    response.headers["Cache-Control"] = "no-store"
    return response
