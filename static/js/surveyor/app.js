/* What every page of the tablet app does: read the page's settings and
 * texts, keep the service worker installed and the pages it needs cached,
 * ask the browser to keep our storage, show the network and queue state,
 * and run the sender. */

import * as store from './store.js';
import { Sender } from './sync.js';

export function format(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, key) => (values && key in values ? String(values[key]) : whole));
}

function json(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : {};
}

function setText(id, text) {
  const el = document.getElementById(id);
  if (el && el.textContent !== text) el.textContent = text;
  return el;
}

function clock(date, lang) {
  return date.toLocaleTimeString(lang === 'en' ? 'en-GB' : 'vi-VN', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function showNetwork(ctx) {
  const online = navigator.onLine;
  setText('sv-net', ctx.t(online ? 'online' : 'offline'));
  document.documentElement.classList.toggle('is-offline', !online);
}

/** Interviews that exist only here: finished but not confirmed by the server. */
async function showCounts(ctx) {
  let items = [];
  let drafts = [];
  try {
    [items, drafts] = await Promise.all([store.queue(), store.drafts()]);
  } catch (e) {
    return;
  }
  const pending = items.filter((item) => item.status !== 'sent');
  const el = setText('sv-only-here', pending.length ? ctx.t('only_here', { n: pending.length }) : ctx.t('only_here_none'));
  if (el) {
    el.dataset.count = String(pending.length);
    el.classList.toggle('warn', pending.length > 0);
  }
  const others = pending.filter((item) => item.surveyor !== ctx.config.user.username);
  const auth = document.getElementById('sv-auth');
  if (others.length && auth && !ctx.otherNote) {
    const who = Array.from(new Set(others.map((item) => item.surveyor))).join(', ');
    ctx.otherNote = document.createElement('p');
    ctx.otherNote.className = 'small';
    auth.parentNode.appendChild(ctx.otherNote);
    ctx.otherNote.textContent = ctx.t('other_account', { n: others.length, who });
  }
  const mine = drafts.filter((d) => d.surveyor === ctx.config.user.username);
  const note = document.getElementById('sv-drafts');
  if (note) {
    note.hidden = !mine.length;
    note.textContent = ctx.t('drafts_here', { n: mine.length });
  }
  document.dispatchEvent(new CustomEvent('sv:queue', { detail: { items, drafts } }));
}

function showSync(ctx, state) {
  const auth = document.getElementById('sv-auth');
  if (auth) auth.hidden = state.state !== 'signed-out';
  if (state.state === 'sending') setText('sv-sync', ctx.t('sending'));
  else if (state.state === 'waiting' && navigator.onLine) setText('sv-sync', ctx.t('next_try', { time: clock(state.nextTry, ctx.config.lang) }));
  else if (state.state === 'idle' || state.state === 'waiting') setText('sv-sync', '');
  if (state.state === 'sent') document.dispatchEvent(new CustomEvent('sv:sent'));
}

async function registerWorker(ctx) {
  if (!('serviceWorker' in navigator) || !('caches' in self)) {
    setText('sv-offline', ctx.t('offline_unsupported'));
    return;
  }
  try {
    await navigator.serviceWorker.register(ctx.config.urls.sw, { scope: ctx.config.urls.scope });
  } catch (e) {
    // Offline, the browser cannot fetch the worker to look for an update;
    // the installed one keeps working.
    const installed = await navigator.serviceWorker.getRegistration(ctx.config.urls.scope);
    if (!installed) {
      setText('sv-offline', ctx.t('offline_unsupported'));
      return;
    }
  }
  const registration = await navigator.serviceWorker.ready;
  // Back online after working offline: refresh the stored pages and data.
  addEventListener('online', () => warm(ctx, registration));
  if (!navigator.onLine) {
    // Running offline from the worker's copies: that is being ready.
    setText('sv-offline', ctx.t('offline_ready'));
    document.documentElement.dataset.offlineReady = '1';
    return;
  }
  await warm(ctx, registration);
}

/* Ask the worker to fetch and keep the pages and data this surveyor needs offline. */
async function warm(ctx, registration) {
  const urls = ctx.config.warm || [];
  const reply = await new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    registration.active.postMessage({ type: 'warm', urls }, [channel.port2]);
    setTimeout(() => resolve(null), 20000);
  });
  if (reply && reply.ok) {
    setText('sv-offline', ctx.t('offline_ready'));
    document.documentElement.dataset.offlineReady = '1';
  }
}

async function keepStorage(ctx) {
  if (!navigator.storage || !navigator.storage.persist) {
    setText('sv-persist', ctx.t('persist_no'));
    return;
  }
  let kept = await navigator.storage.persisted();
  if (!kept) kept = await navigator.storage.persist();
  setText('sv-persist', ctx.t(kept ? 'persist_yes' : 'persist_no'));
}

/** Start the app on this page; returns the page context {config, t, csrf, sender}. */
export function boot() {
  const config = json('sv-config');
  const texts = json('sv-texts');
  const meta = document.querySelector('meta[name="csrf-token"]');
  const ctx = {
    config,
    texts,
    lang: config.lang,
    csrf: meta ? meta.content : '',
    t: (key, values) => format(texts[key] || key, values),
  };
  ctx.sender = new Sender(ctx, (state) => showSync(ctx, state));
  showNetwork(ctx);
  addEventListener('online', () => showNetwork(ctx));
  addEventListener('offline', () => showNetwork(ctx));
  store.onChange(() => showCounts(ctx));
  showCounts(ctx);
  registerWorker(ctx).catch(() => setText('sv-offline', ctx.t('offline_unsupported')));
  keepStorage(ctx).catch(() => setText('sv-persist', ctx.t('persist_no')));
  ctx.sender.start();
  return ctx;
}
