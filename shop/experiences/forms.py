"""The experiences' forms. Values are read as text and checked by the services, which
name the field of each refusal; the forms carry the CSRF token and the free-text rule."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from shop.forms import BaseForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        pass  # the service names an unknown choice


class ExperienceForm(BaseForm):
    title_th = StringField(_l("Title in Thai"))
    title_en = StringField(_l("Title in English"))
    description_th = TextAreaField(_l("Description in Thai"))
    description_en = TextAreaField(_l("Description in English"))
    village = StringField(_l("Meeting point: village"))
    subdistrict = StringField(_l("Subdistrict"))
    district = StringField(_l("District"))
    province_code = SelectField(_l("Province"), validate_choice=False)
    postcode = StringField(_l("Postcode"))
    latitude = StringField(_l("Latitude (optional)"))
    longitude = StringField(_l("Longitude (optional)"))
    duration_minutes = StringField(_l("Duration in minutes"))
    included_th = TextAreaField(_l("What is included, in Thai"))
    included_en = TextAreaField(_l("What is included, in English"))
    languages = MultiCheckboxField(_l("Languages the hosts speak"))
    accessibility_th = TextAreaField(_l("Accessibility, in Thai"))
    accessibility_en = TextAreaField(_l("Accessibility, in English"))
    price = StringField(_l("Price per person in baht"))
    child_price = StringField(_l("Child price in baht (optional)"))
    group_price = StringField(_l("Group price per person in baht (optional)"))
    group_min_size = StringField(_l("Smallest group for the group price"))
    cancellation_policy = RadioField(_l("Cancellation policy"), validate_choice=False)
    is_published = BooleanField(_l("Show it to shoppers"))


class PhotoForm(BaseForm):
    photo = FileField(_l("Add a photo"), render_kw={"accept": "image/jpeg,image/png,image/webp"})


class SessionForm(BaseForm):
    day = StringField(_l("Date"))
    start_time = StringField(_l("Start time"))
    seats = StringField(_l("Seats"))


class WeeklyForm(BaseForm):
    weekdays = MultiCheckboxField(_l("Days of the week"))
    start_time = StringField(_l("Start time"))
    seats = StringField(_l("Seats"))
    first_day = StringField(_l("From"))
    weeks = StringField(_l("For how many weeks"))
    exceptions = TextAreaField(_l("Except these dates (one a line)"))


class CheckInForm(BaseForm):
    code = StringField(_l("Ticket code"))


class BookingForm(BaseForm):
    session_id = SelectField(_l("Session"), validate_choice=False)
    adults = StringField(_l("Adults"))
    children = StringField(_l("Children"))
    guest_name = StringField(_l("Name on the guest list"))
    phone = StringField(_l("Phone"))
    email = StringField(_l("E-mail"))
