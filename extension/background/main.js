// The background: runs the Rust core (WebAssembly may not run in content scripts on
// LinkedIn, whose CSP lacks 'wasm-unsafe-eval') and wires the browser's events to the
// modules beside this file. Every message kind of lib/messages.js sent to the background
// has exactly one handler in HANDLERS. It makes no network requests.
import '../lib/api.js';
import '../lib/messages.js';
import '../lib/i18n.js';
import { core, coreReady } from '../lib/core.js';
import { OPTIONS_KEY, log } from '../lib/store.js';
import { eraseAll, forgetManaged, forgetOptions, managed, options, refreshBadge, updateOptions, updateState } from './state.js';
import { cancelJob, erasure, forgetEverything, onTabClosed, onTabLoaded, recordScan, rememberPage, resumeJobs, startJob, tick } from './jobs.js';
import { forgetReveal, highlightOrOpen, show, takeReveal } from './show.js';
import { listenForAlarms, syncReminder } from './watch.js';
import { entraScan, syncEntraScript } from './entra.js';
import { syncTabWatch, watchTabs } from './tabs.js';

const api = globalThis.OptOutApi;
const warn = (what) => (e) => log(what, e?.message ?? e);

/** One handler per message kind: (message, sender) -> the reply declared in lib/messages.js. */
export const HANDLERS = {
  async scan(msg, sender) {
    const era = erasure(); // a scan seen before "Forget everything" is not stored after it
    const outcome = core.scanPage(msg.facts);
    const tabId = sender.tab.id;
    // Kept for "Report a problem" after the reply is sent (the core's reading of the facts
    // for the report would hold the marks up).
    setTimeout(() => rememberPage(msg.facts, outcome, era).catch(warn('report')), 0);
    // A job's tab waits for the job's decision (the one click, which the core words);
    // any other tab gets its marks as soon as the core says no job holds it.
    const directive = await recordScan(tabId, outcome, era);
    return {
      marks: outcome.marks,
      reveal: await takeReveal(tabId, outcome.marks, msg.facts.loadedAt),
      click: directive?.click ?? null,
      // The person may ask for no marks on LinkedIn's pages at all.
      quiet: !core.effectiveOptions(await options(), null, '', []).showMarks,
    };
  },
  show: (msg) => show(msg.setting),
  'job-start': (msg) => startJob(msg.kind, msg.settings),
  'job-cancel': () => cancelJob(),
  async 'job-tick'() {
    await tick();
    return { ok: true };
  },
  async 'alert-dismiss'(msg) {
    await updateState((stored) => core.dismissAlert(stored, msg.setting));
    return { ok: true };
  },
  async 'options-set'(msg) {
    // The core accepts the change or throws why (an unknown option, region or interval).
    await updateOptions((current) => core.optionsSet(current, msg.options));
    return { ok: true };
  },
  async forget() {
    await forgetEverything(eraseAll);
    return { ok: true };
  },
  async 'objection-tell'(msg) {
    await updateState((stored) => core.objectionTell(stored, msg.sent, Date.now()));
    return { ok: true };
  },
  'entra-plan': (msg) => core.entraPlanFor(msg.url),
  'entra-scan': (msg, sender) => entraScan(msg.facts, sender),
};

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const reason = globalThis.OptOutMessages.rejectReason(msg, sender, api.runtime);
  if (reason) {
    log('rejected a message:', reason);
    return false;
  }
  const handler = Object.hasOwn(HANDLERS, msg.type) ? HANDLERS[msg.type] : null;
  if (!handler) return false; // for a page script (highlight)
  coreReady()
    .then(() => handler(msg, sender))
    .then(sendResponse, (err) => {
      log(`${msg.type} failed:`, err?.message ?? err);
      sendResponse({ error: String(err?.message ?? err) });
    });
  return true;
});

// A content script holds a port only to learn when the extension goes away.
api.runtime.onConnect.addListener((port) => {
  if (port.sender?.id !== api.runtime.id) port.disconnect();
});

// A job's tab that finished loading: the job asks whether its page script is there. A tab
// closed ends its job or its "Show me". Listened to only while one of them waits.
watchTabs(
  (tabId, url) => onTabLoaded(tabId, url).catch(warn('tab loaded')),
  (tabId) => {
    forgetReveal(tabId).catch(() => {});
    onTabClosed(tabId).catch(warn('tab closed'));
  },
);

api.commands?.onCommand.addListener((command) => {
  if (command === 'highlight') highlightOrOpen().catch(warn('shortcut'));
});

api.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed') forgetManaged();
  if (area === 'local' && OPTIONS_KEY in changes) forgetOptions();
  if ((area === 'local' && OPTIONS_KEY in changes) || area === 'managed') syncReminder().catch(warn('reminder'));
  if (area === 'managed') refreshBadge().catch(warn('badge'));
});
api.permissions.onAdded?.addListener(() => {
  listenForAlarms();
  syncReminder().catch(warn('reminder'));
  syncEntraScript().catch(warn('entra'));
});
api.permissions.onRemoved?.addListener(() => syncEntraScript().catch(warn('entra')));
listenForAlarms();

api.runtime.onInstalled.addListener(() => {
  refreshBadge().catch(warn('badge'));
  syncReminder().catch(warn('reminder'));
  syncEntraScript({ fresh: true }).catch(warn('entra'));
});
api.runtime.onStartup.addListener(() => refreshBadge().catch(warn('badge')));

// Start compiling the wasm, and the first reads of what a scan's reply needs (the options,
// the session) and of Chromium's managed policy (it can take seconds), as soon as the
// worker starts: the first scan, often the message that woke the worker, then finds them
// ready instead of reading storage after the wasm.
coreReady().catch(warn('core'));
options().catch(warn('options'));
managed().catch(warn('managed'));
resumeJobs().catch(warn('resume'));
// Nothing waits on a tab (no job, no "Show me"): stop hearing about every tab.
syncTabWatch().catch(warn('tabs'));
