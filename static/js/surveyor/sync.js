/* Sending queued interviews, and never giving up until the server has them.
 *
 * What hurts surveyors with other tools, and what this does instead:
 * - a queue that stalls until the page is reloaded: sending runs at start,
 *   on the `online` event, when the tab comes back to the front, after each
 *   finished interview, and on a timer that backs off (4 s, 8 s, ... 5 min)
 *   after failures; a hung request is aborted after 30 s; a failure of one
 *   run never stops the next;
 * - records sent twice: the server keys every interview by the UUID made
 *   when it started, so sending again after a lost answer is harmless
 *   ("duplicate"), and only one tab sends at a time (a Web Lock);
 * - an interview deleted before the server had it: it leaves the tablet
 *   only on "created" or "duplicate" for its UUID;
 * - a queue stuck behind one interview the server will never take: a batch
 *   refused for good (a 4xx other than 401, 403, 408 and 429, which may
 *   pass later) is split until the interviews at fault are found; those
 *   stay on the tablet marked as refused, with the server's reason and a
 *   "try again" button, and the others are sent.
 */

import * as store from './store.js';
import { whileHolding } from './lock.js';

const REQUEST_TIMEOUT_MS = 30000;
const BACKOFF_FIRST_MS = 4000;
const BACKOFF_MAX_MS = 5 * 60 * 1000;
const IDLE_CHECK_MS = 60000;
const SEND_FIELDS = [
  'client_uuid', 'assignment_id', 'instrument', 'instrument_version',
  'started_at', 'submitted_at', 'device_id', 'answers',
];
const FINAL = ['conflict', 'invalid', 'forbidden'];
/* 4xx answers that may pass later: signed out, forbidden (a session that
 * changed hands), a timeout, too many requests. Any other 4xx would refuse
 * the same batch again. */
const MAY_PASS_LATER = [401, 403, 408, 429];

async function fetchWithTimeout(url, options, ms) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    return await fetch(url, { ...options, signal: controller.signal, credentials: 'same-origin', cache: 'no-store' });
  } finally {
    clearTimeout(timer);
  }
}

function payload(item) {
  const out = {};
  for (const field of SEND_FIELDS) out[field] = item[field];
  return out;
}

export class Sender {
  /**
   * @param ctx {config, t, csrf} of the page (app.js)
   * @param onState called with {state, nextTry, error} when sending starts/stops
   */
  constructor(ctx, onState) {
    this.ctx = ctx;
    this.onState = onState || (() => {});
    this.failures = 0;
    this.timer = null;
    this.running = false;
    this.again = false;
    this.chunk = ctx.config.send_chunk || 25;
    this.signedOut = false;
  }

  start() {
    addEventListener('online', () => this.kick());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.kick();
    });
    // A new interview in the queue (this tab or another): send it soon,
    // unless the server is failing and the back-off timer decides.
    store.onChange(() => {
      if (this.running) return;
      if (this.failures) this.schedule();
      else this.kickSoon();
    });
    store.pruneSent().catch(() => {});
    this.kick();
  }

  /** Send now (clears any waiting timer). */
  kick() {
    clearTimeout(this.timer);
    this.timer = null;
    this.run();
  }

  kickSoon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), 300);
  }

  async run() {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    let sent = false;
    try {
      const ran = await whileHolding('khaosat-sync', async () => {
        sent = await this.sendAll();
      });
      if (!ran) this.onState({ state: 'other-tab' });
    } catch (e) {
      this.failures += 1;
      this.onState({ state: 'error', error: String(e && e.message ? e.message : e) });
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        setTimeout(() => this.run(), 0);
      } else {
        this.schedule();
      }
    }
    if (sent) this.onState({ state: 'sent' });
  }

  async mine() {
    const all = await store.queue();
    return all.filter((item) => item.status === 'waiting' && item.surveyor === this.ctx.config.user.username);
  }

  async schedule() {
    clearTimeout(this.timer);
    let delay = IDLE_CHECK_MS;
    let waiting = [];
    try {
      waiting = await this.mine();
    } catch (e) { /* storage unavailable: check again later */ }
    if (waiting.length && this.failures) {
      const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (this.failures - 1));
      delay = base * (0.8 + Math.random() * 0.4);
    }
    this.timer = setTimeout(() => this.run(), delay);
    if (waiting.length) {
      this.onState({ state: this.signedOut ? 'signed-out' : 'waiting', nextTry: new Date(Date.now() + delay) });
    } else {
      this.onState({ state: 'idle' });
    }
  }

  /* A fresh CSRF token (the cached page's may be old) and a check that the
   * session is still this surveyor's. */
  async refreshSession() {
    const response = await fetchWithTimeout(this.ctx.config.urls.session, { headers: { Accept: 'application/json' } }, 10000);
    if (response.status === 401 || response.status === 403 || response.redirected) {
      this.signedOut = true;
      return false;
    }
    if (!response.ok) throw new Error(this.ctx.t('server_error', { status: response.status }));
    const body = await response.json();
    if (body.user.username !== this.ctx.config.user.username) {
      this.signedOut = true;
      return false;
    }
    this.signedOut = false;
    this.ctx.csrf = body.csrf_token || this.ctx.csrf;
    return true;
  }

  /* Send every waiting interview of this surveyor; true if any reached the server. */
  async sendAll() {
    let waiting = await this.mine();
    if (!waiting.length) {
      this.failures = 0;
      return false;
    }
    if (!navigator.onLine) return false;
    this.onState({ state: 'sending' });
    let ok;
    try {
      ok = await this.refreshSession();
    } catch (e) {
      this.failures += 1;
      for (const item of waiting) await store.markAttempt(item.client_uuid, this.ctx.t('network_error'));
      return false;
    }
    if (!ok) return false;
    let sent = false;
    // While > 0: batches this small, to find the interviews the server refuses for good.
    let isolating = 0;
    while (waiting.length) {
      const batch = waiting.slice(0, isolating || this.chunk);
      const outcome = await this.post(batch);
      if (outcome === 'retry-smaller') {
        this.chunk = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      if (outcome === 'split') {
        isolating = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      if (outcome === 'refused') {
        // marked as refused; the queue goes on past it at the usual size
        isolating = 0;
        waiting = waiting.slice(batch.length);
        continue;
      }
      if (outcome !== 'ok') {
        store.notify();
        return sent;
      }
      sent = true;
      waiting = waiting.slice(batch.length);
    }
    this.failures = 0;
    store.notify();
    return sent;
  }

  async post(batch, csrfRetried) {
    let response;
    try {
      response = await fetchWithTimeout(this.ctx.config.urls.interviews, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'X-CSRFToken': this.ctx.csrf || '',
        },
        body: JSON.stringify({ interviews: batch.map(payload) }),
      }, REQUEST_TIMEOUT_MS);
    } catch (e) {
      return this.attemptFailed(batch, this.ctx.t('network_error'));
    }
    if (response.status === 200) {
      let body;
      try {
        body = await response.json();
      } catch (e) {
        return this.attemptFailed(batch, this.ctx.t('server_error', { status: 200 }));
      }
      await this.record(batch, body.results || []);
      return 'ok';
    }
    let error = {};
    try {
      error = await response.json();
    } catch (e) { /* not JSON: a proxy's error page */ }
    if (response.status === 400 && error.error === 'csrf_failed' && !csrfRetried) {
      if (await this.refreshSession()) return this.post(batch, true);
      return 'stop';
    }
    if (response.status === 401) {
      this.signedOut = true;
      return 'stop';
    }
    if (response.status === 413 && batch.length > 1) return 'retry-smaller';
    const reason = error.message || this.ctx.t('server_error', { status: response.status });
    if (response.status >= 400 && response.status < 500 && !MAY_PASS_LATER.includes(response.status)) {
      if (batch.length > 1) return 'split';
      await store.markFailed(batch[0].client_uuid, 'invalid', reason);
      return 'refused';
    }
    return this.attemptFailed(batch, reason);
  }

  async attemptFailed(batch, reason) {
    this.failures += 1;
    for (const item of batch) await store.markAttempt(item.client_uuid, reason);
    return 'stop';
  }

  async record(batch, results) {
    const byUuid = new Map(batch.map((item) => [item.client_uuid, item]));
    for (const result of results) {
      const item = byUuid.get(result.client_uuid) || batch[result.index];
      if (!item) continue;
      if (result.status === 'created' || result.status === 'duplicate') {
        await store.markSent(item.client_uuid, result.status);
      } else if (FINAL.includes(result.status)) {
        const reasons = (result.errors || []).map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
        await store.markFailed(item.client_uuid, result.status, reasons.join(' · ') || result.message || result.status);
      }
    }
  }
}
