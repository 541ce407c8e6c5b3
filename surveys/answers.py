"""Validate a set of answers against an instrument.

One function serves every channel (citizen form, tablet API, paper import)
so a response means the same whatever way it arrived. Error messages are
:class:`~surveys.schema.Text` so each channel shows them in the person's
language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from surveys.schema import Instrument, Question, QuestionKind, Text

Value = int | str

#: Numbers that look like Vietnamese phone numbers (0xx or +84, 9-11 digits,
#: optionally split by spaces, dots or dashes). A citizen may type one into
#: a comment; anonymity is a promise, so it never reaches the database.
PHONE_RE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REDACTED = "[…]"
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MSG_REQUIRED = Text("Vui lòng trả lời câu này.", "Please answer this question.")
MSG_BAD_CHOICE = Text("Câu trả lời không hợp lệ, vui lòng chọn lại.", "Invalid answer, please choose again.")
MSG_NOT_NUMBER = Text("Vui lòng nhập một số nguyên.", "Please enter a whole number.")
MSG_TOO_LONG = Text("Nội dung quá dài (tối đa {n} ký tự).", "Too long (at most {n} characters).")
MSG_UNKNOWN = Text("Câu hỏi không có trong bộ câu hỏi.", "This question is not in the questionnaire.")


def _range_message(q: Question) -> Text:
    return Text(
        f"Vui lòng nhập số từ {q.minimum} đến {q.maximum}.",
        f"Please enter a number from {q.minimum} to {q.maximum}.",
    )


@dataclass(frozen=True)
class Validation:
    """The outcome of :func:`answers_validate`.

    Attributes
    ----------
    answers : dict
        Clean answers of the visible questions, by question code: ``int``
        for single-choice and number questions, ``str`` for text.
    errors : dict
        A message per question code that failed.
    """

    answers: dict[str, Value] = field(default_factory=dict)
    errors: dict[str, Text] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def text_clean(value: str) -> str:
    """Normalise free text: NFC (phones send decomposed Vietnamese), no
    control characters, trimmed, phone numbers and e-mail addresses removed."""
    value = unicodedata.normalize("NFC", value)
    value = CONTROL_RE.sub("", value).strip()
    value = PHONE_RE.sub(REDACTED, value)
    return EMAIL_RE.sub(REDACTED, value)


def is_visible(question: Question, answers: Mapping[str, Value]) -> bool:
    """Whether skip logic shows ``question`` given the (clean) earlier answers."""
    cond = question.show_if
    return cond is None or answers.get(cond.question) in cond.values


def _as_int(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d{1,9}\s*", raw):
        return int(raw)
    return None


def answers_validate(instrument: Instrument, raw: Mapping[str, object], *, strict: bool = False) -> Validation:
    """Check raw answers against ``instrument``.

    Parameters
    ----------
    instrument : Instrument
    raw : mapping
        Question code to raw value (form strings, or JSON ints and strings).
        Empty strings and None mean "not answered".
    strict : bool
        If True, a code that is not a question of the instrument is an error
        (the API); otherwise it is ignored (a form carries other fields).

    Returns
    -------
    Validation
        Answers to questions hidden by skip logic are dropped, not stored:
        without JavaScript a person sees every question and may answer one
        that their later choices made irrelevant.
    """
    answers: dict[str, Value] = {}
    errors: dict[str, Text] = {}
    codes = {q.code for q in instrument.questions}
    if strict:
        for code in raw:
            if code not in codes:
                errors[str(code)[:60]] = MSG_UNKNOWN
    for q in instrument.questions:
        if not is_visible(q, answers):
            continue
        value = raw.get(q.code)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if q.required:
                errors[q.code] = MSG_REQUIRED
            continue
        if q.kind is QuestionKind.TEXT:
            if not isinstance(value, str):
                errors[q.code] = MSG_BAD_CHOICE
                continue
            text = text_clean(value)
            assert q.max_length is not None
            if len(text) > q.max_length:
                errors[q.code] = Text(MSG_TOO_LONG.vi.format(n=q.max_length), MSG_TOO_LONG.en.format(n=q.max_length))
            elif text:
                answers[q.code] = text
            elif q.required:
                errors[q.code] = MSG_REQUIRED
            continue
        number = _as_int(value)
        if q.kind is QuestionKind.SINGLE:
            assert q.scale is not None
            if number is None or number not in q.scale.codes:
                errors[q.code] = MSG_BAD_CHOICE
            else:
                answers[q.code] = number
        else:
            assert q.minimum is not None and q.maximum is not None
            if number is None:
                errors[q.code] = MSG_NOT_NUMBER
            elif not q.minimum <= number <= q.maximum:
                errors[q.code] = _range_message(q)
            else:
                answers[q.code] = number
    return Validation(answers, errors)
