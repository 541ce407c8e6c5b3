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

#: Ways a response arrives (``design.md``, vocabulary: channel), as an
#: instrument file may name them.
CHANNELS = ("qr", "tablet", "paper", "kiosk")
#: Channels that ask exactly what another asks, so instrument files need not
#: name them: ``qr-verified`` is the counter's QR form opened by a dossier's
#: one-time code (app/services/verified.py).
CHANNEL_ALIASES = {"qr-verified": "qr"}


def channel_asking(channel: str | None) -> str | None:
    """The channel whose questions ``channel`` asks (itself unless an alias)."""
    return CHANNEL_ALIASES.get(channel, channel) if channel is not None else None


#: The formulas an instrument may declare as its headline index
#: (``Instrument.headline_index``):
#:
#: ``sipas``
#:     SIPAS's published method: an element's index is the mean of its
#:     criteria's satisfaction rates, the overall index the mean of the
#:     element indices.
#: ``respondent``
#:     The older respondent-level index: the mean over respondents of the
#:     share of criteria each rated satisfied.
#:
#: Both are always computed; the declaration says which one reports lead with.
HEADLINE_INDICES = ("sipas", "respondent")

#: Multi-select answers are packed as one bit per answer code in a 4-byte
#: signed integer (``surveys/packing.py``), so their codes lie in 0..30.
MULTI_CODE_RANGE = (0, 30)


class QuestionKind(StrEnum):
    """How a question is answered."""

    #: one answer code from the question's scale (radio buttons)
    SINGLE = "single"
    #: a whole number between ``minimum`` and ``maximum``
    NUMBER = "number"
    #: free text up to ``max_length`` characters
    TEXT = "text"
    #: several codes from the question's scale (check boxes), between
    #: ``min_choices`` and ``max_choices`` of them; a code in ``exclusive``
    #: ("none of these", "don't know") can only be chosen alone
    MULTI = "multi"


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
    #: the satisfaction with one element as a whole ("... nói chung"): sits in
    #: the element's section, on a scale with satisfied codes; not a
    #: criterion, so it feeds no index, but it lets analysts check that the
    #: element's criteria cover what makes people satisfied with it
    ELEMENT_OVERALL = "element_overall"
    #: which improvements the respondent wants most (SIPAS "mong đợi"),
    #: usually multi-select; reported as the share of respondents choosing each
    EXPECTATION = "expectation"
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
    """Show a question only when an earlier answer is in ``values``.

    The earlier question is a single-choice one (its code is in
    ``values``) or a multi-select one (any of its chosen codes is in
    ``values``).
    """

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
    #: multi-select only: how many codes an answer holds, at least and at most
    min_choices: int | None = None
    max_choices: int | None = None
    #: multi-select only: codes that cannot be combined with another choice
    exclusive: frozenset[int] = frozenset()
    #: the channels that ask this question; the loader fills it in (the
    #: question's, else its section's, else the instrument's channels);
    #: empty means every channel
    channels: frozenset[str] = frozenset()

    def asked_in(self, channel: str | None) -> bool:
        """Whether ``channel`` asks this question (None: any channel does)."""
        return channel is None or not self.channels or channel_asking(channel) in self.channels


@dataclass(frozen=True)
class Section:
    """A page-like group of questions shown under one heading.

    For the SIPAS elements a section is an element and ``element`` holds its code.
    """

    code: str
    title: Text
    questions: tuple[Question, ...]
    element: str | None = None

    def questions_in(self, channel: str | None) -> tuple[Question, ...]:
        """The questions ``channel`` asks (all of them for None)."""
        return tuple(q for q in self.questions if q.asked_in(channel))


@dataclass(frozen=True)
class Element:
    """A SIPAS element (yếu tố): a named group of criteria."""

    code: str
    title: Text
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class Duration:
    """The time an instrument's intro states, and the channel it is meant for.

    The loader checks it against :func:`surveys.duration.duration_estimate`
    of the channel's longest path.
    """

    channel: str
    minutes: int


@dataclass(frozen=True)
class Instrument:
    """A versioned questionnaire (bộ câu hỏi).

    ``headline_index`` names the formula reports lead with, one of
    :data:`HEADLINE_INDICES` (the file's ``headline_index`` key).
    ``duration`` is None when the file declares no time to check.
    """

    code: str
    version: int
    title: Text
    intro: Text
    channels: frozenset[str]
    sections: tuple[Section, ...]
    elements: tuple[Element, ...]
    scales: Mapping[str, Scale] = field(repr=False)
    duration: Duration | None = None
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

    def questions_in(self, channel: str | None) -> tuple[Question, ...]:
        """The questions ``channel`` asks, in order (all of them for None).

        Raises
        ------
        ValueError
            If the instrument is not meant for ``channel``: asking none of
            its questions would accept an empty response.
        """
        channel = channel_asking(channel)
        if channel is not None and channel not in self.channels:
            raise ValueError(f"{self.key} is not meant for channel {channel!r} (only {sorted(self.channels)})")
        return tuple(q for q in self.questions if q.asked_in(channel))
