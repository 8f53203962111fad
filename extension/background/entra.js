// Organisations: the Microsoft Entra admin center's "LinkedIn account connections". The
// Entra page script runs only while the person has granted the optional hosts from the
// popup; its observations are kept in storage.local under the organisation key.
import { updateOrg } from './state.js';

const api = globalThis.OptOutApi;
// The Entra hosts: optional, asked for from the popup, never at install.
const ENTRA_ORIGINS = api.runtime.getManifest().optional_host_permissions ?? [];
// The same files, in the same order, as the LinkedIn page script (manifest.json).
const ENTRA_SCRIPTS = ['lib/api.js', 'lib/messages.js', 'lib/i18n.js', 'page/kit.js', 'page/entra.js'];

/**
 * Runs the Entra page script in the Entra hosts' frames exactly while they are granted.
 * `fresh`: after an install or update, when a kept registration may name old files.
 */
export async function syncEntraScript({ fresh = false } = {}) {
  if (!api.scripting || ENTRA_ORIGINS.length === 0) return;
  const granted = await api.permissions.contains({ permissions: ['scripting'], origins: ENTRA_ORIGINS });
  let registered = (await api.scripting.getRegisteredContentScripts({ ids: ['entra'] }).catch(() => [])).length > 0;
  if (registered && fresh) {
    await api.scripting.unregisterContentScripts({ ids: ['entra'] });
    registered = false;
  }
  if (granted && !registered) {
    await api.scripting.registerContentScripts([{
      id: 'entra',
      matches: ENTRA_ORIGINS,
      js: ENTRA_SCRIPTS,
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
export function recordEntra(observation, url) {
  const now = Date.now();
  return updateOrg((org) => {
    const known = org.entra && org.entra.state !== 'unknown' && now - org.entra.checkedAt < 60_000;
    const missing = observation.state === 'unknown' && ['not-found', 'not-loaded'].includes(observation.reason);
    if (missing && known) return null;
    return { ...org, entra: { ...observation, checkedAt: now, url } };
  });
}
