// Bench-only copies of the built extension (the shipped build is not touched):
//   - one extra content script (settings pages only) that times bare content-script ->
//     background round trips on request (the 'entra-plan' message: the background's
//     routing plus one trivial core call, no storage), back to back or each after a quiet
//     spell, for the warm-latency floor;
//   - a counter in the background of every message and port it receives
//     (globalThis.__bench, read through the DevTools protocol);
//   - optionally a probe appended to the background (the sweep).
// And a do-nothing add-on, the Firefox baseline ("without the extension": geckodriver
// always installs one).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const RTT_SCRIPT = `// Bench-only (not shipped): times content-script -> background round trips on request.
'use strict';
document.addEventListener('x-bench-rtt', async (e) => {
  const api = globalThis.browser ?? globalThis.chrome;
  const [count, gap] = String(e.detail).split(':').map(Number);
  const n = Math.min(200, count || 30);
  const t = [];
  for (let i = 0; i < n; i++) {
    if (gap > 0) await new Promise((r) => setTimeout(r, Math.min(gap, 2000)));
    const t0 = performance.now();
    await api.runtime.sendMessage({ type: 'entra-plan', url: location.href });
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  document.documentElement.setAttribute('data-bench-rtt', JSON.stringify({ median: t[t.length >> 1], min: t[0], samples: t }));
});
`;

// Counts what reaches the background; the RTT script's own messages are counted apart.
const COUNTER = `
// ---- bench-only counter (not shipped) ----
globalThis.__bench = { messages: 0, byType: {}, ports: 0, rtt: 0 };
globalThis.OptOutApi.runtime.onMessage.addListener((msg) => {
  const b = globalThis.__bench;
  if (msg && msg.type === 'entra-plan' && !String(msg.url || '').includes('entra')) b.rtt++;
  else { b.messages++; b.byType[msg && msg.type] = (b.byType[msg && msg.type] || 0) + 1; }
  return false;
});
globalThis.OptOutApi.runtime.onConnect.addListener(() => { globalThis.__bench.ports++; });
// Where a scan's time goes in the background: the whole handler, and the core's part of it
// (timed again afterwards, so the reply is not delayed).
globalThis.__bench.scans = [];
{
  const handler = HANDLERS.scan;
  HANDLERS.scan = async (msg, sender) => {
    const t0 = performance.now();
    const reply = await handler(msg, sender);
    const total = performance.now() - t0;
    setTimeout(() => {
      // The core's scanPage: through lib/core.js's namespace in the module build, the
      // function itself in the bundled background (Rollup inlines the namespace).
      const t1 = performance.now();
      if (typeof core !== 'undefined') core.scanPage(msg.facts);
      else scanPage(msg.facts);
      const b = globalThis.__bench.scans;
      b.push({ total, core: performance.now() - t1 });
      if (b.length > 200) b.shift();
    }, 0);
    return reply;
  };
}
`;

/**
 * Copies the unpacked extension in `src` to a temp dir with the RTT content script and the
 * background counter; `probe` (source text) is appended to the background module too.
 */
export function benchExtension(src, { probe = '' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optout-benchext-'));
  fs.cpSync(src, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'bench-rtt.js'), RTT_SCRIPT);
  const mf = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  mf.content_scripts.push({ matches: ['https://www.linkedin.com/mypreferences/*'], js: ['bench-rtt.js'], run_at: 'document_idle' });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(mf, null, 2));
  const bg = mf.background.service_worker || mf.background.scripts[0];
  fs.appendFileSync(path.join(dir, bg), COUNTER + probe);
  return dir;
}

/** A do-nothing Firefox add-on (no scripts, no permissions): the baseline browser's. */
export function inertExtension() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optout-inert-'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    manifest_version: 3, name: 'bench baseline', version: '1.0',
    browser_specific_settings: { gecko: { id: 'bench-baseline@opt-out-lens' } },
  }));
  return dir;
}
