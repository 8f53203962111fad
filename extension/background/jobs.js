// "Check all" and guided opt-out: the core's jobs. The job is the core's JSON text, kept in
// storage.session and never read here: every question goes to the core (`jobView`,
// `jobHoldsTab`), every event through its one door (`jobOn`), and this module only opens,
// navigates and closes the tabs its directives name, relays scans, clock ticks and the
// tabs' loads (with whether a content script answers: the browser's error page runs
// none), and stores what the core returns.
import { core, coreReady } from '../lib/core.js';
import { JOB_KEY, REPORT_KEY, serial, log } from '../lib/store.js';
import { managed, session, sessionSet, updateState } from './state.js';
import { notifyNewAlerts } from './watch.js';
import { whileOpeningTab } from './tabs.js';

const api = globalThis.OptOutApi;
const jobQueue = serial();
const reportQueue = serial();

// "Forget everything" requests so far, and when the latest was made. A scan that arrived
// before one, or that the page began before it (it may arrive after, from a tab the
// cancelled job was closing), is never stored after it: the person asked for it to be gone.
let erasures = 0;
let forgottenAt = 0;
/** The count of "Forget everything" requests, taken as a scan arrives. */
export const erasure = () => erasures;
/** Whether a scan must not be stored: it arrived, or was begun, before the latest forget. */
const forgotten = (outcome, era) => era !== erasures || (outcome.page?.takenAt != null && core.loadedBefore(outcome.page.takenAt, forgottenAt));

/** The kept job: the core's text (a value of another shape is no job of this version). */
async function keptJob() {
  const job = (await session())[JOB_KEY];
  return typeof job === 'string' ? job : undefined;
}

// Whether a job may be running or starting (null: not known yet, at a worker's start). While
// none is, a scan's tab cannot be a job's: it gets its marks at once, its storing queued.
let jobActive = null;

/** Whether no running job holds `tabId` ("Show me" may use it). */
export async function tabFree(tabId) {
  await coreReady();
  return !core.jobHoldsTab(await keptJob(), tabId);
}

let ticker = null;
function keepTicking(on) {
  jobActive = on;
  if (on && !ticker) ticker = setInterval(() => tick().catch((e) => log('tick', e)), 1000);
  if (!on && ticker) {
    clearInterval(ticker);
    ticker = null;
  }
}

/** Stores observations no scan carried (a page not read, even on the second try). */
async function record(observations) {
  if (!observations?.length) return;
  const now = Date.now();
  await updateState((stored) => core.applyObservations(stored, observations, now, []));
}

/** Feeds the job one event of `tabId` (`undefined`: of the job) and follows the answer. */
async function feed(job, tabId, event) {
  const next = core.jobOn(job, tabId, event, Date.now());
  if (next.changed) await follow(next.job, next.directive);
  else keepTicking(core.jobView(job).running);
}

/** Opens a background tab for the lane `role` at `url` and tells the job which it is. */
async function openFor(job, role, url) {
  const tab = await api.tabs.create({ url, active: false });
  const opened = core.jobOn(job, tab.id, { type: 'opened', role }, Date.now());
  await sessionSet({ [JOB_KEY]: opened.job });
  for (const t of opened.directive.close) await api.tabs.remove(t).catch(() => {});
  return opened.job;
}

/**
 * Stores what the core asked to record, saves the job (so a stopped worker resumes from
 * here), then does what the core said.
 */
async function follow(job, directive, { recorded = false } = {}) {
  if (!recorded) await record(directive.record);
  await sessionSet({ [JOB_KEY]: job });
  for (const tab of directive.close) await api.tabs.remove(tab).catch(() => {});
  for (const go of directive.go) {
    try {
      if (go.tab == null) job = await openFor(job, go.role, go.url);
      else await api.tabs.update(go.tab, { url: go.url });
    } catch (e) {
      // A tab is gone or refuses: the core decides what that ends (the job, or its
      // helper) rather than wait for pages that never come. A tab that could not be
      // opened leaves its lane's page to the page time limit.
      log('job tab unusable:', e?.message ?? e);
      if (go.tab != null) return feed(job, go.tab, { type: 'closed' });
    }
  }
  if (directive.front != null) await api.tabs.update(directive.front, { active: true }).catch(() => {});
  keepTicking(core.jobView(job).running);
  if (directive.finished) await windUp(job);
}

/**
 * What follows the end of a job: what it changes in the stored state (a completed "Check
 * all" becomes the baseline for news), then the job is told, so a worker stopped in
 * between does it when it starts again (the clock repeats the end until then).
 */
async function windUp(job) {
  const now = Date.now();
  await updateState((stored) => core.jobEnded(stored, job, now));
  const done = core.jobOn(job, undefined, { type: 'wound-up' }, now);
  await sessionSet({ [JOB_KEY]: done.job });
}

export function startJob(kind, settings) {
  return jobQueue(async () => {
    await coreReady();
    const started = core.jobStart(kind, settings ?? undefined, await keptJob(), Date.now(), await managed());
    // Refused (another job runs, not allowed, nothing chosen): the core says why.
    if (!started.job) return { started: false, refused: started.text };
    jobActive = true;
    // The tabs' first scans wait in the job queue until this task has saved the job with
    // its tabs, so they are recognised as the job's.
    await whileOpeningTab(() => follow(started.job, started.directive));
    return { started: true };
  });
}

export function tick() {
  return jobQueue(async () => {
    const job = await keptJob();
    if (!job) return keepTicking(false);
    await coreReady();
    const view = core.jobView(job);
    if (!view.running && !view.ending) return keepTicking(false);
    // Where each tab is, once it is there: while a page is still loading (one that stalls,
    // too) where it will be is not known, and the core waits for the page's time limit.
    const tabs = await Promise.all(view.tabs.map(async (tab) => {
      const t = await api.tabs.get(tab).catch(() => null);
      return { tab, gone: !t, url: !t || t.status === 'loading' ? undefined : (t.url ?? undefined) };
    }));
    await feed(job, undefined, { type: 'tick', tabs });
  });
}

/** Whether the LinkedIn page script in the tab answers (bounded: a silent tab is no answer). */
async function ping(tabId) {
  const answer = api.tabs.sendMessage(tabId, { type: 'ping' }).then((r) => r?.alive === true, () => false);
  return Promise.race([answer, new Promise((resolve) => setTimeout(() => resolve(false), 2000))]);
}

/** A tab finished loading: for a tab of the job, the core learns whether a page script is there. */
export function onTabLoaded(tabId, url) {
  return jobQueue(async () => {
    await coreReady();
    const job = await keptJob();
    if (!core.jobHoldsTab(job, tabId)) return;
    const answered = await ping(tabId);
    await feed(job, tabId, { type: 'loaded', url: url ?? '', scriptAnswered: answered });
  });
}

async function cancelRunning() {
  const job = await keptJob();
  if (!job) return { cancelled: false };
  await coreReady();
  const next = core.jobOn(job, undefined, { type: 'cancel' }, Date.now());
  if (next.changed) await follow(next.job, next.directive);
  return { cancelled: next.changed };
}

/** The person cancels the running job. */
export function cancelJob() {
  return jobQueue(() => cancelRunning());
}

/**
 * "Forget everything": ends a running job, then `erase()`s, as one step of the job queue,
 * so a job started meanwhile begins after the erasing instead of being erased with it.
 */
export function forgetEverything(erase) {
  erasures++;
  forgottenAt = Date.now();
  return jobQueue(async () => {
    await cancelRunning();
    await erase();
  });
}

/**
 * Records a scan: feeds it to the job if it comes from one of the job's tabs, stores its
 * observations (unless the job says they must not be), and only then saves the job and
 * moves on, so a service worker stopped at any point never leaves a job ahead of what was
 * stored. Resolves with the job's directive (`null` for a tab no job holds) as soon as it
 * is known; the storing and the navigation go on behind it.
 */
export function recordScan(tabId, outcome, era) {
  let decided;
  const directive = new Promise((resolve) => {
    decided = resolve;
  });
  // No job can hold the tab: its marks go first, and the storing waits for the reply to be
  // sent (each write and the core's reading would hold it up).
  const idle = jobActive === false;
  if (idle) decided(null);
  const queued = () => jobQueue(async () => {
    try {
      if (forgotten(outcome, era)) return;
      const job = await keptJob();
      const step = core.jobHoldsTab(job, tabId) ? core.jobOn(job, tabId, { type: 'scan', outcome }, Date.now()) : null;
      const d = step?.directive ?? null;
      // A tab no job holds gets its marks first; its page's state is stored after.
      if (!d?.click) decided(d);
      // What the page showed and what the job records: the core assembles it.
      const now = Date.now();
      let before = null;
      const after = await updateState((state) => {
        before = state;
        return core.applyScan(state, outcome, d ?? undefined, now);
      });
      notifyNewAlerts(before, after).catch((e) => log('notify', e?.message ?? e));
      if (step?.changed) {
        // The click is sent only once the job that expects it is saved.
        await sessionSet({ [JOB_KEY]: step.job });
        decided(d);
        await follow(step.job, d, { recorded: true });
      }
    } finally {
      decided(null); // no-op once decided; unblocks the reply if anything above threw
    }
  }).catch((e) => log('scan', e?.message ?? e));
  if (idle) setTimeout(queued, 0);
  else queued();
  return directive;
}

/**
 * Keeps the page's facts for "Report a problem", reduced by the core to what a report may
 * hold (no personal data) and bounded, in storage.session (gone when the browser closes).
 */
export function rememberPage(facts, outcome, era) {
  return reportQueue(async () => {
    if (forgotten(outcome, era)) return;
    const pages = (await session())[REPORT_KEY];
    const { pages: next, changed } = core.reportRemember(pages, facts, outcome, Date.now());
    if (changed) await sessionSet({ [REPORT_KEY]: next });
  });
}

/** A tab closed: the core says what that ends (the job, for its main tab; the helper, for its). */
export function onTabClosed(tabId) {
  return jobQueue(async () => {
    await coreReady();
    const job = await keptJob();
    if (core.jobHoldsTab(job, tabId)) await feed(job, tabId, { type: 'closed' });
  });
}

/**
 * A service worker stopped mid-job resumes its clock when it starts again; the clock also
 * finishes the end of a job it was stopped in.
 */
export function resumeJobs() {
  return jobQueue(async () => {
    const job = await keptJob();
    if (!job) {
      jobActive = false;
      return;
    }
    await coreReady();
    const view = core.jobView(job);
    keepTicking(view.running || view.ending);
  });
}

/** Whether a job is running (the tab watch listens while one does). */
export async function jobRunning() {
  const job = await keptJob();
  if (!job) return false;
  await coreReady();
  return core.jobView(job).running;
}
