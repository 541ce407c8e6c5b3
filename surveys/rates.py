"""Which answer codes of a question make up a rate: the one definition.

A rate (a criterion's satisfaction rate, the harassment or informal-payment
rate, a perception item's share of "yes") is the number of *event* answers
over the number of *valid* answers. Every report, breakdown, disclosure
count and respondent-level share reads its codes from :func:`rate_codes`,
so the denominator is decided in one place (``design.md``, Statistics):

- a satisfaction question (a criterion, the overall question, an element's
  overall question): valid are the scale's codes except "not applicable /
  don't know" and refusals, which leave the denominator and are counted
  apart; the event is a "satisfied" code (4 or 5);
- a yes/no question (harassment, informal payment, a perception item):
  valid are "yes" and "no"; refusals ("Không muốn trả lời") and any
  "don't know" leave the denominator; the event is "yes".

Other questions (demographics, the procedure field, routing questions,
multi-select, number and text questions) are no rate.
"""

from __future__ import annotations

from typing import NamedTuple

from surveys.schema import Question, QuestionKind, Role

__all__ = ["RATE_ROLES", "SATISFACTION_ROLES", "YES_NO_ROLES", "RateCodes", "rate_codes"]

#: roles rated on a satisfaction scale: the event is a ``satisfied`` code
SATISFACTION_ROLES = frozenset({Role.CRITERION, Role.OVERALL, Role.ELEMENT_OVERALL})
#: roles answered yes / no: the event is a ``yes`` code
YES_NO_ROLES = frozenset({Role.HARASSMENT, Role.INFORMAL_PAYMENT, Role.PERCEPTION})
#: every role whose single-choice question is a rate
RATE_ROLES = SATISFACTION_ROLES | YES_NO_ROLES


class RateCodes(NamedTuple):
    """The answer codes of one rate question.

    Attributes
    ----------
    valid : frozenset of int
        Codes counted in the denominator.
    event : frozenset of int
        Codes counted in the numerator; always a subset of ``valid``.
    """

    valid: frozenset[int]
    event: frozenset[int]


def rate_codes(question: Question) -> RateCodes:
    """The valid and event codes of a rate question.

    Parameters
    ----------
    question : Question
        A single-choice question with a scale whose role is in
        :data:`RATE_ROLES`.

    Returns
    -------
    RateCodes
        For a role in :data:`SATISFACTION_ROLES`: valid = the scale's codes
        minus ``not_applicable`` and ``refused``, event = ``satisfied``.
        For a role in :data:`YES_NO_ROLES`: valid = ``yes`` | ``no``,
        event = ``yes``. The event codes are restricted to the valid ones.

    Raises
    ------
    ValueError
        If the question is no rate: not single-choice, without a scale, or
        with another role.
    """
    scale = question.scale
    if question.kind is not QuestionKind.SINGLE or scale is None or question.role not in RATE_ROLES:
        raise ValueError(
            f"question {question.code!r} ({question.kind}, role {question.role}) is no rate: "
            f"only single-choice questions with a scale and a role in {sorted(RATE_ROLES)} are"
        )
    if question.role in SATISFACTION_ROLES:
        valid = scale.codes - scale.not_applicable - scale.refused
        return RateCodes(valid, scale.satisfied & valid)
    valid = scale.yes | scale.no
    return RateCodes(valid, scale.yes & valid)
