// "Show me" and the keyboard shortcut: open a setting's page in a tab and point at its
// switch once that page has been scanned.
import { core, coreReady } from '../lib/core.js';
import { revealKey } from '../lib/store.js';
import { managed, readStoredState, session, sessionSet, sessionRemove } from './state.js';
import { tabFree } from './jobs.js';
import { whileOpeningTab } from './tabs.js';

const api = globalThis.OptOutApi;

/**
 * The setting to point at in `tabId`, if its switch is among `marks` (then forgotten).
 * Only for the page "Show me" loaded: a late scan of the document it replaces (`loadedAt`,
 * the scan's `performance.timeOrigin`, from before the request) would take the reveal away
 * from the page the person is about to see.
 */
export async function takeReveal(tabId, marks, loadedAt) {
  const key = revealKey(tabId);
  const reveal = (await session())[key];
  if (!reveal?.setting || !marks.some((m) => m.setting === reveal.setting)) return null;
  if (typeof loadedAt === 'number' && core.loadedBefore(loadedAt, reveal.at)) return null;
  await sessionRemove(key);
  return reveal.setting;
}

export function forgetReveal(tabId) {
  return sessionRemove(revealKey(tabId));
}

export async function show(setting) {
  await coreReady();
  const url = core.settingUrl(setting);
  if (!url) throw new Error(`unknown setting ${setting}`);
  // Reuse a tab already on a settings page; never navigate away from another LinkedIn
  // page the person may be using, nor a tab a running job holds (the core says which).
  // Only tabs of our hosts carry a URL.
  const tabs = await api.tabs.query({});
  let reusable = null;
  for (const t of tabs) {
    if (t.url && core.planFor(t.url).scan && (await tabFree(t.id))) {
      reusable = t;
      break;
    }
  }
  const at = Date.now();
  return whileOpeningTab(async () => {
    const tab = reusable
      ? await api.tabs.update(reusable.id, { url, active: true })
      : await api.tabs.create({ url, active: true });
    await sessionSet({ [revealKey(tab.id)]: { setting, at } });
    return { tabId: tab.id };
  });
}

/** The shortcut: point at the switches on this settings page, or open the first one still on. */
export async function highlightOrOpen() {
  await coreReady();
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  if (tab?.url && core.planFor(tab.url).scan) {
    const reply = await api.tabs.sendMessage(tab.id, { type: 'highlight' }).catch(() => null);
    if (reply?.marked > 0) return;
  }
  const { showFirst } = core.summary(await readStoredState(), Date.now(), null, await managed());
  if (showFirst) await show(showFirst);
}
