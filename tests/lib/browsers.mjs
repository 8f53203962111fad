// Browser drivers for the e2e tests: one small interface, two implementations.
//
//   const b = await launchBrowser('chromium' | 'firefox', { extDir, server })
//   b.base                       origin for page URLs (Chromium: https://www.linkedin.com,
//                                Firefox: https://www.linkedin.com:PORT)
//   b.page                       the main tab (a Page)
//   await b.openPopup({width, height}) -> Page   the extension's popup.html in a tab
//   await b.tabs() -> [{url, page}]  every open tab (also ones the extension opened); b.tabCount()
//   Chromium only: await b.stopServiceWorker()  stops the extension's service worker (DevTools protocol)
//   await b.close()
//
//   Page: goto(pathOrUrl), url(), eval(fn, ...args) (runs in the page's main world, returns JSON),
//         waitFor(fn, {timeout, args, what}), click(selector), screenshot(file), setViewport(w, h), close()
//
// OPTOUT_DEBUG_TABS=1: Firefox says on stderr how each listing of its tabs went (lost handles, time).
//
// Both browsers get the real fixture server under the name www.linkedin.com with its strict CSP,
// and the unpacked extension. Browser processes are killed on close and on process exit.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const FIREFOX_BIN = process.env.FIREFOX_BIN || '/usr/bin/firefox-esr';
// geckodriver: $GECKODRIVER, else the first on PATH, else cargo's install dir.
export const GECKODRIVER_BIN = process.env.GECKODRIVER || [
  ...(process.env.PATH || '').split(':').filter(Boolean).map((d) => path.join(d, 'geckodriver')),
  path.join(os.homedir(), '.cargo/bin/geckodriver'),
].find((p) => fs.existsSync(p));
export const GECKO_ID = 'opt-out-lens@opt-out-lens';
// Pinned moz-extension:// UUID so the popup URL is known in advance.
export const FIREFOX_UUID = 'c0ffee00-0b7e-4c1e-9a11-0970071e5e55';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Firefox's driver may report a tab's handle as gone for a moment while the tab changes
// process; what lists or closes tabs looks again, every 50 ms for at most 2 s.
const HANDLE_RETRIES = 40;
const HANDLE_RETRY_MS = 50;
const transient = (e) => e?.wdError === 'no such window' || /browsing context has been discarded|no such window/i.test(String(e?.message));
const fnSource = (fn) => (typeof fn === 'function' ? fn.toString() : String(fn));

// Processes to kill if the test process dies without closing them.
const children = new Set();
process.on('exit', () => {
  for (const pid of children) {
    try { process.kill(-pid, 'SIGKILL'); } catch { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }
});

/** Shared polling wait (both browsers): resolves with the truthy value or throws with a clear message. */
async function pollUntil(page, fn, { timeout = 5000, interval = 50, args = [], what } = {}) {
  const t0 = Date.now();
  let last;
  for (;;) {
    try {
      last = await page.eval(fn, ...args);
      if (last) return last;
    } catch (e) {
      last = `error: ${e.message}`; // page may be navigating; keep polling until the deadline
    }
    if (Date.now() - t0 > timeout) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what || fnSource(fn).slice(0, 200)} (last value: ${JSON.stringify(last)})`);
    }
    await sleep(interval);
  }
}

export async function launchBrowser(name, opts) {
  if (name === 'chromium') return launchChromium(opts);
  if (name === 'firefox') return launchFirefox(opts);
  throw new Error(`unknown browser ${name}`);
}

// ---------------------------------------------------------------- Chromium (playwright-core)

export async function launchChromium({ extDir, server, headless = true, viewport = { width: 1280, height: 900 }, lang, colorScheme, profile }) {
  extDir = path.resolve(extDir);
  // `profile`: a profile folder to start from and keep (a browser restart); the caller removes it.
  const userDir = profile ?? fs.mkdtempSync(path.join(os.tmpdir(), 'optout-chromium-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM_BIN,
    headless,
    viewport,
    // The browser's UI language (what chrome.i18n follows) and light/dark, for the demo.
    ...(lang ? { locale: lang, env: { ...process.env, LANGUAGE: lang, LANG: `${lang}.UTF-8` } } : {}),
    ...(colorScheme ? { colorScheme } : {}),
    timeout: 30000,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      `--disable-extensions-except=${extDir}`, `--load-extension=${extDir}`,
      '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic',
      ...(lang ? [`--lang=${lang}`] : []),
      // Our HTTPS fixture server answers for www.linkedin.com on the default port.
      `--host-resolver-rules=MAP www.linkedin.com 127.0.0.1:${server.port}`,
      '--ignore-certificate-errors',
    ],
  });
  const closeAll = async () => {
    await Promise.race([ctx.close().catch(() => {}), sleep(10000)]);
    if (!profile) fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    let sw = ctx.serviceWorkers()[0];
    if (!sw) sw = await ctx.waitForEvent('serviceworker', { timeout: 15000 });
    const extensionId = new URL(sw.url()).host;
    const page = ctx.pages()[0] || (await ctx.newPage());
    const base = 'https://www.linkedin.com';
    const wrap = (p) => chromiumPage(p, base);
    return {
      name: 'chromium',
      base,
      extensionId,
      context: ctx,
      page: wrap(page),
      popupUrl: `chrome-extension://${extensionId}/popup.html`,
      async newPage() { return wrap(await ctx.newPage()); },
      async tabUrls() { return ctx.pages().map((p) => p.url()); },
      async tabs() { return ctx.pages().map((p) => ({ url: p.url(), page: wrap(p) })); },
      async tabCount() { return ctx.pages().length; },
      /**
       * Stops the extension's service worker (as Chrome does after 30 s idle) through the
       * DevTools protocol's ServiceWorker domain, on a session of `on` (a Page of ours; use an
       * extension page such as the popup: the domain sees the workers of that page's origin).
       * Resolves once the worker reports "stopped" (or after 5 s) with
       * {stopped, statuses: [runningStatus...] (kept up to date until detach), detach()}.
       * Do not evaluate in the old worker afterwards: Playwright then loses the whole context.
       */
      async stopServiceWorker(on = wrap(page)) {
        const cdp = await ctx.newCDPSession(on.raw);
        const statuses = [];
        cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
          for (const v of e.versions) if (v.scriptURL.startsWith(`chrome-extension://${extensionId}/`)) statuses.push(v.runningStatus);
        });
        await cdp.send('ServiceWorker.enable');
        await cdp.send('ServiceWorker.stopAllWorkers');
        const t0 = Date.now();
        while (!statuses.includes('stopped') && Date.now() - t0 < 5000) await sleep(50);
        return { stopped: statuses.includes('stopped'), statuses, detach: () => cdp.detach().catch(() => {}) };
      },
      async closeOtherTabs() { for (const p of ctx.pages()) if (p !== page) await p.close().catch(() => {}); },
      async openPopup({ width = 420, height = 600 } = {}) {
        const p = await ctx.newPage();
        await p.setViewportSize({ width, height });
        await p.goto(`chrome-extension://${extensionId}/popup.html`, { timeout: 15000 });
        return wrap(p);
      },
      serviceWorkerEval: (fn, ...args) => (ctx.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`)) || sw)
        .evaluate(`(${fnSource(fn)})(...${JSON.stringify(args)})`),
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

function chromiumPage(p, base) {
  const page = {
    raw: p,
    async goto(u) { await p.goto(new URL(u, base).href, { timeout: 20000, waitUntil: 'load' }); },
    url: () => p.url(),
    // A string expression goes through CDP Runtime.evaluate: not subject to the page's CSP.
    eval: (fn, ...args) => p.evaluate(`(${fnSource(fn)})(...${JSON.stringify(args)})`),
    waitFor: (fn, o) => pollUntil(page, fn, o),
    async click(selector) { await p.click(selector, { timeout: 5000 }); },
    async screenshot(file, { fullPage = false } = {}) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await p.screenshot({ path: file, fullPage, timeout: 15000 });
    },
    setViewport: (width, height) => p.setViewportSize({ width, height }),
    async back() { await p.evaluate('history.back()'); },
    close: () => p.close(),
  };
  return page;
}

// ---------------------------------------------------------------- Firefox (geckodriver, W3C WebDriver over fetch)

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function wd(baseUrl, method, pathname, body, timeoutMs = 60000) {
  const res = await fetch(baseUrl + pathname, {
    method,
    headers: body ? { 'content-type': 'application/json; charset=utf-8' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || (json.value && json.value.error)) {
    const v = json.value || {};
    const err = new Error(`WebDriver ${method} ${pathname}: ${v.error || res.status}: ${v.message || ''}`);
    err.wdError = v.error;
    throw err;
  }
  return json.value;
}

export async function launchFirefox({ extDir, server, headless = true, viewport = { width: 1280, height: 900 }, extraPrefs = {} }) {
  if (!GECKODRIVER_BIN) throw new Error('geckodriver not found (looked on PATH and in ~/.cargo/bin; or set GECKODRIVER)');
  extDir = path.resolve(extDir);
  const port = await freePort();
  // --allow-system-access lets us use the chrome context as a fallback for opening the popup.
  const gdArgs = ['--port', String(port), '--host', '127.0.0.1'];
  const help = await new Promise((resolve) => {
    const h = spawn(GECKODRIVER_BIN, ['--help']);
    let out = '';
    h.stdout.on('data', (d) => { out += d; });
    h.on('close', () => resolve(out));
    h.on('error', () => resolve(''));
    setTimeout(() => { h.kill('SIGKILL'); resolve(out); }, 5000).unref();
  });
  const systemAccess = help.includes('--allow-system-access');
  if (systemAccess) gdArgs.push('--allow-system-access');
  // Own process group (detached) so Firefox, its child, dies with it on exit.
  const gd = spawn(GECKODRIVER_BIN, gdArgs, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(gd.pid);
  let gdLog = '';
  const keepLog = (d) => { gdLog = (gdLog + d).slice(-20000); };
  gd.stdout.on('data', keepLog);
  gd.stderr.on('data', keepLog);
  const baseUrl = `http://127.0.0.1:${port}`;
  const killGd = () => {
    try { process.kill(-gd.pid, 'SIGKILL'); } catch { /* gone */ }
    children.delete(gd.pid);
  };

  let sessionId;
  try {
    // Wait for geckodriver to listen.
    const t0 = Date.now();
    for (;;) {
      try { await wd(baseUrl, 'GET', '/status', null, 1000); break; } catch (e) {
        if (Date.now() - t0 > 10000) throw new Error(`geckodriver did not start: ${e.message}\n${gdLog}`);
        await sleep(100);
      }
    }
    const prefs = {
      'network.dns.forceResolve': '127.0.0.1', // www.linkedin.com -> our server (URL carries the port)
      // The extension's jobs open https://www.linkedin.com/... without a port: send 443 to the server.
      'network.socket.forcePort': `443=${server.port}`,
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
      // Quiet, offline-friendly browser.
      'app.update.enabled': false, 'app.update.auto': false,
      'extensions.update.enabled': false, 'extensions.getAddons.cache.enabled': false,
      'browser.safebrowsing.malware.enabled': false, 'browser.safebrowsing.phishing.enabled': false,
      'browser.safebrowsing.downloads.enabled': false, 'browser.safebrowsing.blockedURIs.enabled': false,
      'network.captive-portal-service.enabled': false, 'network.connectivity-service.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false, 'toolkit.telemetry.enabled': false,
      'browser.shell.checkDefaultBrowser': false, 'browser.startup.homepage_override.mstone': 'ignore',
      'browser.newtabpage.enabled': false, 'browser.startup.page': 0,
      'browser.region.network.url': '', 'browser.search.geoip.url': '',
      'services.settings.server': 'https://127.0.0.1:9/', 'extensions.blocklist.enabled': false,
      'network.http.speculative-parallel-limit': 0, 'browser.urlbar.speculativeConnect.enabled': false,
      // Firefox's own default (greprefs.js, ESR 153): MV3 host permissions are granted at install.
      // Set explicitly so a profile/driver default can't silently disable the content script.
      'extensions.originControls.grantByDefault': true,
      ...extraPrefs,
    };
    const session = await wd(baseUrl, 'POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'firefox',
          acceptInsecureCerts: true,
          pageLoadStrategy: 'normal',
          'moz:firefoxOptions': { binary: FIREFOX_BIN, args: headless ? ['-headless'] : [], prefs },
        },
      },
    }, 60000);
    sessionId = session.sessionId;
    const S = (method, p, body, t) => wd(baseUrl, method, `/session/${sessionId}${p}`, body, t);
    await S('POST', '/timeouts', { script: 30000, pageLoad: 30000, implicit: 0 });
    await S('POST', '/window/rect', { width: viewport.width, height: viewport.height }).catch(() => {});
    const addonId = await S('POST', '/moz/addon/install', { path: extDir, temporary: true });

    const base = `https://www.linkedin.com:${server.port}`;
    let current = await S('GET', '/window');
    const mainHandle = current;
    // Always switch: a tab the extension opens or closes can move WebDriver's current
    // window without our knowing, and a stale guess would run a script in the wrong tab.
    const use = async (handle) => {
      await S('POST', '/window', { handle });
      current = handle;
    };
    // After closing a tab, WebDriver has no current window: go back to the main tab.
    const forget = async () => { current = null; await use(mainHandle).catch(() => {}); };
    const mkPage = (handle) => firefoxPage(S, handle, use, base, closeTab);
    /**
     * Every tab with its URL. Firefox's driver may lose a tab's handle for a moment while the
     * tab changes process ("browsing context has been discarded"): the listing is then taken
     * again (bounded); a tab that closed meanwhile is simply no longer listed.
     */
    const listTabs = async () => {
      const t0 = Date.now();
      for (let attempt = 0; ; attempt++) {
        const out = [];
        let lost = null;
        for (const handle of await S('GET', '/window/handles')) {
          try {
            await use(handle);
            out.push({ handle, url: await S('GET', '/url') });
          } catch (e) {
            if (!transient(e)) throw e;
            if (process.env.OPTOUT_DEBUG_TABS) console.error(`[firefox] listing tabs: ${handle} lost (attempt ${attempt}): ${e.message}`);
            lost = e;
            break;
          }
        }
        if (!lost) {
          if (process.env.OPTOUT_DEBUG_TABS) console.error(`[firefox] listed ${out.length} tabs in ${Date.now() - t0} ms: ${out.map((t) => t.url).join(' ')}`);
          return out;
        }
        if (attempt >= HANDLE_RETRIES) throw new Error(`Firefox: a tab's handle stayed lost while listing tabs: ${lost.message}`);
        await sleep(HANDLE_RETRY_MS);
      }
    };
    /** Closes a tab; one whose handle is lost for a moment is tried again, one already gone counts as closed. */
    const closeTab = async (handle) => {
      for (let attempt = 0; ; attempt++) {
        try {
          await use(handle);
          await S('DELETE', '/window');
          break;
        } catch (e) {
          if (!transient(e)) throw e;
          if (!(await S('GET', '/window/handles')).includes(handle)) break;
          if (attempt >= HANDLE_RETRIES) throw new Error(`Firefox: could not close a tab whose handle stayed lost: ${e.message}`);
          await sleep(HANDLE_RETRY_MS);
        }
      }
      await forget();
    };
    const popupUrl = `moz-extension://${FIREFOX_UUID}/popup.html`;

    const browser = {
      name: 'firefox',
      base,
      addonId,
      extensionId: FIREFOX_UUID,
      popupUrl,
      systemAccess,
      page: mkPage(mainHandle),
      log: () => gdLog,
      async tabUrls() { return (await listTabs()).map((t) => t.url); },
      async tabCount() { return (await S('GET', '/window/handles')).length; },
      async tabs() { return (await listTabs()).map(({ handle, url }) => ({ url, page: mkPage(handle) })); },
      async closeOtherTabs() {
        for (const handle of await S('GET', '/window/handles')) if (handle !== mainHandle) await closeTab(handle);
        await use(mainHandle);
      },
      async newPage() {
        const { handle } = await S('POST', '/window/new', { type: 'tab' });
        return mkPage(handle);
      },
      // Try plain navigation to moz-extension://; fall back to opening the tab from the chrome context.
      popupMethod: null, // 'navigate' or 'chrome-context', once a popup was opened
      async openPopup({ width = 420, height = 600 } = {}) {
        const p = await browser.newPage();
        try {
          await p.goto(popupUrl);
          const u = await p.url();
          if (!u.startsWith('moz-extension://')) throw new Error(`landed on ${u}`);
          browser.popupMethod = 'navigate';
        } catch (e) {
          if (!systemAccess) throw new Error(`Firefox popup: WebDriver could not open ${popupUrl} (${e.message}) and geckodriver has no --allow-system-access`);
          await p.close().catch(() => {});
          const before = new Set(await S('GET', '/window/handles'));
          await S('POST', '/moz/context', { context: 'chrome' });
          try {
            await S('POST', '/execute/sync', {
              script: `const w = Services.wm.getMostRecentWindow('navigator:browser');
                const tab = w.gBrowser.addTab(arguments[0], { triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal() });
                w.gBrowser.selectedTab = tab; return true;`,
              args: [popupUrl],
            });
          } finally {
            await S('POST', '/moz/context', { context: 'content' });
          }
          const after = await S('GET', '/window/handles');
          const handle = after.find((h) => !before.has(h));
          if (!handle) throw new Error('Firefox popup: chrome-context tab did not appear');
          browser.popupMethod = 'chrome-context';
          const p2 = mkPage(handle);
          await p2.waitFor(() => document.readyState === 'complete' && location.protocol === 'moz-extension:', { timeout: 10000, what: 'popup tab to load' });
          return p2;
        }
        // Firefox tabs share one window: give it back its size when the popup tab closes,
        // or every later page would be laid out 420 px wide.
        const rect = await S('GET', '/window/rect').catch(() => null);
        await p.setViewport(width, height).catch(() => {});
        const close = p.close;
        p.close = async () => {
          await close();
          if (rect) await S('POST', '/window/rect', { width: rect.width, height: rect.height }).catch(() => {});
        };
        return p;
      },
      async close() {
        try { if (sessionId) await wd(baseUrl, 'DELETE', `/session/${sessionId}`, null, 15000); } catch { /* killed below */ }
        killGd();
      },
    };
    return browser;
  } catch (e) {
    if (sessionId) await wd(baseUrl, 'DELETE', `/session/${sessionId}`, null, 10000).catch(() => {});
    killGd();
    e.message += `\n--- geckodriver log (tail) ---\n${gdLog.slice(-3000)}`;
    throw e;
  }
}

function firefoxPage(S, handle, use, base, closeTab) {
  const page = {
    handle,
    async goto(u) { await use(handle); await S('POST', '/url', { url: new URL(u, base).href }); },
    async url() { await use(handle); return S('GET', '/url'); },
    async eval(fn, ...args) {
      await use(handle);
      // The script text is built here (no eval/new Function in the page, which the CSP forbids).
      const script = `const done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${fnSource(fn)}).apply(null, ${JSON.stringify(args)}))
          .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: String((e && e.stack) || e) }));`;
      const r = await S('POST', '/execute/async', { script, args: [] });
      if (r && 'err' in r) throw new Error(`in page: ${r.err}`);
      return r ? r.ok : r;
    },
    waitFor: (fn, o) => pollUntil(page, fn, o),
    async click(selector) {
      await use(handle);
      const found = await S('POST', '/element', { using: 'css selector', value: selector });
      const id = found[Object.keys(found)[0]];
      await S('POST', `/element/${id}/click`, {});
    },
    async screenshot(file) {
      await use(handle);
      const b64 = await S('GET', '/screenshot');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, Buffer.from(b64, 'base64'));
    },
    async setViewport(width, height) { await use(handle); await S('POST', '/window/rect', { width, height }); },
    async back() { await use(handle); await S('POST', '/back', {}); },
    close: () => closeTab(handle),
  };
  return page;
}
