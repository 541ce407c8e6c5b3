"""Staff forms. Flask-WTF adds the CSRF token; the checks that matter
(credentials, password strength) are in ``app.services.accounts`` so the
messages come from ``app.i18n`` in the person's language."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import InputRequired


class LoginForm(FlaskForm):
    username = StringField(validators=[InputRequired()])
    password = PasswordField(validators=[InputRequired()])
    #: keep a surveyor's tablet signed in (app/remember.py); ignored for other roles
    remember = BooleanField()


class PasswordForm(FlaskForm):
    current = PasswordField(validators=[InputRequired()])
    new = PasswordField(validators=[InputRequired()])
    confirmation = PasswordField(validators=[InputRequired()])
