// The invariants of ARCHITECTURE.md, checked on the sources: what the shell must never
// hold or do. Fast (no build, no browser), so it runs first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXT = path.join(ROOT, 'extension');

function files(dir, pred = () => true) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p, pred));
    else if (pred(p)) out.push(p);
  }
  return out.sort();
}
const rel = (p) => path.relative(ROOT, p);
const read = (p) => fs.readFileSync(p, 'utf8');
const code = files(EXT, (p) => /\.(js|html|css|json)$/.test(p));
const scripts = code.filter((p) => p.endsWith('.js'));
/** Source without comments, so a comment may name what the code must not do. */
const stripped = (p) => read(p).replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\'"])\/\/.*$/gm, '$1');

/** [file, line number, line] for each line of `files` matching `re`. */
function hits(list, re, text = stripped) {
  const found = [];
  for (const f of list) {
    text(f).split('\n').forEach((line, i) => re.test(line) && found.push(`${rel(f)}:${i + 1}: ${line.trim().slice(0, 120)}`));
  }
  return found;
}

test('the shell holds no LinkedIn host or URL: they come from the rules', () => {
  assert.deepEqual(hits(code, /linkedin\.com/i, read), []);
});

test('page text never becomes markup: no innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
  assert.deepEqual(hits(scripts, /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment)\b/), []);
  assert.deepEqual(hits(code.filter((p) => p.endsWith('.html')), /\son[a-z]+\s*=/i, read), [], 'no inline event handlers');
});

test('nothing in the extension makes a network request', () => {
  assert.deepEqual(hits(scripts, /\b(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon|RTCPeerConnection)\s*\(/), []);
  assert.deepEqual(hits(scripts, /\bimport\s*\(/), [], 'no dynamic import');
  assert.deepEqual(hits(code.filter((p) => p.endsWith('.html')), /(\ssrc\s*=\s*"(https?:)?\/\/|<link[^>]*href\s*=\s*"(https?:)?\/\/)/i, read), [], 'no remote resource');
});

test('only the background writes storage.local, and only through its queue (background/state.js)', () => {
  const writes = hits(scripts, /storage\.local\.(set|remove|clear)\b/);
  assert.ok(writes.length > 0, 'the check finds the writes');
  assert.deepEqual(writes.filter((h) => !h.startsWith('extension/background/state.js:')), []);
  assert.deepEqual(hits(scripts.filter((p) => !p.endsWith('state.js')), /storage\.(local|session)\.(set|remove|clear)\b/), []);
});

test('the background hears tab and navigation events only through background/tabs.js, which drops them when nothing waits', () => {
  // Any other listener would wake the worker on every LinkedIn page load and URL change.
  const listeners = hits(scripts, /\b(tabs|webNavigation|webRequest)\.on[A-Z]\w*\.addListener\b|\.on(Updated|Removed|Activated|Replaced)\[/);
  assert.ok(listeners.length > 0, 'the check finds the tab listeners');
  assert.deepEqual(listeners.filter((h) => !h.startsWith('extension/background/tabs.js:')), []);
  assert.match(stripped(path.join(EXT, 'background/tabs.js')), /removeListener/, 'tabs.js drops its listeners');
});

test('page scripts hold no storage access and never start the wasm', () => {
  const page = scripts.filter((p) => p.includes(`${path.sep}page${path.sep}`));
  assert.ok(page.length >= 3);
  assert.deepEqual(hits(page, /\bstorage\.|WebAssembly|lib\/core\.js|opt_out_lens_core/), []);
});

test("of the page's own storage, a page script reads key names only (the signed-in sign), never a value, and writes nothing", () => {
  const page = scripts.filter((p) => p.includes(`${path.sep}page${path.sep}`));
  const uses = hits(page, /\b(localStorage|sessionStorage|indexedDB|document\.cookie)\b/);
  assert.ok(uses.some((h) => h.startsWith('extension/page/linkedin.js:')), 'the check finds the one use');
  assert.deepEqual(uses.filter((h) => !/const store = globalThis\.localStorage;/.test(h)), [], 'only the one read of localStorage');
  assert.deepEqual(hits(page, /\.(getItem|setItem|removeItem)\s*\(|\b(store|localStorage)\s*\[|\b(store|localStorage)\.(?!length\b|key\()/), [], 'only .length and .key(i)');
});

test('a file imports only from its own folder and from lib/', () => {
  const bad = [];
  for (const f of scripts) {
    const dir = path.dirname(f);
    for (const [, spec] of stripped(f).matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)) {
      const target = path.resolve(dir, spec);
      const ok = path.dirname(target) === dir || target.startsWith(path.join(EXT, 'lib') + path.sep) || target.startsWith(path.join(EXT, 'core') + path.sep);
      if (!ok) bad.push(`${rel(f)} imports ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('every message kind for the background has exactly one handler, and every handler a declared kind', () => {
  const sandbox = { JSON, Object, Array, String };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(read(path.join(EXT, 'lib/messages.js')), sandbox);
  const { KINDS } = sandbox.OptOutMessages;
  const toBackground = Object.keys(KINDS).filter((k) => (KINDS[k].to ?? 'background') === 'background').sort();
  const main = read(path.join(EXT, 'background/main.js'));
  const table = main.slice(main.indexOf('export const HANDLERS = {'), main.indexOf('\n};', main.indexOf('export const HANDLERS')));
  const handled = [...table.matchAll(/^ {2}(?:async )?'?([a-z][a-z-]*)'?(?:\(|:)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(handled, toBackground);
  for (const [type, kind] of Object.entries(KINDS)) {
    assert.equal(typeof kind.reply, 'object', `${type} declares its reply`);
  }
  // What a page script answers is declared too.
  for (const type of Object.keys(KINDS).filter((k) => KINDS[k].to === 'page')) {
    assert.match(read(path.join(EXT, 'page/linkedin.js')), new RegExp(`msg\\.type !== '${type}'`), `${type} is answered by the page`);
  }
});

test('no JavaScript file in the shell is over 400 lines', () => {
  const long = scripts.map((f) => [rel(f), read(f).split('\n').length]).filter(([, n]) => n > 400);
  assert.deepEqual(long, []);
});

test('one browser namespace: only lib/api.js picks between browser and chrome', () => {
  assert.deepEqual(hits(scripts, /globalThis\.(browser|chrome)\b/).filter((h) => !h.startsWith('extension/lib/api.js:')), []);
});

test('the manifest names only files that exist, and the page scripts in dependency order', () => {
  const manifest = JSON.parse(read(path.join(ROOT, 'manifest.json')));
  const generated = new Set(['page/plan.js']);
  const named = [manifest.background.service_worker, ...manifest.background.scripts, ...manifest.content_scripts.flatMap((c) => [...c.js, ...(c.css ?? [])])];
  for (const f of named) assert.ok(generated.has(f) || fs.existsSync(path.join(EXT, f)), `${f} exists`);
  const js = manifest.content_scripts[0].js;
  const order = ['lib/api.js', 'lib/messages.js', 'lib/i18n.js', 'page/kit.js', 'page/plan.js'];
  assert.deepEqual(js.slice(0, order.length), order);
});

test('the shell cannot decide about a job: the job is the core\'s text, never parsed, never read', () => {
  // The core hands the job over as JSON text (crate/tests/web.rs asserts it is a string)
  // and takes it back; every question about it is a core export (jobOn, jobView,
  // jobHoldsTab, jobSummary). Text cannot be read field by field without parsing it, and
  // nothing in the extension parses JSON.
  assert.deepEqual(hits(scripts, /JSON\.parse\b/), []);
  // What the storage key of the job holds goes only to the core.
  const kept = hits(scripts, /\[JOB_KEY\]/).filter((h) => !/sessionSet\(\{ \[JOB_KEY\]: (job|opened\.job|done\.job|step\.job|started\.job) \}\)/.test(h));
  const readers = kept.filter((h) => !/core\.\w+\(.*\[JOB_KEY\]|const job = \(await (session\(\)|api\.storage\.session\.get\(JOB_KEY\))\)\[JOB_KEY\];|typeof s\[JOB_KEY\] !== 'string'|core\.jobView\(s\[JOB_KEY\]\)/.test(h));
  assert.deepEqual(readers, [], 'the kept job is read only to hand it to the core');
  // No property of a job value is read or written anywhere in the shell.
  assert.deepEqual(hits(scripts, /\bjob\??\.[A-Za-z_]|\bjob\[/), []);
  // The old decisions, by name: a status word, a step, a tab field of the job.
  assert.deepEqual(hits(scripts, /=== 'running'|awaitingConfirmation\b(?!\))|\.steps\b|\.helper\b|\.tabId\b|\.ownTab\b|finalized/).filter((h) => !/words\.awaitingConfirmation/.test(h)), []);
});

test('the shell decides nothing: no state read from a switch, no stored value compared or assembled, no option checked', () => {
  // Each of these was a decision the shell once made beside (or instead of) the core:
  // reading a switch's state, comparing values by their JSON, choosing a row's look or an
  // option's value. The core's replies say them (ARCHITECTURE.md, "The boundary").
  const decisions = hits(scripts, new RegExp([
    /getAttribute\('aria-checked'\)\s*[!=]==/,
    /\?\s*'on'\s*:\s*'off'/,
    /JSON\.stringify\([^)]*\)\s*[!=]==|[!=]==\s*JSON\.stringify\(/,
    /\.state\s*[!=]==\s*'(on|off|unknown)'/,
    /\.(reminderDays|remindDays|region|showMarks|notify)\s*(\?\?|[!=]==)/,
    /typeof\s+\w+\s*!==\s*OPTION_TYPES/,
  ].map((r) => r.source).join('|')));
  assert.deepEqual(decisions, []);
});
