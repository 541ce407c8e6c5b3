"""The target form. It only carries the values; ``app.services.targets``
checks them, so the messages come from the catalogue in the person's language."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from app.admin.forms import optional_id


class TargetForm(FlaskForm):
    # choices are set by the view; the service decides whether a value fits
    unit_id = SelectField(coerce=optional_id, validate_choice=False)
    indicator = SelectField(validate_choice=False)
    year = StringField()
    kind = SelectField(validate_choice=False)
    value = StringField()
    note = StringField()


class DeleteForm(FlaskForm):
    """The delete button: only the CSRF token."""
