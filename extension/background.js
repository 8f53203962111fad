// The background: runs the Rust core (WebAssembly may not run in content scripts on
// LinkedIn, whose CSP lacks 'wasm-unsafe-eval'), answers the content script, keeps the
// stored state and the badge, and drives "Check all" and guided opt-out jobs through one
// tab. Every decision comes from the core. It makes no network requests.
import './messages.js';
import './i18n.js';
import init, * as core from './core/opt_out_lens_core.js';

const api = globalThis.browser ?? globalThis.chrome;
const STATE_KEY = 'state';
const JOB_KEY = 'job';
const OPTIONS_KEY = 'options';
const REMINDER = 'recheck';
const ORG_KEY = 'org';
// The Entra admin center hosts: optional, asked for from the popup, never at install.
const ENTRA_ORIGINS = api.runtime.getManifest().optional_host_permissions ?? [];
const log = (...args) => console.warn('Opt-Out Lens:', ...args);

// Chrome's service worker must register its listeners synchronously, so the wasm is
// started lazily and shared behind one promise.
let coreReady = null;
function ready() {
  coreReady ??= init({ module_or_path: api.runtime.getURL('core/opt_out_lens_core_bg.wasm') });
  return coreReady;
}

/** Runs tasks one after another, so read-modify-write of storage never interleaves. */
function serial() {
  let tail = Promise.resolve();
  return (task) => {
    const run = tail.then(task);
    tail = run.catch(() => {});
    return run;
  };
}
const stateQueue = serial();
const jobQueue = serial();

// ---- stored state and badge ---------------------------------------------------------

async function readState() {
  await ready();
  const raw = (await api.storage.local.get(STATE_KEY))[STATE_KEY];
  const { stored, resetReason } = core.loadState(raw);
  if (resetReason) log(resetReason);
  return { stored, resetReason };
}

/** Applies `change(stored) -> {stored, changed}` to the stored state. */
function updateState(change) {
  return stateQueue(async () => {
    const { stored, resetReason } = await readState();
    const { stored: next, changed } = change(stored);
    if (changed || resetReason) {
      await api.storage.local.set({ [STATE_KEY]: next });
      updateBadge(next);
    }
    return next;
  });
}

/**
 * What an administrator set through browser policy (storage.managed), checked by the
 * core; a malformed policy is ignored with a logged reason. Cached: Chromium's first read
 * after start-up can take seconds, and the policy only changes with storage.onChanged.
 */
let managedCache = null;
function managed() {
  managedCache ??= (async () => {
    let raw;
    try {
      raw = await api.storage.managed.get(null);
    } catch {
      raw = undefined; // No policy (Firefox throws when there is none).
    }
    await ready();
    const { managed: m, problem } = core.loadManaged(raw && Object.keys(raw).length > 0 ? raw : undefined);
    if (problem) log(problem);
    return m;
  })();
  return managedCache;
}

async function showBadge(stored) {
  const badge = core.badge(stored, await managed());
  await Promise.all([
    api.action.setBadgeText({ text: badge.text }),
    api.action.setBadgeBackgroundColor({ color: badge.color }),
    api.action.setTitle({ title: badge.title.map(OptOutText.say).join(' ') }),
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

async function refreshBadge() {
  await showBadge((await readState()).stored);
}

// ---- "Show me" ----------------------------------------------------------------------

// storage.session holds the running job and the "Show me" targets, so they survive the
// service worker being stopped. Only this worker writes it, so a copy in memory (read
// once per worker start) answers the many reads on the path of every scan.
let sessionCopy = null;
function session() {
  sessionCopy ??= api.storage.session.get(null);
  return sessionCopy;
}
async function sessionSet(items) {
  Object.assign(await session(), items);
  await api.storage.session.set(items);
}
async function sessionRemove(key) {
  delete (await session())[key];
  await api.storage.session.remove(key);
}

// Which setting to point at once its page in a tab has been scanned ("Show me").
const revealKey = (tabId) => `reveal:${tabId}`;

async function takeReveal(tabId, marks) {
  const key = revealKey(tabId);
  const setting = (await session())[key];
  if (!setting || !marks.some((m) => m.setting === setting)) return null;
  await sessionRemove(key);
  return setting;
}

async function show(setting) {
  await ready();
  const url = core.settingUrl(setting);
  if (!url) throw new Error(`unknown setting ${setting}`);
  // Reuse a tab already on a LinkedIn settings page; never navigate away from another
  // LinkedIn page the person may be using.
  const tabs = await api.tabs.query({ url: 'https://www.linkedin.com/*' });
  const job = await loadJob();
  const reusable = tabs.find((t) => t.url && core.planFor(t.url).scan && !(job?.status === 'running' && job.tabId === t.id));
  const tab = reusable
    ? await api.tabs.update(reusable.id, { url, active: true })
    : await api.tabs.create({ url, active: true });
  await sessionSet({ [revealKey(tab.id)]: setting });
  return { tabId: tab.id };
}

// ---- jobs: "Check all" and guided opt-out ----------------------------------------------

async function loadJob() {
  return (await session())[JOB_KEY] ?? null;
}

let ticker = null;
function keepTicking(on) {
  if (on && !ticker) ticker = setInterval(() => tick().catch((e) => log('tick', e)), 1000);
  if (!on && ticker) {
    clearInterval(ticker);
    ticker = null;
  }
}

/** Saves the job first (so a stopped worker resumes from here), then does what the core said. */
async function follow(job, directive) {
  await sessionSet({ [JOB_KEY]: job });
  try {
    if (directive.navigate) await api.tabs.update(job.tabId, { url: directive.navigate });
    if (directive.showTab) await api.tabs.update(job.tabId, { active: true });
  } catch (e) {
    // The tab is gone or refuses: end the job rather than wait for pages that never come.
    log('job tab unusable:', e?.message ?? e);
    const ended = core.jobCancel(job, Date.now(), true);
    return follow(ended.job, ended.directive);
  }
  if (directive.finished) {
    keepTicking(false);
    await finalize(job);
  } else {
    keepTicking(true);
  }
}

/**
 * What follows the end of a job: a completed "Check all" becomes the baseline for news,
 * and the job's own tab is closed. Marked done in the saved job, so a worker stopped in
 * between finishes it when it starts again.
 */
async function finalize(job) {
  if (job.kind === 'sweep' && job.status === 'finished') {
    await updateState((stored) => core.sweepCompleted(stored, job.finishedAt ?? Date.now()));
  }
  if (job.ownTab && job.tabId != null) await api.tabs.remove(job.tabId).catch(() => {});
  await sessionSet({ [JOB_KEY]: { ...job, finalized: true } });
}

function startJob(kind, settings) {
  return jobQueue(async () => {
    await ready();
    const running = await loadJob();
    if (running?.status === 'running') throw new Error('a check is already running');
    const now = Date.now();
    const policy = await managed();
    const job = kind === 'sweep' ? core.jobSweep(now, policy) : kind === 'opt-out' ? core.jobOptOut(settings ?? [], now, policy) : null;
    if (!job) throw new Error(`unknown job kind ${kind}`);
    // The tab's first scan waits in the job queue until this task has saved the job with
    // its tab, so it is recognised as the job's.
    const tab = await api.tabs.create({ url: job.steps[0].url, active: false });
    job.tabId = tab.id;
    job.ownTab = true;
    await follow(job, {});
    return { started: true };
  });
}

function tick() {
  return jobQueue(async () => {
    const job = await loadJob();
    if (job?.status !== 'running') return keepTicking(false);
    await ready();
    const tab = await api.tabs.get(job.tabId).catch(() => null);
    if (!tab) {
      const ended = core.jobCancel(job, Date.now(), true);
      return follow(ended.job, ended.directive);
    }
    const { job: next, directive } = core.jobOnTick(job, Date.now(), tab.url ?? undefined);
    if (directive.navigate || directive.finished) await follow(next, directive);
    else keepTicking(true);
  });
}

function cancelJob(tabClosed) {
  return jobQueue(async () => {
    const job = await loadJob();
    if (job?.status !== 'running') return { cancelled: false };
    await ready();
    const { job: next, directive } = core.jobCancel(job, Date.now(), tabClosed);
    await follow(next, directive);
    return { cancelled: true };
  });
}

/**
 * Records a scan: feeds it to the job if it comes from the job's tab, stores its
 * observations (unless the job says a signed-out page must change nothing), and only
 * then saves the job's next step and moves on, so a service worker stopped at any point
 * never leaves a job ahead of what was stored. Resolves with the job's directive once it
 * is saved; the navigation goes on behind it.
 */
function recordScan(tabId, facts, outcome) {
  let decided;
  const directive = new Promise((resolve) => {
    decided = resolve;
  });
  jobQueue(async () => {
    try {
      const job = await loadJob();
      const ours = job?.status === 'running' && job.tabId === tabId;
      const step = ours ? core.jobOnScan(job, facts.url, outcome, facts.dialogOpen === true, Date.now()) : null;
      const d = step?.directive ?? null;
      if (outcome.observations.length > 0 && !d?.discardObservations) {
        const now = Date.now();
        const byExtension = d?.changedByExtension ?? [];
        let before = null;
        const after = await updateState((state) => {
          before = state;
          return core.applyObservations(state, outcome.observations, now, byExtension);
        });
        notifyNewAlerts(before, after).catch((e) => log('notify', e?.message ?? e));
      }
      if (step) {
        await sessionSet({ [JOB_KEY]: step.job });
        decided(d);
        await follow(step.job, d);
      }
    } finally {
      decided(null); // no-op once decided; unblocks the reply if anything above threw
    }
  }).catch((e) => log('scan', e?.message ?? e));
  return directive;
}

// ---- watching: notifications, reminders, the keyboard shortcut -----------------------

async function options() {
  return (await api.storage.local.get(OPTIONS_KEY))[OPTIONS_KEY] ?? {};
}

async function notify(title, message) {
  if (!api.notifications || !(await api.permissions.contains({ permissions: ['notifications'] }))) return;
  await api.notifications.create(`opt-out-lens-${Date.now()}`, {
    type: 'basic',
    iconUrl: api.runtime.getURL('icons/icon-128.png'),
    title,
    message,
  });
}

/** A system notification when a setting turned (back) on, if the person asked for them. */
async function notifyNewAlerts(before, after) {
  const flagged = (stored) => Object.keys(stored?.settings ?? {}).filter((id) => stored.settings[id].alert);
  const old = new Set(flagged(before));
  if (!flagged(after).some((id) => !old.has(id)) || (await options()).notify !== true) return;
  const summary = core.summary(after, Date.now(), null, await managed());
  if (summary.warning) await notify(OptOutText.msg('notifyFlipTitle'), OptOutText.say(summary.warning));
}

/** Keeps the reminder alarm in step with the options. Reminders never open LinkedIn. */
async function syncReminder() {
  if (!api.alarms) return;
  const days = Number((await managed()).reminderDays ?? (await options()).remindDays ?? 0);
  if (days > 0) {
    const existing = await api.alarms.get(REMINDER);
    if (existing?.periodInMinutes !== days * 1440) await api.alarms.create(REMINDER, { periodInMinutes: days * 1440 });
  } else {
    await api.alarms.clear(REMINDER);
  }
}

function listenForAlarms() {
  if (!api.alarms || listenForAlarms.done) return;
  listenForAlarms.done = true;
  api.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === REMINDER) notify(OptOutText.msg('remindTitle'), OptOutText.msg('remindBody')).catch((e) => log('reminder', e));
  });
}

/** The shortcut: point at the switches on this settings page, or open the first one still on. */
async function highlightOrOpen() {
  await ready();
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  if (tab?.url && core.planFor(tab.url).scan) {
    const reply = await api.tabs.sendMessage(tab.id, { type: 'highlight' }).catch(() => null);
    if (reply?.marked > 0) return;
  }
  const { rows } = core.summary((await readState()).stored, Date.now(), null, await managed());
  const target = rows.find((r) => r.state === 'on' && !r.protective) ?? rows.find((r) => r.state === 'unknown');
  if (target) await show(target.id);
}

// ---- organisations: Microsoft Entra ---------------------------------------------------

/** Runs entra.js in the Entra hosts' frames exactly while the person has granted them. */
async function syncEntraScript() {
  if (!api.scripting || ENTRA_ORIGINS.length === 0) return;
  const granted = await api.permissions.contains({ permissions: ['scripting'], origins: ENTRA_ORIGINS });
  const registered = (await api.scripting.getRegisteredContentScripts({ ids: ['entra'] }).catch(() => [])).length > 0;
  if (granted && !registered) {
    await api.scripting.registerContentScripts([{
      id: 'entra',
      matches: ENTRA_ORIGINS,
      js: ['messages.js', 'i18n.js', 'entra.js'],
      allFrames: true,
      runAt: 'document_idle',
      persistAcrossSessions: true,
    }]);
  } else if (!granted && registered) {
    await api.scripting.unregisterContentScripts({ ids: ['entra'] });
  }
}

/**
 * Keeps the latest Entra observation. A "not found" while the portal re-renders must not
 * wipe the answer just read, so it replaces a known answer only when that answer is more
 * than a minute old; other unknowns (conflicting, ambiguous, signed out) always count.
 */
async function recordEntra(observation, url) {
  const now = Date.now();
  await stateQueue(async () => {
    const org = (await api.storage.local.get(ORG_KEY))[ORG_KEY] ?? {};
    const known = org.entra && org.entra.state !== 'unknown' && now - org.entra.checkedAt < 60_000;
    const missing = observation.state === 'unknown' && ['not-found', 'not-loaded'].includes(observation.reason);
    if (missing && known) return;
    await api.storage.local.set({ [ORG_KEY]: { ...org, entra: { ...observation, checkedAt: now, url } } });
  });
}

// ---- messages -------------------------------------------------------------------------

async function handle(msg, sender) {
  await ready();
  switch (msg.type) {
    case 'plan':
      return core.planFor(msg.url);
    case 'scan': {
      const outcome = core.scan(msg.facts);
      // The marks go back at once; only a job's tab waits for the job's decision (a click).
      const job = await loadJob();
      const inJob = job?.status === 'running' && job.tabId === sender.tab.id;
      const decided = recordScan(sender.tab.id, msg.facts, outcome);
      const directive = inJob ? await decided : null;
      const clickMark = directive?.click != null ? outcome.marks.find((m) => m.index === directive.click) : null;
      return {
        marks: outcome.marks,
        reveal: await takeReveal(sender.tab.id, outcome.marks),
        // The one click guided opt-out makes, on the element the core identified.
        click: clickMark
          ? { index: clickMark.index, setting: clickMark.setting, state: clickMark.state, verifyMs: directive.verifyMs ?? 0 }
          : null,
      };
    }
    case 'show':
      return show(msg.setting);
    case 'entra-plan':
      return core.entraPlanFor(msg.url);
    case 'entra-scan': {
      const outcome = core.entraScan(msg.facts);
      if (outcome.observation) await recordEntra(outcome.observation, msg.facts.url);
      return { marks: outcome.marks };
    }
    case 'job-start':
      return startJob(msg.kind, msg.settings);
    case 'job-cancel':
      return cancelJob(false);
    case 'job-tick':
      await tick();
      return { ok: true };
    case 'alert-dismiss':
      await updateState((stored) => core.dismissAlert(stored, msg.setting));
      return { ok: true };
    case 'forget':
      await cancelJob(false);
      await stateQueue(() => api.storage.local.clear());
      sessionCopy = null;
      await api.storage.session.clear();
      await refreshBadge();
      return { ok: true };
    default:
      throw new Error(`no handler for ${msg.type}`);
  }
}

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const reason = OptOutMessages.rejectReason(msg, sender, api.runtime);
  if (reason) {
    log('rejected a message:', reason);
    return false;
  }
  handle(msg, sender).then(sendResponse, (err) => {
    log(`${msg.type} failed:`, err?.message ?? err);
    sendResponse({ error: String(err?.message ?? err) });
  });
  return true;
});

// The content script holds a port only to learn when the extension goes away.
api.runtime.onConnect.addListener((port) => {
  if (port.sender?.id !== api.runtime.id) port.disconnect();
});

api.tabs.onRemoved.addListener((tabId) => {
  sessionRemove(revealKey(tabId)).catch(() => {});
  loadJob()
    .then((job) => job?.status === 'running' && job.tabId === tabId && cancelJob(true))
    .catch((e) => log('tab closed', e));
});

api.commands?.onCommand.addListener((command) => {
  if (command === 'highlight') highlightOrOpen().catch((e) => log('shortcut', e));
});

api.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed') managedCache = null;
  if ((area === 'local' && OPTIONS_KEY in changes) || area === 'managed') syncReminder().catch((e) => log('reminder', e));
  if (area === 'managed') refreshBadge().catch((e) => log('badge', e));
});
api.permissions.onAdded?.addListener(() => {
  listenForAlarms();
  syncReminder().catch((e) => log('reminder', e));
  syncEntraScript().catch((e) => log('entra', e));
});
api.permissions.onRemoved?.addListener(() => syncEntraScript().catch((e) => log('entra', e)));
listenForAlarms();

api.runtime.onInstalled.addListener(() => {
  refreshBadge().catch((e) => log('badge', e));
  syncReminder().catch((e) => log('reminder', e));
  syncEntraScript().catch((e) => log('entra', e));
});
api.runtime.onStartup.addListener(() => refreshBadge().catch((e) => log('badge', e)));

// Chromium's first read of the managed policy after start-up can take seconds: start it now.
managed().catch((e) => log('managed', e));

// A service worker stopped mid-job resumes its clock when it starts again, and finishes
// the end of a job it was stopped in.
jobQueue(async () => {
  const job = await loadJob();
  if (job?.status === 'running') keepTicking(true);
  else if (job && !job.finalized) {
    await ready();
    await finalize(job);
  }
}).catch((e) => log('resume', e));
