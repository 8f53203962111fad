// "Check all" and guided opt-out: the core's jobs, walked through one tab. The job is
// data in storage.session; this module only navigates, relays scans, clock ticks and the
// tab's loads (with whether its content script answers: the browser's error page runs
// none), and stores what the core returns. The core decides every step, the one click,
// and when a page that did not load is tried again or recorded as not read.
import { core, coreReady } from '../lib/core.js';
import { JOB_KEY, REPORT_KEY, serial, log } from '../lib/store.js';
import { managed, session, sessionSet, updateState } from './state.js';
import { notifyNewAlerts } from './watch.js';
import { whileOpeningTab } from './tabs.js';

const api = globalThis.OptOutApi;
const jobQueue = serial();
const reportQueue = serial();

export async function loadJob() {
  return (await session())[JOB_KEY] ?? null;
}

/** Whether `tabId` is the tab of the running job. */
export async function isJobTab(tabId) {
  const job = await loadJob();
  return job?.status === 'running' && job.tabId === tabId;
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
  // What the end changes is the core's to say (a finished "Check all" becomes the baseline).
  const now = Date.now();
  await updateState((stored) => core.jobEnded(stored, job, now));
  if (job.ownTab && job.tabId != null) await api.tabs.remove(job.tabId).catch(() => {});
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
    if (!tab) {
      const ended = core.jobCancel(job, Date.now(), true);
      return follow(ended.job, ended.directive);
    }
    // Where the tab is, once it is there: while a page is still loading (one that stalls,
    // too) where it will be is not known, and the core waits for the page's time limit.
    const where = tab.status === 'loading' ? undefined : (tab.url ?? undefined);
    const { job: next, directive, changed } = core.jobOnTick(job, Date.now(), where);
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
    if (job?.status !== 'running' || job.tabId !== tabId) return;
    await coreReady();
    const answered = await ping(tabId);
    const { job: next, directive, changed } = core.jobOnTabLoaded(job, url ?? '', answered, Date.now());
    if (changed) await follow(next, directive);
  });
}

async function cancelRunning(tabClosed) {
  const job = await loadJob();
  if (job?.status !== 'running') return { cancelled: false };
  await coreReady();
  const { job: next, directive } = core.jobCancel(job, Date.now(), tabClosed);
  await follow(next, directive);
  return { cancelled: true };
}

export function cancelJob(tabClosed) {
  return jobQueue(() => cancelRunning(tabClosed));
}

/**
 * "Forget everything": ends a running job, then `erase()`s, as one step of the job queue,
 * so a job started meanwhile begins after the erasing instead of being erased with it.
 */
export function forgetEverything(erase) {
  return jobQueue(async () => {
    await cancelRunning(false);
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
export function recordScan(tabId, facts, outcome, { jobTab }) {
  let decided;
  const directive = new Promise((resolve) => {
    decided = resolve;
  });
  jobQueue(async () => {
    try {
      const job = await loadJob();
      const ours = jobTab && job?.status === 'running' && job.tabId === tabId;
      const step = ours ? core.jobOnPage(job, facts, outcome, Date.now()) : null;
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
export function rememberPage(facts, outcome) {
  return reportQueue(async () => {
    const pages = (await session())[REPORT_KEY];
    const { pages: next, changed } = core.reportRemember(pages, facts, outcome, Date.now());
    if (changed) await sessionSet({ [REPORT_KEY]: next });
  });
}

/** A tab closed: a job running in it is cancelled. */
export async function onTabClosed(tabId) {
  if (await isJobTab(tabId)) await cancelJob(true);
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
