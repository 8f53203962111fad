// The stored state and what follows from it: the one queue every storage.local write goes
// through, the session cache, and the toolbar badge. Decisions come from the core.
import { core, coreReady } from '../lib/core.js';
import { STATE_KEY, OPTIONS_KEY, ORG_KEY, serial, readStored, readOptions, readOrg, readManaged, log } from '../lib/store.js';

const api = globalThis.OptOutApi;

/** Every write to storage.local, one at a time. */
export const writeQueue = serial();

/** Applies `change(stored) -> {stored, changed}` to the stored state; resolves with the new state. */
export function updateState(change) {
  return writeQueue(async () => {
    const { stored, resetReason } = await readStored();
    const { stored: next, changed } = change(stored);
    if (changed || resetReason) {
      await api.storage.local.set({ [STATE_KEY]: next });
      updateBadge(next);
    }
    return next;
  });
}

/** Replaces the person's options with `next(options)` (the core checks the change). */
export function updateOptions(next) {
  return writeQueue(async () => {
    const options = next(await readOptions());
    await api.storage.local.set({ [OPTIONS_KEY]: options });
    return options;
  });
}

/** Replaces the organisation's answers with `change(org)`, unless it returns null. */
export function updateOrg(change) {
  return writeQueue(async () => {
    const next = change(await readOrg());
    if (next) await api.storage.local.set({ [ORG_KEY]: next });
  });
}

/** "Forget everything": erases storage.local and storage.session. */
export async function eraseAll() {
  await writeQueue(() => api.storage.local.clear());
  // The copy is emptied as the clear is issued: a write made after this point goes into
  // the new copy and reaches storage after the clear, so both keep it.
  sessionCopy = Promise.resolve({});
  await api.storage.session.clear();
  sessionChanged();
  await refreshBadge();
}

// The administrator's options, cached: Chromium's first read after start-up can take
// seconds, and the policy only changes with storage.onChanged.
let managedCache = null;
export function managed() {
  managedCache ??= readManaged();
  return managedCache;
}
export function forgetManaged() {
  managedCache = null;
}

// The person's options, cached: every scan's reply says whether marks are wanted, and
// storage.onChanged tells when they change.
let optionsCache = null;
export function options() {
  optionsCache ??= readOptions();
  return optionsCache;
}
export function forgetOptions() {
  optionsCache = null;
}

// storage.session holds the running job and the "Show me" targets, so they survive the
// service worker being stopped. Only this worker writes it, so a copy in memory (read
// once per worker start) answers the many reads on the path of every scan.
let sessionCopy = null;
export function session() {
  sessionCopy ??= api.storage.session.get(null);
  return sessionCopy;
}
export async function sessionSet(items) {
  Object.assign(await session(), items);
  await api.storage.session.set(items);
  sessionChanged();
}
export async function sessionRemove(key) {
  delete (await session())[key];
  await api.storage.session.remove(key);
  sessionChanged();
}
// Who follows the session's changes (background/tabs.js): told after every write, here
// rather than through storage.onChanged, which not every browser fires for this area.
const sessionWatchers = [];
export function onSessionChange(fn) {
  sessionWatchers.push(fn);
}
function sessionChanged() {
  for (const fn of sessionWatchers) fn();
}

async function showBadge(stored) {
  const badge = core.badge(stored, await managed());
  await Promise.all([
    api.action.setBadgeText({ text: badge.text }),
    api.action.setBadgeBackgroundColor({ color: badge.color }),
    api.action.setTitle({ title: badge.title.map(globalThis.OptOutText.say).join(' ') }),
  ]);
}

// The badge follows the state without holding up its writes: each update draws the
// latest state, one at a time.
const badgeQueue = serial();
let badgeState = null;
function updateBadge(stored) {
  badgeState = stored;
  badgeQueue(() => showBadge(badgeState)).catch((e) => log('badge', e?.message ?? e));
}

/** The stored state as the core loaded it. */
export async function readStoredState() {
  return (await readStored()).stored;
}

export async function refreshBadge() {
  await coreReady();
  await showBadge((await readStored()).stored);
}
