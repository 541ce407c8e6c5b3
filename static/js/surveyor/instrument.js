/* An instrument as served by /api/v1/instruments/<code> (the questions the
 * tablet asks), and the checks of surveys/answers.py (answers_validate) done
 * the same way in the browser: skip logic, required questions, choices,
 * multi-select lists, ranges, text length. The server
 * checks again; doing it here lets the surveyor fix an answer during the
 * interview instead of finding a refused interview in the queue later.
 *
 * No DOM here: tests run this module in Node against the Python code. */

const INT_RE = /^\s*[+-]?\d{1,9}\s*$/;
// Same as MULTI_SEPARATORS_RE: the codes of a multi-select answer in one string.
const MULTI_SEPARATORS_RE = /[,;\s]+/;
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

/** Whether skip logic shows `question` given the clean answers before it;
 * a condition on a multi-select answer holds when any chosen code is listed. */
export function isVisible(question, answers) {
  const cond = question.show_if;
  if (!cond) return true;
  if (!has(answers, cond.question)) return false;
  const given = answers[cond.question];
  return Array.isArray(given) ? given.some((code) => cond.values.includes(code)) : cond.values.includes(given);
}

function asInt(raw) {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : null;
  if (typeof raw === 'string' && INT_RE.test(raw)) return parseInt(raw, 10);
  return null;
}

/** The separate codes of a raw multi-select answer, null for a wrong type. */
function multiRaw(value) {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value.split(MULTI_SEPARATORS_RE).filter((part) => part);
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  return null;
}

/** A clean multi-select answer (ascending codes), an error, or null for no answer. */
function multiValidate(instrument, q, value) {
  let parts = multiRaw(value);
  if (parts === null) return { key: 'choice' };
  parts = parts.filter((p) => !(p === null || p === undefined || (typeof p === 'string' && !p.trim())));
  if (!parts.length) return null;
  const scale = instrument.scales[q.scale];
  const known = scale.choices.map((c) => c.code);
  const codes = parts.map(asInt);
  if (codes.some((c) => c === null || !known.includes(c))) return { key: 'choice' };
  const chosen = codes.sort((a, b) => a - b);
  if (new Set(chosen).size !== chosen.length) return { key: 'duplicate' };
  const alone = chosen.filter((c) => q.exclusive.includes(c));
  if (alone.length && chosen.length > 1) {
    const choice = scale.choices.find((c) => c.code === alone[0]);
    return { key: 'exclusive', values: { label: choice.label } };
  }
  if (!alone.length && (chosen.length < q.min_choices || chosen.length > q.max_choices)) {
    if (q.min_choices === q.max_choices) return { key: 'choices_exact', values: { n: q.max_choices } };
    if (q.min_choices > 1) return { key: 'choices_range', values: { a: q.min_choices, b: q.max_choices } };
    return { key: 'choices_max', values: { n: q.max_choices } };
  }
  return chosen;
}

function textClean(value) {
  return value.normalize('NFC').replace(CONTROL_RE, '').trim();
}

/**
 * Check raw answers (question code -> string, number, or a list of codes for
 * a multi-select question) like answers_validate.
 * Returns {answers, errors}: clean answers of the visible questions (numbers
 * for choices and numbers, strings for text, ascending lists of codes for
 * multi-select) and, per failing question code, {key, values} naming the
 * message ("required", "choice", "number", "range", "too_long", "duplicate",
 * "exclusive" with the choice's {label}, "choices_max", "choices_range",
 * "choices_exact").
 */
export function validate(instrument, raw) {
  const answers = {};
  const errors = {};
  for (const q of questions(instrument)) {
    if (!isVisible(q, answers)) continue;
    let value = has(raw, q.code) ? raw[q.code] : null;
    if (typeof value === 'string') value = value.trim();
    if (q.kind === 'multi' && value !== null && value !== undefined && value !== '') {
      value = multiValidate(instrument, q, value);
      if (value !== null && !Array.isArray(value)) {
        errors[q.code] = value;
        continue;
      }
    }
    if (value === null || value === undefined || value === '') {
      if (q.required) errors[q.code] = { key: 'required' };
      continue;
    }
    if (Array.isArray(value)) {
      answers[q.code] = value;
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

/** The shown answer of `question`: a choice's label, the labels of the
 * chosen codes of a multi-select question, a number, a text. */
export function answerLabel(instrument, question, value, lang) {
  if (value === undefined || value === null) return null;
  if (question.kind !== 'single' && question.kind !== 'multi') return String(value);
  const choices = instrument.scales[question.scale].choices;
  const one = (code) => {
    const choice = choices.find((c) => c.code === code);
    return choice ? label(choice.label, lang) : String(code);
  };
  return Array.isArray(value) ? value.map(one).join('; ') : one(value);
}
