"""Instruments (bộ câu hỏi): versioned questionnaire files, their loader and
answer validation. Free of Flask and SQLAlchemy by design."""

from surveys.answers import Validation, Value, answers_validate, is_visible, text_clean
from surveys.loader import INSTRUMENTS_DIR, InstrumentError, InstrumentInvalid, load_all, load_instrument
from surveys.packing import (
    MISSING,
    answers_pack,
    answers_unpack,
    codes_matrix,
    multi_chosen,
    multi_codes,
    multi_mask,
    packed_layout,
    packed_multi,
)
from surveys.rates import RATE_ROLES, RateCodes, rate_codes
from surveys.schema import (
    Choice,
    Condition,
    Element,
    Instrument,
    Question,
    QuestionKind,
    Role,
    Scale,
    Section,
    Text,
)

__all__ = [
    "INSTRUMENTS_DIR",
    "MISSING",
    "RATE_ROLES",
    "Choice",
    "Condition",
    "Element",
    "Instrument",
    "InstrumentError",
    "InstrumentInvalid",
    "Question",
    "QuestionKind",
    "RateCodes",
    "Role",
    "Scale",
    "Section",
    "Text",
    "Validation",
    "Value",
    "answers_pack",
    "answers_unpack",
    "answers_validate",
    "codes_matrix",
    "is_visible",
    "load_all",
    "load_instrument",
    "multi_chosen",
    "multi_codes",
    "multi_mask",
    "packed_layout",
    "packed_multi",
    "rate_codes",
    "text_clean",
]
