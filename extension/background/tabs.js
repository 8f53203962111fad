// The browser's tab events, listened to only while something waits on a tab: a running
// job (its tab's loads, its closing) or a "Show me" target (its tab's closing). A listener
// at any other time would wake the worker on every LinkedIn page load, title change and
// in-app URL change, for nothing. The listeners are added at every worker start, so a
// worker stopped mid-job is woken by its tab's next load, and added again before a job or
// "Show me" opens its tab; they are dropped once the session holds nothing waiting.
import { core, coreReady } from '../lib/core.js';
import { JOB_KEY, isRevealKey } from '../lib/store.js';
import { onSessionChange, session } from './state.js';

const api = globalThis.OptOutApi;

let handlers = null;
let listening = false;

function updated(tabId, change, tab) {
  if (change.status === 'complete') handlers.loaded(tabId, tab?.url);
}
function removed(tabId) {
  handlers.closed(tabId);
}

/** Starts or stops listening (idempotent, synchronous: a page may load at once). */
function listenToTabs(on = true) {
  if (!handlers || on === listening) return;
  listening = on;
  const how = on ? 'addListener' : 'removeListener';
  api.tabs.onUpdated[how](updated);
  api.tabs.onRemoved[how](removed);
}

/** Whether anything in the session waits on a tab. */
async function tabsNeeded() {
  const s = await session();
  if (Object.keys(s).some(isRevealKey)) return true;
  if (typeof s[JOB_KEY] !== 'string') return false;
  await coreReady();
  return core.jobView(s[JOB_KEY]).running;
}

// Tabs being opened by a job or "Show me" that the session does not name yet.
let opening = 0;

/** Listens exactly while the session needs it (after every change of storage.session). */
export async function syncTabWatch() {
  const needed = await tabsNeeded();
  listenToTabs(needed || opening > 0);
}

/** Runs `task`, which opens a tab and saves what waits on it, listening throughout. */
export async function whileOpeningTab(task) {
  opening++;
  listenToTabs(true);
  try {
    return await task();
  } finally {
    opening--;
    await syncTabWatch();
  }
}

/**
 * Called once, synchronously, at the top of the worker: `loaded(tabId, url)` for a tab
 * that finished loading, `closed(tabId)` for a tab closed.
 */
export function watchTabs(onLoaded, onClosed) {
  handlers = { loaded: onLoaded, closed: onClosed };
  listenToTabs(true);
  onSessionChange(() => syncTabWatch().catch(() => {}));
}
