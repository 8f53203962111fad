// Opt-Out Lens benchmark: `./build.sh bench` (after a build into $DIST, default dist/), or
// `node tests/bench/run.mjs`. Prints one table; every figure is a median over repeated
// runs, every ratio is measured side by side in the same run. Options (environment):
//   BENCH_ONLY=size,startup,feed,quiet,latency,cost,stress,sweep,firefox,fuzz   run only these parts
//   BENCH_FUZZ_SECONDS=60   how long the fuzzer runs
//   BENCH_JSON=file         also write the rows as JSON (default $DIST/bench.json)
//   BENCH_BASELINE=dir      another build's dist (e.g. the previous commit's): its wasm size,
//                           compile time and Chromium mark latencies are measured beside this
//                           build's in the same run, labelled "baseline"
// The whole run is bounded (10 minutes); see BENCHMARKS.md for how each figure is measured.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import os from 'node:os';
import { spawn, execFileSync } from 'node:child_process';
import { startFront } from '../lib/extra-server.mjs';
import { launchChromiumRaw, evalIn, waitIn, extDir, distDir, sleep, ROOT } from '../lib/extra-browsers.mjs';
import { benchExtension, inertExtension } from './ext.mjs';
import { launchFirefox, GECKODRIVER_BIN, FIREFOX_BIN } from '../lib/browsers.mjs';
import { catalogue } from '../lib/server.mjs';
import { benchHandler, STRESS_EXPECTED_MARKS } from './pages.mjs';

const T_START = Date.now();
const BUDGET_MS = 10 * 60 * 1000;
const hardStop = setTimeout(() => {
  console.error('bench: stopped after 11 minutes (bounded run)');
  printTable();
  process.exit(2);
}, BUDGET_MS + 60000);
hardStop.unref();

const ONLY = (process.env.BENCH_ONLY || 'size,startup,feed,quiet,latency,cost,stress,sweep,firefox,fuzz').split(',');
const want = (part) => ONLY.includes(part);
const DIST = distDir();
const BASELINE = process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE) : null;
const CRATE = 'opt_out_lens_core';
const CAT = catalogue();
const rows = [];
const log = (...a) => console.error(`[bench ${((Date.now() - T_START) / 1000).toFixed(0).padStart(3)} s]`, ...a);

const median = (xs) => {
  const s = xs.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (v, unit = 'ms', digits = 1) => (Number.isFinite(v) ? `${v.toFixed(digits)}${unit ? ` ${unit}` : ''}` : 'n/a');

/** One table row. `met` is true/false, or null for "not measured". */
function row(figure, browser, value, target, met, note = '') {
  rows.push({ figure, browser, value, target, met, note });
  log(`${figure} [${browser}]: ${value} (target ${target}: ${met === null ? '—' : met ? 'met' : 'NOT met'})${note ? ` — ${note}` : ''}`);
}

function printTable() {
  const head = ['Figure', 'Browser', 'Result', 'Target', 'Met'];
  const body = rows.map((r) => [r.figure, r.browser, r.value + (r.note ? ` (${r.note})` : ''), r.target, r.met === null ? '—' : r.met ? 'yes' : '**no**']);
  const lines = [head, head.map(() => '---'), ...body].map((c) => `| ${c.join(' | ')} |`);
  console.log(lines.join('\n'));
  const out = process.env.BENCH_JSON || path.join(DIST, 'bench.json');
  try {
    fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + '\n');
  } catch { /* DIST may be read-only: the table is printed anyway */ }
}

// ---------------------------------------------------------------- size

function sizes() {
  const wasm = fs.readFileSync(path.join(DIST, 'chrome/core', `${CRATE}_bg.wasm`));
  const gz = zlib.gzipSync(wasm, { level: 9 }).length;
  row('wasm size', 'both', `${(wasm.length / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped`, 'report', null);
  if (BASELINE) {
    const base = fs.readFileSync(path.join(BASELINE, 'chrome/core', `${CRATE}_bg.wasm`));
    const baseGz = zlib.gzipSync(base, { level: 9 }).length;
    row('wasm size, baseline', 'both', `${(base.length / 1024).toFixed(1)} KB raw, ${(baseGz / 1024).toFixed(1)} KB gzipped`, 'report', null);
  }
  let js = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) js += fs.statSync(p).size;
    }
  };
  walk(path.join(DIST, 'chrome'));
  row('JS shell total (incl. wasm-bindgen glue)', 'chromium', `${(js / 1024).toFixed(1)} KB raw`, 'report only', null);
  for (const [b, tag] of [['chrome', 'chromium'], ['firefox', 'firefox']]) {
    const zip = fs.readdirSync(DIST).find((f) => f.endsWith(`-${b}.zip`));
    if (!zip) { row(`zip size`, tag, 'missing', '<= 150 KB', false); continue; }
    const n = fs.statSync(path.join(DIST, zip)).size;
    row('zip size', tag, `${(n / 1024).toFixed(1)} KB (${zip})`, 'report', null);
  }
}

// ---------------------------------------------------------------- wasm start-up

/**
 * Compile + instantiate of the built wasm in Node's V8 (the engine of Chromium), through
 * its own wasm-bindgen glue (`initSync`), as the background and popup start it: each
 * sample a fresh copy of the glue. With a baseline, the two builds alternate.
 */
async function startupTimes() {
  const builds = [['', DIST], ...(BASELINE ? [[', baseline', BASELINE]] : [])];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optout-bench-wasm-'));
  const times = builds.map(() => []);
  try {
    for (let i = 0; i < 21; i++) {
      for (const [k, [, dir]] of builds.entries()) {
        const glue = path.join(tmp, `glue-${k}-${i}.mjs`);
        fs.copyFileSync(path.join(dir, 'chrome/core', `${CRATE}.js`), glue);
        const core = await import(glue);
        const bytes = fs.readFileSync(path.join(dir, 'chrome/core', `${CRATE}_bg.wasm`));
        const t0 = performance.now();
        core.initSync({ module: bytes });
        core.regions(); // one call: the first call into the module
        times[k].push(performance.now() - t0);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // The first sample of each warms Node's own code paths: left out.
  for (const [k, [label]] of builds.entries()) {
    row(`wasm compile + instantiate + first call (Node ${process.versions.v8.split('.').slice(0, 2).join('.')} V8)${label}`, 'node', `${fmt(median(times[k].slice(1)), 'ms', 2)} (n=${times[k].length - 1})`, 'report', null);
  }
}

// ---------------------------------------------------------------- Chromium

const LATENCY_PATH = '/mypreferences/d/settings/data-for-ai-improvement';

/**
 * The floor as a warm mark meets it: single round trips, each after 400 ms of quiet (a
 * mark follows a quiet page too; back to back, every thread on the way is awake and the
 * trip is faster). Reported beside the back-to-back floor, which keeps the target.
 */
function idleFloorRows(browser, warm, samples) {
  const Q = median(samples);
  row('message round trip after 400 ms of quiet (as a mark meets it)', browser, `${fmt(Q, 'ms', 2)} (n=${samples.length})`, 'report', null);
  row('mark latency warm / round trip after quiet', browser, fmt(warm / Q, '', 2), 'report', null);
}

async function chromiumLatency(front, benchExt, label = '') {
  // Cold: the first page after a browser start, switch inserted at DOMContentLoaded.
  const cold = [];
  for (let i = 0; i < 5; i++) {
    const b = await launchChromiumRaw({ extDir: benchExt, port: front.port });
    try {
      await b.page.goto(`https://www.linkedin.com${LATENCY_PATH}?x=latency&auto=1`, { waitUntil: 'load' });
      cold.push(await waitIn(b.page, () => window.__x && window.__x.latency, { timeout: 15000, what: 'cold mark' }));
    } finally {
      await b.close();
    }
  }
  const coldMed = median(cold);
  row(`mark latency, cold (first page after browser start)${label}`, 'chromium', `${fmt(coldMed)} (n=${cold.length}, ${cold.map((v) => v.toFixed(0)).join('/')})`, '<= 50 ms', coldMed <= 50);

  // Warm: after several pages; one insert per page load, then the floor on the same page.
  const b = await launchChromiumRaw({ extDir: benchExt, port: front.port });
  try {
    for (const c of CAT.slice(0, 4)) {
      await b.page.goto(`https://www.linkedin.com${c.path}`, { waitUntil: 'load' });
      await waitIn(b.page, () => document.querySelector('[data-optout-state]'), { timeout: 10000, what: 'warm-up mark' });
    }
    const lat = [];
    const floor = [];
    const idleFloor = [];
    for (let i = 0; i < 15; i++) {
      await b.page.goto(`https://www.linkedin.com${LATENCY_PATH}?x=latency`, { waitUntil: 'load' });
      await sleep(400); // past the content script's first scan and its debounce window
      await evalIn(b.page, () => window.__xInsert(true));
      lat.push(await waitIn(b.page, () => window.__x.latency, { timeout: 10000, what: 'warm mark' }));
      await sleep(200);
      await evalIn(b.page, () => window.__xRtt(30));
      const r = JSON.parse(await waitIn(b.page, () => document.documentElement.getAttribute('data-bench-rtt'), { timeout: 15000, what: 'round trips' }));
      floor.push(r.median);
      await evalIn(b.page, () => window.__xRtt(3, 400));
      const q = JSON.parse(await waitIn(b.page, () => document.documentElement.getAttribute('data-bench-rtt'), { timeout: 15000, what: 'round trips after quiet' }));
      idleFloor.push(...q.samples);
    }
    const L = median(lat);
    const F = median(floor);
    row(`mark latency, warm (after 4 pages)${label}`, 'chromium', `${fmt(L)} (n=${lat.length})`, 'report; ratio below', null);
    row(`message round-trip floor (content script -> background, "entra-plan")${label}`, 'chromium', `${fmt(F, 'ms', 2)} (median of ${floor.length}x30)`, 'report', null);
    row(`mark latency warm / floor${label}`, 'chromium', `${fmt(L / F, '', 2)}`, '<= 1.5', L / F <= 1.5);
    if (!label) idleFloorRows('chromium', L, idleFloor);
    const scans = (await bgCount(b))?.scans ?? [];
    row(`where a warm scan goes: background scan handler, of it the core (wasm scanPage)${label}`, 'chromium',
      `${fmt(median(scans.map((x) => x.total)), 'ms', 2)}, of it ${fmt(median(scans.map((x) => x.core)), 'ms', 2)} (n=${scans.length})`, 'report', null,
      'the rest of the handler: storage reads (job tab, "Show me" reveal, options)');

    // The service worker stopped (as Chrome does after 30 s idle): the next insert has to
    // start it and its wasm again.
    const cdp = await b.ctx.newCDPSession(b.page);
    await cdp.send('ServiceWorker.enable');
    const restart = [];
    for (let i = 0; i < 5; i++) {
      await b.page.goto(`https://www.linkedin.com${LATENCY_PATH}?x=latency`, { waitUntil: 'load' });
      await sleep(400);
      await cdp.send('ServiceWorker.stopAllWorkers');
      await sleep(300);
      await evalIn(b.page, () => window.__xInsert(true));
      restart.push(await waitIn(b.page, () => window.__x.latency, { timeout: 15000, what: 'mark after worker stop' }));
    }
    const R = median(restart);
    row(`mark latency after the service worker was stopped${label}`, 'chromium', `${fmt(R)} (n=${restart.length})`, '<= 50 ms (as cold)', R <= 50);
  } finally {
    await b.close();
  }
}

// The feed: a busy non-settings page (tests/fixtures/static/feed.js at /feed/: a post every
// 50 ms, attributes toggled, pushState to posts), where the extension has nothing to do.
const FEED_URL = 'https://www.linkedin.com/feed/?ticks=100&observe=1';
const FEED_RUNS = 9;

/**
 * The page renderer's main thread (CDP Performance.getMetrics), in ms: `task`, the wall time
 * of its tasks (TaskDuration), and `cpu`, its CPU time (ThreadTime), which a busy machine
 * inflates far less.
 */
async function taskMs(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name) => 1000 * metrics.find((m) => m.name === name).value;
  return { task: get('TaskDuration'), cpu: get('ThreadTime') };
}

/** What the bench copy's background counted (messages by type, ports), through CDP. */
async function bgCount(b) {
  const sw = b.sw;
  return sw ? sw.evaluate(() => JSON.parse(JSON.stringify(globalThis.__bench))) : null;
}

/**
 * CPU time (user + system, ms) of every process of the browser started with `userDir`: the
 * browser, its renderers, GPU and utility processes and, with the extension, its service
 * worker. Children that exited count through their parent's reaped time. Linux /proc only.
 */
function browserCpuMs(userDir) {
  const stats = new Map();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the name: state, ppid (f[1]); utime, stime, cutime, cstime are f[11..14].
      stats.set(pid, { ppid: f[1], ticks: +f[11] + +f[12] + +f[13] + +f[14], cmd: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') });
    } catch { /* the process ended meanwhile */ }
  }
  const root = [...stats].find(([, s]) => s.cmd.includes(`--user-data-dir=${userDir}`) && !s.cmd.includes('--type='));
  if (!root) return NaN;
  const tree = new Set([root[0]]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, s] of stats) if (!tree.has(pid) && tree.has(s.ppid)) { tree.add(pid); grew = true; }
  }
  const hz = 100; // USER_HZ on Linux
  return [...tree].reduce((ms, pid) => ms + (stats.get(pid).ticks * 1000) / hz, 0);
}

async function feedRun(b, cdp) {
  // From about:blank: the feed gets a fresh renderer, so its task time starts at zero.
  await b.page.goto('about:blank');
  const cpu0 = browserCpuMs(b.userDir);
  await b.page.goto(FEED_URL, { waitUntil: 'load' });
  await waitIn(b.page, () => window.__feed && window.__feed.done, { timeout: 30000, interval: 250, what: 'the feed to finish' });
  const time = await taskMs(cdp);
  const browserCpu = browserCpuMs(b.userDir) - cpu0;
  const page = await evalIn(b.page, () => ({ foreign: window.__observed.foreignCount, pageChanges: window.__observed.pageCount, ticks: window.__feed.ticks, pushes: window.__feed.pushes, wall: window.__feed.endedAt - window.__feed.startedAt }));
  return { ...time, browserCpu, ...page };
}

/**
 * One feed load under the V8 CPU profiler (started on a same-site page first, so the
 * profile stays with the renderer): the time in the extension's scripts and the busy time.
 */
async function feedProfile(b, cdp) {
  await b.page.goto(FEED_URL.replace(/ticks=\d+/, 'ticks=1'), { waitUntil: 'load' });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  await b.page.goto(FEED_URL, { waitUntil: 'load' });
  await waitIn(b.page, () => window.__feed && window.__feed.done, { timeout: 30000, interval: 250, what: 'the feed to finish' });
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.send('Profiler.disable');
  const self = new Map();
  profile.samples.forEach((id, k) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[k] ?? 0) / 1000));
  let ext = 0;
  let busy = 0;
  const files = new Set();
  for (const n of profile.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (n.callFrame.functionName === '(idle)') continue;
    busy += ms;
    if (n.callFrame.url.startsWith('chrome-extension://') && ms > 0) {
      ext += ms;
      files.add(n.callFrame.url.split('/').slice(3).join('/'));
    }
  }
  return { ext, busy, files: [...files] };
}

async function chromiumFeed(front, benchExt) {
  const withExt = await launchChromiumRaw({ extDir: benchExt, port: front.port });
  const without = await launchChromiumRaw({ extDir: null, port: front.port });
  try {
    const cdp = new Map();
    for (const b of [withExt, without]) {
      const c = await b.ctx.newCDPSession(b.page);
      await c.send('Performance.enable');
      cdp.set(b, c);
    }
    const a = [];
    const z = [];
    const before = await bgCount(withExt);

    // One warm-up pair, then FEED_RUNS pairs, the order alternating.
    for (let i = 0; i <= FEED_RUNS; i++) {
      for (const b of i % 2 ? [withExt, without] : [without, withExt]) {
        const r = await feedRun(b, cdp.get(b));
        if (i > 0) (b === withExt ? a : z).push(r);
      }
    }
    const after = await bgCount(withExt);
    // The extension's own share, which the with/without ratio cannot resolve below a few
    // per cent (identical builds measured 1.034 and 0.978 in two runs): a CPU profile of
    // the page's renderer, the time spent in the extension's scripts against the rest.
    const own = [];
    for (let i = 0; i < 3; i++) own.push(await feedProfile(withExt, cdp.get(withExt)));
    // Then the worker stopped (as Chrome does after 30 s idle): two more loads of the feed
    // must not start it. (Last: the old worker's handle is not used again.)
    const swWatch = await withExt.ctx.newCDPSession(withExt.page);
    const swStatuses = [];
    swWatch.on('ServiceWorker.workerVersionUpdated', (e) => {
      for (const v of e.versions) if (v.scriptURL.startsWith(`chrome-extension://${withExt.extensionId}/`)) swStatuses.push(v.runningStatus);
    });
    await swWatch.send('ServiceWorker.enable');
    await swWatch.send('ServiceWorker.stopAllWorkers');
    await sleep(1000);
    const swMark = swStatuses.length;
    for (let i = 0; i < 2; i++) await feedRun(withExt, cdp.get(withExt));
    await sleep(1000);
    const swStarts = swStatuses.slice(swMark).filter((st) => st === 'starting').length;
    await swWatch.detach().catch(() => {});
    const A = median(a.map((r) => r.task));
    const Z = median(z.map((r) => r.task));
    const AC = median(a.map((r) => r.cpu));
    const ZC = median(z.map((r) => r.cpu));
    const minRatio = Math.min(...a.map((r) => r.task)) / Math.min(...z.map((r) => r.task));
    const last = a[a.length - 1];
    row(`feed page (/feed/, ${last.ticks} ticks of 50 ms, ${last.pushes} pushState): main-thread task time with / without`, 'chromium',
      `${fmt(A)} / ${fmt(Z)} = ${fmt(A / Z, '', 3)}`, '<= 1.02', A / Z <= 1.02,
      `TaskDuration, ${FEED_RUNS} interleaved runs: with ${a.map((r) => r.task.toFixed(0)).join('/')}, without ${z.map((r) => r.task.toFixed(0)).join('/')} ms; fastest with / fastest without ${minRatio.toFixed(3)}; load ${os.loadavg()[0].toFixed(1)}`);
    row('feed page: main-thread CPU time with / without', 'chromium', `${fmt(AC)} / ${fmt(ZC)} = ${fmt(AC / ZC, '', 3)}`, '<= 1.02', AC / ZC <= 1.02,
      `ThreadTime, same runs: with ${a.map((r) => r.cpu.toFixed(0)).join('/')}, without ${z.map((r) => r.cpu.toFixed(0)).join('/')} ms`);
    const pairs = a.map((r, i) => r.browserCpu / z[i].browserCpu);
    const AB = median(a.map((r) => r.browserCpu));
    const ZB = median(z.map((r) => r.browserCpu));
    row('feed page: CPU time of the whole browser (every process) with / without', 'chromium', `${fmt(AB)} / ${fmt(ZB)} = ${fmt(AB / ZB, '', 3)}`, '<= 1.02', AB / ZB <= 1.02,
      `/proc, same runs: with ${a.map((r) => r.browserCpu.toFixed(0)).join('/')}, without ${z.map((r) => r.browserCpu.toFixed(0)).join('/')} ms; median of paired ratios ${median(pairs).toFixed(3)}`);
    row('feed page: starts of the stopped service worker (2 more loads)', 'chromium', String(swStarts), '0', swStarts === 0,
      'a LinkedIn page with nothing to do must not wake the background');
    const sent = after && before ? after.messages - before.messages : NaN;
    const ports = after && before ? after.ports - before.ports : NaN;
    row(`feed page: messages and ports to the background (${(FEED_RUNS + 1)} loads)`, 'chromium',
      `${sent} messages, ${ports} ports${after && sent ? ` (${JSON.stringify(after.byType)})` : ''}`, '0', sent === 0 && ports === 0);
    const ownMs = median(own.map((p) => p.ext));
    const busyMs = median(own.map((p) => p.busy));
    row('feed page: the extension\'s own script time (CPU profile of the page\'s renderer)', 'chromium',
      `${fmt(ownMs, 'ms', 2)} of ${fmt(busyMs, 'ms', 0)} busy = ${fmt(busyMs / (busyMs - ownMs), '', 4)}`, '<= 1.02', busyMs / (busyMs - ownMs) <= 1.02,
      `3 profiled loads (50 µs sampling): ${own.map((p) => p.ext.toFixed(2)).join('/')} ms in ${[...new Set(own.flatMap((p) => p.files))].join(', ') || 'none'}; compiling the injected scripts is not sampled as theirs`);
    const dom = a.reduce((n, r) => n + r.foreign, 0);
    row('feed page: DOM changes by the extension (page-world MutationObserver)', 'chromium',
      `${dom} (the page's own: ${median(a.map((r) => r.pageChanges))} per load)`, '0', dom === 0);
  } finally {
    await withExt.close();
    await without.close();
  }
}

// Quiet mode: marks off in the options; a page-world MutationObserver on the AI settings
// page must see no change by the extension, while the scan still happens (counted in the
// background) and, with marks on, the same observer sees the marks (positive control).
async function setShowMarks(b, on) {
  const p = await b.ctx.newPage();
  try {
    await p.goto(`chrome-extension://${b.extensionId}/options.html`);
    await waitIn(p, () => document.querySelectorAll('#region option').length > 0, { timeout: 10000, what: 'the options page' });
    await evalIn(p, (want) => {
      const box = document.getElementById('show-marks');
      if (box.checked !== want) box.click();
    }, on);
    await waitIn(b.sw, (want) => globalThis.OptOutApi.storage.local.get('options').then((o) => ((o.options ?? {}).showMarks !== false) === want), { args: [on], timeout: 10000, what: 'the option stored' });
  } finally {
    await p.close();
  }
}

async function chromiumQuiet(front, benchExt) {
  const b = await launchChromiumRaw({ extDir: benchExt, port: front.port });
  const url = `https://www.linkedin.com${LATENCY_PATH}?observe=1`;
  const load = async () => {
    const n0 = (await bgCount(b)).byType.scan ?? 0;
    await b.page.goto(url, { waitUntil: 'load' });
    // Scanned at least once (counted by the background), then 1.5 s for any late change.
    await waitIn(b.sw, (n) => (globalThis.__bench.byType.scan ?? 0) > n, { args: [n0], timeout: 15000, what: 'a scan' });
    await sleep(1500);
    return evalIn(b.page, () => ({ foreign: window.__observed.foreignCount, optout: window.__observed.optoutSeen, first: window.__observed.foreign.slice(0, 3) }));
  };
  try {
    const normal = await load();
    await setShowMarks(b, false);
    const quiet = [];
    for (let i = 0; i < 3; i++) quiet.push(await load());
    await setShowMarks(b, true);
    const again = await load();
    const q = quiet.reduce((n, r) => n + r.foreign, 0);
    row('quiet mode: DOM changes by the extension on the AI settings page (page-world MutationObserver, 3 loads)', 'chromium',
      `${q} (marks on: ${normal.foreign} changes, ${normal.optout} of ours; on again: ${again.optout})`, '0, and > 0 with marks on', q === 0 && normal.optout > 0 && again.optout > 0,
      q ? JSON.stringify(quiet.find((r) => r.foreign).first) : '');
  } finally {
    await b.close();
  }
}

async function chromiumCost(front, benchExt) {
  const withExt = await launchChromiumRaw({ extDir: benchExt, port: front.port });
  const without = await launchChromiumRaw({ extDir: null, port: front.port });
  const url = 'https://www.linkedin.com/mypreferences/d/categories/privacy?x=cost';
  const read = () => ({ idle: window.__x.idleAt, load: window.__x.loadAt, marks: document.querySelectorAll('[data-optout-state]').length, elements: document.getElementsByTagName('*').length });
  try {
    const a = [];
    const z = [];
    let info;
    for (let i = 0; i < 12; i++) {
      for (const [b, out] of i % 2 ? [[withExt, a], [without, z]] : [[without, z], [withExt, a]]) {
        await b.page.goto(url, { waitUntil: 'load' });
        await waitIn(b.page, () => window.__x.idleAt !== null, { timeout: 25000, what: 'page idle' });
        const r = await evalIn(b.page, read);
        if (b === withExt) info = r;
        if (i > 0) out.push(r); // first pair: warm-up
      }
    }
    const A = median(a.map((r) => r.idle));
    const Z = median(z.map((r) => r.idle));
    const AL = median(a.map((r) => r.load));
    const ZL = median(z.map((r) => r.load));
    row(`page cost: load-to-idle, ${info.elements} elements, 40 switches (${info.marks} marked)`, 'chromium',
      `${fmt(A)} with / ${fmt(Z)} without = ${fmt(A / Z, '', 3)}`, '<= 1.03', A / Z <= 1.03);
    row('page cost: load event only', 'chromium', `${fmt(AL)} / ${fmt(ZL)} = ${fmt(AL / ZL, '', 3)}`, 'report', null);
  } finally {
    await withExt.close();
    await without.close();
  }
}

async function chromiumStress(front, benchExt) {
  const withExt = await launchChromiumRaw({ extDir: benchExt, port: front.port });
  const without = await launchChromiumRaw({ extDir: null, port: front.port });
  const url = 'https://www.linkedin.com/mypreferences/d/categories/privacy?x=stress';
  const collect = () => {
    const nav = performance.getEntriesByType('navigation')[0];
    const dcl = nav ? nav.domContentLoadedEventEnd : 0;
    const after = window.__x.longtasks.filter((t) => t.start >= dcl);
    let wrong = 0;
    let missing = 0;
    let extra = 0;
    const sws = document.querySelectorAll('[data-x-expect]');
    for (const el of sws) {
      const want = el.getAttribute('data-x-expect');
      const got = el.getAttribute('data-optout-state');
      if (want === 'none') { if (got) extra++; } else if (!got) missing++; else if (got !== want) wrong++;
    }
    return {
      dcl, switches: sws.length, marks: window.__x.marks, first: window.__x.firstMarkAt, last: window.__x.lastMarkAt,
      longest: Math.max(0, ...after.map((t) => t.duration)), count: after.length, supported: window.__x.longtaskSupported,
      wrong, missing, extra, errors: window.__x.errors.length, labels: document.querySelectorAll('[data-optout-label]').length,
    };
  };
  try {
    const a = [];
    const z = [];
    for (let i = 0; i < 3; i++) {
      await withExt.page.goto(url, { waitUntil: 'load', timeout: 60000 });
      // Marks stable: every expected switch marked and no mark change for 1.5 s (or 45 s passed).
      const t0 = Date.now();
      let prev = -1;
      let stableSince = Date.now();
      while (Date.now() - t0 < 45000) {
        const s = await evalIn(withExt.page, () => [window.__x.marks, window.__x.lastMarkChangeAt]);
        const sig = `${s[0]}:${s[1]}`;
        if (sig !== prev) { prev = sig; stableSince = Date.now(); }
        if (s[0] >= 1 && Date.now() - stableSince > 1500) break;
        await sleep(100);
      }
      a.push(await evalIn(withExt.page, collect));
      await without.page.goto(url, { waitUntil: 'load', timeout: 60000 });
      await sleep(2000);
      z.push(await evalIn(without.page, collect));
    }
    const scan = median(a.map((r) => r.last - r.first));
    const total = median(a.map((r) => r.last - r.dcl));
    const longest = median(a.map((r) => r.longest));
    const longestBase = median(z.map((r) => r.longest));
    const last = a[a.length - 1];
    const correct = a.every((r) => r.wrong === 0 && r.missing === 0 && r.extra === 0);
    row(`stress: ${last.switches} switches, nesting 5-25: first mark -> all marked`, 'chromium',
      `${fmt(scan)} (DOMContentLoaded -> all marked ${fmt(total)})`, 'report', null);
    row('stress: longest main-thread task after DOMContentLoaded', 'chromium',
      last.supported ? `${fmt(longest)} with extension (${median(a.map((r) => r.count))} tasks > 50 ms) / ${fmt(longestBase)} without` : 'Long Tasks API missing',
      'no task > 50 ms', last.supported ? longest <= 50 : null);
    row('stress: results correct', 'chromium',
      `${last.marks} marked of ${STRESS_EXPECTED_MARKS} expected; wrong ${last.wrong}, missing ${last.missing}, extra ${last.extra}`,
      'all right', correct);
  } finally {
    await withExt.close();
    await without.close();
  }
}

// Appended to a bench-only copy of the background module: alternately loads the catalogue pages one after
// another in one tab (each to its 'complete'), and runs "Check all" through the extension's
// own startJob(); then reports the times by opening https://www.linkedin.com/__report?d=...
const SWEEP_PROBE = (urls, rounds) => `
// ---- bench-only probe (not shipped) ----
// Works on the module build and on the bundled one (tools/bundle.mjs): it names only
// startJob (main.js imports it) and reads the job where the background keeps it.
setTimeout(async () => {
  const api = globalThis.OptOutApi;
  // The job as the core's JSON text (an older build kept it as an object).
  const benchLoadJob = async () => { const t = (await api.storage.session.get('job')).job ?? null; return typeof t === 'string' ? JSON.parse(t) : t; };
  const URLS = ${JSON.stringify(urls)};
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const loaded = (tabId) => new Promise((resolve) => {
    const on = (id, info) => { if (id === tabId && info.status === 'complete') { api.tabs.onUpdated.removeListener(on); resolve(); } };
    api.tabs.onUpdated.addListener(on);
  });
  const out = { plain: [], sweep: [], steps: [] };
  try {
    for (let i = 0; i < ${rounds}; i++) {
      const tab = await api.tabs.create({ url: 'about:blank', active: false });
      await wait(200);
      let t0 = Date.now();
      for (const u of URLS) {
        const done = loaded(tab.id);
        await api.tabs.update(tab.id, { url: u });
        await done;
      }
      out.plain.push(Date.now() - t0);
      await api.tabs.remove(tab.id);
      await wait(500);
      t0 = Date.now();
      await startJob('sweep');
      let j;
      for (let k = 0; k < 1200; k++) { await wait(20); j = await benchLoadJob(); if (j && j.status !== 'running') break; }
      out.sweep.push(Date.now() - t0);
      out.steps.push(j.steps.map((s) => s.outcome + (s.reason ? ':' + s.reason : '')).join(','));
      await wait(500);
    }
  } catch (e) {
    out.error = String(e && e.stack || e);
  }
  await api.tabs.create({ url: 'https://www.linkedin.com/__report?d=' + encodeURIComponent(JSON.stringify(out)) });
}, 2500);
`;

async function chromiumSweep(front, benchExt) {
  // Driven from inside the extension, with no automation attached: with Playwright attached,
  // the tab the extension opens for "Check all" is sometimes held paused at start until the
  // job's 20 s page timeout (a harness artefact; see BENCHMARKS.md).
  const urls = CAT.map((c) => `https://www.linkedin.com${c.path}`);
  for (const states of [true, false]) await chromiumSweepOnce(front, urls, states);
}

async function chromiumSweepOnce(front, urls, states) {
  categoryStates(front, states);
  const since = Date.now();
  const dir = benchExtension(extDir('chromium'), { probe: SWEEP_PROBE(urls, 4) });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'optout-sweepprof-'));
  let proc;
  try {
    proc = spawn('/usr/bin/chromium', ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic', `--user-data-dir=${profile}`, `--load-extension=${dir}`,
      `--disable-extensions-except=${dir}`, '--ignore-certificate-errors', `--host-resolver-rules=MAP www.linkedin.com 127.0.0.1:${front.port}`,
      'about:blank'], { stdio: 'ignore', detached: true });
    sweepRow('chromium', urls, await sweepReport(front, since), states);
  } finally {
    if (proc) try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
    await sleep(300);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** The sweep probe's report (it calls /__report on the front), the first one since `since`. */
async function sweepReport(front, since) {
  const t0 = Date.now();
  let report = null;
  while (!report && Date.now() - t0 < 240000) {
    await sleep(250);
    const e = front.log.find((x) => (x.time ?? 0) >= since && x.path && x.path.startsWith('/__report?d='));
    if (e) report = JSON.parse(decodeURIComponent(e.path.slice('/__report?d='.length)));
  }
  if (!report) throw new Error('the sweep probe did not report within 240 s');
  if (report.error) throw new Error(report.error);
  return report;
}

/**
 * The fixture's category pages with or without state words beside each setting's link
 * (server-side behaviour `states`, tests/fixtures/README.md). Without, "Check all" reads the
 * first category page, finds no word and goes page by page (one extra load).
 */
function categoryStates(front, on) {
  for (const p of ['/mypreferences/d/categories/ads', '/mypreferences/d/categories/privacy']) front.base.setBehaviour(p, on ? 'states' : null);
}

/**
 * The sweep figure of one browser: "Check all" (category pages first, then the own pages of
 * the settings they did not settle) against plain loads of every setting's own page one
 * after another; with the category pages showing states (target 0.4) and without (1.25).
 */
function sweepRow(browser, urls, report, states) {
  const P = median(report.plain);
  const S = median(report.sweep);
  const target = states ? 0.4 : 1.25;
  // A category page's step ends "read" or "skipped"; a setting's "on" or "off".
  const unread = report.steps.flatMap((x) => x.split(',')).filter((o) => !['on', 'off', 'read', 'skipped'].includes(o));
  row(`sweep: "Check all", category pages ${states ? 'with' : 'without'} states / plain sequential load of the ${urls.length} own pages in one tab`, browser,
    `${fmt(S, 'ms', 0)} / ${fmt(P, 'ms', 0)} = ${fmt(S / P, '', 2)}`, `<= ${target}`, S / P <= target,
    `runs ${report.sweep.join('/')} vs ${report.plain.join('/')} ms${unread.length ? `; ${unread.length} steps unread: ${[...new Set(unread)].join(' ')}` : ''}`);
}

// ---------------------------------------------------------------- Firefox

// The same probe in a bench-only copy of the Firefox build: geckodriver only starts the
// browser and installs the add-on; the probe drives the tab and the job from inside.
async function firefoxSweep(front) {
  if (!GECKODRIVER_BIN || !fs.existsSync(FIREFOX_BIN)) {
    row('sweep', 'firefox', 'skipped: no geckodriver or Firefox', '', null);
    return;
  }
  const urls = CAT.map((c) => `https://www.linkedin.com${c.path}`);
  for (const states of [true, false]) {
    categoryStates(front, states);
    const dir = benchExtension(extDir('firefox'), { probe: SWEEP_PROBE(urls, 4) });
    const since = Date.now();
    const b = await launchFirefox({ extDir: dir, server: { port: front.port } });
    try {
      sweepRow('firefox', urls, await sweepReport(front, since), states);
    } finally {
      await b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function firefoxBench(front) {
  if (!GECKODRIVER_BIN || !fs.existsSync(FIREFOX_BIN)) {
    row('mark latency', 'firefox', 'skipped: no geckodriver or Firefox', '', null);
    return;
  }
  const benchExt = benchExtension(extDir('firefox'));
  const server = { port: front.port };
  const url = (q) => `https://www.linkedin.com:${front.port}${LATENCY_PATH}?${q}`;
  try {
    const cold = [];
    for (let i = 0; i < 3; i++) {
      const b = await launchFirefox({ extDir: benchExt, server });
      try {
        await b.page.goto(url('x=latency&auto=1'));
        cold.push(await b.page.waitFor(() => window.__x && window.__x.latency, { timeout: 15000, what: 'cold mark' }));
      } finally {
        await b.close();
      }
    }
    const coldMed = median(cold);
    row('mark latency, cold (first page after browser start)', 'firefox', `${fmt(coldMed)} (n=${cold.length}, ${cold.map((v) => v.toFixed(0)).join('/')})`, '<= 50 ms', coldMed <= 50);

    const b = await launchFirefox({ extDir: benchExt, server });
    try {
      for (const c of CAT.slice(0, 4)) {
        await b.page.goto(`https://www.linkedin.com:${front.port}${c.path}`);
        await b.page.waitFor(() => document.querySelector('[data-optout-state]'), { timeout: 10000, what: 'warm-up mark' });
      }
      const lat = [];
      const floor = [];
      const idleFloor = [];
      for (let i = 0; i < 10; i++) {
        await b.page.goto(url('x=latency'));
        await sleep(400);
        await b.page.eval(() => window.__xInsert(true));
        lat.push(await b.page.waitFor(() => window.__x.latency, { timeout: 10000, interval: 20, what: 'warm mark' }));
        await sleep(200);
        await b.page.eval(() => window.__xRtt(30));
        const r = JSON.parse(await b.page.waitFor(() => document.documentElement.getAttribute('data-bench-rtt'), { timeout: 15000, what: 'round trips' }));
        floor.push(r.median);
        await b.page.eval(() => window.__xRtt(3, 400));
        const q = JSON.parse(await b.page.waitFor(() => document.documentElement.getAttribute('data-bench-rtt'), { timeout: 15000, what: 'round trips after quiet' }));
        idleFloor.push(...q.samples);
      }
      const L = median(lat);
      const F = median(floor);
      row('mark latency, warm (after 4 pages)', 'firefox', `${fmt(L)} (n=${lat.length})`, 'report; ratio below', null);
      row('message round-trip floor (content script -> background, "entra-plan")', 'firefox', `${fmt(F, 'ms', 2)} (median of ${floor.length}x30)`, 'report', null);
      row('mark latency warm / floor', 'firefox', `${fmt(L / F, '', 2)}`, '<= 1.5', L / F <= 1.5);
      idleFloorRows('firefox', L, idleFloor);
    } finally {
      await b.close();
    }
  } finally {
    fs.rmSync(benchExt, { recursive: true, force: true });
  }
}

// Firefox page cost: load-to-idle of the 4,700-element settings page and the feed's DOM
// check, with the extension and with a do-nothing add-on (geckodriver always installs
// one). Firefox offers no main-thread task time through WebDriver, so the feed's task-time
// figure is Chromium's only.
async function firefoxCost(front) {
  if (!GECKODRIVER_BIN || !fs.existsSync(FIREFOX_BIN)) {
    row('page cost', 'firefox', 'skipped: no geckodriver or Firefox', '', null);
    return;
  }
  const benchExt = benchExtension(extDir('firefox'));
  const inert = inertExtension();
  const server = { port: front.port };
  const withExt = await launchFirefox({ extDir: benchExt, server });
  const without = await launchFirefox({ extDir: inert, server });
  try {
    const url = `https://www.linkedin.com:${front.port}/mypreferences/d/categories/privacy?x=cost`;
    const a = [];
    const z = [];
    let marks = 0;
    for (let i = 0; i < 8; i++) {
      for (const b of i % 2 ? [withExt, without] : [without, withExt]) {
        await b.page.goto(url);
        await b.page.waitFor(() => window.__x && window.__x.idleAt !== null, { timeout: 25000, interval: 100, what: 'page idle' });
        const r = await b.page.eval(() => ({ idle: window.__x.idleAt, marks: document.querySelectorAll('[data-optout-state]').length }));
        if (b === withExt) marks = r.marks;
        if (i > 0) (b === withExt ? a : z).push(r.idle);
      }
    }
    const A = median(a);
    const Z = median(z);
    row(`page cost: load-to-idle, settings page of ~4,700 elements (${marks} marked)`, 'firefox',
      `${fmt(A)} with / ${fmt(Z)} without = ${fmt(A / Z, '', 3)}`, '<= 1.03', A / Z <= 1.03, `${a.length} loads each, alternating`);
    let dom = 0;
    for (let i = 0; i < 2; i++) {
      await withExt.page.goto(`https://www.linkedin.com:${front.port}/feed/?ticks=60&observe=1`);
      await withExt.page.waitFor(() => window.__feed && window.__feed.done, { timeout: 30000, interval: 250, what: 'the feed to finish' });
      dom += await withExt.page.eval(() => window.__observed.foreignCount);
    }
    row('feed page: DOM changes by the extension (page-world MutationObserver, 2 loads)', 'firefox', String(dom), '0', dom === 0);
  } finally {
    await withExt.close();
    await without.close();
    fs.rmSync(benchExt, { recursive: true, force: true });
    fs.rmSync(inert, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- fuzz

function runCmd(cmd, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    p.stdout.on('data', (d) => { out = (out + d).slice(-200000); });
    p.stderr.on('data', (d) => { out = (out + d).slice(-200000); });
    const timer = setTimeout(() => { try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
    p.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, out: String(e) }); });
  });
}

/** What each fuzz target feeds the core. */
const FUZZ_TARGETS = {
  scan: 'page facts from bytes: scan -> state::apply -> summary',
  wire: 'arbitrary JSON through the boundary\'s serde derives: scan, apply, summary, jobs, report, Entra, options',
};

async function fuzz() {
  for (const target of Object.keys(FUZZ_TARGETS)) await fuzzOne(target);
}

async function fuzzOne(target) {
  const secs = Number(process.env.BENCH_FUZZ_SECONDS || 60);
  const what = FUZZ_TARGETS[target];
  const cwd = path.join(ROOT, 'crate/fuzz');
  const env = { RUSTC_BOOTSTRAP: '1', PATH: `${os.homedir()}/.cargo/bin:${process.env.PATH}` };
  let haveCargoFuzz = false;
  try { execFileSync('cargo', ['fuzz', '--version'], { env: { ...process.env, ...env }, stdio: 'pipe' }); haveCargoFuzz = true; } catch { /* fallback */ }
  if (haveCargoFuzz) {
    log(`building the fuzz target ${target} (cargo fuzz build -s none)`);
    const built = await runCmd('cargo', ['fuzz', 'build', '-s', 'none', target], { cwd, env, timeoutMs: 300000 });
    if (built.code === 0) {
      const dir = path.join(cwd, 'artifacts', target);
      const before = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
      const r = await runCmd('cargo', ['fuzz', 'run', '-s', 'none', target, '--', `-max_total_time=${secs}`, '-print_final_stats=1'], { cwd, env, timeoutMs: (secs + 120) * 1000 });
      const runs = /stat::number_of_executed_units:\s*(\d+)/.exec(r.out)?.[1] ?? /Done (\d+) runs/.exec(r.out)?.[1];
      const after = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
      const found = after.filter((f) => !before.has(f));
      const crashed = r.code !== 0 || found.length > 0;
      row(`fuzz ${target}: ${what}, ${secs} s (cargo fuzz, libFuzzer, -s none)`, 'native',
        `${runs ?? '?'} executions, ${found.length || (r.code !== 0 ? 1 : 0)} findings${found.length ? `: ${found.join(', ')}` : ''}`, '0 findings', !crashed);
      if (crashed) log(r.out.slice(-4000));
      return;
    }
    log(`cargo fuzz build failed (${built.code}); falling back to the libFuzzer-free loop:\n${built.out.slice(-2000)}`);
  }
  const loop = `${target}_loop`;
  const built = await runCmd('cargo', ['build', '--release', '--bin', loop], { cwd, env: {}, timeoutMs: 300000 });
  if (built.code !== 0) { row(`fuzz ${target}`, 'native', `build failed: ${built.out.slice(-300)}`, '0 findings', false); return; }
  const r = await runCmd(path.join(cwd, 'target/release', loop), [String(secs)], { cwd, env: {}, timeoutMs: (secs + 60) * 1000 });
  const m = /executions (\d+) findings (\d+)/.exec(r.out);
  const reached = /reached: (.*)/.exec(r.out)?.[1];
  row(`fuzz ${target}: ${what}, ${secs} s (seeded loop, no libFuzzer)`, 'native',
    m ? `${m[1]} executions, ${m[2]} findings${reached ? ` (reached: ${reached})` : ''}` : `failed: ${r.out.slice(-300)}`, '0 findings', m ? m[2] === '0' : false);
}

// ---------------------------------------------------------------- main

async function section(name, fn) {
  if (Date.now() - T_START > BUDGET_MS) { row(name, '', 'skipped: time budget used up', '', null); return; }
  log(`-- ${name}`);
  try {
    await fn();
  } catch (e) {
    row(name, '', `FAILED: ${String(e.message).split('\n')[0].slice(0, 300)}`, '', false);
    log(e.stack);
  }
}

if (!fs.existsSync(path.join(DIST, 'chrome/manifest.json'))) {
  console.error(`bench: no build in ${DIST} (run ./build.sh first)`);
  process.exit(1);
}
log(`dist ${DIST}; ${os.cpus().length} cores, load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
if (want('size')) await section('size', sizes);
if (want('startup')) await section('wasm start-up', startupTimes);
const front = await startFront({ handlers: [benchHandler] });
const benchExt = benchExtension(extDir('chromium'));
try {
  if (want('feed')) await section('chromium feed page', () => chromiumFeed(front, benchExt));
  if (want('quiet')) await section('chromium quiet mode', () => chromiumQuiet(front, benchExt));
  if (want('latency')) await section('chromium latency', () => chromiumLatency(front, benchExt));
  if (want('latency') && BASELINE) {
    const baseExt = benchExtension(path.join(BASELINE, 'chrome'));
    try {
      await section('chromium latency, baseline', () => chromiumLatency(front, baseExt, ', baseline'));
    } finally {
      fs.rmSync(baseExt, { recursive: true, force: true });
    }
  }
  if (want('cost')) await section('chromium page cost', () => chromiumCost(front, benchExt));
  if (want('stress')) await section('chromium stress', () => chromiumStress(front, benchExt));
  if (want('sweep')) await section('chromium sweep', () => chromiumSweep(front, benchExt));
  if (want('firefox')) await section('firefox latency', () => firefoxBench(front));
  if (want('firefox')) await section('firefox page cost', () => firefoxCost(front));
  if (want('sweep')) await section('firefox sweep', () => firefoxSweep(front));
} finally {
  await front.close();
  fs.rmSync(benchExt, { recursive: true, force: true });
}
if (want('fuzz')) await section('fuzz', fuzz);
log(`done in ${((Date.now() - T_START) / 1000).toFixed(0)} s`);
printTable();
process.exit(rows.some((r) => r.met === false && /FAILED/.test(r.value)) ? 1 : 0);
