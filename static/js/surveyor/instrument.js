/* An instrument as served by /api/v1/instruments/<code>, and the checks of
 * surveys/answers.py (answers_validate) done the same way in the browser:
 * skip logic, required questions, choices, ranges, text length. The server
 * checks again; doing it here lets the surveyor fix an answer during the
 * interview instead of finding a refused interview in the queue later.
 *
 * No DOM here: tests run this module in Node against the Python code. */

const INT_RE = /^\s*[+-]?\d{1,9}\s*$/;
// Same characters as CONTROL_RE in surveys/answers.py.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/** Every question, in order. */
export function questions(instrument) {
  return instrument.sections.flatMap((section) => section.questions);
}

function has(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** Whether skip logic shows `question` given the clean answers before it. */
export function isVisible(question, answers) {
  const cond = question.show_if;
  return !cond || (has(answers, cond.question) && cond.values.includes(answers[cond.question]));
}

function asInt(raw) {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : null;
  if (typeof raw === 'string' && INT_RE.test(raw)) return parseInt(raw, 10);
  return null;
}

function textClean(value) {
  return value.normalize('NFC').replace(CONTROL_RE, '').trim();
}

/**
 * Check raw answers (question code -> string or number) like answers_validate.
 * Returns {answers, errors}: clean answers of the visible questions (numbers
 * for choices and numbers, strings for text) and, per failing question code,
 * {key, values} naming the message ("required", "choice", "number", "range",
 * "too_long").
 */
export function validate(instrument, raw) {
  const answers = {};
  const errors = {};
  for (const q of questions(instrument)) {
    if (!isVisible(q, answers)) continue;
    let value = has(raw, q.code) ? raw[q.code] : null;
    if (typeof value === 'string') value = value.trim();
    if (value === null || value === undefined || value === '') {
      if (q.required) errors[q.code] = { key: 'required' };
      continue;
    }
    if (q.kind === 'text') {
      if (typeof value !== 'string') {
        errors[q.code] = { key: 'choice' };
        continue;
      }
      const text = textClean(value);
      if (text.length > q.max_length) errors[q.code] = { key: 'too_long', values: { n: q.max_length } };
      else if (text) answers[q.code] = text;
      else if (q.required) errors[q.code] = { key: 'required' };
      continue;
    }
    const number = asInt(value);
    if (q.kind === 'single') {
      const codes = instrument.scales[q.scale].choices.map((c) => c.code);
      if (number === null || !codes.includes(number)) errors[q.code] = { key: 'choice' };
      else answers[q.code] = number;
    } else if (number === null) {
      errors[q.code] = { key: 'number' };
    } else if (number < q.minimum || number > q.maximum) {
      errors[q.code] = { key: 'range', values: { a: q.minimum, b: q.maximum } };
    } else {
      answers[q.code] = number;
    }
  }
  return { answers, errors };
}

/** The questions of `section` that skip logic shows, given clean answers. */
export function visibleQuestions(instrument, section, answers) {
  // Visibility depends only on earlier clean answers, which `answers` holds.
  return section.questions.filter((q) => isVisible(q, answers));
}

/** Indexes of the sections with at least one question to ask. */
export function visibleSections(instrument, answers) {
  return instrument.sections
    .map((section, index) => (visibleQuestions(instrument, section, answers).length ? index : -1))
    .filter((index) => index >= 0);
}

/** A {vi, en} text in `lang`, falling back to Vietnamese. */
export function label(text, lang) {
  if (!text) return '';
  return lang === 'en' ? text.en : text.vi;
}

/** The shown answer of `question`: a choice's label, a number, a text. */
export function answerLabel(instrument, question, value, lang) {
  if (value === undefined || value === null) return null;
  if (question.kind !== 'single') return String(value);
  const choice = instrument.scales[question.scale].choices.find((c) => c.code === value);
  return choice ? label(choice.label, lang) : String(value);
}
