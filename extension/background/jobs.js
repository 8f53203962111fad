// "Check all" and guided opt-out: the core's jobs, walked through one tab (and, for a
// check, a helper tab that reads pages from the end of the list). The job is data in
// storage.session; this module only opens, navigates and closes the tabs, relays scans,
// clock ticks and the tabs' loads (with whether a content script answers: the browser's
// error page runs none), and stores what the core returns. The core decides every step,
// which tab reads which page, the one click, and when a page that did not load is tried
// again or recorded as not read.
import { core, coreReady } from '../lib/core.js';
import { JOB_KEY, REPORT_KEY, serial, log } from '../lib/store.js';
import { managed, session, sessionSet, updateState } from './state.js';
import { notifyNewAlerts } from './watch.js';
import { whileOpeningTab } from './tabs.js';

const api = globalThis.OptOutApi;
const jobQueue = serial();
const reportQueue = serial();

// "Forget everything" requests so far. A scan that arrived before one is never stored after
// it (it waits in the queue behind the erasing; the person asked for it to be gone).
let erasures = 0;
/** The count of "Forget everything" requests, taken as a scan arrives. */
export const erasure = () => erasures;

export async function loadJob() {
  return (await session())[JOB_KEY] ?? null;
}

/** Whether `tabId` is a tab of the running job: its own, or its helper's. */
export async function isJobTab(tabId) {
  const job = await loadJob();
  return job?.status === 'running' && (job.tabId === tabId || job.helper?.tabId === tabId);
}

/** The helper's tab, opened (in the background) the first time the core sends it a page. */
async function helperGo(job, url) {
  if (job.helper?.tabId != null) {
    await api.tabs.update(job.helper.tabId, { url });
  } else if (job.helper) {
    const tab = await api.tabs.create({ url, active: false });
    job.helper.tabId = tab.id;
  }
}

let ticker = null;
function keepTicking(on) {
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

/**
 * Stores what the core asked to record, saves the job (so a stopped worker resumes from
 * here), then does what the core said.
 */
async function follow(job, directive, { recorded = false } = {}) {
  if (!recorded) await record(directive.record);
  await sessionSet({ [JOB_KEY]: job });
  if (directive.closeTab != null) await api.tabs.remove(directive.closeTab).catch(() => {});
  let tabId = job.tabId;
  try {
    if (directive.navigate) await api.tabs.update(job.tabId, { url: directive.navigate });
    if (directive.showTab) await api.tabs.update(job.tabId, { active: true });
    tabId = job.helper?.tabId;
    if (directive.helperNavigate) {
      const opening = job.helper?.tabId == null;
      await helperGo(job, directive.helperNavigate);
      if (opening) await sessionSet({ [JOB_KEY]: job });
    }
  } catch (e) {
    // A tab is gone or refuses: the core decides what that ends (the job, or its helper)
    // rather than wait for pages that never come.
    log('job tab unusable:', e?.message ?? e);
    const ended = core.jobTabClosed(job, tabId ?? -1, Date.now());
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
  // What the end changes is the core's to say (a finished "Check all" becomes the baseline).
  const now = Date.now();
  await updateState((stored) => core.jobEnded(stored, job, now));
  if (job.ownTab && job.tabId != null) await api.tabs.remove(job.tabId).catch(() => {});
  if (job.helper?.tabId != null) await api.tabs.remove(job.helper.tabId).catch(() => {});
  await sessionSet({ [JOB_KEY]: { ...job, finalized: true } });
}

export function startJob(kind, settings) {
  return jobQueue(async () => {
    await coreReady();
    const running = (await loadJob()) ?? undefined;
    const started = core.jobStart(kind, settings ?? undefined, running, Date.now(), await managed());
    // Refused (another job runs, not allowed, nothing chosen): the core says why.
    if (!started.job) return { started: false, refused: started.text };
    const { job } = started;
    // The tab's first scan waits in the job queue until this task has saved the job with
    // its tab, so it is recognised as the job's.
    await whileOpeningTab(async () => {
      const tab = await api.tabs.create({ url: job.steps[0].url, active: false });
      job.tabId = tab.id;
      job.ownTab = true;
      if (job.helper?.url) await helperGo(job, job.helper.url);
      await follow(job, {});
    });
    return { started: true };
  });
}

export function tick() {
  return jobQueue(async () => {
    const job = await loadJob();
    if (job?.status !== 'running') return keepTicking(false);
    await coreReady();
    const tab = await api.tabs.get(job.tabId).catch(() => null);
    const helperId = job.helper?.tabId;
    const helper = helperId == null ? null : await api.tabs.get(helperId).catch(() => null);
    const gone = !tab ? job.tabId : helperId != null && !helper ? helperId : null;
    if (gone != null) {
      const ended = core.jobTabClosed(job, gone, Date.now());
      return follow(ended.job, ended.directive);
    }
    // Where a tab is, once it is there: while a page is still loading (one that stalls,
    // too) where it will be is not known, and the core waits for the page's time limit.
    const where = (t) => (!t || t.status === 'loading' ? undefined : (t.url ?? undefined));
    const { job: next, directive, changed } = core.jobOnTick(job, Date.now(), where(tab), where(helper));
    // Saved whenever the core says anything changed (a failed load waits for its second try).
    if (changed) await follow(next, directive);
    else keepTicking(true);
  });
}

/** Whether the LinkedIn page script in the tab answers (bounded: a silent tab is no answer). */
async function ping(tabId) {
  const answer = api.tabs.sendMessage(tabId, { type: 'ping' }).then((r) => r?.alive === true, () => false);
  return Promise.race([answer, new Promise((resolve) => setTimeout(() => resolve(false), 2000))]);
}

/** A tab finished loading: for the job's tab, the core learns whether a page script is there. */
export function onTabLoaded(tabId, url) {
  return jobQueue(async () => {
    const job = await loadJob();
    if (job?.status !== 'running' || (job.tabId !== tabId && job.helper?.tabId !== tabId)) return;
    await coreReady();
    const answered = await ping(tabId);
    const { job: next, directive, changed } = core.jobOnTabLoaded(job, url ?? '', answered, Date.now(), tabId);
    if (changed) await follow(next, directive);
  });
}

async function cancelRunning() {
  const job = await loadJob();
  if (job?.status !== 'running') return { cancelled: false };
  await coreReady();
  const { job: next, directive } = core.jobCancel(job, Date.now(), false);
  await follow(next, directive);
  return { cancelled: true };
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
  return jobQueue(async () => {
    await cancelRunning();
    await erase();
  });
}

/**
 * Records a scan: feeds it to the job if it comes from the job's tab, stores its
 * observations (unless the job says a signed-out page must change nothing), and only
 * then saves the job's next step and moves on, so a service worker stopped at any point
 * never leaves a job ahead of what was stored. Resolves with the job's directive once it
 * is saved; the navigation goes on behind it. `jobTab`: whether the tab was the job's when
 * the scan arrived; a scan that arrived before its tab became a job's is never the job's
 * page (nobody would receive the job's click).
 */
export function recordScan(tabId, facts, outcome, { jobTab, era }) {
  let decided;
  const directive = new Promise((resolve) => {
    decided = resolve;
  });
  jobQueue(async () => {
    try {
      if (era !== erasures) return;
      const job = await loadJob();
      const ours = jobTab && job?.status === 'running' && (job.tabId === tabId || job.helper?.tabId === tabId);
      const step = ours ? core.jobOnPage(job, facts, outcome, Date.now(), tabId) : null;
      const d = step?.directive ?? null;
      // What the page showed and what the job records: the core assembles it.
      const now = Date.now();
      let before = null;
      const after = await updateState((state) => {
        before = state;
        return core.applyScan(state, outcome, d ?? undefined, now);
      });
      notifyNewAlerts(before, after).catch((e) => log('notify', e?.message ?? e));
      if (step) {
        await sessionSet({ [JOB_KEY]: step.job });
        decided(d);
        await follow(step.job, d, { recorded: true });
      }
    } finally {
      decided(null); // no-op once decided; unblocks the reply if anything above threw
    }
  }).catch((e) => log('scan', e?.message ?? e));
  return directive;
}

/**
 * Keeps the page's facts for "Report a problem", reduced by the core to what a report may
 * hold (no personal data) and bounded, in storage.session (gone when the browser closes).
 */
export function rememberPage(facts, outcome, era) {
  return reportQueue(async () => {
    if (era !== erasures) return;
    const pages = (await session())[REPORT_KEY];
    const { pages: next, changed } = core.reportRemember(pages, facts, outcome, Date.now());
    if (changed) await sessionSet({ [REPORT_KEY]: next });
  });
}

/** A tab closed: the core says what that ends (the job, for its own tab; the helper, for its). */
export function onTabClosed(tabId) {
  return jobQueue(async () => {
    const job = await loadJob();
    if (job?.status !== 'running') return;
    await coreReady();
    const { job: next, directive, changed } = core.jobTabClosed(job, tabId, Date.now());
    if (changed) await follow(next, directive);
  });
}

/**
 * A service worker stopped mid-job resumes its clock when it starts again, and finishes
 * the end of a job it was stopped in.
 */
export function resumeJobs() {
  return jobQueue(async () => {
    const job = await loadJob();
    if (job?.status === 'running') keepTicking(true);
    else if (job && !job.finalized) {
      await coreReady();
      await finalize(job);
    }
  });
}
