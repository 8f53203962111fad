// The e2e tests' browser set-up and teardown, in one place:
//
//   extDirFor(name)        the unpacked build for 'chromium' or 'firefox' ($DIST as in build.sh;
//                          OPTOUT_EXT_CHROMIUM / OPTOUT_EXT_FIREFOX override it)
//   missingPrereq(name)    why this browser cannot run here (null if it can): a missing build,
//                          browser or driver fails the test, never skips it
//   newBrowser(name, server, o)  -> b: a browser (fresh profile) on a server already running
//   openBrowser(name, o)   -> {server, b}: a fixture server (startServer(), or o.server(), e.g. a
//                          front of tests/lib/extra-server.mjs) and the browser with the extension
//                          (tests/lib/browsers.mjs; other options of o go to launchBrowser)
//   closeBrowser(b, server)  bounded: the browser's processes are killed if it does not close
//   freshSlate(b, server, {before})  -> popup: the server at its defaults, one tab, and the extension's
//                          memory erased with the popup's own "Forget everything", waited for
//
// In a describe block:
//   let server; let b;
//   before(async () => ({ server, b } = await openBrowser(name)));
//   after(() => closeBrowser(b, server));
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, CHROMIUM_BIN, FIREFOX_BIN, GECKODRIVER_BIN } from './browsers.mjs';
import { startServer } from './server.mjs';
import { settingCount } from './catalogue.mjs';
import { waitPopup } from './checks.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the build is: $DIST as in build.sh, default dist/. */
export const distDir = () => path.resolve(ROOT, process.env.DIST || 'dist');

/** The unpacked extension for 'chromium' or 'firefox'. */
export function extDirFor(name) {
  const env = process.env[`OPTOUT_EXT_${name.toUpperCase()}`];
  return env || path.join(distDir(), name === 'chromium' ? 'chrome' : 'firefox');
}

/** Why this browser cannot run here (null if it can). */
export function missingPrereq(name, ext = extDirFor(name)) {
  if (!fs.existsSync(path.join(ext, 'manifest.json'))) return `no extension at ${ext} (run ./build.sh first)`;
  if (name === 'chromium' && !fs.existsSync(CHROMIUM_BIN)) return `no Chromium at ${CHROMIUM_BIN}`;
  if (name === 'firefox' && !fs.existsSync(FIREFOX_BIN)) return `no Firefox at ${FIREFOX_BIN}`;
  if (name === 'firefox' && !GECKODRIVER_BIN) return 'no geckodriver (cargo install geckodriver)';
  return null;
}

const within = (ms, promise) => Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * A fixture server and a browser with the built extension. Throws (never skips) when the
 * build, the browser or its driver is missing; a browser that does not start closes the server.
 */
export async function openBrowser(name, { server: serve = () => startServer(), ...launch } = {}) {
  const missing = missingPrereq(name, launch.extDir);
  if (missing) throw new Error(missing);
  const server = await serve();
  try {
    const b = await newBrowser(name, server, launch);
    return { server, b };
  } catch (e) {
    await within(5000, server.close());
    throw e;
  }
}

/** A browser with the built extension, on a server already running (a fresh profile each time). */
export function newBrowser(name, server, { extDir = extDirFor(name), ...launch } = {}) {
  const missing = missingPrereq(name, extDir);
  if (missing) throw new Error(missing);
  return launchBrowser(name, { extDir, server, ...launch });
}

/** Closes what openBrowser opened (either may be undefined, when its start failed). */
export async function closeBrowser(b, server) {
  // browsers.mjs bounds each close and kills the processes; this bounds the whole.
  await within(20000, b?.close().catch(() => {}));
  await within(5000, server?.close());
}

/**
 * A clean slate for a scenario: server defaults, one tab (the fixture index, never scanned),
 * the popup open and "Forget everything" done. Done means the erasing happened, not only that
 * the rows look erased: a marker written to both storage areas before the request is gone
 * (otherwise, with nothing stored, the rows look erased before the request is even handled).
 * `before(popup)`: runs once the popup is loaded, before the erasing (e.g. startTimeline).
 * Returns the popup.
 */
export async function freshSlate(b, server, { before } = {}) {
  server.reset();
  await b.closeOtherTabs();
  await b.page.goto('/');
  const popup = await b.openPopup();
  await waitPopup(popup, (s) => s.headline && !s.headline.startsWith('Reading'), { what: 'the popup to load' });
  if (before) await before(popup);
  await popup.eval(async () => {
    const api = globalThis.browser ?? globalThis.chrome;
    await api.storage.local.set({ harnessForgetMarker: true });
    await api.storage.session.set({ harnessForgetMarker: true });
    return true;
  });
  await popup.click('#forget');
  await popup.waitFor(() => document.getElementById('forget-confirm').open, { timeout: 3000, what: 'the forget dialog' });
  await popup.click('#forget-yes');
  await popup.waitFor(async () => {
    const api = globalThis.browser ?? globalThis.chrome;
    const [l, s] = await Promise.all([api.storage.local.get('harnessForgetMarker'), api.storage.session.get('harnessForgetMarker')]);
    return !('harnessForgetMarker' in l) && !('harnessForgetMarker' in s);
  }, { timeout: 10000, what: '"Forget everything" to erase both storage areas' });
  const rows = settingCount();
  await waitPopup(popup, (s) => s.order.length === rows && s.order.every((id) => s.rows[id].state === 'unknown' && s.rows[id].reasonCode === 'not-checked') && s.job.hidden,
    { what: '"Forget everything" to erase every state and job' });
  server.resetClicks();
  return popup;
}

/**
 * The helper tab of a running "Check all", found by what the extension itself says (the job in
 * storage.session, read from the popup): the tab showing the page the helper reads, once it shows
 * it. Not by guessing from the tabs' order or from where the job's own tab is at that moment.
 * Resolves with {url, page}, or null when no such tab appeared within `timeout` ms.
 */
export async function helperTab(b, popup, { timeout = 15000 } = {}) {
  const path = (u) => { try { return new URL(u).pathname; } catch { return null; } };
  for (const t0 = Date.now(); Date.now() - t0 < timeout; await new Promise((r) => setTimeout(r, 50))) {
    const job = await popup.eval(async () => {
      // The job is the core's JSON text (the extension never reads it; a test may).
      const text = (await (globalThis.browser ?? globalThis.chrome).storage.session.get('job')).job;
      const j = typeof text === 'string' ? JSON.parse(text) : null;
      const at = (role) => j?.lanes?.find((l) => l.role === role)?.visit;
      const url = (v) => v?.open?.url ?? null; // a lane's visit: "idle", or {open: {url, …}}, …
      return j && { status: j.status, helper: url(at('helper')), own: url(at('main')) };
    });
    if (!job?.helper || job.status !== 'running') continue;
    const tab = (await b.tabs()).find((t) => path(t.url) === path(job.helper) && path(t.url) !== path(job.own));
    if (tab) return tab;
  }
  return null;
}
