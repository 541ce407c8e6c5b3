/* The surveyor's start page: assignments with progress (the server's count
 * plus what waits on this tablet), the queue, and signing out safely. */

import { boot } from './app.js';
import * as store from './store.js';

const ctx = boot();
const me = ctx.config.user.username;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function when(iso) {
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getDate())}/${two(d.getMonth() + 1)} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

function assignmentName(id) {
  const card = document.querySelector(`[data-assignment="${id}"] h3`);
  return card ? card.textContent : `#${id}`;
}

function renderQueue(items) {
  const list = document.getElementById('sv-queue-list');
  const mine = items
    .filter((item) => item.surveyor === me)
    .sort((a, b) => (b.submitted_at || '').localeCompare(a.submitted_at || ''));
  list.textContent = '';
  if (!mine.length) {
    list.appendChild(el('p', 'small', ctx.t('queue_empty')));
    return;
  }
  for (const status of ['failed', 'waiting', 'sent']) {
    const group = mine.filter((item) => item.status === status);
    if (!group.length) continue;
    const title = el('h3', `sv-group ${status}`, `${ctx.t(status)} (${group.length})`);
    const ul = el('ul', 'sv-items');
    ul.dataset.status = status;
    for (const item of group) {
      const li = el('li', `sv-item ${status}`);
      li.dataset.uuid = item.client_uuid;
      li.appendChild(el('span', 'when', when(item.submitted_at)));
      li.appendChild(el('span', 'what', ` · ${assignmentName(item.assignment_id)}`));
      if (status === 'waiting' && item.attempts) {
        li.appendChild(el('span', 'small', ` · ${ctx.t('attempts', { n: item.attempts })}: ${item.last_error || ''}`));
      }
      if (status === 'failed') {
        li.appendChild(el('p', 'reason', `${ctx.t('reason')}: ${item.last_error || item.result}`));
        const again = el('button', 'button secondary small-button', ctx.t('retry'));
        again.type = 'button';
        again.addEventListener('click', () => store.retry(item.client_uuid).then(() => ctx.sender.kick()));
        li.appendChild(again);
      }
      ul.appendChild(li);
    }
    list.appendChild(title);
    list.appendChild(ul);
  }
}

function renderPending(items) {
  const counts = new Map();
  for (const item of items) {
    if (item.surveyor !== me || item.status === 'sent') continue;
    counts.set(item.assignment_id, (counts.get(item.assignment_id) || 0) + 1);
  }
  document.querySelectorAll('[data-assignment]').forEach((card) => {
    const n = counts.get(Number(card.dataset.assignment)) || 0;
    const pending = card.querySelector('[data-pending]');
    pending.hidden = !n;
    pending.textContent = n ? ctx.t('local_pending', { n }) : '';
  });
}

/* The server's counts after a send, without reloading the page. */
async function refreshProgress() {
  let body;
  try {
    const response = await fetch(ctx.config.urls.assignments, { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) return;
    body = await response.json();
  } catch (e) {
    return;
  }
  for (const a of body.assignments) {
    const card = document.querySelector(`[data-assignment="${a.id}"]`);
    if (!card) continue;
    const bar = card.querySelector('progress[data-done]');
    bar.value = Math.min(a.done, a.target);
    card.querySelector('[data-progress-text]').textContent = ctx.t('progress', { done: a.done, target: a.target });
  }
}

document.addEventListener('sv:queue', (event) => {
  renderQueue(event.detail.items);
  renderPending(event.detail.items);
});
document.addEventListener('sv:sent', refreshProgress);
document.getElementById('sv-send-now').addEventListener('click', () => ctx.sender.kick());

// Signing out: say what stays behind, and drop the cached pages (they
// show this surveyor's name and assignments) from a shared tablet.
document.getElementById('sv-logout').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const items = await store.queue().catch(() => []);
  const unsent = items.filter((item) => item.surveyor === me && item.status !== 'sent').length;
  if (unsent && !confirm(ctx.t('logout_warning', { n: unsent }))) return;
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: 'forget' });
  }
  form.submit();
});

// The browser offers to install the app (Chrome on Android): show our button.
let installPrompt = null;
addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault();
  installPrompt = event;
  document.getElementById('sv-install').hidden = false;
});
document.getElementById('sv-install').addEventListener('click', async () => {
  if (!installPrompt) return;
  installPrompt.prompt();
  installPrompt = null;
  document.getElementById('sv-install').hidden = true;
});
