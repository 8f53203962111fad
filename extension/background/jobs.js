// "Check all" and guided opt-out: the core's jobs, walked through one tab. The job is
// data in storage.session; this module only navigates, relays scans and clock ticks, and
// stores what the core returns. The core decides every step, and the one click.
import { core, coreReady } from '../lib/core.js';
import { JOB_KEY, serial, log } from '../lib/store.js';
import { managed, session, sessionSet, updateState } from './state.js';
import { notifyNewAlerts } from './watch.js';

const api = globalThis.OptOutApi;
const jobQueue = serial();

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

export function startJob(kind, settings) {
  return jobQueue(async () => {
    await coreReady();
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
    const { job: next, directive } = core.jobOnTick(job, Date.now(), tab.url ?? undefined);
    if (directive.navigate || directive.finished) await follow(next, directive);
    else keepTicking(true);
  });
}

export function cancelJob(tabClosed) {
  return jobQueue(async () => {
    const job = await loadJob();
    if (job?.status !== 'running') return { cancelled: false };
    await coreReady();
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
export function recordScan(tabId, facts, outcome) {
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
