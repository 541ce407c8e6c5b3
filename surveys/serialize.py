"""An instrument as plain JSON-ready data, for clients that render it
themselves (the offline tablet app) and for integrations.

The shape mirrors :mod:`surveys.schema`; texts are ``{"vi": ..., "en": ...}``
objects and code sets are sorted lists, so the output is stable.
"""

from __future__ import annotations

from typing import Any

from surveys.schema import Instrument, Question, Scale, Text


def _text(text: Text | None) -> dict[str, str] | None:
    return None if text is None else {"vi": text.vi, "en": text.en}


def _scale(scale: Scale) -> dict[str, Any]:
    return {
        "code": scale.code,
        "choices": [{"code": c.code, "label": _text(c.label)} for c in scale.choices],
        "satisfied": sorted(scale.satisfied),
        "not_applicable": sorted(scale.not_applicable),
        "yes": sorted(scale.yes),
        "no": sorted(scale.no),
        "refused": sorted(scale.refused),
    }


def _question(q: Question) -> dict[str, Any]:
    return {
        "code": q.code,
        "kind": str(q.kind),
        "text": _text(q.text),
        "help": _text(q.help),
        "role": str(q.role),
        "required": q.required,
        "scale": q.scale.code if q.scale else None,
        "element": q.element,
        "show_if": (
            None if q.show_if is None else {"question": q.show_if.question, "values": sorted(q.show_if.values)}
        ),
        "minimum": q.minimum,
        "maximum": q.maximum,
        "max_length": q.max_length,
        "min_choices": q.min_choices,
        "max_choices": q.max_choices,
        "exclusive": sorted(q.exclusive),
        "channels": sorted(q.channels),
    }


def instrument_as_json(instrument: Instrument, channel: str | None = None) -> dict[str, Any]:
    """Everything a client needs to show ``instrument`` and check answers
    the way :func:`surveys.answers_validate` does.

    With ``channel`` ("tablet" for the tablet app), only the questions that
    channel asks, and the sections holding any, are included: the client
    then checks answers like ``answers_validate(..., channel=channel)``
    without knowing about channels. Each question lists the channels that
    ask it. Raises ValueError if the instrument is not meant for ``channel``.

    Skip logic (``show_if``) refers to earlier questions only, and a
    question hidden by it counts as unanswered for the questions after it.
    A condition on a multi-select question (``kind: "multi"``) holds when
    any of the chosen codes is in its ``values``. A multi-select answer is
    sent as a list of codes; it holds ``min_choices`` to ``max_choices`` of
    them, and a code in ``exclusive`` only alone.
    """
    wanted = {q.code for q in instrument.questions_in(channel)}
    return {
        "code": instrument.code,
        "version": instrument.version,
        "key": instrument.key,
        "checksum": instrument.checksum,
        "title": _text(instrument.title),
        "intro": _text(instrument.intro),
        "channels": sorted(instrument.channels),
        "channel": channel,
        "headline_index": instrument.headline_index,
        "duration": (
            None
            if instrument.duration is None
            else {"channel": instrument.duration.channel, "minutes": instrument.duration.minutes}
        ),
        "scales": {code: _scale(scale) for code, scale in sorted(instrument.scales.items())},
        "elements": [
            {"code": e.code, "title": _text(e.title), "criteria": list(e.criteria)} for e in instrument.elements
        ],
        "sections": [
            {
                "code": s.code,
                "title": _text(s.title),
                "element": s.element,
                "questions": [_question(q) for q in asked],
            }
            for s in instrument.sections
            if (asked := [q for q in s.questions if q.code in wanted])
        ],
    }
