// The background: runs the Rust core (WebAssembly may not run in content scripts on
// LinkedIn, whose CSP lacks 'wasm-unsafe-eval'), answers the content script, keeps the
// stored state and the badge. It makes no network requests.
import './messages.js';
import init, * as core from './core/opt_out_lens_core.js';

const api = globalThis.browser ?? globalThis.chrome;
const STATE_KEY = 'state';

// Chrome's service worker must register its listeners synchronously, so the wasm is
// started lazily and shared behind one promise.
let coreReady = null;
function ready() {
  coreReady ??= init({ module_or_path: api.runtime.getURL('core/opt_out_lens_core_bg.wasm') });
  return coreReady;
}

// Stored state is read-modify-written by one queue, so concurrent scans from several
// tabs cannot lose each other's observations.
let queue = Promise.resolve();
function updateState(change) {
  const run = queue.then(async () => {
    await ready();
    const raw = (await api.storage.local.get(STATE_KEY))[STATE_KEY];
    const { stored, resetReason } = core.loadState(raw);
    if (resetReason) console.warn('Opt-Out Lens:', resetReason);
    const { stored: next, changed } = change(stored);
    if (changed || resetReason) {
      await api.storage.local.set({ [STATE_KEY]: next });
      await showBadge(next);
    }
    return next;
  });
  queue = run.catch(() => {});
  return run;
}

async function showBadge(stored) {
  const badge = core.badge(stored);
  await Promise.all([
    api.action.setBadgeText({ text: badge.text }),
    api.action.setBadgeBackgroundColor({ color: badge.color }),
    api.action.setTitle({ title: badge.title }),
  ]);
}

async function refreshBadge() {
  await ready();
  const raw = (await api.storage.local.get(STATE_KEY))[STATE_KEY];
  await showBadge(core.loadState(raw).stored);
}

// "Show me": which setting to reveal once its page in a tab has been scanned. Kept in
// storage.session so it survives the service worker being stopped in between.
const revealKey = (tabId) => `reveal:${tabId}`;

async function takeReveal(tabId, marks) {
  const key = revealKey(tabId);
  const setting = (await api.storage.session.get(key))[key];
  if (!setting || !marks.some((m) => m.setting === setting)) return null;
  await api.storage.session.remove(key);
  return setting;
}

async function show(setting) {
  await ready();
  const url = core.settingUrl(setting);
  if (!url) throw new Error(`unknown setting ${setting}`);
  // Reuse a tab already on a LinkedIn settings page; never navigate away from another
  // LinkedIn page the person may be using.
  const tabs = await api.tabs.query({ url: 'https://www.linkedin.com/*' });
  const reusable = tabs.find((t) => t.url && core.planFor(t.url).scan);
  const tab = reusable
    ? await api.tabs.update(reusable.id, { url, active: true })
    : await api.tabs.create({ url, active: true });
  if (reusable) await api.windows?.update?.(reusable.windowId, { focused: true }).catch(() => {});
  await api.storage.session.set({ [revealKey(tab.id)]: setting });
  return { tabId: tab.id };
}

async function handle(msg, sender) {
  await ready();
  switch (msg.type) {
    case 'plan':
      return core.planFor(msg.url);
    case 'scan': {
      const outcome = core.scan(msg.facts);
      if (outcome.observations.length > 0) {
        const now = Date.now();
        await updateState((stored) => core.applyObservations(stored, outcome.observations, now));
      }
      const reveal = await takeReveal(sender.tab.id, outcome.marks);
      return { marks: outcome.marks, reveal };
    }
    case 'show':
      return show(msg.setting);
    default:
      throw new Error(`no handler for ${msg.type}`);
  }
}

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const reason = OptOutMessages.rejectReason(msg, sender, api.runtime);
  if (reason) {
    console.warn('Opt-Out Lens: rejected a message:', reason);
    return false;
  }
  handle(msg, sender).then(sendResponse, (err) => {
    console.warn(`Opt-Out Lens: ${msg.type} failed:`, err?.message ?? err);
    sendResponse({ error: String(err?.message ?? err) });
  });
  return true;
});

// The content script holds a port only to learn when the extension goes away.
api.runtime.onConnect.addListener((port) => {
  if (port.sender?.id !== api.runtime.id) port.disconnect();
});

api.tabs.onRemoved.addListener((tabId) => {
  api.storage.session.remove(revealKey(tabId)).catch(() => {});
});

api.runtime.onInstalled.addListener(() => refreshBadge().catch((e) => console.warn('Opt-Out Lens: badge', e)));
api.runtime.onStartup.addListener(() => refreshBadge().catch((e) => console.warn('Opt-Out Lens: badge', e)));
