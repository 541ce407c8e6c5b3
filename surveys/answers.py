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

from surveys.redact import personal_data_redact
from surveys.schema import Instrument, Question, QuestionKind, Text

#: A clean answer: a code or number (``int``), a text (``str``), or the codes
#: of a multi-select answer (``tuple`` of ``int``, ascending, at least one).
Value = int | str | tuple[int, ...]

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MSG_REQUIRED = Text("Vui lòng trả lời câu này.", "Please answer this question.")
MSG_BAD_CHOICE = Text("Câu trả lời không hợp lệ, vui lòng chọn lại.", "Invalid answer, please choose again.")
MSG_NOT_NUMBER = Text("Vui lòng nhập một số nguyên.", "Please enter a whole number.")
MSG_TOO_LONG = Text("Nội dung quá dài (tối đa {n} ký tự).", "Too long (at most {n} characters).")
MSG_UNKNOWN = Text("Câu hỏi không có trong bộ câu hỏi.", "This question is not in the questionnaire.")
MSG_DUPLICATE = Text("Mỗi lựa chọn chỉ được chọn một lần.", "Each choice can be chosen only once.")
#: Separators of the codes of a multi-select answer given as one string
#: (a paper-import cell "1;4;7", a tablet sending "1,4").
MULTI_SEPARATORS_RE = re.compile(r"[,;\s]+")


def _choices_message(least: int, most: int) -> Text:
    if least == most:
        return Text(f"Vui lòng chọn đúng {most} ý.", f"Please choose exactly {most}.")
    if least > 1:
        return Text(
            f"Vui lòng chọn từ {least} đến {most} ý.",
            f"Please choose from {least} to {most}.",
        )
    return Text(f"Vui lòng chọn tối đa {most} ý.", f"Please choose at most {most}.")


def _exclusive_message(q: Question, code: int) -> Text:
    assert q.scale is not None
    label = q.scale.label(code) or Text(str(code), str(code))
    return Text(
        f"Không thể chọn “{label.vi}” cùng với các ý khác.",
        f"“{label.en}” cannot be combined with other choices.",
    )


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
        for single-choice and number questions, ``str`` for text, a tuple
        of ``int`` codes in ascending order for multi-select questions.
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
    control characters, trimmed, and personal data a citizen may type into
    a comment (phone numbers, citizen IDs, dossier receipt numbers, e-mail
    addresses: :mod:`surveys.redact`) removed: anonymity is a promise, so
    it never reaches the database."""
    value = unicodedata.normalize("NFC", value)
    value = CONTROL_RE.sub("", value).strip()
    return personal_data_redact(value)


def is_visible(question: Question, answers: Mapping[str, Value], channel: str | None = None) -> bool:
    """Whether ``channel`` asks ``question`` and skip logic shows it given
    the (clean) earlier answers.

    A condition on a multi-select answer holds when any of its chosen codes
    is in the condition's values. With ``channel`` None every channel's
    questions count as asked.
    """
    if not question.asked_in(channel):
        return False
    cond = question.show_if
    if cond is None:
        return True
    given = answers.get(cond.question)
    if isinstance(given, tuple):
        return not cond.values.isdisjoint(given)
    return given in cond.values


def _as_int(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    # ASCII digits only, as the tablet's check (JavaScript's \d) reads them:
    # "١٢" or "１２" would otherwise be 12 here and refused there
    if isinstance(raw, str) and re.fullmatch(r"[+-]?[0-9]{1,9}", raw.strip()):
        # strip first: int() refuses some characters that \s and str.strip() take as space
        return int(raw.strip())
    return None


def _multi_raw(value: object) -> list[object] | None:
    """The separate codes of a raw multi-select answer, None for a wrong type.

    A list or tuple (JSON, repeated form fields), one string of codes split
    by commas, semicolons or spaces, or one integer.
    """
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        return [part for part in MULTI_SEPARATORS_RE.split(value) if part]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    return None


def _multi_validate(q: Question, value: object) -> tuple[int, ...] | Text | None:
    """A clean multi-select answer, an error message, or None for no answer."""
    assert q.scale is not None and q.min_choices is not None and q.max_choices is not None
    parts = _multi_raw(value)
    if parts is None:
        return MSG_BAD_CHOICE
    parts = [p for p in parts if not (p is None or (isinstance(p, str) and not p.strip()))]
    if not parts:
        return None
    codes = [_as_int(p) for p in parts]
    if any(c is None or c not in q.scale.codes for c in codes):
        return MSG_BAD_CHOICE
    chosen = sorted(c for c in codes if c is not None)
    if len(set(chosen)) != len(chosen):
        return MSG_DUPLICATE
    alone = [c for c in chosen if c in q.exclusive]
    if alone and len(chosen) > 1:
        return _exclusive_message(q, alone[0])
    if not alone and not q.min_choices <= len(chosen) <= q.max_choices:
        return _choices_message(q.min_choices, q.max_choices)
    return tuple(chosen)


def answers_validate(
    instrument: Instrument, raw: Mapping[str, object], *, strict: bool = False, channel: str | None = None
) -> Validation:
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
    channel : {"qr", "tablet", "paper", "kiosk"}, optional
        The channel the response came through. Questions that channel does
        not ask (``channels`` in the file) are treated like questions hidden
        by skip logic. None checks every question of the instrument.

    Returns
    -------
    Validation
        Answers to questions hidden by skip logic are dropped, not stored:
        without JavaScript a person sees every question and may answer one
        that their later choices made irrelevant.

    Raises
    ------
    ValueError
        If the instrument is not meant for ``channel``.
    """
    answers: dict[str, Value] = {}
    errors: dict[str, Text] = {}
    codes = {q.code for q in instrument.questions}
    if strict:
        for code in raw:
            if code not in codes:
                errors[str(code)[:60]] = MSG_UNKNOWN
    for q in instrument.questions_in(channel):
        if not is_visible(q, answers):
            continue
        value = raw.get(q.code)
        if isinstance(value, str):
            value = value.strip()
        if q.kind is QuestionKind.MULTI and value not in (None, ""):
            value = _multi_validate(q, value)
            if isinstance(value, Text):
                errors[q.code] = value
                continue
        if value is None or value == "":
            if q.required:
                errors[q.code] = MSG_REQUIRED
            continue
        if isinstance(value, tuple):
            answers[q.code] = value
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
