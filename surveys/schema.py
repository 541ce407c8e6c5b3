"""Instrument data model: what a questionnaire is, independent of any storage.

An instrument is read from a versioned file (see ``loader.py``) into these
frozen dataclasses. Nothing here knows about Flask or SQLAlchemy, so the
same definitions drive the citizen form, the tablet app, paper imports and
the statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: Languages every user-visible text must exist in; the first is the default.
LANGUAGES = ("vi", "en")


class QuestionKind(StrEnum):
    """How a question is answered."""

    #: one answer code from the question's scale (radio buttons)
    SINGLE = "single"
    #: a whole number between ``minimum`` and ``maximum``
    NUMBER = "number"
    #: free text up to ``max_length`` characters
    TEXT = "text"


class Role(StrEnum):
    """What a question feeds in the indicators (``design.md``, Statistics)."""

    #: a rated criterion inside an element
    CRITERION = "criterion"
    #: the overall satisfaction question
    OVERALL = "overall"
    #: "were you harassed / made difficulties for" (yes / no / refuse)
    HARASSMENT = "harassment"
    #: "did you pay beyond the regulated fees" (yes / no / refuse)
    INFORMAL_PAYMENT = "informal_payment"
    #: the procedure field (lĩnh vực) the visit was about
    PROCEDURE = "procedure"
    #: the free-text comment
    COMMENT = "comment"
    #: respondent demographics (tablet interviews)
    DEMOGRAPHIC = "demographic"
    #: a PAPI-style perception item
    PERCEPTION = "perception"
    #: anything else (routing questions, counts of visits, ...)
    OTHER = "other"


@dataclass(frozen=True)
class Text:
    """A user-visible text in every supported language."""

    vi: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text in ``lang``, falling back to Vietnamese."""
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class Choice:
    """One answer option with a stable numeric code."""

    code: int
    label: Text


@dataclass(frozen=True)
class Scale:
    """A reusable list of answer options and what the codes mean.

    The code sets let the statistics read an answer without knowing the
    instrument: ``satisfied`` for satisfaction rates, ``yes``/``no``/
    ``refused`` for the harassment and informal-payment rates,
    ``not_applicable`` for answers that leave the denominator.
    """

    code: str
    choices: tuple[Choice, ...]
    satisfied: frozenset[int] = frozenset()
    not_applicable: frozenset[int] = frozenset()
    yes: frozenset[int] = frozenset()
    no: frozenset[int] = frozenset()
    refused: frozenset[int] = frozenset()

    @property
    def codes(self) -> frozenset[int]:
        return frozenset(c.code for c in self.choices)

    def label(self, code: int) -> Text | None:
        for choice in self.choices:
            if choice.code == code:
                return choice.label
        return None


@dataclass(frozen=True)
class Condition:
    """Show a question only when an earlier single-choice answer is in ``values``."""

    question: str
    values: frozenset[int]


@dataclass(frozen=True)
class Question:
    """One question of an instrument."""

    code: str
    kind: QuestionKind
    text: Text
    role: Role = Role.OTHER
    required: bool = False
    help: Text | None = None
    scale: Scale | None = None
    #: element code for criteria, None otherwise
    element: str | None = None
    show_if: Condition | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Section:
    """A page-like group of questions shown under one heading.

    For the SIPAS elements a section is an element and ``element`` holds its code.
    """

    code: str
    title: Text
    questions: tuple[Question, ...]
    element: str | None = None


@dataclass(frozen=True)
class Element:
    """A SIPAS element (yếu tố): a named group of criteria."""

    code: str
    title: Text
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    """A versioned questionnaire (bộ câu hỏi)."""

    code: str
    version: int
    title: Text
    intro: Text
    channels: frozenset[str]
    sections: tuple[Section, ...]
    elements: tuple[Element, ...]
    scales: Mapping[str, Scale] = field(repr=False)
    #: sha256 of the file it was read from; a stored version with the same
    #: (code, version) but another checksum means someone edited a
    #: published instrument instead of adding a version.
    checksum: str = ""
    headline_index: str = "sipas"

    @property
    def key(self) -> str:
        return f"{self.code}.v{self.version}"

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    def question(self, code: str) -> Question:
        for q in self.questions:
            if q.code == code:
                return q
        raise KeyError(code)

    def with_role(self, role: Role) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.role == role)
