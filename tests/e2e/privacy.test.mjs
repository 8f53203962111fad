// Privacy proofs (node --test tests/):
//  1. No network request of the extension's own while it scans pages, runs "Check all" and
//     exports. Every host name goes to a logging front (tests/lib/extra-server.mjs):
//     Chromium maps all hosts to it (--host-resolver-rules=MAP *), Firefox uses it as its
//     proxy. Every request it sees must be a page request to www.linkedin.com. A canary
//     request made from the extension's own context proves the net would catch one.
//  2. The built manifests ask for exactly what the README says; no remote code, no
//     externally_connectable, no web_accessible_resources; CSP as documented; web-ext lint clean.
//  3. A web page cannot talk to the extension: no usable chrome.runtime in the page, and
//     forged postMessage / DOM events change nothing.
//  4. Two builds of the same commit give byte-identical zips.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { startFront, firefoxProxyPrefs, LINKEDIN } from '../lib/extra-server.mjs';
import { launchChromiumRaw, evalIn, waitIn, extDir, distDir, sleep, ROOT } from '../lib/extra-browsers.mjs';
import { newBrowser, closeBrowser, missingPrereq } from '../lib/session.mjs';
import { catalogue } from '../lib/server.mjs';
import { loadCatalogue, settingCount } from '../lib/catalogue.mjs';

/** How many pages "Check all" loads: every setting with a page of its own. */
const swept = () => loadCatalogue().settings.filter((s) => s.paths.length > 0).length;

const CAT = catalogue();
const AI = CAT.find((c) => c.id === 'ai-training');
const built = (name) => fs.existsSync(path.join(extDir(name), 'manifest.json'));
/** Fails (never skips) when the build or the browser a test needs is missing. */
function needs(name) {
  const missing = missingPrereq(name);
  assert.ok(!missing, missing);
}

// Paths the fixture pages themselves load (documents, their scripts and styles, favicon).
const PAGE_PATH = /^\/(mypreferences\/|psettings\/|static\/|favicon\.ico$|feed\/|login|checkpoint\/)/;

// The browsers' own background traffic (sign-in checks, component and safe-browsing
// updates, remote settings): their vendors' hosts. Not the extension's: its built files hold
// no URL but www.linkedin.com's and no network call (checked below), and the canary shows a
// request from the extension's own context would be caught. Printed, never hidden.
const BROWSER_OWN = {
  chromium: /(^|\.)(google\.com|googleapis\.com|gstatic\.com|gvt1\.com|gvt2\.com|googleusercontent\.com|chromium\.org)$/,
  firefox: /(^|\.)(mozilla\.com|mozilla\.net|mozilla\.org|firefox\.com|mozaws\.net|mozgcp\.net)$/,
};
function browserOwn(log, browser) {
  const own = log.filter((e) => BROWSER_OWN[browser].test(String(e.host || '').replace(/:\d+$/, '')));
  if (own.length) console.log(`[${browser}] the browser's own requests (allowed): ${[...new Set(own.map((e) => `${e.kind} ${e.host}${e.path ? e.path.slice(0, 40) : ''}`))].join(', ')}`);
  return log.filter((e) => !own.includes(e));
}

/** Requests in the front's log that are not a page's own request to www.linkedin.com. */
function foreign(log) {
  return log.filter((e) => {
    if (e.kind === 'connect') return !/^www\.linkedin\.com:\d+$/.test(e.host); // the tunnel itself is checked inside
    if (e.kind !== 'https') return true;
    const host = String(e.host || '').replace(/:\d+$/, '');
    return host !== LINKEDIN || !PAGE_PATH.test(e.path) || (e.origin && !e.origin.startsWith('https://www.linkedin.com'));
  });
}

/** The canary request reached the logging front (waited for, at most 5 s). */
async function canarySeen(front) {
  const seen = () => front.log.some((e) => String(e.host).startsWith('tracker.example'));
  for (const t0 = Date.now(); !seen() && Date.now() - t0 < 5000;) await sleep(50);
  assert.ok(seen(), `the canary was not seen: ${JSON.stringify(front.log)}`);
}

async function scenario(drive) {
  // The pages a person would open, then "Check all", then both exports.
  for (const c of CAT.slice(0, 3)) await drive.visit(c.path, c.key);
  await drive.visit('/mypreferences/d/categories/privacy', AI.key);
  await drive.checkAll();
  await drive.exportBoth();
}

describe('privacy: no network request from the extension', { timeout: 600000 }, () => {
  it('Chromium (every host mapped to a logging server)', { timeout: 240000 }, async () => {
    needs('chromium');
    const front = await startFront();
    const b = await launchChromiumRaw({ extDir: extDir('chromium'), port: front.port, mapAll: true });
    const seen = []; // Playwright's view: every request any page, frame or worker made
    b.ctx.on('request', (r) => seen.push({ url: r.url(), type: r.resourceType(), frame: (() => { try { return r.frame()?.url(); } catch { return 'worker'; } })() }));
    try {
      const popup = await b.ctx.newPage();
      const drive = {
        async visit(p, key) {
          await b.page.goto(`https://www.linkedin.com${p}`, { waitUntil: 'load' });
          await waitIn(b.page, (k) => document.querySelector(`[aria-labelledby="${k}"]`)?.hasAttribute('data-optout-state'), { args: [key], what: `mark on ${p}` });
        },
        async checkAll() {
          await popup.goto(b.popupUrl);
          await waitIn(popup, (n) => document.querySelectorAll('#settings [data-setting]').length === n, { args: [settingCount()], what: 'popup' });
          const t = Date.now();
          await popup.click('#check-all');
          const job = await waitIn(b.sw, async (since) => {
            // The job is the core's JSON text (a test may read it; the extension never does).
            const text = (await chrome.storage.session.get('job')).job;
            const j = typeof text === 'string' ? JSON.parse(text) : null;
            return j && j.startedAt >= since && j.status !== 'running' ? j : null;
          }, { args: [t - 50], timeout: 120000, interval: 200, what: 'Check all to end' });
          assert.equal(job.status, 'finished');
        },
        async exportBoth() {
          for (const id of ['#export-json', '#export-md']) {
            const [dl] = await Promise.all([popup.waitForEvent('download', { timeout: 10000 }), popup.click(id)]);
            const file = await dl.path();
            assert.ok(fs.statSync(file).size > 0, `${id} produced a file`);
            assert.match(dl.url(), /^(blob|data):/, `${id} downloads from a local URL, not the network`);
          }
        },
      };
      await scenario(drive);
      await sleep(1000);
      const strange = foreign(browserOwn(front.log, 'chromium'));
      assert.deepEqual(strange, [], 'requests that are not the pages\' own');
      // Playwright's view agrees: nothing from the extension's origin went to the network.
      const extNet = seen.filter((r) => /^(https?|wss?|ftp):/.test(r.url) && !r.url.startsWith('https://www.linkedin.com/'));
      assert.deepEqual(extNet, [], 'requests to anywhere but www.linkedin.com (Playwright)');
      const pageCount = front.log.filter((e) => e.kind === 'https' && /^\/(mypreferences|psettings)\//.test(e.path)).length;
      assert.ok(pageCount >= 3 + swept(), `the front saw the page loads (${pageCount})`);
      // Canary: a request from the service worker would have been caught.
      front.clearLog();
      await evalIn(b.sw, () => fetch('https://tracker.example/ping').catch(() => null));
      await canarySeen(front);
    } finally {
      await closeBrowser(b, front);
    }
  });

  it('Firefox (every request through a logging proxy)', { timeout: 300000 }, async () => {
    needs('firefox');
    const front = await startFront();
    const b = await newBrowser('firefox', front, {
      extraPrefs: {
        ...firefoxProxyPrefs(front.port),
        // Firefox's own services, off so that what is left is the pages and the extension.
        'dom.push.enabled': false, 'app.normandy.enabled': false, 'browser.ping-centre.telemetry': false,
        'toolkit.telemetry.unified': false, 'toolkit.telemetry.server': '', 'network.trr.mode': 5,
        'browser.contentblocking.report.monitor.enabled': false, 'extensions.getAddons.showPane': false,
        'browser.topsites.contile.enabled': false, 'browser.newtabpage.activity-stream.feeds.topsites': false,
        'messaging-system.rsexperimentloader.enabled': false, 'browser.aboutwelcome.enabled': false,
        'privacy.sanitize.useOldClearHistoryDialog': true,
      },
    });
    try {
      const origin = b.base;
      const drive = {
        async visit(p, key) {
          await b.page.goto(`${origin}${p}`);
          await b.page.waitFor((k) => document.querySelector(`[aria-labelledby="${k}"]`)?.hasAttribute('data-optout-state'), { timeout: 10000, args: [key], what: `mark on ${p}` });
        },
        async checkAll() {
          const popup = await b.openPopup();
          try {
            await popup.waitFor((n) => document.querySelectorAll('#settings [data-setting]').length === n, { args: [settingCount()], what: 'popup' });
            await popup.click('#check-all');
            const job = await popup.waitFor(async () => {
              const text = (await browser.storage.session.get('job')).job;
              const j = typeof text === 'string' ? JSON.parse(text) : null;
              return j && j.status !== 'running' ? { status: j.status } : null;
            }, { timeout: 120000, interval: 300, what: 'Check all to end' });
            assert.equal(job.status, 'finished');
          } finally {
            await popup.close();
          }
        },
        async exportBoth() {
          const popup = await b.openPopup();
          try {
            await popup.waitFor((n) => document.querySelectorAll('#settings [data-setting]').length === n, { args: [settingCount()], what: 'popup' });
            // Record what the export does instead of saving a file (a download prompt would block).
            const made = await popup.eval(async () => {
              const urls = [];
              const real = URL.createObjectURL;
              URL.createObjectURL = (blob) => { const u = real(blob); urls.push(u); return u; };
              HTMLAnchorElement.prototype.click = function () { urls.push(`click:${this.href}`); };
              document.getElementById('export-json').click();
              document.getElementById('export-md').click();
              // Until both downloads were started (each is read from storage first), at most 5 s.
              for (const t0 = Date.now(); urls.filter((u) => u.startsWith('click:')).length < 2 && Date.now() - t0 < 5000;) {
                await new Promise((r) => setTimeout(r, 20));
              }
              return urls;
            });
            assert.ok(made.length >= 2 && made.every((u) => /^(click:)?blob:/.test(u)), `exports use local blob: URLs: ${JSON.stringify(made)}`);
          } finally {
            await popup.close();
          }
        },
      };
      await scenario(drive);
      await sleep(1000);
      const strange = foreign(browserOwn(front.log, 'firefox'));
      assert.deepEqual(strange, [], 'requests that are not the pages\' own');
      // Canary from an extension page: it would have been caught.
      front.clearLog();
      const popup = await b.openPopup();
      try {
        await popup.eval(() => fetch('https://tracker.example/ping').then(() => 1, () => 0));
      } finally {
        await popup.close();
      }
      await canarySeen(front);
    } finally {
      await closeBrowser(b, front);
    }
  });
});

// ---------------------------------------------------------------- manifests and built files

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const SOURCE_MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8'));

describe('privacy: what the built extension asks for and contains', () => {
  for (const [name, dir] of [['chrome', 'chromium'], ['firefox', 'firefox']]) {
    it(`${name}: permissions, host access, CSP, no externally_connectable or web_accessible_resources`, () => {
      assert.ok(built(dir), `no build at ${extDir(dir)} (run ./build.sh first)`);
      const m = JSON.parse(fs.readFileSync(path.join(extDir(dir), 'manifest.json'), 'utf8'));
      // Firefox cannot make "alarms" optional (README says so); Chrome asks for it only when reminders are turned on.
      assert.deepEqual(m.permissions, name === 'firefox' ? ['storage', 'alarms'] : ['storage']);
      // The Entra admin center and the Azure portal, and the hosts of the portal's blade
      // frames (its React views load in sandboxed iframes of other origins), asked for
      // together from the popup's "I manage a Microsoft tenant" only.
      assert.deepEqual(m.optional_host_permissions ?? [], [
        'https://entra.microsoft.com/*',
        'https://portal.azure.com/*',
        'https://*.reactblade.portal.azure.net/*',
        'https://*.reactblade-ms.portal.azure.net/*',
        'https://*.reactblade-rc.portal.azure.net/*',
        'https://*.hosting.portal.azure.net/*',
        'https://*.ext.azure.com/*',
      ]);
      assert.deepEqual(m.host_permissions, ['https://www.linkedin.com/*']);
      // The README lists the permissions; optional ones must be listed there too.
      assert.match(README, /`storage`/);
      assert.match(README, /https:\/\/www\.linkedin\.com\/\*/);
      for (const p of [...(m.optional_permissions ?? []), ...(m.optional_host_permissions ?? [])]) {
        assert.ok(README.includes(p), `optional permission ${p} is not documented in README.md`);
      }
      assert.equal(m.externally_connectable, undefined);
      assert.equal(m.web_accessible_resources, undefined);
      assert.equal(m.content_security_policy?.extension_pages, SOURCE_MANIFEST.content_security_policy.extension_pages);
      assert.equal(m.content_security_policy.extension_pages, "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'");
      for (const cs of m.content_scripts) assert.deepEqual(cs.matches, ['https://www.linkedin.com/*']);
      if (name === 'firefox') assert.deepEqual(m.browser_specific_settings?.gecko?.data_collection_permissions, { required: ['none'] });
    });

    it(`${name}: no remote code or remote URL in the built files`, () => {
      assert.ok(built(dir), `no build at ${extDir(dir)} (run ./build.sh first)`);
      const problems = [];
      const walk = (d) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) { walk(p); continue; }
          if (!/\.(js|html|css|json|wasm)$/.test(e.name)) continue;
          const text = fs.readFileSync(p).toString('latin1');
          for (const m of text.matchAll(/\b(?:https?|wss?):\/\/[a-z0-9][^\s"'`<>)\\\x00-\x1f]*/gi)) {
            if (/^https:\/\/www\.linkedin\.com(\/|$)/.test(m[0])) continue;
            // The Entra admin center's User settings page: a link the person opens from the
            // popup (an optional host, asked for at run time), never fetched.
            if (/^https:\/\/(entra\.microsoft\.com|portal\.azure\.com)\/(#view\/|\*$)/.test(m[0])) continue;
            // wasm-bindgen's glue names an MDN page in an error message: text, never fetched
            // (the glue ships in core/ and, bundled, in background.js).
            if (/^(core\/[\w]+\.js|background\.js)$/.test(path.relative(extDir(dir), p)) && m[0].startsWith('https://developer.mozilla.org/')) continue;
            // The SVG namespace the History view creates its drawing in (createElementNS): a
            // name, never fetched; only exactly that, and only in the file that draws.
            if (path.relative(extDir(dir), p) === path.join('ui', 'dom.js') && m[0] === 'http://www.w3.org/2000/svg') continue;
            problems.push(`${path.relative(extDir(dir), p)}: ${m[0].slice(0, 80)}`);
          }
          if (/\.(js|html)$/.test(e.name)) {
            if (/<script[^>]+src\s*=\s*["']?(?:https?:)?\/\//i.test(text)) problems.push(`${e.name}: remote <script src>`);
            if (/\b(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon|importScripts)\s*\(/.test(text.replace(/fetch\(module_or_path\)|fetch\(input\)/g, ''))) {
              // wasm-bindgen's glue may fetch the wasm from the extension's own URL: allowed only there.
              const hits = [...text.matchAll(/.{0,60}\b(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon|importScripts)\s*\(.{0,60}/g)].map((x) => x[0]);
              problems.push(`${e.name}: network API: ${hits.join(' | ').slice(0, 300)}`);
            }
          }
        }
      };
      walk(extDir(dir));
      assert.deepEqual(problems, []);
    });
  }

  it('web-ext lint on the Firefox build: no errors, no warnings', { timeout: 120000 }, () => {
    assert.ok(built('firefox'), `no build at ${extDir('firefox')} (run ./build.sh first)`);
    const bin = path.join(ROOT, 'node_modules/.bin/web-ext');
    const r = spawnSync(bin, ['lint', '--source-dir', extDir('firefox'), '--output', 'json', '--no-input'], { encoding: 'utf8', timeout: 110000 });
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    const brief = (xs) => xs.map((x) => `${x.code}: ${x.message} (${x.file ?? ''})`);
    assert.deepEqual(brief(json.errors), []);
    assert.deepEqual(brief(json.warnings), []);
    if (json.notices.length) console.log(`[web-ext lint] notices: ${brief(json.notices).join('; ')}`);
  });
});

// ---------------------------------------------------------------- a page cannot talk to us

describe('privacy: a web page cannot message or drive the extension (Chromium)', { timeout: 120000 }, () => {
  let front;
  let b;
  before(async () => {
    needs('chromium');
    front = await startFront();
    b = await launchChromiumRaw({ extDir: extDir('chromium'), port: front.port });
  });
  after(() => closeBrowser(b, front));

  it('the page has no chrome.runtime that reaches the extension', async () => {
    await b.page.goto(`https://www.linkedin.com${AI.path}`, { waitUntil: 'load' });
    const r = await evalIn(b.page, async (id) => {
      const rt = globalThis.chrome && globalThis.chrome.runtime;
      if (!rt || typeof rt.sendMessage !== 'function') return { runtime: rt ? 'no sendMessage' : 'undefined' };
      try {
        const reply = await new Promise((resolve, reject) => {
          try { rt.sendMessage(id, { type: 'plan', url: location.href }, (x) => resolve(x)); } catch (e) { reject(e); }
          setTimeout(() => resolve('no reply'), 2000);
        });
        return { runtime: 'present', reply: reply === undefined ? 'undefined' : reply };
      } catch (e) {
        return { runtime: 'present', threw: String(e.message || e) };
      }
    }, b.extensionId);
    assert.ok(r.runtime === 'undefined' || r.runtime === 'no sendMessage' || r.threw || r.reply === 'undefined' || r.reply === 'no reply', JSON.stringify(r));
  });

  it('forged postMessage and DOM events change nothing', { timeout: 60000 }, async () => {
    await b.page.goto(`https://www.linkedin.com${AI.path}?state=on`, { waitUntil: 'load' });
    await waitIn(b.page, (k) => document.querySelector(`[aria-labelledby="${k}"]`)?.getAttribute('data-optout-state') === 'on', { args: [AI.key], what: 'marked' });
    await sleep(500);
    const snapshot = async () => evalIn(b.sw, async () => ({
      local: JSON.stringify(await chrome.storage.local.get(null)),
      session: JSON.stringify(await chrome.storage.session.get(null)),
      tabs: (await chrome.tabs.query({})).length,
    }));
    const before = await snapshot();
    await evalIn(b.page, () => {
      const forged = [
        { type: 'forget' }, { type: 'job-start', kind: 'sweep' }, { type: 'job-start', kind: 'opt-out', settings: ['ai-training'] },
        { type: 'show', setting: 'ai-training' },
        { type: 'scan', facts: { url: location.href, elapsedMs: 9999, candidates: [{ tag: 'input', inputType: 'checkbox', role: 'switch', checked: false, labelledby: ['allowDataForGenerativeAI'] }] } },
      ];
      for (const m of forged) {
        window.postMessage(m, '*');
        for (const t of ['message', 'optout', 'opt-out-lens', 'x-bench-rtt', m.type]) {
          document.dispatchEvent(new CustomEvent(t, { detail: JSON.stringify(m), bubbles: true }));
          window.dispatchEvent(new CustomEvent(t, { detail: m }));
        }
      }
      // And a click on the switch that is not a user's: synthetic events do not flip a checkbox's state here.
      return true;
    });
    await sleep(2500);
    const after = await snapshot();
    assert.equal(after.tabs, before.tabs, 'a tab was opened');
    assert.equal(after.session, before.session, 'a job or "Show me" was started');
    // The stored state may be rewritten by a re-scan of the real switch (still on), never to off.
    const stored = JSON.parse(after.local).state;
    assert.equal(stored?.settings?.['ai-training']?.state, 'on', `stored: ${after.local.slice(0, 300)}`);
    const mark = await evalIn(b.page, (k) => document.querySelector(`[aria-labelledby="${k}"]`).getAttribute('data-optout-state'), AI.key);
    assert.equal(mark, 'on');
  });
});

// ---------------------------------------------------------------- reproducible build

describe('privacy: reproducible build', () => {
  // A fresh checkout of HEAD (git archive: the committed tree only) in a directory of its
  // own, with a target/ of its own, is built and its zips compared byte for byte with
  // another build of the same commit in another directory: the tree's own $DIST (built by
  // ./build.sh just before the tests) when the tree is exactly HEAD, else a second fresh
  // build, as before.
  it('two builds of the same commit, in different directories, give byte-identical zips', { timeout: 1200000 }, () => {
    assert.equal(spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).status, 0, 'not a git checkout: the check builds HEAD');
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const zipSums = (dist) => {
      const zips = fs.readdirSync(dist).filter((f) => f.endsWith('.zip')).sort();
      return Object.fromEntries(zips.map((z) => [z, crypto.createHash('sha256').update(fs.readFileSync(path.join(dist, z))).digest('hex')]));
    };
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optout-repro-'));
    try {
      // The builds here share one target/ of their own, seeded with the tree's compiled
      // dependencies (registry crates, the same Cargo.lock): the core itself is compiled
      // afresh in the new directory, which is checked below.
      const target = path.join(tmp, 'target');
      for (const sub of ['release', 'wasm32-unknown-unknown/release']) {
        const from = path.join(ROOT, 'target', sub);
        if (fs.existsSync(from)) {
          fs.mkdirSync(path.dirname(path.join(target, sub)), { recursive: true });
          execFileSync('cp', ['-a', from, path.join(target, sub)]);
        }
      }
      fs.mkdirSync(target, { recursive: true });
      /** The core was compiled in this build (cargo did not take it as fresh from the seed). */
      const coreCompiled = () => fs.readFileSync(path.join(target, 'cargo-messages.json'), 'utf8').split('\n')
        .filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
        .some((m) => m.reason === 'compiler-artifact' && /opt-out-lens-core/.test(m.package_id) && !m.target?.kind?.includes('custom-build') && m.fresh === false);
      const build = (n) => {
        const src = path.join(tmp, n);
        fs.mkdirSync(src);
        execFileSync('bash', ['-c', `git -C "${ROOT}" archive HEAD | tar -x -C "${src}"`]);
        fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'));
        fs.symlinkSync(target, path.join(src, 'target'));
        // Older than node_modules, so build.sh does not run `npm ci` (which would empty the shared node_modules).
        fs.utimesSync(path.join(src, 'package-lock.json'), new Date(0), new Date(0));
        const dist = path.join(tmp, `dist-${n}`);
        const r = spawnSync('./build.sh', [], { cwd: src, env: { ...process.env, DIST: dist }, encoding: 'utf8', timeout: 560000 });
        assert.equal(r.status, 0, `build ${n} failed:\n${(r.stdout + r.stderr).slice(-3000)}`);
        assert.ok(coreCompiled(), `build ${n}: the core was compiled in ${src}, not taken from the tree's target/`);
        return zipSums(dist);
      };
      const fresh = build('one');
      assert.equal(Object.keys(fresh).length, 2, 'two zips per build');
      console.log(`[repro] ${JSON.stringify(fresh)}`);
      if (dirty) {
        console.log(`[repro] the tree differs from HEAD (${dirty.split('\n').length} paths): comparing two fresh builds of HEAD`);
        assert.deepEqual(build('two'), fresh);
      } else {
        const own = zipSums(distDir());
        assert.deepEqual(own, fresh, `${distDir()} (this tree's build) differs from a fresh build of HEAD in ${tmp}; is it built from HEAD? (./build.sh)`);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
