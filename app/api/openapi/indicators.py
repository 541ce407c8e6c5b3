"""``GET /api/v1/indicators``: the dashboard's figures for integrations."""

from __future__ import annotations

from typing import Any

from app.api.openapi.components import error
from app.reports.scope import FILTER_PARAMS

INDICATORS: dict[str, Any] = {
    "get": {
        "summary": "Published indicators for the dashboard's filters (read-only)",
        "description": (
            "The figures of the dashboard's JSON download for the same filters: headline figures, units, "
            "criteria and trend, with intervals, reliability flags and suppression applied exactly as there "
            "(a suppressed figure has estimate null and suppressed true). Citizens' comments are not included. "
            "Needs a bearer token of scope `read` (`flask --app wsgi api-token --username U --scope read`, "
            "for analysts and unit managers) or a signed-in analyst, manager or administrator. A unit "
            "manager's token sees only their unit and the units below it. A surveyor's token (scope "
            "`submit`) is refused, and a read token cannot send interviews. Unknown parameters are refused."
        ),
        "security": [{"bearer": []}, {"session": []}],
        "parameters": [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}, "description": text}
            for name, text in FILTER_PARAMS.items()
        ]
        + [{"name": "lang", "in": "query", "required": False, "schema": {"enum": ["vi", "en"]}}],
        "responses": {
            "200": {
                "description": "The report as JSON (period, filter, summary, units, criteria, trend, thresholds; "
                "breakdown: the main indicators by category when ?by= is given).",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "400": error("A parameter is unknown or its value wrong (error invalid_parameter, parameter names it)."),
            "401": error("No valid session or bearer token."),
            "403": error("The token's scope or the account's role may not read indicators, or the unit is not theirs."),
            "404": error("No such instrument."),
        },
    }
}
