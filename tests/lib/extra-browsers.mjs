// Browser helpers for the bench and the privacy/hostile tests, beside tests/lib/browsers.mjs
// (which they do not change):
//   - launchChromiumRaw: Chromium with or without the extension, with a host mapping of our
//     choice (`mapAll`: every host name goes to the front, so no request can slip past it);
//     returns the raw Playwright objects.
//   (The bench's own copies of the extension are made by tests/bench/ext.mjs.)
//   - distDir / extDir: where the build is (tests/lib/session.mjs, which the e2e tests use to
//     open and close their browsers).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_BIN } from './browsers.mjs';
import { ROOT, distDir, extDirFor as extDir } from './session.mjs';

export { ROOT, distDir, extDir };
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
