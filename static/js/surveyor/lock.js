/* Exclusive locks across the tabs of this browser.
 *
 * An interview in progress is open in one tab only: two tabs editing the
 * same draft would send two different interviews under one UUID (a
 * conflict, and one of them lost). The Web Locks API does this properly
 * (a lock is freed when its tab closes or crashes); without it, a lease in
 * localStorage renewed every second stands in. */

const LEASE_MS = 5000;
const RENEW_MS = 1000;
const me = Math.random().toString(36).slice(2);

function leaseKey(name) {
  return `lock:${name}`;
}

function leaseFree(name) {
  try {
    const lease = JSON.parse(localStorage.getItem(leaseKey(name)) || 'null');
    return !lease || lease.owner === me || lease.until < Date.now();
  } catch (e) {
    return true;
  }
}

function leaseTake(name) {
  const write = () => localStorage.setItem(leaseKey(name), JSON.stringify({ owner: me, until: Date.now() + LEASE_MS }));
  write();
  const timer = setInterval(write, RENEW_MS);
  const release = () => {
    clearInterval(timer);
    if (!leaseFree(name)) return;
    localStorage.removeItem(leaseKey(name));
  };
  addEventListener('pagehide', release);
  return release;
}

/**
 * Take the lock `name` if nobody holds it, and keep it until release().
 * Resolves to {release} or, if another tab holds it, to null.
 */
export function holdLock(name) {
  if (navigator.locks) {
    return new Promise((resolve) => {
      navigator.locks.request(name, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        // The lock is held until the promise returned here settles.
        return new Promise((done) => resolve({ release: () => done() }));
      });
    });
  }
  if (!leaseFree(name)) return Promise.resolve(null);
  return Promise.resolve({ release: leaseTake(name) });
}

/** Run fn() holding the lock `name`; if another tab holds it, do nothing and resolve false. */
export async function whileHolding(name, fn) {
  const lock = await holdLock(name);
  if (!lock) return false;
  try {
    await fn();
  } finally {
    lock.release();
  }
  return true;
}
