// Demo: see Opt-Out Lens work without a LinkedIn account.
// Starts the fixture server (a fake www.linkedin.com), loads dist/chrome into headless Chromium,
// visits a few settings pages, saves screenshots to $DIST/demo/ (default dist/demo/) and prints the popup summary.
// Then makes the store screenshots (English and German, light and dark) in store/screenshots/,
// and the History view and the objection form's row (English, light and dark) from a seeded
// history (tests/lib/history-seed.mjs).
// Run: ./build.sh demo   (or `node tests/demo.mjs` after ./build.sh)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, catalogue } from './lib/server.mjs';
import { launchBrowser } from './lib/browsers.mjs';
import { readPopup, sleep } from './lib/checks.mjs';
import { seededState } from './lib/history-seed.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(ROOT, process.env.DIST || 'dist'); // same variable as build.sh
const EXT = process.env.OPTOUT_EXT_CHROMIUM || path.join(DIST, 'chrome');
const OUT = path.join(DIST, 'demo');

// The whole demo is bounded: never hang a newcomer's terminal.
setTimeout(() => { console.error('demo: timed out after 300 s'); process.exit(2); }, 300000).unref();

if (!fs.existsSync(path.join(EXT, 'manifest.json'))) {
  console.error(`demo: no extension at ${EXT}; run ./build.sh first`);
  process.exit(1);
}

const byId = Object.fromEntries(catalogue().map((c) => [c.id, c]));
// A realistic mix: AI training on (the default), some ad settings already turned off.
const visits = [
  ['ads-inferred-age', 'off'],
  ['ads-beyond-linkedin', 'on'],
  ['ads-inferred-gender', 'off'],
  ['share-with-affiliates', 'on'],
  ['research', 'off'],
  ['marketing-emails', 'off'],
  ['cookies', 'on'],
  ['ai-training', 'on'], // last: the page screenshot shows it
];

const server = await startServer();
const b = await launchBrowser('chromium', { extDir: EXT, server, viewport: { width: 1280, height: 720 } });
let problems = 0;
try {
  fs.mkdirSync(OUT, { recursive: true });
  for (const [id, state] of visits) {
    const s = byId[id];
    await b.page.goto(`${s.path}?state.${s.key}=${state}`);
    try {
      await b.page.waitFor((k) => {
        const sw = document.querySelector(`[aria-labelledby="${k}"]`);
        return sw && sw.hasAttribute('data-optout-state') && document.querySelector('[data-optout-label]');
      }, { timeout: 5000, args: [s.key] });
      const got = await b.page.eval((k) => document.querySelector(`[aria-labelledby="${k}"]`).getAttribute('data-optout-state'), s.key);
      console.log(`visited ${s.path.padEnd(58)} switch ${state.padEnd(3)} -> marked ${got}`);
      if (got !== state) problems++;
    } catch (e) {
      console.log(`visited ${s.path.padEnd(58)} switch ${state.padEnd(3)} -> NOT MARKED (${e.message.split('\n')[0]})`);
      problems++;
    }
  }
  await sleep(300); // let the label settle before the picture
  const pageShot = path.join(OUT, 'ai-setting.png');
  await b.page.screenshot(pageShot);

  const popup = await b.openPopup({ width: 420, height: 600 });
  const st = await readPopup(popup, { timeout: 5000 }).catch((e) => { problems++; return { headline: `(popup unreadable: ${e.message.slice(0, 200)})`, rows: {}, order: [] }; });
  await sleep(300);
  const popupShot = path.join(OUT, 'popup.png');
  await popup.screenshot(popupShot);

  console.log('');
  console.log(`Popup: ${st.headline}`);
  for (const id of st.order) {
    const r = st.rows[id];
    console.log(`  ${id.padEnd(22)} ${r.state.padEnd(8)} ${r.title.trim()}${r.state === 'unknown' ? `  (${r.reason.trim()})` : ''}`);
  }
  console.log('');
  console.log(`Screenshots: ${path.relative(process.cwd(), pageShot)}, ${path.relative(process.cwd(), popupShot)}`);
} finally {
  await b.close();
  await server.close();
}
// Store screenshots: the same visits in English and German, light and dark.
const STORE = path.join(ROOT, 'store', 'screenshots');
fs.mkdirSync(STORE, { recursive: true });
for (const lang of ['en', 'de']) {
  for (const scheme of ['light', 'dark']) {
    const shots = await storeShots(lang, scheme).catch((e) => { problems++; return `failed: ${e.message.split('\n')[0]}`; });
    console.log(`store screenshots ${lang} ${scheme}: ${shots}`);
  }
}

async function storeShots(lang, scheme) {
  const srv = await startServer();
  const br = await launchBrowser('chromium', { extDir: EXT, server: srv, viewport: { width: 1280, height: 800 }, lang, colorScheme: scheme });
  try {
    for (const [id, state] of visits) {
      const s = byId[id];
      const q = id === 'ai-training' && lang !== 'en' ? `&lang=${lang}` : '';
      await br.page.goto(`${s.path}?state.${s.key}=${state}${q}`);
      await br.page.waitFor((k) => document.querySelector(`[aria-labelledby="${k}"][data-optout-state]`), { timeout: 5000, args: [s.key] });
    }
    await sleep(300);
    const page = path.join(STORE, `${lang}-${scheme}-page.png`);
    await br.page.screenshot(page);
    const popup = await br.openPopup({ width: 420, height: 640 });
    await popup.waitFor(() => document.querySelectorAll('#settings li').length > 0, { timeout: 5000 });
    await sleep(300);
    const pop = path.join(STORE, `${lang}-${scheme}-popup.png`);
    await popup.screenshot(pop);
    return `${path.relative(process.cwd(), page)}, ${path.relative(process.cwd(), pop)}`;
  } finally {
    await br.close();
    await srv.close();
  }
}

for (const scheme of ['light', 'dark']) {
  const shots = await historyShots('en', scheme).catch((e) => { problems++; return `failed: ${e.message.split('\n')[0]}`; });
  console.log(`history screenshots en ${scheme}: ${shots}`);
}

/** The History view of a seeded history, and the popup's objection row (in the EU, sent). */
async function historyShots(lang, scheme) {
  const srv = await startServer();
  const br = await launchBrowser('chromium', { extDir: EXT, server: srv, viewport: { width: 1280, height: 800 }, lang, colorScheme: scheme });
  try {
    const popup = await br.openPopup({ width: 420, height: 760 });
    await popup.waitFor(() => document.getElementById('entra-status').textContent !== '', { timeout: 15000 });
    await popup.eval(async (state) => {
      await chrome.storage.local.set({ state });
      await chrome.runtime.sendMessage({ type: 'options-set', options: { region: 'eu' } });
      return true;
    }, seededState(Date.now()));
    await popup.waitFor(() => document.querySelector('[data-action="objection-sent"]'), { timeout: 5000 });
    await popup.click('[data-action="objection-sent"]');
    await popup.waitFor(() => document.querySelector('li[data-objection][data-sent="true"]'), { timeout: 5000 });
    // The AI section: its row and the objection's, under the headline.
    await popup.eval(() => { document.querySelector('li[data-objection]').scrollIntoView({ block: 'end' }); return true; });
    await sleep(300);
    const row = path.join(STORE, `${lang}-${scheme}-objection.png`);
    await popup.screenshot(row);
    await popup.raw.setViewportSize({ width: 820, height: 1400 });
    await popup.raw.goto(popup.raw.url().replace('popup.html', 'history.html'));
    await popup.waitFor(() => document.querySelectorAll('[data-timeline]').length >= 5, { timeout: 5000 });
    await sleep(300);
    const view = path.join(STORE, `${lang}-${scheme}-history.png`);
    await popup.screenshot(view);
    return `${path.relative(process.cwd(), row)}, ${path.relative(process.cwd(), view)}`;
  } finally {
    await br.close();
    await srv.close();
  }
}

if (problems) {
  console.error(`demo: ${problems} problem(s), see above`);
  process.exit(1);
}
