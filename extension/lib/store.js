// What the extension keeps, and how it is read: the storage keys, the run-one-at-a-time
// queue, the administrator's managed options. Shared by the background, the popup and the
// options page. Only the background writes storage.local (background/state.js).
import './api.js';
import './messages.js';
import { core, coreReady } from './core.js';

const api = globalThis.OptOutApi;

/** storage.local: per-setting state, the person's options, the organisation's answers. */
export const STATE_KEY = 'state';
export const OPTIONS_KEY = 'options';
export const ORG_KEY = 'org';
/** storage.session: the running job; "Show me" targets per tab. */
export const JOB_KEY = 'job';
/** storage.session: the latest facts of each settings page, as the core reduced them for "Report a problem". */
export const REPORT_KEY = 'reportPages';
export const revealKey = (tabId) => `reveal:${tabId}`;
export const isRevealKey = (key) => key.startsWith('reveal:');

export const log = (...args) => console.warn('Opt-Out Lens:', ...args);

/** Runs tasks one after another, so read-modify-write of storage never interleaves. */
export function serial() {
  let tail = Promise.resolve();
  return (task) => {
    const run = tail.then(task);
    tail = run.catch(() => {});
    return run;
  };
}

/** The stored per-setting state, checked by the core: `{stored, resetReason}`. */
export async function readStored() {
  await coreReady();
  const raw = (await api.storage.local.get(STATE_KEY))[STATE_KEY];
  const loaded = core.loadState(raw);
  if (loaded.resetReason) log(loaded.resetReason);
  return loaded;
}

/** The person's options ({region, notify, remindDays, showMarks}). */
export async function readOptions() {
  return (await api.storage.local.get(OPTIONS_KEY))[OPTIONS_KEY] ?? {};
}

/** The organisation's answers (the Entra observation). */
export async function readOrg() {
  return (await api.storage.local.get(ORG_KEY))[ORG_KEY] ?? {};
}

/**
 * What an administrator set through browser policy (storage.managed), checked by the
 * core; a malformed policy is ignored with a logged reason.
 */
export async function readManaged() {
  let raw;
  try {
    raw = await api.storage.managed.get(null);
  } catch {
    raw = undefined; // No policy (Firefox throws when there is none).
  }
  await coreReady();
  const { managed, problem } = core.loadManaged(raw && Object.keys(raw).length > 0 ? raw : undefined);
  if (problem) log(problem);
  return managed;
}

/** The person's options under the administrator's policy, as the core says they apply. */
export async function readEffectiveOptions() {
  await coreReady();
  return core.effectiveOptions(await readOptions(), await readManaged(), timeZone(), [...navigator.languages]);
}

/** The browser's time zone, for guessing the person's region. */
export function timeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
}

/** The person's region: the administrator's or the person's choice, else guessed. */
export async function readRegion() {
  return (await readEffectiveOptions()).region;
}

/** Asks the background, which declares the reply in lib/messages.js; throws its error. */
export async function ask(msg) {
  const reply = await api.runtime.sendMessage(msg).catch((e) => ({ error: e.message }));
  const problem = globalThis.OptOutMessages.replyReason(msg.type, reply);
  if (problem) throw new Error(problem);
  return reply;
}
