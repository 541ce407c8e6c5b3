/* The interview: start, one section per screen with live skip logic,
 * review, finish. Rendered here from the instrument's JSON so it runs with
 * the network off; every answer is saved to the tablet as it is given, and
 * a finished interview goes to the queue in the same transaction that
 * removes its draft. */

import { boot } from './app.js';
import * as store from './store.js';
import { holdLock } from './lock.js';
import { answerLabel, isVisible, label, questions, validate, visibleQuestions, visibleSections } from './instrument.js';

const ctx = boot();
const { t, lang } = ctx;
const assignment = ctx.config.assignment;
const me = ctx.config.user.username;
const root = document.getElementById('sv-interview');

let instrument = null;
let numbers = {};
let draft = null; // the interview on screen
let lock = null; // its lock: no other tab may open it
let offered = []; // drafts offered for resuming, with the locks taken to offer them
let saving = Promise.resolve();

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'onclick') node.addEventListener('click', value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function button(text, onclick, kind = 'primary', extra = {}) {
  return h('button', { type: 'button', class: `button ${kind}`, onclick, ...extra }, text);
}

function timeOf(iso) {
  return new Date(iso).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'vi-VN', { hour: '2-digit', minute: '2-digit' });
}

function show(...nodes) {
  root.textContent = '';
  root.append(...nodes);
  window.scrollTo(0, 0);
  const heading = root.querySelector('h1, h2');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

function save() {
  if (!draft) return saving;
  const copy = { ...draft, answers: { ...draft.answers }, updated_at: new Date().toISOString() };
  saving = saving.then(() => store.draftPut(copy)).catch(() => {});
  return saving;
}

async function loadInstrument() {
  try {
    const response = await fetch(assignment.instrument_url, { credentials: 'same-origin' });
    if (response.ok) return await response.json();
  } catch (e) { /* offline: try the cache below */ }
  // The worker may not control this page yet (first visit): read its cache directly.
  if ('caches' in self) {
    const cached = await caches.match(assignment.instrument_url, { ignoreVary: true });
    if (cached) return cached.json();
  }
  return null;
}

function releaseOffered(keep) {
  for (const entry of offered) if (entry.lock !== keep) entry.lock.release();
  offered = [];
}

/* ---- start ---------------------------------------------------------- */

async function showStart() {
  if (lock) lock.release();
  lock = null;
  draft = null;
  releaseOffered();
  const card = h('section', { class: 'card sv-start' },
    h('h1', {}, label(instrument.title, lang)),
    h('p', { class: 'intro' }, label(instrument.intro, lang)));
  if (!assignment.active) {
    card.append(h('p', { class: 'alert' }, t('not_active')));
    show(card);
    return;
  }
  const mine = (await store.drafts())
    .filter((d) => d.surveyor === me && d.assignment_id === assignment.id)
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  for (const unfinished of mine) {
    const held = await holdLock(`draft:${unfinished.client_uuid}`);
    if (!held) {
      card.append(h('p', { class: 'alert sv-locked', role: 'status' }, t('locked')));
      continue;
    }
    offered.push({ draft: unfinished, lock: held });
    card.append(h('div', { class: 'sv-resume' },
      button(t('resume', { time: timeOf(unfinished.started_at) }), () => resume(unfinished, held), 'primary', { 'data-resume': unfinished.client_uuid }),
      button(t('discard'), () => discard(unfinished), 'secondary')));
  }
  card.append(button(t('start'), startNew, mine.length ? 'secondary' : 'primary', { id: 'sv-start' }));
  show(card);
}

async function startNew() {
  releaseOffered();
  const uuid = store.newUuid();
  lock = await holdLock(`draft:${uuid}`);
  draft = {
    client_uuid: uuid,
    assignment_id: assignment.id,
    surveyor: me,
    unit_name: assignment.unit_name,
    instrument: instrument.code,
    instrument_version: instrument.version,
    started_at: new Date().toISOString(),
    answers: {},
    section: null,
  };
  await save();
  store.notify();
  showSection(visibleSections(instrument, {})[0]);
}

function resume(unfinished, held) {
  releaseOffered(held);
  lock = held;
  draft = unfinished;
  draft.instrument_version = instrument.version;
  const order = visibleSections(instrument, validate(instrument, draft.answers).answers);
  if (draft.section === 'review') showReview();
  else showSection(order.includes(draft.section) ? draft.section : order[0]);
}

async function discard(unfinished) {
  if (!confirm(t('discard_confirm'))) return;
  await store.draftDelete(unfinished.client_uuid);
  showStart();
}

/* ---- one section ---------------------------------------------------- */

function questionNode(q) {
  const current = draft.answers[q.code];
  const fieldset = h('fieldset', { class: 'q', id: `q-${q.code}`, 'data-code': q.code },
    h('legend', { id: `l-${q.code}` },
      h('span', { class: 'qn' }, `${numbers[q.code]}.`), ' ', label(q.text, lang),
      q.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    q.help ? h('p', { class: 'hint' }, label(q.help, lang)) : null,
    h('p', { class: 'error', id: `err-${q.code}`, hidden: true }));
  if (q.kind === 'single') {
    const scale = instrument.scales[q.scale];
    const aside = new Set([...scale.not_applicable, ...scale.refused]);
    fieldset.append(h('div', { class: scale.choices.length > 4 ? 'options long' : 'options' },
      scale.choices.map((c) => h('label', { class: aside.has(c.code) ? 'opt aside' : 'opt' },
        h('input', { type: 'radio', name: q.code, value: c.code, checked: current === c.code }),
        h('span', {}, label(c.label, lang))))));
  } else if (q.kind === 'multi') {
    const scale = instrument.scales[q.scale];
    const chosen = Array.isArray(current) ? current : [];
    const free = scale.choices.filter((c) => !q.exclusive.includes(c.code)).length;
    let hint = t('multi_any');
    if (q.min_choices > 1) hint = t('multi_range', { a: q.min_choices, b: q.max_choices });
    else if (q.max_choices < free) hint = t('multi_max', { n: q.max_choices });
    const options = h('div', { class: 'options long', 'data-max': q.max_choices },
      scale.choices.map((c) => h('label', { class: q.exclusive.includes(c.code) ? 'opt aside' : 'opt' },
        h('input', {
          type: 'checkbox', name: q.code, value: c.code, checked: chosen.includes(c.code),
          'data-only': q.exclusive.includes(c.code),
        }),
        h('span', {}, label(c.label, lang)))));
    fieldset.append(h('p', { class: 'hint' }, hint), options);
    boxes(options, null);
  } else if (q.kind === 'number') {
    fieldset.append(h('input', {
      class: 'num', type: 'number', inputmode: 'numeric', name: q.code, min: q.minimum, max: q.maximum,
      value: current === undefined ? '' : current, 'aria-labelledby': `l-${q.code}`,
    }));
  } else {
    const area = h('textarea', { name: q.code, rows: 3, maxlength: q.max_length, 'aria-labelledby': `l-${q.code}` });
    area.value = current === undefined ? '' : current;
    fieldset.append(area);
  }
  return fieldset;
}

/* Check boxes: a "none of these" box (data-only) goes alone, and once the
 * most allowed are checked the others wait until one is unchecked. */
function boxes(options, changed) {
  const all = [...options.querySelectorAll('input[type=checkbox]')];
  if (changed && changed.checked) {
    for (const el of all) {
      if (el !== changed && (changed.hasAttribute('data-only') || el.hasAttribute('data-only'))) el.checked = false;
    }
  }
  const most = Number(options.getAttribute('data-max')) || all.length;
  const n = all.filter((el) => el.checked && !el.hasAttribute('data-only')).length;
  for (const el of all) el.disabled = !el.checked && !el.hasAttribute('data-only') && n >= most;
  return all.filter((el) => el.checked).map((el) => Number(el.value));
}

function refreshVisibility(card, section) {
  const clean = validate(instrument, draft.answers).answers;
  for (const q of section.questions) {
    card.querySelector(`#q-${CSS.escape(q.code)}`).hidden = !isVisible(q, clean);
  }
}

function clearError(fieldset) {
  fieldset.classList.remove('has-error');
  fieldset.querySelector('p.error').hidden = true;
}

function showErrors(card, codes, errors) {
  const summary = card.querySelector('.sv-errors');
  summary.hidden = false;
  summary.textContent = t('section_errors', { n: codes.length });
  codes.forEach((code) => {
    const fieldset = card.querySelector(`#q-${CSS.escape(code)}`);
    const p = fieldset.querySelector('p.error');
    // a choice named in a message ("none" combined) is a {vi, en} label
    const values = Object.fromEntries(Object.entries(errors[code].values || {})
      .map(([key, value]) => [key, typeof value === 'object' ? label(value, lang) : value]));
    p.textContent = t(`err.${errors[code].key}`, values);
    p.hidden = false;
    fieldset.classList.add('has-error');
  });
  const first = card.querySelector(`#q-${CSS.escape(codes[0])}`);
  first.scrollIntoView({ block: 'center' });
  const input = first.querySelector('input, textarea');
  if (input) input.focus({ preventScroll: true });
}

function showSection(index) {
  const section = instrument.sections[index];
  draft.section = index;
  save();
  const clean = validate(instrument, draft.answers).answers;
  const order = visibleSections(instrument, clean);
  const position = order.indexOf(index);
  const card = h('section', { class: 'card sv-section', 'data-section': section.code },
    h('h2', {}, h('span', { class: 'part' }, t('part', { i: position + 1, n: order.length })), ' ', label(section.title, lang)),
    h('p', { class: 'alert sv-errors', role: 'alert', hidden: true }),
    section.questions.map(questionNode));
  const onAnswer = (event) => {
    const target = event.target;
    if (!target.name) return;
    if (target.type === 'checkbox') {
      if (event.type !== 'change') return;
      draft.answers[target.name] = boxes(target.closest('.options'), target);
    } else {
      draft.answers[target.name] = target.type === 'radio' ? Number(target.value) : target.value;
    }
    clearError(target.closest('fieldset'));
    if (target.type === 'radio' || event.type === 'change') refreshVisibility(card, section);
    save();
  };
  card.addEventListener('change', onAnswer);
  card.addEventListener('input', (event) => {
    if (event.target.type !== 'radio' && event.target.type !== 'checkbox') onAnswer(event);
  });
  const previous = order.filter((i) => i < index).pop();
  const nav = h('div', { class: 'sv-nav' },
    previous === undefined ? h('span') : button(t('previous'), () => showSection(previous), 'secondary', { id: 'sv-previous' }),
    button(t('next'), () => next(card, index), 'primary', { id: 'sv-next' }));
  show(card, nav);
  refreshVisibility(card, section);
}

function next(card, index) {
  const { answers, errors } = validate(instrument, draft.answers);
  const section = instrument.sections[index];
  const bad = visibleQuestions(instrument, section, answers).map((q) => q.code).filter((code) => errors[code]);
  if (bad.length) {
    showErrors(card, bad, errors);
    return;
  }
  const following = visibleSections(instrument, answers).find((i) => i > index);
  if (following === undefined) showReview();
  else showSection(following);
}

/* ---- review and finish ---------------------------------------------- */

function showReview() {
  draft.section = 'review';
  save();
  const { answers } = validate(instrument, draft.answers);
  const card = h('section', { class: 'card sv-review' }, h('h2', {}, t('review')));
  for (const index of visibleSections(instrument, answers)) {
    const section = instrument.sections[index];
    const rows = visibleQuestions(instrument, section, answers).map((q) => {
      const shown = answerLabel(instrument, q, answers[q.code], lang);
      return [h('dt', {}, `${numbers[q.code]}. ${label(q.text, lang)}`), h('dd', { class: shown ? '' : 'muted' }, shown || t('no_answer'))];
    });
    card.append(h('div', { class: 'sv-review-section' },
      h('h3', {}, label(section.title, lang), ' ', button(t('edit'), () => showSection(index), 'secondary small-button')),
      h('dl', {}, rows)));
  }
  card.append(h('p', { class: 'small' }, `${t('started_at')}: ${timeOf(draft.started_at)}`));
  const finishButton = button(t('finish'), () => finish(finishButton), 'primary', { id: 'sv-finish' });
  show(card, h('div', { class: 'sv-nav' }, h('span'), finishButton));
}

async function finish(finishButton) {
  const { answers, errors } = validate(instrument, draft.answers);
  const bad = Object.keys(errors);
  if (bad.length) {
    const index = instrument.sections.findIndex((s) => s.questions.some((q) => q.code === bad[0]));
    showSection(index);
    next(root.querySelector('.sv-section'), index);
    return;
  }
  finishButton.disabled = true;
  await saving;
  const item = {
    client_uuid: draft.client_uuid,
    assignment_id: draft.assignment_id,
    surveyor: me,
    unit_name: draft.unit_name,
    instrument: draft.instrument,
    instrument_version: draft.instrument_version,
    started_at: draft.started_at,
    submitted_at: new Date().toISOString(),
    device_id: await store.deviceId(),
    answers,
    status: 'waiting',
    attempts: 0,
    last_error: null,
  };
  try {
    await store.finish(item);
  } catch (e) {
    // Storage full or blocked: say so, keep the interview on screen, let them retry.
    finishButton.disabled = false;
    root.querySelector('.sv-review').prepend(h('p', { class: 'alert', role: 'alert' }, t('save_failed')));
    return;
  }
  if (lock) lock.release();
  lock = null;
  draft = null;
  ctx.sender.kick();
  showDone(item);
}

function showDone(item) {
  const minutes = Math.max(1, Math.round((Date.parse(item.submitted_at) - Date.parse(item.started_at)) / 60000));
  show(h('section', { class: 'card notice sv-done', 'data-uuid': item.client_uuid },
    h('div', { class: 'tick', 'aria-hidden': 'true' }, '✓'),
    h('h2', {}, t('saved')),
    h('p', { class: 'lead' }, t('saved_body')),
    h('p', { class: 'small' }, `${t('started_at')} ${timeOf(item.started_at)} · ${t('finished_at')} ${timeOf(item.submitted_at)} · ${t('minutes', { n: minutes })}`),
    button(t('next_interview'), showStart, 'primary', { id: 'sv-again' }),
    h('p', {}, h('a', { href: ctx.config.urls.home }, t('back_home')))));
}

/* ---- page start ----------------------------------------------------- */

async function main() {
  instrument = await loadInstrument();
  if (!instrument) {
    show(h('p', { class: 'card alert' }, t('load_failed')));
    return;
  }
  numbers = Object.fromEntries(questions(instrument).map((q, i) => [q.code, i + 1]));
  document.documentElement.dataset.instrument = `${instrument.code}.v${instrument.version}`;
  await showStart();
}

main();
