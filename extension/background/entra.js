// Organisations: the Microsoft Entra admin center's "LinkedIn account connections". The
// Entra page script runs only while the person has granted the optional hosts from the
// popup; its observations are kept in storage.local under the organisation key.
import { core } from '../lib/core.js';
import { updateOrg } from './state.js';

const api = globalThis.OptOutApi;
// The Entra hosts: optional, asked for from the popup, never at install. The portals and
// the hosts of their blade frames (the Azure portal shows blades in sandboxed iframes of
// other origins); the manifest lists them as the core's rules do (crate/tests/entra.rs).
const ENTRA_ORIGINS = api.runtime.getManifest().optional_host_permissions ?? [];
// The same files, in the same order, as the LinkedIn page script (manifest.json).
const ENTRA_SCRIPTS = ['lib/api.js', 'lib/messages.js', 'lib/i18n.js', 'page/kit.js', 'page/entra.js'];

/**
 * The registration: in every frame of those hosts, including frames of another origin
 * than their parent's (a blade frame scans itself), and, where the browser supports it,
 * about:blank, srcdoc and blob frames whose creator is on those hosts.
 */
function wanted(fallback) {
  return {
    id: 'entra',
    matches: ENTRA_ORIGINS,
    js: ENTRA_SCRIPTS,
    allFrames: true,
    runAt: 'document_idle',
    persistAcrossSessions: true,
    ...(fallback ? { matchOriginAsFallback: true } : {}),
  };
}

/** Whether a kept registration is the one wanted (an update may change hosts or files). */
function current(reg) {
  // Chromium gives the match patterns back sorted; the files keep their order.
  const sameSet = (a, b) => Array.isArray(a) && a.length === b.length && b.every((x) => a.includes(x));
  const same = (a, b) => Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
  return !!reg && reg.allFrames === true && sameSet(reg.matches, ENTRA_ORIGINS) && same(reg.js, ENTRA_SCRIPTS);
}

/**
 * Runs the Entra page script in the Entra hosts' frames exactly while they are granted.
 * `fresh`: after an install or update, when a kept registration may name old files.
 */
export async function syncEntraScript({ fresh = false } = {}) {
  if (!api.scripting || ENTRA_ORIGINS.length === 0) return;
  const granted = await api.permissions.contains({ permissions: ['scripting'], origins: ENTRA_ORIGINS });
  const [reg] = await api.scripting.getRegisteredContentScripts({ ids: ['entra'] }).catch(() => []);
  let registered = !!reg;
  if (registered && (fresh || !granted || !current(reg))) {
    await api.scripting.unregisterContentScripts({ ids: ['entra'] });
    registered = false;
  }
  if (granted && !registered) {
    // A browser that does not know matchOriginAsFallback refuses the whole registration:
    // register without it there (https frames are matched by their own address anyway).
    await api.scripting.registerContentScripts([wanted(true)]).catch((e) => {
      if (!/matchOriginAsFallback/i.test(String(e?.message ?? e))) throw e;
      return api.scripting.registerContentScripts([wanted(false)]);
    });
  }
}

/**
 * Scans one frame's facts. The address of the tab's top page comes from the browser
 * (`sender.tab.url`, known with the granted hosts), never from the page: a blade frame of
 * another origin cannot read it, and the core needs it to know the frame is on the User
 * settings page.
 */
export async function entraScan(facts, sender) {
  const outcome = core.entraScan({ ...facts, tabUrl: typeof sender.tab?.url === 'string' ? sender.tab.url : '' });
  if (outcome.observation) await recordEntra(outcome.observation, facts.url);
  return { marks: outcome.marks };
}

/** Keeps the latest Entra observation, as the core decides (`entraRecord`). */
export function recordEntra(observation, url) {
  const now = Date.now();
  return updateOrg((org) => {
    const entra = core.entraRecord(org.entra, observation, now, url);
    return entra ? { ...org, entra } : null;
  });
}
