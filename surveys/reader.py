"""The parts of an instrument file (texts, scales, questions, skip logic)
read into :mod:`surveys.schema` dataclasses, each problem noted with the
file and the question it concerns instead of raised.

:mod:`surveys.loader` reads a whole file with these and adds the checks
that span it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from surveys.packing import CODE_RANGE
from surveys.schema import (
    CHANNELS,
    MULTI_CODE_RANGE,
    Choice,
    Condition,
    Question,
    QuestionKind,
    Role,
    Scale,
    Text,
)

KNOWN_CHANNELS = frozenset(CHANNELS)
CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")
#: roles whose scale must say which codes mean yes / no / refused
YES_NO_ROLES = frozenset({Role.HARASSMENT, Role.INFORMAL_PAYMENT})
#: roles the indicators read as one code per respondent: never multi-select
SINGLE_ANSWER_ROLES = frozenset(
    {
        Role.CRITERION,
        Role.OVERALL,
        Role.ELEMENT_OVERALL,
        Role.HARASSMENT,
        Role.INFORMAL_PAYMENT,
        Role.PROCEDURE,
        Role.COMMENT,
    }
)
#: roles rated on a scale whose satisfied codes make a satisfaction rate
SATISFACTION_ROLES = frozenset({Role.CRITERION, Role.OVERALL, Role.ELEMENT_OVERALL})
#: kinds answered from a scale
SCALED_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTI})


@dataclass(frozen=True)
class InstrumentError:
    """One problem in one instrument file."""

    file: str
    #: the question (or scale, section) code concerned, "" for the whole file
    where: str
    message: str

    def __str__(self) -> str:
        where = f" [{self.where}]" if self.where else ""
        return f"{self.file}{where}: {self.message}"


class InstrumentInvalid(ValueError):
    """Raised with every error found in an instrument file."""

    def __init__(self, errors: list[InstrumentError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class PartsReader:
    """Turns the parsed YAML into dataclasses, noting errors instead of raising."""

    def __init__(self, file: str):
        self.file = file
        self.errors: list[InstrumentError] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(InstrumentError(self.file, where, message))

    def text(self, raw: Any, where: str, what: str, *, optional: bool = False) -> Text | None:
        if raw is None and optional:
            return None
        if not isinstance(raw, dict):
            self.error(where, f"{what} must be a mapping with 'vi' and 'en' texts")
            return None
        missing = [lang for lang in ("vi", "en") if not str(raw.get(lang) or "").strip()]
        if missing:
            self.error(where, f"{what} lacks a text in: {', '.join(missing)}")
            return None
        extra = set(raw) - {"vi", "en"}
        if extra:
            self.error(where, f"{what} has unknown languages: {', '.join(sorted(extra))}")
        return Text(vi=str(raw["vi"]).strip(), en=str(raw["en"]).strip())

    def codes(self, raw: Any, where: str, what: str, allowed: frozenset[int]) -> frozenset[int]:
        if raw is None:
            return frozenset()
        if not isinstance(raw, list) or not all(type(v) is int for v in raw):
            self.error(where, f"'{what}' must be a list of answer codes")
            return frozenset()
        unknown = sorted(set(raw) - allowed)
        if unknown:
            self.error(where, f"'{what}' names codes that are not choices: {unknown}")
        return frozenset(raw) & allowed

    def scale(self, code: str, raw: Any) -> Scale | None:
        where = f"scale {code}"
        if not isinstance(raw, dict) or not isinstance(raw.get("choices"), list) or not raw["choices"]:
            self.error(where, "a scale needs a non-empty list of choices [code, vi, en]")
            return None
        choices: list[Choice] = []
        for item in raw["choices"]:
            if (
                not isinstance(item, list)
                or len(item) != 3
                or type(item[0]) is not int
                or not all(isinstance(t, str) and t.strip() for t in item[1:])
            ):
                self.error(where, f"choice {item!r} must be [integer code, Vietnamese text, English text]")
                continue
            choices.append(Choice(item[0], Text(item[1].strip(), item[2].strip())))
        seen = [c.code for c in choices]
        huge = sorted(c for c in seen if not CODE_RANGE[0] <= c <= CODE_RANGE[1])
        if huge:
            self.error(where, f"answer codes must lie between {CODE_RANGE[0]} and {CODE_RANGE[1]}: {huge}")
        dupes = sorted({c for c in seen if seen.count(c) > 1})
        if dupes:
            self.error(where, f"duplicate answer codes {dupes}")
        allowed = frozenset(seen)
        extra = set(raw) - {
            "choices",
            "satisfied",
            "not_applicable",
            "yes_codes",
            "no_codes",
            "refused_codes",
        }
        if extra:
            self.error(where, f"unknown keys: {', '.join(sorted(map(str, extra)))}")
        return Scale(
            code=code,
            choices=tuple(choices),
            satisfied=self.codes(raw.get("satisfied"), where, "satisfied", allowed),
            not_applicable=self.codes(raw.get("not_applicable"), where, "not_applicable", allowed),
            yes=self.codes(raw.get("yes_codes"), where, "yes_codes", allowed),
            no=self.codes(raw.get("no_codes"), where, "no_codes", allowed),
            refused=self.codes(raw.get("refused_codes"), where, "refused_codes", allowed),
        )

    def channels(self, raw: Any, where: str, enclosing: frozenset[str], what: str) -> frozenset[str]:
        """A ``channels`` list inside ``enclosing`` (which it defaults to)."""
        if raw is None:
            return enclosing
        if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
            self.error(where, f"channels must be a non-empty list from {sorted(enclosing)}")
            return enclosing
        outside = sorted(set(raw) - enclosing)
        if outside:
            self.error(where, f"channels {outside} are not channels of the {what} ({sorted(enclosing)})")
        return frozenset(raw) & enclosing

    def question(
        self, raw: Any, scales: dict[str, Scale], element: str | None, index: int, channels: frozenset[str]
    ) -> Question | None:
        if not isinstance(raw, dict):
            self.error(f"question #{index}", "a question must be a mapping")
            return None
        code = raw.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            self.error(f"question #{index}", f"missing or malformed code {code!r}")
            return None
        known = {
            "code", "kind", "text", "help", "role", "required", "scale",
            "show_if", "min", "max", "max_length", "min_choices", "max_choices", "exclusive", "channels",
        }  # fmt: skip
        extra = set(raw) - known
        if extra:
            self.error(code, f"unknown keys: {', '.join(sorted(map(str, extra)))}")
        text = self.text(raw.get("text"), code, "text")
        help_text = self.text(raw.get("help"), code, "help", optional=True)
        scale = None
        scale_code = raw.get("scale")
        kind_raw = raw.get("kind", "single" if scale_code else None)
        try:
            kind = QuestionKind(kind_raw)
        except ValueError:
            self.error(code, f"kind must be one of single, multi, number, text (got {kind_raw!r})")
            return None
        if kind in SCALED_KINDS:
            scale = scales.get(scale_code) if isinstance(scale_code, str) else None
            if scale is None:
                self.error(code, f"unknown scale {scale_code!r}")
        elif scale_code is not None:
            self.error(code, f"a {kind} question takes no scale")
        role_raw = raw.get("role", "criterion" if element else "other")
        try:
            role = Role(role_raw)
        except ValueError:
            self.error(code, f"unknown role {role_raw!r}")
            role = Role.OTHER
        if role is Role.CRITERION and not element:
            self.error(code, "a criterion must sit in an element section")
        if role is Role.ELEMENT_OVERALL and not element:
            self.error(code, "an element_overall question must sit in an element section")
        if role in SATISFACTION_ROLES and scale is not None and not scale.satisfied:
            self.error(code, f"{role} uses scale {scale.code} which says no code is 'satisfied'")
        if role in YES_NO_ROLES and scale is not None and not (scale.yes and scale.no):
            self.error(code, f"{role} item needs a scale with yes_codes and no_codes")
        asked_in = self.channels(raw.get("channels"), code, channels, "section")
        if kind is QuestionKind.MULTI and role in SINGLE_ANSWER_ROLES:
            self.error(code, f"a multi-select question cannot have role {role}: it needs one answer per respondent")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            self.error(code, "required must be true or false")
            required = False
        minimum, maximum, max_length = raw.get("min"), raw.get("max"), raw.get("max_length")
        bad_range = type(minimum) is not int or type(maximum) is not int or minimum > maximum
        if kind is QuestionKind.NUMBER and bad_range:
            self.error(code, "a number question needs integer min <= max")
        elif kind is QuestionKind.NUMBER and not CODE_RANGE[0] <= minimum <= maximum <= CODE_RANGE[1]:
            self.error(code, f"min and max must lie between {CODE_RANGE[0]} and {CODE_RANGE[1]}")
        bad_length = type(max_length) is not int or not 1 <= max_length <= 5000
        if kind is QuestionKind.TEXT and bad_length:
            self.error(code, "a text question needs max_length between 1 and 5000")
        choices = self.multi(code, raw, kind, scale)
        show_if = None
        if raw.get("show_if") is not None:
            cond = raw["show_if"]
            if (
                not isinstance(cond, dict)
                or set(cond) != {"question", "in"}
                or not isinstance(cond.get("question"), str)
                or not isinstance(cond.get("in"), list)
                or not all(type(v) is int for v in cond["in"])
                or not cond["in"]
            ):
                self.error(code, "show_if must be {question: CODE, in: [codes]}")
            else:
                show_if = Condition(cond["question"], frozenset(cond["in"]))
        if text is None:
            return None
        return Question(
            code=code,
            kind=kind,
            text=text,
            role=role,
            required=required,
            help=help_text,
            scale=scale,
            element=element,
            show_if=show_if,
            minimum=minimum if kind is QuestionKind.NUMBER else None,
            maximum=maximum if kind is QuestionKind.NUMBER else None,
            max_length=max_length if kind is QuestionKind.TEXT else None,
            min_choices=choices[0],
            max_choices=choices[1],
            exclusive=choices[2],
            channels=asked_in,
        )

    def multi(
        self, code: str, raw: dict, kind: QuestionKind, scale: Scale | None
    ) -> tuple[int | None, int | None, frozenset[int]]:
        """``min_choices``, ``max_choices`` and ``exclusive`` of a multi-select
        question (None, None, empty for the other kinds)."""
        keys = [k for k in ("min_choices", "max_choices", "exclusive") if k in raw]
        if kind is not QuestionKind.MULTI:
            if keys:
                self.error(code, f"only a multi-select question (kind: multi) takes {', '.join(keys)}")
            return None, None, frozenset()
        if scale is None:
            return None, None, frozenset()
        low, high = MULTI_CODE_RANGE
        outside = sorted(c for c in scale.codes if not low <= c <= high)
        if outside:
            self.error(
                code,
                f"a multi-select question's answer codes must lie between {low} and {high} "
                f"(one bit each in the packed answer); scale {scale.code} has {outside}",
            )
        exclusive = self.codes(raw.get("exclusive"), code, "exclusive", scale.codes)
        if exclusive and exclusive >= scale.codes:
            self.error(code, "exclusive names every choice; at least one choice must combine with others")
        most, least = raw.get("max_choices", len(scale.codes)), raw.get("min_choices", 1)
        if type(most) is not int or not 1 <= most <= len(scale.codes):
            self.error(code, f"max_choices must be a whole number from 1 to {len(scale.codes)} (the scale's choices)")
            most = len(scale.codes)
        if type(least) is not int or not 1 <= least <= most:
            self.error(code, f"min_choices must be a whole number from 1 to max_choices ({most})")
            least = 1
        return least, most, exclusive

    def check_conditions(self, questions: list[Question]) -> None:
        earlier: dict[str, Question] = {}
        for q in questions:
            if q.show_if is not None:
                target = earlier.get(q.show_if.question)
                if target is None:
                    self.error(
                        q.code,
                        f"show_if refers to {q.show_if.question!r}, which is not an earlier question",
                    )
                elif target.kind not in SCALED_KINDS or target.scale is None:
                    self.error(
                        q.code, f"show_if must refer to a single-choice or multi-select question, not {target.code}"
                    )
                else:
                    unknown = sorted(q.show_if.values - target.scale.codes)
                    if unknown:
                        self.error(q.code, f"show_if uses codes {unknown} that {target.code} does not offer")
                    never = sorted(q.channels - target.channels)
                    if never:
                        self.error(
                            q.code,
                            f"show_if refers to {target.code}, which channels {never} do not ask: "
                            "there this question would never be shown",
                        )
            if q.code in earlier:
                self.error(q.code, "duplicate question code")
            earlier[q.code] = q
