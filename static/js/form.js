/* Citizen form: skip logic, progress, check-box rules, draft kept on the
 * phone, one submit. The page works without this file (the server checks
 * everything again); it only makes the form easier to use. */
(function () {
  'use strict';
  var MAX_AGE = 24 * 3600 * 1000; // a draft older than a day is another visit

  var store = null;
  try {
    store = window.localStorage;
    store.setItem('draft:test', '1');
    store.removeItem('draft:test');
  } catch (e) {
    store = null; // private mode, storage disabled or full
  }

  // Thank-you page: the answers are in, forget the draft.
  var thanks = document.querySelector('.card.thanks[data-draft-key]');
  if (thanks && store) {
    try { store.removeItem(thanks.getAttribute('data-draft-key')); } catch (e) { /* ignore */ }
  }

  var form = document.getElementById('survey');
  if (!form) return;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  // The server refuses a form sent without its device cookie: say so before
  // the person answers, not after.
  if (!navigator.cookieEnabled) {
    var off = document.getElementById('cookies-off');
    if (off) off.hidden = false;
    each(form.querySelectorAll('button[type="submit"]'), function (b) { b.disabled = true; });
  }
  var key = form.getAttribute('data-draft-key');
  var fieldsets = form.querySelectorAll('fieldset.q');

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== 'nonce' && el.type !== 'hidden' && el.type !== 'submit';
    });
  }

  function checkedValues(name) {
    return Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'),
      function (el) { return el.value; });
  }

  function answered(fs) {
    if (fs.querySelector('input:checked')) return true;
    var el = fs.querySelector('input.num, textarea, input[type=text], input[type=number]');
    return !!(el && el.value.trim() !== '');
  }

  // (1) Skip logic: gates come before the questions they open; a gate with
  // check boxes opens a question when any of the listed boxes is checked.
  function skip() {
    each(fieldsets, function (fs) {
      var gate = fs.getAttribute('data-show-if');
      if (!gate) return;
      var gateSet = document.getElementById('q-' + gate);
      var values = (fs.getAttribute('data-show-values') || '').split(/\s+/);
      var open = checkedValues(gate).some(function (v) { return values.indexOf(v) >= 0; });
      fs.hidden = !(open && !(gateSet && gateSet.hidden));
    });
  }

  // Check boxes: a "none of these" box (data-only) goes alone, and once the
  // most allowed are checked the other boxes wait until one is unchecked.
  function boxes(options, changed) {
    var all = options.querySelectorAll('input[type=checkbox]');
    if (changed && changed.checked) {
      each(all, function (el) {
        if (el !== changed && (changed.hasAttribute('data-only') || el.hasAttribute('data-only'))) el.checked = false;
      });
    }
    var most = parseInt(options.getAttribute('data-max'), 10) || all.length;
    var n = 0;
    each(all, function (el) { if (el.checked && !el.hasAttribute('data-only')) n += 1; });
    each(all, function (el) { el.disabled = !el.checked && !el.hasAttribute('data-only') && n >= most; });
  }

  // (2) Progress over the visible required questions.
  var bar = form.querySelector('.progress');
  var meter = bar && bar.querySelector('progress');
  var label = bar && bar.querySelector('span');
  var template = form.getAttribute('data-progress') || '{a}/{n}';
  function progress() {
    if (!bar) return;
    var n = 0;
    var a = 0;
    each(fieldsets, function (fs) {
      if (fs.hidden || !fs.hasAttribute('data-required')) return;
      n += 1;
      if (!answered(fs)) return;
      a += 1;
      // A choice now made clears the server's "please answer" mark.
      if (fs.classList.contains('has-error') && fs.querySelector('input:checked')) {
        fs.classList.remove('has-error');
        each(fs.querySelectorAll('p.error'), function (p) { p.hidden = true; });
      }
    });
    meter.max = n || 1;
    meter.value = a;
    var text = template.replace('{a}', a).replace('{n}', n);
    if (label.textContent !== text) label.textContent = text;
  }

  // (3) Draft in localStorage.
  function save() {
    if (!store || !key) return;
    var answers = {};
    fields().forEach(function (el) {
      if (el.type === 'checkbox') {
        if (el.checked) (answers[el.name] = answers[el.name] || []).push(el.value);
      } else if (el.type === 'radio') {
        if (el.checked) answers[el.name] = el.value;
      } else if (el.value !== '') {
        answers[el.name] = el.value;
      }
    });
    try {
      if (Object.keys(answers).length) store.setItem(key, JSON.stringify({ t: Date.now(), a: answers }));
      else store.removeItem(key);
    } catch (e) { /* storage full or blocked: the form still works */ }
  }

  function restore() {
    if (!store || !key) return [];
    var draft;
    try { draft = JSON.parse(store.getItem(key) || 'null'); } catch (e) { draft = null; }
    if (!draft || typeof draft.a !== 'object' || !draft.a || !(Date.now() - draft.t < MAX_AGE)) {
      try { store.removeItem(key); } catch (e) { /* ignore */ }
      return [];
    }
    var restored = [];
    Object.keys(draft.a).forEach(function (name) {
      var value = [].concat(draft.a[name]).map(String);
      var els = Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
      if (!els.length || name === 'nonce') return;
      if (els[0].type === 'radio' || els[0].type === 'checkbox') {
        // Server values win: only fill a question nobody answered yet.
        if (els.some(function (el) { return el.checked; })) return;
        els.forEach(function (el) {
          if (value.indexOf(el.value) >= 0) { el.checked = true; restored.push(el); }
        });
      } else if (els[0].value === '' && els[0].type !== 'hidden') {
        els[0].value = value[0];
        restored.push(els[0]);
      }
    });
    return restored;
  }

  function showRestored() {
    var text = form.getAttribute('data-restored');
    if (!text) return;
    var note = document.createElement('div');
    note.className = 'draft-note';
    note.setAttribute('role', 'status');
    var span = document.createElement('span');
    span.textContent = text;
    var close = document.createElement('button');
    close.type = 'button';
    close.textContent = '×';
    close.setAttribute('aria-label', form.getAttribute('data-close') || 'Đóng');
    close.addEventListener('click', function () { note.parentNode.removeChild(note); });
    note.appendChild(span);
    note.appendChild(close);
    var before = form.querySelector('.progress') || form.querySelector('section');
    form.insertBefore(note, before);
  }

  function update() {
    skip();
    progress();
  }

  // The "only if" notes are for readers without JavaScript.
  each(form.querySelectorAll('p.only-if'), function (p) { p.hidden = true; });

  var restored = restore();
  each(form.querySelectorAll('.options[data-max]'), function (options) { boxes(options, null); });
  update();
  if (bar) bar.hidden = false;
  if (restored.some(function (el) { var fs = el.closest('fieldset'); return !fs || !fs.hidden; })) {
    showRestored();
  }

  form.addEventListener('change', function (ev) {
    var options = ev.target.type === 'checkbox' && ev.target.closest('.options[data-max]');
    if (options) boxes(options, ev.target);
    update();
    save();
  });
  form.addEventListener('input', function (ev) {
    if (ev.target.type !== 'radio' && ev.target.type !== 'checkbox') { progress(); save(); }
  });

  // (5) One submit: the browser sends the first, later taps do nothing.
  var sending = false;
  var button = form.querySelector('button[type=submit]');
  form.addEventListener('submit', function (ev) {
    if (sending) { ev.preventDefault(); return; }
    sending = true;
    save();
    if (!button) return;
    // After this event the form data is already built; disabling now is safe.
    setTimeout(function () { button.disabled = true; }, 0);
    // Slow network and the person pressed Stop: let them try again.
    setTimeout(function () { sending = false; button.disabled = false; }, 15000);
  });
  // Back from the next page (bfcache): the form is usable again.
  window.addEventListener('pageshow', function (ev) {
    if (ev.persisted && button) { sending = false; button.disabled = false; }
  });

  // (6) Errors from the server: take screen readers (and the eye) to the summary.
  var errors = document.getElementById('errors');
  if (errors) {
    errors.setAttribute('tabindex', '-1');
    errors.focus();
    each(errors.querySelectorAll('a[href^="#q-"]'), function (a) {
      a.addEventListener('click', function () {
        var fs = document.getElementById(a.getAttribute('href').slice(1));
        var first = fs && (fs.querySelector('input:checked') || fs.querySelector('input, textarea'));
        if (first) setTimeout(function () { first.focus(); }, 0);
      });
    });
  }
}());
