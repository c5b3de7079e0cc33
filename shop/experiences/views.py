"""Experiences' pages: the guest's (``/experiences/``, ``/experiences/<slug>``, the
booking, the ticket and its calendar file) and the host's
(``/seller/<enterprise_id>/experiences…``).

Seller pages check membership with ``catalog/access.py`` on every request and look an
experience or a session up within that enterprise, so another enterprise's answers
404. A refused form is shown again with its messages and the refusal's status.
"""

from __future__ import annotations

from babel.dates import get_day_names
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from shop.accounts.access import login_required
from shop.cart.views import current_cart
from shop.catalog.access import get_member_enterprise_or_404
from shop.catalog.status import enterprise_status_label, member_role_label
from shop.errors import DomainError, NotFound
from shop.experiences import cancellation, forms, listing
from shop.experiences import cart as experience_cart
from shop.experiences import services as svc
from shop.experiences.calendar import ics_for_order
from shop.experiences.models import ExperienceSession
from shop.experiences.month_grid import months_of
from shop.experiences.policies import POLICIES, policy_of
from shop.experiences.seo import event_scripts
from shop.extensions import db
from shop.forms import ConfirmForm, show_domain_error
from shop.geo import province_by_code, province_choices
from shop.i18n import current_language, format_day
from shop.money import format_baht, satang_to_input
from shop.orders import status as st
from shop.orders.access import buyer_role, load_order_for_buyer, order_path, remember_guest_order
from shop.payments.promptpay import qr_svg
from shop.spreadsheets import csv_response

bp = Blueprint("experiences", __name__)


def _link_if_installed(endpoint: str, **values) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.context_processor
def _helpers() -> dict:
    return {"status_label": enterprise_status_label, "role_label": member_role_label,
            "seller_link": _link_if_installed, "policy_of": policy_of, "province_by_code": province_by_code,
            "language_labels": svc.LANGUAGES, "starts_at": svc.starts_at, "is_bookable": svc.is_bookable,
            "weekday_label": _weekday_label, "experience_photo_url": svc.photo_url}


def _weekday_names(locale: str) -> list[str]:
    """Monday to Sunday, abbreviated, for the month calendars."""
    return [get_day_names("abbreviated", locale=locale)[n] for n in range(7)]


def _weekday_label(number: int) -> str:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"),
            _("Sunday")][number]


@bp.app_template_global("order_ticket_link")
def order_ticket_link(order, token: str | None = None) -> str | None:
    """The ticket page of an order that books an experience, or None (the order page
    asks for it only when this blueprint is installed)."""
    if not svc.has_bookings(order):
        return None
    return url_for("experiences.ticket", public_id=order.public_id, t=token or None)


@bp.app_template_global("enterprise_experiences")
def enterprise_experiences(enterprise) -> list:
    """The experiences an enterprise shows to shoppers (its public page lists them)."""
    return svc.published_of(enterprise)


@bp.app_template_global("province_experiences")
def province_experiences(province_code: str, limit: int = 6) -> list:
    """The experiences with open sessions in a province, each with its next session, as
    ``(experience, session)`` pairs (the province page asks for them only when this
    blueprint is installed)."""
    return listing.with_next_session(province_code=province_code, limit=limit)


# ---------------------------------------------------------------- guests


@bp.get("/experiences/")
def index():
    return render_template("experiences/index.html", found=svc.published_upcoming())


def _booking_form(experience, sessions) -> forms.BookingForm:
    form = forms.BookingForm()
    form.session_id.choices = [
        (str(s.id), f"{_weekday_label(s.day.weekday())} {format_day(s.day, 'medium')} {s.start_time.strftime('%H:%M')} · "
                    + _("%(count)d seats left", count=s.seats_left))
        for s in sessions]
    if request.method == "GET":
        form.adults.data = form.adults.data or "1"
        form.children.data = form.children.data or "0"
        wanted = request.args.get("session")
        if wanted:
            form.session_id.data = wanted
        if current_user.is_authenticated:
            form.guest_name.data = current_user.display_name
            form.phone.data = current_user.phone or ""
    return form


def _detail(experience, form=None, status: int = 200):
    every = svc.upcoming_sessions(experience)
    sessions = [s for s in every if svc.is_bookable(s)]
    form = form or _booking_form(experience, sessions)
    locale = current_language()
    return render_template("experiences/detail.html", experience=experience, sessions=sessions, form=form,
                           json_ld=event_scripts(experience, sessions),
                           map_url=svc.map_url(experience), policy=policy_of(experience.cancellation_policy),
                           all_sessions=every, months=months_of(every, locale),
                           weekday_names=_weekday_names(locale)), status


@bp.get("/experiences/<slug>")
def detail(slug: str):
    return _detail(svc.get_published(slug))


@bp.post("/experiences/<slug>/book")
def book(slug: str):
    experience = svc.get_published(slug)
    sessions = [s for s in svc.upcoming_sessions(experience) if svc.is_bookable(s)]
    form = _booking_form(experience, sessions)
    if not form.validate() or form.refused_text():
        return _detail(experience, form, 422)
    try:
        session_id = int(form.session_id.data or 0)
    except ValueError:
        session_id = 0
    session = db.session.get(ExperienceSession, session_id) if session_id else None
    if session is None or session.experience_id != experience.id:
        form.session_id.errors = [_("Choose one of the sessions shown.")]
        return _detail(experience, form, 422)
    buyer = current_user if current_user.is_authenticated else None
    if request.form.get("action") == "cart":
        try:
            line = experience_cart.add_to_cart(current_cart(), experience, session.id, form.adults.data,
                                               form.children.data, buyer=buyer, locale=current_language())
        except DomainError as exc:
            show_domain_error(form, exc)
            return _detail(experience, form, exc.status_code)
        flash(ngettext("%(name)s, %(when)s: %(num)d seat is in your cart. Seats are held once you place the order.",
                       "%(name)s, %(when)s: %(num)d seats are in your cart. Seats are held once you place the order.",
                       line.seats, name=line.title, when=line.when), "success")
        return redirect(url_for("cart.view"), 303)
    try:
        order = svc.book(session.id, adults=form.adults.data, children=form.children.data, buyer=buyer,
                         email=form.email.data, guest_name=form.guest_name.data, phone=form.phone.data,
                         locale=current_language())
    except DomainError as exc:
        show_domain_error(form, exc)
        return _detail(experience, form, exc.status_code)
    if buyer is None:
        remember_guest_order(order)
    flash(_("Your seats are held. Pay to confirm the booking: the ticket is ready once the payment is confirmed."),
          "success")
    return redirect(order_path(order), 303)


@bp.get("/experiences/tickets/<public_id>")
def ticket(public_id: str):
    order = load_order_for_buyer(public_id, current_user, request.args.get("t"))
    bookings = svc.bookings_of_order(order)
    if not bookings:
        raise NotFound()
    paid = order.status in (st.ORDER_PAID, st.ORDER_PARTIALLY_REFUNDED)
    codes = {b.id: qr_svg(b.ticket_code, title=_("Ticket %(code)s", code=b.ticket_code))
             for b in bookings if paid and not b.seats_released}
    viewer = current_user if current_user.is_authenticated else None
    own = buyer_role(order, viewer) == st.ROLE_BUYER and (
        order.user_id is None or getattr(viewer, "id", None) == order.user_id)
    cancel_terms = {b.id: cancellation.terms(b) for b in bookings} if own else {}
    return render_template("experiences/ticket.html", order=order, bookings=bookings, paid=paid, codes=codes,
                           order_link=order_path(order), token=request.args.get("t"), cancel_terms=cancel_terms,
                           cancel_form=ConfirmForm())


@bp.post("/experiences/tickets/<public_id>/cancel")
def cancel_ticket(public_id: str):
    """The guest cancels their booking under the experience's cancellation policy."""
    token = request.args.get("t")
    order = load_order_for_buyer(public_id, current_user, token)
    back = url_for("experiences.ticket", public_id=order.public_id, t=token or None)
    if not ConfirmForm().validate():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back, 303)
    actor = current_user if current_user.is_authenticated else None
    # An order may book several sessions (a cart): the form names the booking.
    wanted = request.form.get("booking", "")
    booking = next((b for b in svc.bookings_of_order(order) if str(b.id) == wanted), order)
    try:
        given = cancellation.cancel_booking(booking, actor)
    except DomainError as exc:
        flash(str(exc.message), "error")
        return redirect(back, 303)
    if given.refund_satang:
        flash(_("Your booking is cancelled. %(amount)s will be refunded to you.",
                amount=format_baht(given.refund_satang, current_language())), "success")
    elif given.paid:
        flash(_("Your booking is cancelled. Under the experience's cancellation policy there is no refund."),
              "success")
    else:
        flash(_("Your booking is cancelled."), "success")
    return redirect(back, 303)


@bp.get("/experiences/tickets/<public_id>/calendar.ics")
def ticket_calendar(public_id: str):
    order = load_order_for_buyer(public_id, current_user, request.args.get("t"))
    bookings = svc.bookings_of_order(order)
    if not bookings:
        raise NotFound()
    body = ics_for_order(order, bookings, current_language())
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{order.public_id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- hosts


def _experience_form(experience=None, *, from_record: bool | None = None) -> forms.ExperienceForm:
    """The experience's form: from the record (a GET, or beside another form's
    refusal) or from the posted fields."""
    from_record = request.method == "GET" if from_record is None else from_record
    form = forms.ExperienceForm(formdata=None, obj=experience) if from_record else forms.ExperienceForm()
    locale = current_language()
    form.province_code.choices = [("", _("Choose a province"))] + province_choices(locale)
    form.languages.choices = [(code, str(label)) for code, label in svc.LANGUAGES.items()]
    form.cancellation_policy.choices = [(p.code, f"{p.label}: {p.description}") for p in POLICIES.values()]
    if from_record:
        if experience is not None:
            form.languages.data = experience.language_codes
            form.price.data = satang_to_input(experience.price_satang)
            form.child_price.data = satang_to_input(experience.child_price_satang)
            form.group_price.data = satang_to_input(experience.group_price_satang)
            form.group_min_size.data = str(experience.group_min_size or "")
            form.duration_minutes.data = str(experience.duration_minutes)
            form.latitude.data = "" if experience.latitude is None else str(experience.latitude)
            form.longitude.data = "" if experience.longitude is None else str(experience.longitude)
        else:
            form.languages.data = ["th"]
            form.cancellation_policy.data = "flexible"
    return form


def _form_data(form: forms.ExperienceForm) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@bp.get("/seller/<int:enterprise_id>/experiences")
@login_required
def seller_list(enterprise_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    return render_template("experiences/seller_list.html", enterprise=enterprise,
                           experiences=svc.experiences_of(enterprise), active_tab="experiences")


@bp.route("/seller/<int:enterprise_id>/experiences/new", methods=["GET", "POST"])
@login_required
def seller_new(enterprise_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    form = _experience_form()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate() and not form.refused_text():
            try:
                experience = svc.create_experience(enterprise, _form_data(form))
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status_code
            else:
                flash(_("Experience saved. Now add its sessions."), "success")
                return redirect(url_for("experiences.seller_sessions", enterprise_id=enterprise.id,
                                        experience_id=experience.id), 303)
    return render_template("experiences/seller_form.html", enterprise=enterprise, form=form, experience=None,
                           active_tab="experiences"), status


@bp.route("/seller/<int:enterprise_id>/experiences/<int:experience_id>/edit", methods=["GET", "POST"])
@login_required
def seller_edit(enterprise_id: int, experience_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    experience = svc.get_for_enterprise(enterprise, experience_id)
    form = _experience_form(experience)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate() and not form.refused_text():
            try:
                svc.update_experience(experience, _form_data(form))
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status_code
            else:
                flash(_("Experience saved."), "success")
                return redirect(url_for("experiences.seller_list", enterprise_id=enterprise.id), 303)
    return _edit_page(enterprise, experience, form, status=status)


def _edit_page(enterprise, experience, form, *, photo_form=None, status: int = 200):
    return render_template("experiences/seller_form.html", enterprise=enterprise, form=form, experience=experience,
                           photo_form=photo_form or forms.PhotoForm(), delete_form=ConfirmForm(),
                           active_tab="experiences"), status


@bp.post("/seller/<int:enterprise_id>/experiences/<int:experience_id>/photos")
@login_required
def seller_add_photo(enterprise_id: int, experience_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    experience = svc.get_for_enterprise(enterprise, experience_id)
    photo_form = forms.PhotoForm()
    upload = request.files.get("photo")
    if not photo_form.validate() or upload is None or not upload.filename:
        if not photo_form.photo.errors:
            photo_form.photo.errors = [_("Choose a photo to add.")]
        return _edit_page(enterprise, experience, _experience_form(experience, from_record=True), photo_form=photo_form, status=422)
    try:
        svc.add_photo(experience, upload.read(int(current_app.config["MAX_IMAGE_BYTES"]) + 1))
    except DomainError as exc:
        show_domain_error(photo_form, exc)
        return _edit_page(enterprise, experience, _experience_form(experience, from_record=True), photo_form=photo_form,
                          status=exc.status_code)
    flash(_("Photo added."), "success")
    return redirect(url_for("experiences.seller_edit", enterprise_id=enterprise.id, experience_id=experience.id,
                            _anchor="photos"), 303)


@bp.post("/seller/<int:enterprise_id>/experiences/<int:experience_id>/photos/<int:photo_id>/delete")
@login_required
def seller_delete_photo(enterprise_id: int, experience_id: int, photo_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    experience = svc.get_for_enterprise(enterprise, experience_id)
    if ConfirmForm().validate():
        svc.delete_photo(experience, photo_id)
        flash(_("Photo deleted."), "success")
    return redirect(url_for("experiences.seller_edit", enterprise_id=enterprise.id, experience_id=experience.id,
                            _anchor="photos"), 303)


def _sessions_page(enterprise, experience, *, session_form=None, weekly_form=None, status: int = 200):
    weekly_form = weekly_form or forms.WeeklyForm()
    weekly_form.weekdays.choices = [(str(n), _weekday_label(n)) for n in range(7)]
    if request.method == "GET":
        weekly_form.weeks.data = "8"
        weekly_form.first_day.data = svc.local_now().date().isoformat()
    sessions = svc.upcoming_sessions(experience, include_cancelled=True)
    locale = current_language()
    return render_template("experiences/seller_sessions.html", enterprise=enterprise, experience=experience,
                           sessions=sessions, months=months_of(sessions, locale, limit=6),
                           weekday_names=_weekday_names(locale),
                           session_form=session_form or forms.SessionForm(), weekly_form=weekly_form,
                           cancel_form=ConfirmForm(), active_tab="experiences"), status


@bp.get("/seller/<int:enterprise_id>/experiences/<int:experience_id>/sessions")
@login_required
def seller_sessions(enterprise_id: int, experience_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    return _sessions_page(enterprise, svc.get_for_enterprise(enterprise, experience_id))


@bp.post("/seller/<int:enterprise_id>/experiences/<int:experience_id>/sessions")
@login_required
def seller_add_session(enterprise_id: int, experience_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    experience = svc.get_for_enterprise(enterprise, experience_id)
    form = forms.SessionForm()
    if not form.validate() or form.refused_text():
        return _sessions_page(enterprise, experience, session_form=form, status=422)
    try:
        session = svc.add_session(experience, day=form.day.data, start_time=form.start_time.data,
                                  seats=form.seats.data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _sessions_page(enterprise, experience, session_form=form, status=exc.status_code)
    flash(_("Session added on %(day)s.", day=session.day.isoformat()), "success")
    return redirect(url_for("experiences.seller_sessions", enterprise_id=enterprise.id,
                            experience_id=experience.id), 303)


@bp.post("/seller/<int:enterprise_id>/experiences/<int:experience_id>/sessions/weekly")
@login_required
def seller_add_weekly(enterprise_id: int, experience_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    experience = svc.get_for_enterprise(enterprise, experience_id)
    form = forms.WeeklyForm()
    form.weekdays.choices = [(str(n), _weekday_label(n)) for n in range(7)]
    if not form.validate() or form.refused_text():
        return _sessions_page(enterprise, experience, weekly_form=form, status=422)
    try:
        added = svc.add_weekly(experience, weekdays=form.weekdays.data, start_time=form.start_time.data,
                               seats=form.seats.data, weeks=form.weeks.data, first_day=form.first_day.data,
                               exceptions=form.exceptions.data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _sessions_page(enterprise, experience, weekly_form=form, status=exc.status_code)
    flash(_("%(count)d sessions added.", count=added), "success")
    return redirect(url_for("experiences.seller_sessions", enterprise_id=enterprise.id,
                            experience_id=experience.id), 303)


@bp.post("/seller/<int:enterprise_id>/experiences/sessions/<int:session_id>/cancel")
@login_required
def seller_cancel_session(enterprise_id: int, session_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    session = svc.session_for_enterprise(enterprise, session_id)
    back = url_for("experiences.seller_sessions", enterprise_id=enterprise.id, experience_id=session.experience_id)
    if not ConfirmForm().validate():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back, 303)
    try:
        cancelled = svc.cancel_session(session, actor=current_user)
    except DomainError as exc:
        flash(str(exc.message), "error")
        return redirect(back, 303)
    flash(_("Session cancelled; %(count)d bookings cancelled and their guests told.", count=cancelled), "success")
    return redirect(back, 303)


@bp.get("/seller/<int:enterprise_id>/experiences/sessions/<int:session_id>/guests")
@login_required
def seller_guests(enterprise_id: int, session_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    session = svc.session_for_enterprise(enterprise, session_id)
    template = "experiences/guest_sheet.html" if request.args.get("print") else "experiences/seller_guests.html"
    return render_template(template, enterprise=enterprise, session=session, experience=session.experience,
                           guests=svc.guest_list(session), check_in_form=forms.CheckInForm(),
                           active_tab="experiences")


@bp.get("/seller/<int:enterprise_id>/experiences/sessions/<int:session_id>/guests.csv")
@login_required
def seller_guests_csv(enterprise_id: int, session_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    session = svc.session_for_enterprise(enterprise, session_id)
    return csv_response(svc.guest_list_csv(session), filename=f"guests-{session.day.isoformat()}-{session.id}.csv")


@bp.route("/seller/<int:enterprise_id>/experiences/check-in", methods=["GET", "POST"])
@login_required
def seller_check_in(enterprise_id: int):
    enterprise, _member = get_member_enterprise_or_404(current_user, enterprise_id)
    form = forms.CheckInForm()
    status, booking = 200, None
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"]
    if request.method == "POST":
        status = 422
        if form.validate() and not form.refused_text():
            try:
                booking = svc.check_in(enterprise, form.code.data)
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status_code
            else:
                flash(_("%(name)s checked in: %(count)d guests.", name=booking.guest_name, count=booking.seats),
                      "success")
                return redirect(url_for("experiences.seller_guests", enterprise_id=enterprise.id,
                                        session_id=booking.session_id), 303)
    return render_template("experiences/seller_check_in.html", enterprise=enterprise, form=form,
                           active_tab="experiences"), status
