"""Labels and method notes of a report, from the text catalogue.

Each label is an :class:`app.texts.Label`: the Vietnamese and English the
report's JSON carries, and its key, so a province's other languages read it
from their own catalogue.
"""

from __future__ import annotations

from analysis import MIN_CLUSTERS
from app.services.aggregates import INDEX_KEY
from app.texts import label
from surveys import Instrument, Text

__all__ = [
    "CHANNEL_NAMES",
    "GROUPING_NAMES",
    "LEVEL_NAMES",
    "METHOD_NOTES",
    "SUMMARY_KEYS",
    "correction_label",
    "method_label",
    "method_notes",
    "unit_columns",
]

#: the headline figures: key, label, whether higher is better
SUMMARY_KEYS = [
    (INDEX_KEY, label("report.summary.index"), True),
    ("overall", label("report.summary.overall"), True),
    ("harassment", label("report.summary.harassment"), False),
    ("informal_payment", label("report.summary.informal_payment"), False),
]

#: the multiple-comparison corrections and interval methods the catalogue names
CORRECTIONS = ("holm", "bh", "none")
METHODS = ("beta", "logit")
#: the method notes' keys: "method.<part>.term" and "method.<part>.text"
METHOD_NOTES = [
    "rate", "index", "rates", "intervals", "compare", "clusters", "change", "small", "expectations", "numbers",
]  # fmt: skip


def correction_label(correction: str) -> Text:
    """The name of a multiple-comparison correction ("holm", "bh", "none"); an unknown one as it is."""
    return label(f"correction.{correction}") if correction in CORRECTIONS else Text(correction, correction)


def method_label(method: str) -> Text:
    """The interval method of the rates and indices ("beta", "logit"); an unknown one as it is."""
    return label(f"interval_method.{method}") if method in METHODS else Text(method, method)


def method_notes(
    reliable: int, disclosure: int, correction: str, min_clusters: int = MIN_CLUSTERS
) -> list[tuple[Text, Text]]:
    """The method notes, with the report's thresholds and correction filled in."""
    values = {
        "reliable": reliable, "disclosure": disclosure, "correction": correction_label(correction),
        "clusters": min_clusters,
    }  # fmt: skip
    return [(label(f"method.{part}.term"), label(f"method.{part}.text", **values)) for part in METHOD_NOTES]


def unit_columns(instrument: Instrument) -> list[tuple[str, Text]]:
    cols: list[tuple[str, Text]] = [(INDEX_KEY, label("report.column.index"))]
    cols += [(e.code, e.title) for e in instrument.elements]
    cols += [(key, label(f"report.column.{key}")) for key in ("overall", "harassment", "informal_payment")]
    return cols


LEVEL_NAMES = {level: label(f"level.{level}") for level in ("province", "department", "district", "commune")}
CHANNEL_NAMES = {channel: label(f"channel.{channel}") for channel in ("qr", "tablet", "paper", "kiosk", "qr-verified")}
GROUPING_NAMES = {"unit": label("grouping.unit"), **LEVEL_NAMES}
