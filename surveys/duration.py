"""How long a form takes: an estimate from published rules of thumb.

The intro of a form tells people how long it takes ("mất khoảng 3 phút").
That promise decides whether a citizen at the counter starts the form, and
a form that runs far longer than promised is abandoned half-way, so the
loader checks it (``duration`` in the file, see
``surveys/instruments/README.md``).

The estimate adds, for each question a respondent is shown, the seconds a
question of its kind takes (:class:`Pace`). The paces are rules of thumb:

* Pew Research Center budgets its online panel surveys by counting
  questions: a stand-alone closed question takes "about 10 seconds" with
  one question per screen, items inside a battery cost less, open-ended
  questions can take minutes (Pew Research Center, *How we keep our online
  surveys from running too long*, Decoded, 8 December 2022).
* Online research firms count three questions a minute in general, and
  "10 or more a minute" for a grid of short statements rated on one
  5-point scale (Amplitude Research, *Online market research surveys*).
* Adults read non-fiction silently at about 240 words a minute
  (Brysbaert 2019, *How many words do we read per minute?*, Journal of
  Memory and Language 109): a short answer option of five to eight words
  takes about two seconds to read.
* An interviewer reads aloud at about 150 words a minute and codes each
  answer, so an interview question takes about twice as long as the same
  question read silently.

From these, for a form self-completed on a phone (one scrolling page, no
page turns, so a little under Pew's 10 s): 8 s for a stand-alone choice or
number, 5 s for a rating right after another on the same scale, 8 s plus
2 s per option for a multi-select list, 45 s to write a comment, 3 s to
pass over an optional question left blank. For an interview: 15 s, 8 s,
10 s + 3 s per option read out, 60 s and 5 s. These are assumptions to be
replaced by measured ones: responses carry the time the form was opened
and sent (``started_at``, ``submitted_at``), whose medians per channel
should be compared with these estimates after the first weeks of fieldwork.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from surveys.answers import Value, is_visible
from surveys.schema import Instrument, Question, QuestionKind


@dataclass(frozen=True)
class Pace:
    """Seconds spent on one shown question, by kind, in one mode.

    Attributes
    ----------
    single : float
        A single-choice question that does not follow one on its scale.
    battery : float
        A single-choice question right after a shown single-choice question
        on the same scale (the scale is already read: a rating grid).
    number : float
        A whole number typed in.
    multi, per_choice : float
        A multi-select question: reading it, plus each of its options.
    text : float
        Writing a free-text answer.
    skipped : float
        Reading an optional question and leaving it blank.
    """

    single: float
    battery: float
    number: float
    multi: float
    per_choice: float
    text: float
    skipped: float


#: A form the respondent reads and fills in alone (QR on a phone, kiosk, paper).
SELF_COMPLETED = Pace(single=8, battery=5, number=8, multi=8, per_choice=2, text=45, skipped=3)
#: A surveyor reads each question aloud and records the answer (tablet).
INTERVIEW = Pace(single=15, battery=8, number=15, multi=10, per_choice=3, text=60, skipped=5)
#: The pace of each channel.
CHANNEL_PACE = {"qr": SELF_COMPLETED, "kiosk": SELF_COMPLETED, "paper": SELF_COMPLETED, "tablet": INTERVIEW}
#: A stated time is true when the estimate lies within this share of it (or
#: :data:`SLACK_SECONDS`, whichever is larger): "about 3 minutes" is 2¼–3¾,
#: "about 1 minute" anything up to 1½ (intros state whole minutes).
TOLERANCE = 0.25
SLACK_SECONDS = 30
#: Paths :func:`path_longest` tries at most; beyond, it settles for a greedy one.
MAX_PATHS = 4096

_MINUTES_VI = re.compile(r"(\d+)\s*phút", re.IGNORECASE)
_MINUTES_EN = re.compile(r"(\d+)\s*min(?:ute)?s?\b", re.IGNORECASE)
_ONE_MINUTE = re.compile(r"\b(?:một phút|a minute|one minute)\b", re.IGNORECASE)


def _seconds(q: Question, answered: bool, after: Question | None, pace: Pace) -> float:
    if not answered:
        return pace.skipped
    if q.kind is QuestionKind.TEXT:
        return pace.text
    if q.kind is QuestionKind.NUMBER:
        return pace.number
    assert q.scale is not None
    if q.kind is QuestionKind.MULTI:
        return pace.multi + pace.per_choice * len(q.scale.choices)
    same_scale = after is not None and after.kind is QuestionKind.SINGLE and after.scale == q.scale
    return pace.battery if same_scale else pace.single


def duration_estimate(instrument: Instrument, answers: Mapping[str, Value], channel: str) -> float:
    """Seconds a respondent of ``channel`` takes to give ``answers``.

    Parameters
    ----------
    instrument : Instrument
    answers : mapping
        Clean answers (:func:`surveys.answers_validate`); they fix the path:
        which questions skip logic shows. A shown question without an
        answer was read and left blank.
    channel : str
        The channel, which sets the pace (:data:`CHANNEL_PACE`) and the
        questions asked.

    Returns
    -------
    float
        Seconds, by the rules of thumb in this module's docstring.
    """
    pace = CHANNEL_PACE[channel]
    total, previous = 0.0, None
    for q in instrument.questions_in(channel):
        if not is_visible(q, answers):
            continue
        total += _seconds(q, q.code in answers, previous, pace)
        previous = q
    return total


def _sample_answer(q: Question) -> Value | None:
    """Some valid answer to ``q`` (None for free text, which most leave blank)."""
    if q.kind is QuestionKind.NUMBER:
        return q.minimum
    if q.kind is QuestionKind.TEXT or q.scale is None:
        return None
    codes = [c.code for c in q.scale.choices]
    if q.kind is QuestionKind.MULTI:
        return (next((c for c in codes if c not in q.exclusive), codes[0]),)
    return codes[0]


def _gate_options(q: Question, wanted: frozenset[int]) -> list[Value]:
    """The answers of a question that skip logic refers to worth trying:
    each code a condition names (for a multi-select question, every
    allowed combination of them)."""
    named = [c.code for c in q.scale.choices if c.code in wanted] if q.scale else []
    if q.kind is not QuestionKind.MULTI:
        return list(named)
    assert q.max_choices is not None
    options: list[Value] = [(c,) for c in named if c in q.exclusive]
    free = [c for c in named if c not in q.exclusive]
    for size in range(1, min(len(free), q.max_choices) + 1):
        options.extend(itertools.combinations(free, size))
    return options


def path_longest(instrument: Instrument, channel: str) -> dict[str, Value]:
    """Answers of ``channel`` that take longest: every coded question
    shown is answered, free text left blank, and the questions that skip
    logic depends on are answered so as to show the most.

    Every combination of the gating answers is tried (up to
    :data:`MAX_PATHS`; beyond, each gate separately).
    """
    asked = instrument.questions_in(channel)
    wanted: dict[str, set[int]] = {}
    for q in asked:
        if q.show_if is not None:
            wanted.setdefault(q.show_if.question, set()).update(q.show_if.values)
    gates = [q for q in asked if q.code in wanted]
    options = [_gate_options(q, frozenset(wanted[q.code])) or [_sample_answer(q)] for q in gates]

    def walk(chosen: dict[str, Value]) -> dict[str, Value]:
        answers: dict[str, Value] = {}
        for q in asked:
            if not is_visible(q, answers):
                continue
            value = chosen[q.code] if q.code in chosen else _sample_answer(q)
            if value is not None:
                answers[q.code] = value
        return answers

    def seconds(answers: dict[str, Value]) -> float:
        return duration_estimate(instrument, answers, channel)

    paths = 1
    for o in options:
        paths *= len(o)
    if paths <= MAX_PATHS:
        candidates = (
            walk(dict(zip((g.code for g in gates), combo, strict=True))) for combo in itertools.product(*options)
        )
        return max(candidates, key=seconds)
    chosen: dict[str, Value] = {}
    for gate, gate_options in zip(gates, options, strict=True):
        chosen[gate.code] = max(gate_options, key=lambda v, g=gate.code: seconds(walk({**chosen, g: v})))
    return walk(chosen)


def intro_minutes(text: str) -> set[int]:
    """The numbers of minutes a Vietnamese or English text states
    ("khoảng 3 phút", "about 3 minutes", "a minute")."""
    found = {int(m) for m in _MINUTES_VI.findall(text)} | {int(m) for m in _MINUTES_EN.findall(text)}
    if _ONE_MINUTE.search(text):
        found.add(1)
    return found


def duration_problems(instrument: Instrument) -> list[str]:
    """Why the time an instrument's intro states is not true, if it is not.

    Checks, for an instrument with a ``duration``: that the Vietnamese and
    English intros state ``duration.minutes`` and no other number of
    minutes, and that the longest path of ``duration.channel``
    (:func:`path_longest`) takes that long within :data:`TOLERANCE`
    (a one-minute claim also holds for a shorter form).
    """
    stated = instrument.duration
    if stated is None:
        return []
    problems = []
    for lang in ("vi", "en"):
        said = intro_minutes(instrument.intro.get(lang))
        if said != {stated.minutes}:
            problems.append(
                f"the {lang} intro must state {stated.minutes} minutes, as duration says "
                f"(it states {sorted(said) or 'none'})"
            )
    seconds = duration_estimate(instrument, path_longest(instrument, stated.channel), stated.channel)
    target = 60 * stated.minutes
    slack = max(SLACK_SECONDS, TOLERANCE * target)
    # whole minutes are the unit: a form shorter than a minute says "1 minute"
    too_short = stated.minutes > 1 and seconds < target - slack
    if too_short or seconds > target + slack:
        problems.append(
            f"the intro says about {stated.minutes} min for {stated.channel}, but its longest path takes "
            f"about {seconds / 60:.1f} min ({seconds:.0f} s; surveys/duration.py explains the estimate)"
        )
    return problems
