"""Administration of staff accounts: list, create, role and unit,
deactivate and reactivate, temporary password, tablets' API tokens.
Administrators only."""

from __future__ import annotations

from flask import url_for
from wtforms.fields.choices import SelectChoice

from app.access import allow
from app.admin.forms import (
    ActionForm,
    PasswordResetForm,
    UserActiveForm,
    UserCreateForm,
    UserUpdateForm,
    choices,
)
from app.admin.routes import ADMIN, actor, bp, done, found, page, refused
from app.extensions import db
from app.models.accounts import UNIT_ROLES
from app.refusals import Refused
from app.services import api_tokens, unit_admin, user_admin
from app.services.accounts import PASSWORD_MIN_LENGTH


def _unit_choices() -> list[SelectChoice]:
    rows = [row for row in unit_admin.unit_tree(db.session) if not row.retired]
    return choices([("", "—")] + [(row.id, f"{'· ' * row.depth}{row.name} ({row.code})") for row in rows])


def _users_page(*, create=None, error=None, status=200):
    create = create or UserCreateForm(formdata=None)
    create.unit_id.choices = _unit_choices()
    return page(
        "users.html",
        status,
        users=user_admin.user_list(db.session),
        create=create,
        unit_roles=UNIT_ROLES,
        min_length=PASSWORD_MIN_LENGTH,
        error=error,
    )


@bp.get("/tai-khoan")
@allow(ADMIN)
def users():
    return _users_page()


@bp.post("/tai-khoan")
@allow(ADMIN)
def user_create():
    form = UserCreateForm()
    try:
        user = user_admin.user_add(
            db.session,
            actor(),
            username=form.username.data or "",
            display_name=form.display_name.data,
            role=form.role.data or "",
            unit_id=form.unit_id.data,
            password=form.password.data or "",
            confirmation=form.confirmation.data or "",
        )
    except Refused as exc:
        error, status = refused(exc)
        return _users_page(create=form, error=error, status=status)
    return done("adm.user.created", url_for(".user", user_id=user.id), username=user.username)


def _user_page(user_id: int, *, error=None, status=200, **forms):
    user = found(user_admin.user_get, user_id)
    edit = forms.get("edit") or UserUpdateForm(
        formdata=None, display_name=user.display_name, role=user.role, unit_id=user.unit_id
    )
    edit.unit_id.choices = _unit_choices()
    return page(
        "user.html",
        status,
        user=user,
        edit=edit,
        active_form=UserActiveForm(formdata=None, active="1" if not user.active else "0"),
        reset=forms.get("reset") or PasswordResetForm(formdata=None),
        temporary=user_admin.password_is_temporary(db.session, user),
        tokens=api_tokens.api_tokens_of(db.session, user.id),
        action=ActionForm(formdata=None),
        is_self=user.id == actor().id,
        min_length=PASSWORD_MIN_LENGTH,
        error=error,
    )


@bp.get("/tai-khoan/<int:user_id>")
@allow(ADMIN)
def user(user_id: int):
    return _user_page(user_id)


@bp.post("/tai-khoan/<int:user_id>/sua")
@allow(ADMIN)
def user_update(user_id: int):
    form = UserUpdateForm()
    try:
        user_admin.user_update(
            db.session,
            actor(),
            user_id,
            display_name=form.display_name.data,
            role=form.role.data or "",
            unit_id=form.unit_id.data,
        )
    except Refused as exc:
        error, status = refused(exc)
        return _user_page(user_id, error=error, status=status, edit=form)
    return done("adm.saved", url_for(".user", user_id=user_id))


@bp.post("/tai-khoan/<int:user_id>/trang-thai")
@allow(ADMIN)
def user_active(user_id: int):
    form = UserActiveForm()
    if form.active.data not in ("0", "1"):
        return _user_page(user_id, error=refused(Refused("adm.form_invalid"))[0], status=422)
    active = form.active.data == "1"
    try:
        user_admin.user_set_active(db.session, actor(), user_id, active)
    except Refused as exc:
        error, status = refused(exc)
        return _user_page(user_id, error=error, status=status)
    return done("adm.user.reactivated" if active else "adm.user.deactivated", url_for(".user", user_id=user_id))


@bp.post("/tai-khoan/<int:user_id>/mat-khau")
@allow(ADMIN)
def user_password(user_id: int):
    form = PasswordResetForm()
    try:
        user_admin.user_password_reset(
            db.session,
            actor(),
            user_id,
            password=form.password.data or "",
            confirmation=form.confirmation.data or "",
        )
    except Refused as exc:
        error, status = refused(exc)
        return _user_page(user_id, error=error, status=status)
    return done("adm.user.password_set", url_for(".user", user_id=user_id))


@bp.post("/tai-khoan/<int:user_id>/dang-xuat")
@allow(ADMIN)
def user_sessions_end(user_id: int):
    """End every sign-in of the account, a remembered tablet's too."""
    try:
        user = user_admin.user_sessions_end(db.session, actor(), user_id)
    except Refused as exc:
        error, status = refused(exc)
        return _user_page(user_id, error=error, status=status)
    return done("adm.user.sessions_ended", url_for(".user", user_id=user_id), username=user.username)


@bp.post("/tai-khoan/<int:user_id>/ma-api/<int:token_id>/thu-hoi")
@allow(ADMIN)
def user_token_revoke(user_id: int, token_id: int):
    """Withdraw one tablet's token (a lost tablet); the others keep working."""
    try:
        token = api_tokens.api_token_revoke(db.session, actor(), user_id, token_id)
    except Refused as exc:
        error, status = refused(exc)
        return _user_page(user_id, error=error, status=status)
    return done("adm.token.revoked_done", url_for(".user", user_id=user_id), label=token.label)
