/* The tablet's own storage (IndexedDB): interviews in progress (drafts),
 * finished interviews waiting to be sent (queue), and the install id (meta).
 *
 * A finished interview leaves this store only after the server confirmed
 * it ("created" or "duplicate"); it is then replaced by a small record
 * without answers, so the queue can still show it as sent.
 * Every write resolves when its transaction has committed ("complete"),
 * so "saved on this tablet" is never said too early. */

const DB_NAME = 'khaosat-surveyor';
const DB_VERSION = 1;
const CHANNEL = 'khaosat-queue';
const SENT_KEPT_MS = 3 * 24 * 3600 * 1000;

let opening = null;
const channel = 'BroadcastChannel' in self ? new BroadcastChannel(CHANNEL) : null;
const listeners = new Set();

/** Call fn() whenever the queue or the drafts change, in this tab or another. */
export function onChange(fn) {
  listeners.add(fn);
}

function changed() {
  listeners.forEach((fn) => fn());
  if (channel) channel.postMessage('changed');
}

if (channel) channel.onmessage = () => listeners.forEach((fn) => fn());

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        for (const name of ['drafts', 'queue']) {
          if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath: 'client_uuid' });
        }
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta', { keyPath: 'key' });
      };
      request.onsuccess = () => {
        const db = request.result;
        // A newer version of the app wants to upgrade: let it, reopen later.
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
    });
  }
  return opening;
}

/* Run body(transaction) and resolve with its result once committed.
 * body returns an IDBRequest (its result is used) or a function called at the end. */
async function run(stores, mode, body) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const options = mode === 'readwrite' ? { durability: 'strict' } : undefined;
    const tx = db.transaction(stores, mode, options);
    const out = body(tx);
    tx.oncomplete = () => {
      if (out && typeof out === 'object' && 'result' in out) resolve(out.result);
      else resolve(typeof out === 'function' ? out() : out);
    };
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction aborted'));
  });
}

function randomId() {
  if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export { randomId as newUuid };

/** The random id of this install of the app, made once and kept. */
export async function deviceId() {
  const found = await run(['meta'], 'readonly', (tx) => tx.objectStore('meta').get('device_id'));
  if (found) return found.value;
  const value = randomId();
  // add() fails if another tab made one meanwhile: then read theirs.
  try {
    await run(['meta'], 'readwrite', (tx) => tx.objectStore('meta').add({ key: 'device_id', value }));
    return value;
  } catch (e) {
    const again = await run(['meta'], 'readonly', (tx) => tx.objectStore('meta').get('device_id'));
    return again.value;
  }
}

export function drafts() {
  return run(['drafts'], 'readonly', (tx) => tx.objectStore('drafts').getAll());
}

export function draftGet(uuid) {
  return run(['drafts'], 'readonly', (tx) => tx.objectStore('drafts').get(uuid));
}

export async function draftPut(draft) {
  await run(['drafts'], 'readwrite', (tx) => tx.objectStore('drafts').put(draft));
}

export async function draftDelete(uuid) {
  await run(['drafts'], 'readwrite', (tx) => tx.objectStore('drafts').delete(uuid));
  changed();
}

/** Move a finished interview from the drafts to the queue, in one transaction. */
export async function finish(item) {
  await run(['drafts', 'queue'], 'readwrite', (tx) => {
    tx.objectStore('drafts').delete(item.client_uuid);
    tx.objectStore('queue').put(item);
  });
  changed();
}

export function queue() {
  return run(['queue'], 'readonly', (tx) => tx.objectStore('queue').getAll());
}

/* Change one queued record with fn(record) -> record, if it is still there. */
async function update(uuid, fn) {
  await run(['queue'], 'readwrite', (tx) => {
    const store = tx.objectStore('queue');
    const request = store.get(uuid);
    request.onsuccess = () => {
      if (request.result) store.put(fn(request.result));
    };
  });
}

/** The server holds it: forget the answers, keep a line for the queue view. */
export async function markSent(uuid, result) {
  await update(uuid, (item) => ({
    client_uuid: item.client_uuid,
    assignment_id: item.assignment_id,
    surveyor: item.surveyor,
    submitted_at: item.submitted_at,
    status: 'sent',
    result,
    sent_at: new Date().toISOString(),
  }));
}

/** Refused for a reason retrying will not fix: keep it, with the reason. */
export async function markFailed(uuid, result, reason) {
  await update(uuid, (item) => ({ ...item, status: 'failed', result, last_error: reason }));
}

/** A try that did not reach a verdict (network, server error): keep waiting. */
export async function markAttempt(uuid, reason) {
  await update(uuid, (item) => ({
    ...item,
    attempts: (item.attempts || 0) + 1,
    last_error: reason,
    last_try_at: new Date().toISOString(),
  }));
}

export async function retry(uuid) {
  await update(uuid, (item) => ({ ...item, status: 'waiting', attempts: 0, last_error: null }));
  changed();
}

export function notify() {
  changed();
}

/** Drop the "sent" lines older than a few days (their answers are long gone). */
export async function pruneSent() {
  const limit = Date.now() - SENT_KEPT_MS;
  await run(['queue'], 'readwrite', (tx) => {
    const store = tx.objectStore('queue');
    const request = store.getAll();
    request.onsuccess = () => {
      for (const item of request.result) {
        if (item.status === 'sent' && Date.parse(item.sent_at) < limit) store.delete(item.client_uuid);
      }
    };
  });
}
