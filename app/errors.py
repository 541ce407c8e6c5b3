"""Friendly error pages in the person's language; never a bare 5xx trace."""

from __future__ import annotations

from flask import Flask, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.i18n import translate

MESSAGES = {
    400: "error.bad_request",
    405: "error.method",
    413: "error.too_large",
    415: "error.content_type",
}


#: where staff pages live: an unknown address under these is a staff page that
#: does not exist, not a citizen's mistyped QR link
STAFF_PREFIXES = ("/bao-cao", "/quan-tri", "/dieu-tra", "/tai-khoan", "/doi-mat-khau", "/dang-nhap", "/dang-xuat")


def _staff_path(path: str) -> bool:
    return any(path == p or path.startswith((p + "/", p + ".")) for p in STAFF_PREFIXES)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # Keep what the exception says in headers (Allow on a 405, Retry-After on a 429).
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        if _wants_json():
            return {"error": exc.name, "message": exc.description}, exc.code, headers
        if exc.code == 404 and _staff_path(request.path):
            title, message = translate("notfound.staff.title"), translate("notfound.staff.body")
            return render_template("error.html", title=title, message=message), 404
        if exc.code == 403:
            title, message = translate("access.denied.title"), translate("access.denied.body")
            return render_template("error.html", title=title, message=message), 403, headers
        if exc.code == 404:
            retired = exc.description == "retired"
            return (
                render_template(
                    "error.html",
                    title=translate("retired.title" if retired else "notfound.title"),
                    message=translate("retired.body" if retired else "notfound.body"),
                ),
                404,
            )
        key = MESSAGES.get(exc.code or 500, "error.bad_request")
        return render_template("error.html", message=translate(key)), exc.code, headers

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError):
        # The class only: the text would carry the statement (and, without
        # hide_parameters, its parameters).
        app.logger.error("database unavailable: %s", type(exc).__name__)
        body = render_template("error.html", message=translate("error.unavailable"))
        return body, 503, {"Retry-After": "30"}
