"""Read instrument files and reject broken ones with every error named.

The file format is YAML; ``surveys/instruments/README.md`` documents every
key, with a worked example. A loader that stops at the first problem makes
the author fix files one error at a time, so :func:`load_instrument`
collects all problems and raises them together in :class:`InstrumentInvalid`.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml

from surveys.duration import duration_problems
from surveys.reader import KNOWN_CHANNELS, InstrumentError, InstrumentInvalid, PartsReader
from surveys.schema import (
    HEADLINE_INDICES,
    Duration,
    Element,
    Instrument,
    Question,
    Role,
    Scale,
    Section,
)

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
FILE_RE = re.compile(r"^(?P<code>[a-z0-9-]+)\.v(?P<version>\d+)\.ya?ml$")
#: keys an instrument file may have at its top level
FILE_KEYS = frozenset(
    {"code", "version", "title", "intro", "channels", "headline_index", "duration", "scales", "sections"}
)
#: roles that feed an indicator: asked in every channel of the instrument
EVERY_CHANNEL_ROLES = frozenset({Role.CRITERION, Role.OVERALL, Role.HARASSMENT, Role.INFORMAL_PAYMENT, Role.PROCEDURE})
#: keys a section may have
SECTION_KEYS = frozenset({"code", "title", "element", "questions", "channels"})

__all__ = ["INSTRUMENTS_DIR", "InstrumentError", "InstrumentInvalid", "load_all", "load_instrument"]


def _sections(
    reader: PartsReader, raw: object, scales: dict[str, Scale], channels: frozenset[str]
) -> tuple[list[Section], list[Element]]:
    sections: list[Section] = []
    elements: list[Element] = []
    if not isinstance(raw, list) or not raw:
        reader.error("", "sections must be a non-empty list")
        raw = []
    index = 0
    for s_raw in raw:
        if not isinstance(s_raw, dict) or not isinstance(s_raw.get("code"), str):
            reader.error("", f"section {s_raw!r} needs a code")
            continue
        s_code = s_raw["code"]
        extra = set(s_raw) - SECTION_KEYS
        if extra:
            reader.error(f"section {s_code}", f"unknown keys: {', '.join(sorted(map(str, extra)))}")
        is_element = s_raw.get("element", False) is True
        s_title = reader.text(s_raw.get("title"), f"section {s_code}", "title")
        s_channels = reader.channels(s_raw.get("channels"), f"section {s_code}", channels, "instrument")
        questions: list[Question] = []
        for q_raw in s_raw.get("questions") or []:
            index += 1
            q = reader.question(q_raw, scales, s_code if is_element else None, index, s_channels)
            if q is not None:
                questions.append(q)
        if not questions:
            reader.error(f"section {s_code}", "a section needs at least one question")
        if is_element:
            criteria = tuple(q.code for q in questions if q.role is Role.CRITERION)
            if not criteria:
                reader.error(f"section {s_code}", "an element needs at least one criterion")
            if sum(q.role is Role.ELEMENT_OVERALL for q in questions) > 1:
                reader.error(f"section {s_code}", "an element has at most one element_overall question")
            if s_title is not None:
                elements.append(Element(s_code, s_title, criteria))
        if s_title is not None:
            sections.append(Section(s_code, s_title, tuple(questions), s_code if is_element else None))
    return sections, elements


def _check_questions(reader: PartsReader, questions: list[Question], channels: frozenset[str]) -> None:
    """The rules that span questions: skip logic, channels, unique roles."""
    reader.check_conditions(questions)
    for q in questions:
        if q.role in EVERY_CHANNEL_ROLES and q.channels != channels:
            reader.error(
                q.code,
                f"a {q.role} question must be asked in every channel of the instrument, so that its figures "
                f"mean the same whatever the channel (not asked in: {sorted(channels - q.channels)})",
            )
    for role in (Role.OVERALL, Role.HARASSMENT, Role.INFORMAL_PAYMENT, Role.PROCEDURE, Role.COMMENT):
        if sum(q.role is role for q in questions) > 1:
            reader.error("", f"more than one question has role {role}")


def _duration(reader: PartsReader, raw: object, channels: frozenset[str]) -> Duration | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, dict)
        or set(raw) != {"channel", "minutes"}
        or raw["channel"] not in channels
        or type(raw["minutes"]) is not int
        or not 1 <= raw["minutes"] <= 120
    ):
        reader.error(
            "",
            f"duration must be {{channel: one of {sorted(channels)}, minutes: whole minutes}} "
            "(the channel the intro's stated time is for)",
        )
        return None
    return Duration(raw["channel"], raw["minutes"])


def load_instrument(path: Path | str) -> Instrument:
    """Read one instrument file.

    Parameters
    ----------
    path : path-like
        A file named ``<code>.v<version>.yaml``; ``surveys/instruments/README.md``
        describes the format.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentInvalid
        With every problem found, each naming the file and the question.
    """
    path = Path(path)
    reader = PartsReader(path.name)
    try:
        data = path.read_bytes()
        raw = yaml.safe_load(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InstrumentInvalid([InstrumentError(path.name, "", f"cannot be read: {exc}")]) from exc
    if not isinstance(raw, dict):
        raise InstrumentInvalid([InstrumentError(path.name, "", "the file must hold a mapping")])
    extra = set(raw) - FILE_KEYS
    if extra:
        reader.error("", f"unknown keys: {', '.join(sorted(map(str, extra)))}")
    code, version = raw.get("code"), raw.get("version")
    if not isinstance(code, str) or not re.fullmatch(r"[a-z0-9-]+", code):
        reader.error("", f"code must be lower-case letters, digits and dashes (got {code!r})")
    if type(version) is not int or version < 1:
        reader.error("", f"version must be a positive integer (got {version!r})")
    match = FILE_RE.match(path.name)
    if match and (match["code"] != code or int(match["version"]) != version):
        reader.error("", f"file name says {match['code']} v{match['version']}, contents say {code} v{version}")
    title = reader.text(raw.get("title"), "", "title")
    intro = reader.text(raw.get("intro"), "", "intro")
    channels = raw.get("channels")
    if not isinstance(channels, list) or not channels or not set(channels) <= KNOWN_CHANNELS:
        reader.error("", f"channels must be a non-empty list from {sorted(KNOWN_CHANNELS)}")
        channels = []
    channels = frozenset(channels)
    headline_index = raw.get("headline_index", "sipas")
    if headline_index not in HEADLINE_INDICES:
        reader.error("", f"headline_index must be one of {', '.join(HEADLINE_INDICES)} (got {headline_index!r})")
    duration = _duration(reader, raw.get("duration"), channels)
    scales: dict[str, Scale] = {}
    for scale_code, scale_raw in (raw.get("scales") or {}).items():
        scale = reader.scale(str(scale_code), scale_raw)
        if scale is not None:
            scales[str(scale_code)] = scale
    sections, elements = _sections(reader, raw.get("sections"), scales, channels)
    _check_questions(reader, [q for s in sections for q in s.questions], channels)
    if reader.errors:
        raise InstrumentInvalid(reader.errors)
    assert title is not None and intro is not None  # guaranteed when no error was noted
    instrument = Instrument(
        code=code,
        version=version,
        title=title,
        intro=intro,
        channels=channels,
        sections=tuple(sections),
        elements=tuple(elements),
        scales=scales,
        duration=duration,
        checksum=hashlib.sha256(data).hexdigest(),
        headline_index=headline_index,
    )
    problems = duration_problems(instrument)
    if problems:
        raise InstrumentInvalid([InstrumentError(path.name, "duration", p) for p in problems])
    return instrument


def load_all(directory: Path | str = INSTRUMENTS_DIR) -> dict[str, Instrument]:
    """Load every instrument file in ``directory``, keyed by ``code.vN``.

    Raises :class:`InstrumentInvalid` with the errors of every broken file.
    """
    found: dict[str, Instrument] = {}
    errors: list[InstrumentError] = []
    for path in sorted(Path(directory).glob("*.y*ml")):
        try:
            instrument = load_instrument(path)
        except InstrumentInvalid as exc:
            errors.extend(exc.errors)
            continue
        found[instrument.key] = instrument
    if errors:
        raise InstrumentInvalid(errors)
    return found
