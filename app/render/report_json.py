"""The report as JSON: the data structure itself, for integrations and checks."""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date, datetime
from enum import Enum

from app.services.reports.model import Report
from surveys import Text


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if isinstance(value, Text):
            return {"vi": value.vi, "en": value.en}
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def report_dict(report: Report) -> dict:
    """The report as plain JSON-ready data (NaN becomes null)."""
    data = _plain(report)
    data["period"]["label"] = {"vi": report.period.label("vi"), "en": report.period.label("en")}
    data["previous"]["label"] = {"vi": report.previous.label("vi"), "en": report.previous.label("en")}
    return data


def report_json(report: Report) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=1, allow_nan=False)
