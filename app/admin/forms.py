"""Administration forms.

Flask-WTF gives every form its CSRF token. The forms only carry the
values; the rules (codes, levels, parents, password strength, reasons) are
checked by the services so the messages come from ``app.i18n`` in the
person's language, as for the sign-in forms. Filters of the list pages are
read from the query string by the ``*_filter`` functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app.models import ROLES, UNIT_LEVELS
from app.models.responses import STATUSES
from app.parsing import DAY_MAX, DAY_MIN, day_parse, digits_parse
from app.refusals import Refused
from app.services.audit import AuditFilter
from app.services.review import ReviewFilter
from app.urls import MAX_ID


def optional_id(value: object) -> int | None:
    """A select's value as an id; "" (nothing chosen) is None, and so is
    anything but a short run of ASCII digits (an id the database could not
    even compare is one that does not exist)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    number = digits_parse(value, 9)
    return number if number else None


def choices(pairs) -> list[SelectChoice]:
    """Options of a select from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _id_select() -> SelectField:
    # The choices are set by the view; the service decides whether the id fits.
    return SelectField(coerce=optional_id, validate_choice=False)


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ConfirmForm(FlaskForm):
    """A change that cannot simply be undone: the box must be ticked."""

    confirm = BooleanField()


class UnitCreateForm(FlaskForm):
    code = StringField()
    name = StringField()
    level = SelectField(choices=choices((level, level) for level in UNIT_LEVELS))
    parent_id = _id_select()


class UnitRenameForm(FlaskForm):
    name = StringField()


class UnitMoveForm(FlaskForm):
    parent_id = _id_select()


class UnitRetireForm(ConfirmForm):
    subtree = BooleanField()


class UnitImportForm(FlaskForm):
    file = FileField()


class PointCreateForm(FlaskForm):
    code = StringField()
    name = StringField()
    procedure_field = StringField()


class PointUpdateForm(FlaskForm):
    name = StringField()
    procedure_field = StringField()


class UserCreateForm(FlaskForm):
    username = StringField()
    display_name = StringField()
    role = SelectField(choices=choices((role, role) for role in ROLES))
    unit_id = _id_select()
    password = PasswordField()
    confirmation = PasswordField()


class UserUpdateForm(FlaskForm):
    display_name = StringField()
    role = SelectField(choices=choices((role, role) for role in ROLES))
    unit_id = _id_select()


class UserActiveForm(FlaskForm):
    active = HiddenField()


class PasswordResetForm(FlaskForm):
    password = PasswordField()
    confirmation = PasswordField()


class ExcludeForm(FlaskForm):
    reason = TextAreaField()


def _day(args: Mapping[str, str], name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    day = day_parse(value)
    if day is None:
        raise Refused("adm.filter.day_range", value=value[:20], first=f"{DAY_MIN:%Y-%m-%d}", last=f"{DAY_MAX:%Y-%m-%d}")
    return day


def _page(args: Mapping[str, str]) -> int:
    return digits_parse(args.get("page"), 6) or 1


def review_filter(args: Mapping[str, str]) -> ReviewFilter:
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        raise Refused("adm.review.unknown_status")
    unit = (args.get("unit") or "").strip()[:40] or None
    return ReviewFilter(unit, _day(args, "from"), _day(args, "to"), status, _page(args))


def audit_filter(args: Mapping[str, str]) -> AuditFilter:
    action = (args.get("action") or "").strip()[:40] or None
    username = (args.get("user") or "").strip()[:80] or None
    return AuditFilter(action, username, _day(args, "from"), _day(args, "to"), _page(args))


class AssignmentForm(FlaskForm):
    """A surveyor's assignment; the service checks every value."""

    surveyor_id = _id_select()
    unit_id = _id_select()
    point_code = StringField()
    instrument = StringField()
    target = StringField()
    starts_on = StringField()
    ends_on = StringField()
