"""Dossier counts per counter and month, uploaded by an administrator
(the web twin of ``flask import-dossier-counts``, issue 16.4)."""

from __future__ import annotations

from app.access import allow
from app.admin.forms import UnitImportForm
from app.admin.routes import ADMIN, actor, bp, page
from app.extensions import db
from app.i18n import translate
from app.services.audit import audit_record
from app.services.dossier_counts import dossier_count_months, dossier_counts_store
from app.services.imports import ImportFileError


def _counts_page(*, result=None, error=None, notice=None, status=200, upload=None):
    return page(
        "dossier_counts.html",
        status,
        upload=upload or UnitImportForm(formdata=None),
        months=dossier_count_months(db.session),
        result=result,
        error=error,
        notice=notice,
    )


@bp.get("/so-ho-so")
@allow(ADMIN)
def dossier_counts():
    return _counts_page()


@bp.post("/so-ho-so")
@allow(ADMIN)
def dossier_counts_import():
    """Good rows are stored and bad ones listed with their reason (422), as the command does."""
    form = UnitImportForm()
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        return _counts_page(upload=form, error=translate("adm.import.no_file"), status=422)
    try:
        result = dossier_counts_store(db.session, upload.read(), upload.filename)
    except ImportFileError as exc:
        db.session.rollback()
        return _counts_page(upload=form, error=str(exc), status=422)
    audit_record(db.session, actor(), "dossier_counts.import", None,
                 {"stored": result.stored, "rejected": result.error_total})  # fmt: skip
    db.session.commit()
    notice = translate("dossier_counts.done", stored=result.stored, rejected=result.error_total)
    return _counts_page(upload=form, result=result, notice=notice, status=422 if result.error_total else 200)
