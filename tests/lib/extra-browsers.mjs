// Browser helpers for the bench and the privacy/hostile tests, beside tests/lib/browsers.mjs
// (which they do not change):
//   - launchChromiumRaw: Chromium with or without the extension, with a host mapping of our
//     choice (`mapAll`: every host name goes to the front, so no request can slip past it);
//     returns the raw Playwright objects.
//   - benchCopy: a copy of a built extension with one extra, bench-only content script that
//     times content-script -> background round trips. The shipped extension is not touched.
//   - distDir / extDir: where the build is ($DIST as in build.sh, default dist/).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_BIN } from './browsers.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const distDir = () => path.resolve(ROOT, process.env.DIST || 'dist');
/** The unpacked build for 'chromium' or 'firefox' (OPTOUT_EXT_* override, as in scenarios.mjs). */
export function extDir(name) {
  const env = process.env[`OPTOUT_EXT_${name.toUpperCase()}`];
  return env || path.join(distDir(), name === 'chromium' ? 'chrome' : 'firefox');
}

/**
 * @param {{extDir?: string|null, port: number, mapAll?: boolean, headless?: boolean,
 *   viewport?: {width:number,height:number}, extraArgs?: string[]}} o
 */
export async function launchChromiumRaw({ extDir: ext = null, port, mapAll = false, headless = true, viewport = { width: 1280, height: 900 }, extraArgs = [] }) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optout-xchromium-'));
  const args = [
    '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic', '--ignore-certificate-errors',
    mapAll
      ? `--host-resolver-rules=MAP * 127.0.0.1:${port}`
      : `--host-resolver-rules=MAP www.linkedin.com 127.0.0.1:${port}`,
    ...extraArgs,
  ];
  if (ext) args.unshift(`--disable-extensions-except=${path.resolve(ext)}`, `--load-extension=${path.resolve(ext)}`);
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM_BIN,
    headless,
    viewport,
    timeout: 30000,
    acceptDownloads: true,
    ignoreDefaultArgs: ext ? ['--disable-extensions'] : [],
    args,
  });
  const close = async () => {
    await Promise.race([ctx.close().catch(() => {}), sleep(10000)]);
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    let sw = null;
    let extensionId = null;
    if (ext) {
      sw = ctx.serviceWorkers()[0] || (await ctx.waitForEvent('serviceworker', { timeout: 15000 }));
      extensionId = new URL(sw.url()).host;
    }
    const page = ctx.pages()[0] || (await ctx.newPage());
    return {
      ctx,
      page,
      extensionId,
      userDir,
      get sw() {
        return ctx.serviceWorkers().find((w) => extensionId && w.url().includes(extensionId)) || sw;
      },
      popupUrl: extensionId ? `chrome-extension://${extensionId}/popup.html` : null,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Runs `fn` (a function) with JSON args in a Playwright page or worker. */
export const evalIn = (target, fn, ...args) => target.evaluate(`(${fn.toString()})(...${JSON.stringify(args)})`);

/** Polls `fn` in `target` until it returns a truthy value; throws after `timeout` ms. */
export async function waitIn(target, fn, { timeout = 10000, interval = 25, args = [], what } = {}) {
  const t0 = Date.now();
  let last;
  for (;;) {
    try {
      last = await evalIn(target, fn, ...args);
      if (last) return last;
    } catch (e) {
      last = `error: ${e.message}`;
    }
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what || fn.toString().slice(0, 120)} (last: ${JSON.stringify(last)?.slice(0, 300)})`);
    await sleep(interval);
  }
}

const BENCH_SCRIPT = `// Bench-only (not shipped): times content-script -> background round trips on request.
'use strict';
document.addEventListener('x-bench-rtt', async (e) => {
  const api = globalThis.browser ?? globalThis.chrome;
  const n = Math.min(200, Number(e.detail) || 30);
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await api.runtime.sendMessage({ type: 'plan', url: location.href });
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  document.documentElement.setAttribute('data-bench-rtt', JSON.stringify({ median: t[t.length >> 1], min: t[0], samples: t }));
});
`;

/** Copies the unpacked extension in `src` to a temp dir and adds the bench-only content script. */
export function benchCopy(src) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optout-benchext-'));
  fs.cpSync(src, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'bench-rtt.js'), BENCH_SCRIPT);
  const mf = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  mf.content_scripts.push({ matches: ['https://www.linkedin.com/*'], js: ['bench-rtt.js'], run_at: 'document_idle' });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(mf, null, 2));
  return dir;
}
