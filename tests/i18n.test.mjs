// The i18n catalogues: every locale has exactly the English messages with the same
// placeholders, every message is used by the code, every message the code names exists.
// Plain Node (node --test tests/i18n.test.mjs): no browser, no build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from './lib/catalogue.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXT = join(ROOT, 'extension');
const LOCALES = join(EXT, '_locales');
const CRATE_SRC = join(ROOT, 'crate', 'src');
const MANIFEST = existsSync(join(ROOT, 'manifest.json')) ? join(ROOT, 'manifest.json') : join(EXT, 'manifest.json');

/** The locales this project ships besides English. */
const EXPECTED_LOCALES = ['cs', 'da', 'de', 'el', 'en', 'es', 'fi', 'fr', 'hu', 'it', 'nl', 'no', 'pl', 'pt', 'ro', 'sk', 'sv', 'zh_TW'];
/** Region codes of `Region::msg()` (crate/src/catalogue.rs), messages `region_<code>`. */
const REGIONS = ['eu', 'uk', 'ch', 'ca', 'hk', 'us', 'other'];
/** Locale folder names: a language, optionally a region (pt_BR, es_419). */
const LOCALE_NAME = /^[a-z]{2,3}(_([A-Z]{2}|[0-9]{3}))?$/;
/** Message names: the characters both Chrome and Firefox accept. */
const MESSAGE_NAME = /^[A-Za-z0-9_]+$/;
/** A string literal that may be a message name. */
const KEY_SHAPE = /^[A-Za-z][A-Za-z0-9_]*$/;

const read = (p) => readFileSync(p, 'utf8');
const rel = (p) => relative(ROOT, p);
/** Fails with `message` (which lists them) when `problems` is not empty. */
const none = (problems, message) => { if (problems.length) assert.fail(message); };
const list = (items) => items.map((s) => `\n  - ${s}`).join('');

function filesIn(dir, ext, recursive) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (recursive) out.push(...filesIn(p, ext, true));
    } else if (name.endsWith(ext)) out.push(p);
  }
  return out;
}

const localeDirs = readdirSync(LOCALES).filter((n) => statSync(join(LOCALES, n)).isDirectory()).sort();

/** Parses every catalogue; problems are collected, not thrown, so (f) can list them all. */
const parseProblems = [];
const catalogues = {};
for (const lang of localeDirs) {
  const file = join(LOCALES, lang, 'messages.json');
  if (!existsSync(file)) {
    parseProblems.push(`${rel(file)}: missing`);
    continue;
  }
  const raw = read(file);
  if (raw.charCodeAt(0) === 0xfeff) parseProblems.push(`${rel(file)}: starts with a byte-order mark`);
  let json;
  try {
    json = JSON.parse(raw.replace(/^\ufeff/, ''));
  } catch (e) {
    parseProblems.push(`${rel(file)}: not valid JSON (${e.message})`);
    continue;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    parseProblems.push(`${rel(file)}: not a JSON object`);
    continue;
  }
  const messages = {};
  const folded = new Map();
  for (const [name, entry] of Object.entries(json)) {
    if (!MESSAGE_NAME.test(name)) parseProblems.push(`${lang}: message name ${JSON.stringify(name)} has characters outside [A-Za-z0-9_]`);
    const lower = name.toLowerCase();
    if (folded.has(lower)) parseProblems.push(`${lang}: message names ${folded.get(lower)} and ${name} differ only in case (Chrome treats them as one)`);
    folded.set(lower, name);
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      parseProblems.push(`${lang}: ${name} is not an object`);
      continue;
    }
    if (typeof entry.message !== 'string') {
      parseProblems.push(`${lang}: ${name}.message is not a string`);
      continue;
    }
    if (entry.message.trim() === '') parseProblems.push(`${lang}: ${name}.message is empty`);
    if ('description' in entry && typeof entry.description !== 'string') parseProblems.push(`${lang}: ${name}.description is not a string`);
    if ('placeholders' in entry) parseProblems.push(`${lang}: ${name} has named placeholders; this project uses $1, $2, … only`);
    const extra = Object.keys(entry).filter((k) => !['message', 'description', 'placeholders'].includes(k));
    if (extra.length) parseProblems.push(`${lang}: ${name} has unknown fields ${extra.join(', ')}`);
    messages[name] = entry.message;
  }
  catalogues[lang] = messages;
}
const en = catalogues.en ?? {};

// ---- What the code uses ------------------------------------------------------------

// Every script of the extension, in its folders (lib/, page/, background/, ui/).
const jsFiles = filesIn(EXT, '.js', true);
const htmlFiles = filesIn(EXT, '.html', false);
const rsFiles = filesIn(CRATE_SRC, '.rs', true);

/** Rust source without comments (string contents kept). */
function stripRustComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:"])\/\/.*$/gm, '$1');
}

/** JS source without comments (a light touch: line comments only at line start or after whitespace). */
function stripJsComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

/** Every quoted literal ('x', "x", `x` without ${}) shaped like a message name. */
function literals(src, quotes) {
  const out = new Set();
  for (const q of quotes) {
    const re = new RegExp(`${q}([A-Za-z0-9_]+)${q}`, 'g');
    for (const m of src.matchAll(re)) out.add(m[1]);
  }
  return out;
}

/**
 * Messages derived from data: every message the catalogue implies (setting_<id>_{short,
 * title,meaning}, section_<id>, its links), from catalogue.json as build.rs writes it, and
 * region_<code> / regionIn_<code>.
 */
function derivedKeys() {
  const keys = [...loadCatalogue().messages];
  for (const r of REGIONS) keys.push(`region_${r}`, `regionIn_${r}`);
  return keys;
}

/** The first argument of a call starting at `open` (just after the parenthesis). */
function firstArgument(src, open) {
  let depth = 0;
  let quote = null;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) return src.slice(open, i).trim();
      depth--;
    } else if (c === ',' && depth === 0) return src.slice(open, i).trim();
  }
  return src.slice(open).trim();
}

/** The text of a `{ … }` block whose opening brace ends just before `open`. */
function block(src, open) {
  let depth = 1;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return src.slice(open, i);
  }
  return src.slice(open);
}

/** String values of `const NAME = { ... }` in `src`. */
function objectValues(src, name) {
  const m = src.match(new RegExp(`const\\s+${name}\\s*=\\s*(?:Object\\.freeze\\()?\\{([\\s\\S]*?)\\}`));
  if (!m) return null;
  return [...m[1].matchAll(/:\s*(['"`])([A-Za-z0-9_]+)\1/g)].map((x) => x[2]);
}

/**
 * Message names the code asks for, each with where: `Text::new("…")`, `=> "…"` arms and
 * `{ "…" }` branches that name messages in crate/src; `msg(…)` first arguments in
 * extension/*.js (literals, both sides of a ternary, lookups in a `const MAP = {…}`);
 * data-i18n / data-i18n-label attributes; `__MSG_…__` in the manifest; the derived families.
 */
function requestedKeys() {
  const found = new Map(); // key -> first place
  const add = (key, where) => { if (!found.has(key)) found.set(key, where); };
  const unresolved = [];

  for (const file of rsFiles) {
    const src = stripRustComments(read(file));
    for (const m of src.matchAll(/Text::new\(\s*"([^"]*)"\s*\)/g)) {
      // Text::new("") is the serde default of a label that is never shown.
      if (m[1] !== '') add(m[1], `${rel(file)}: Text::new("${m[1]}")`);
    }
    // Bodies of `fn msg(…) -> &'static str`: every arm names a message.
    for (const m of src.matchAll(/fn msg\([^)]*\)\s*->\s*&'static str\s*\{/g)) {
      for (const a of block(src, m.index + m[0].length).matchAll(/=>\s*"([^"]+)"/g)) add(a[1], `${rel(file)}: fn msg => "${a[1]}"`);
    }
    // Other arms and branches naming messages: camelCase or snake_case literals (lowercase
    // single words there are data such as "on", not message names).
    for (const a of src.matchAll(/(?:=>\s*|\{\s*)"([a-z][a-z0-9]*(?:[A-Z_][A-Za-z0-9_]*)+)"/g)) add(a[1], `${rel(file)}: "${a[1]}"`);
  }

  for (const file of jsFiles) {
    const src = stripJsComments(read(file));
    for (const m of src.matchAll(/\bmsg\(/g)) {
      // Skip definitions and parameters: `function msg(` and `(msg)`-style uses are not calls with a key.
      const before = src.slice(Math.max(0, m.index - 9), m.index);
      if (/function\s*$/.test(before)) continue;
      const arg = firstArgument(src, m.index + 4);
      const where = `${rel(file)}: msg(${arg.length > 60 ? `${arg.slice(0, 57)}...` : arg})`;
      const lit = arg.match(/^(['"`])([^'"`$]*)\1$/);
      if (lit) {
        add(lit[2], where);
        continue;
      }
      const tern = [...arg.matchAll(/[?:]\s*(['"`])([A-Za-z0-9_]+)\1/g)];
      if (arg.includes('?') && tern.length) {
        for (const t of tern) add(t[2], where);
        continue;
      }
      const map = arg.match(/^([A-Z][A-Z0-9_]*)\[/);
      if (map) {
        const values = objectValues(src, map[1]);
        if (values) for (const v of values) add(v, `${rel(file)}: ${map[1]}`);
        else unresolved.push(where);
        continue;
      }
      const tpl = arg.match(/^`([A-Za-z0-9_]+)\$\{/);
      if (tpl) {
        if (!Object.keys(en).some((k) => k.startsWith(tpl[1]))) add(`${tpl[1]}…`, where);
        continue;
      }
      // A variable or a call (msg(r.name), msg(core.reasonMessage(…))): the core names those.
    }
  }

  for (const file of htmlFiles) {
    const src = read(file);
    for (const m of src.matchAll(/data-i18n(-label)?\s*=\s*["']([^"']*)["']/g)) add(m[2], `${rel(file)}: data-i18n${m[1] ?? ''}="${m[2]}"`);
  }

  for (const m of read(MANIFEST).matchAll(/__MSG_([A-Za-z0-9_@]+)__/g)) add(m[1], `${rel(MANIFEST)}: __MSG_${m[1]}__`);

  for (const k of derivedKeys()) add(k, 'derived from the catalogue (catalogue.json) and the regions');
  return { found, unresolved };
}

/** Every name that counts as used: any quoted literal in the code, data-i18n, __MSG_, derived families. */
function usedKeys() {
  const used = new Set(derivedKeys());
  for (const f of jsFiles) for (const k of literals(stripJsComments(read(f)), ["'", '"', '`'])) used.add(k);
  for (const f of rsFiles) for (const k of literals(stripRustComments(read(f)), ['"'])) used.add(k);
  for (const f of htmlFiles) for (const m of read(f).matchAll(/data-i18n(?:-label)?\s*=\s*["']([^"']*)["']/g)) used.add(m[1]);
  for (const m of read(MANIFEST).matchAll(/__MSG_([A-Za-z0-9_@]+)__/g)) used.add(m[1]);
  return used;
}

/** `$1`, `$2`… of a message, sorted (a multiset: each as often as it occurs). */
const placeholders = (s) => [...s.replace(/\$\$/g, '').matchAll(/\$([0-9]+)/g)].map((m) => `$${m[1]}`).sort();
/** Named placeholders ($name$), which need a `placeholders` block this project does not use. */
const namedPlaceholders = (s) => [...s.replace(/\$\$/g, '').matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)\$/g)].map((m) => m[0]);

// ---- Tests ----------------------------------------------------------------------------

test('(f) every messages.json is valid JSON with string messages and [A-Za-z0-9_] names', () => {
  assert.ok(catalogues.en, 'extension/_locales/en/messages.json must exist and parse');
  none(parseProblems, `catalogue problems:${list(parseProblems)}`);
});

test('(e) manifest default_locale is "en" and the _locales folders are valid locale names', () => {
  const manifest = JSON.parse(read(MANIFEST));
  assert.equal(manifest.default_locale, 'en', `${rel(MANIFEST)}: default_locale must be "en", is ${JSON.stringify(manifest.default_locale)}`);
  const bad = localeDirs.filter((d) => !LOCALE_NAME.test(d));
  none(bad, `_locales folders that are not locale names (like en, de, pt_BR):${list(bad)}`);
  const stray = readdirSync(LOCALES).filter((n) => !statSync(join(LOCALES, n)).isDirectory());
  none(stray, `files directly in extension/_locales (only folders belong there):${list(stray)}`);
  const missing = EXPECTED_LOCALES.filter((l) => !localeDirs.includes(l));
  none(missing, `locales missing from extension/_locales:${list(missing)}`);
});

test('(a) every locale has exactly the messages of en', () => {
  const problems = [];
  for (const lang of Object.keys(catalogues)) {
    if (lang === 'en') continue;
    const have = catalogues[lang];
    for (const k of Object.keys(en)) if (!(k in have)) problems.push(`${lang}: missing ${k}`);
    for (const k of Object.keys(have)) if (!(k in en)) problems.push(`${lang}: has ${k}, which en lacks`);
  }
  none(problems, `messages missing or extra (${problems.length}):${list(problems)}`);
});

test('(b) every translation uses the same $n placeholders as en', () => {
  const problems = [];
  for (const [lang, messages] of Object.entries(catalogues)) {
    for (const [k, text] of Object.entries(messages)) {
      const named = namedPlaceholders(text);
      if (named.length) problems.push(`${lang}: ${k} uses named placeholders ${named.join(' ')}`);
      if (lang === 'en' || !(k in en)) continue;
      const want = placeholders(en[k]);
      const got = placeholders(text);
      if (want.join() !== got.join()) problems.push(`${lang}: ${k} has [${got.join(' ')}], en has [${want.join(' ')}]: ${JSON.stringify(text)}`);
    }
  }
  none(problems, `placeholder mismatches (${problems.length}):${list(problems)}`);
});

test('(c) every message in en is used by the code', () => {
  const used = usedKeys();
  const unused = Object.keys(en).filter((k) => !used.has(k));
  none(unused, `messages in en that no code uses (${unused.length}):${list(unused)}`);
});

test('(d) every message the code names exists in en', () => {
  const { found } = requestedKeys();
  const missing = [...found].filter(([k]) => !(k in en)).map(([k, where]) => `${k}  (${where})`);
  none(missing, `messages the code uses that en lacks (${missing.length}):${list(missing)}`);
  // The scan must see the code at all: a refactor that hides every key would pass silently.
  assert.ok(found.size > 50, `only ${found.size} message names found in the code: is the scan still right?`);
});

test('translations are not left in English', () => {
  // A message of three words or more (brand names and placeholders aside) that is identical
  // to English was probably not translated.
  const strip = (s) => s.replace(/Opt-Out Lens|LinkedIn|Microsoft|\$[0-9]+/g, ' ');
  const problems = [];
  for (const [lang, messages] of Object.entries(catalogues)) {
    if (lang === 'en') continue;
    for (const [k, text] of Object.entries(messages)) {
      if (!(k in en) || text !== en[k]) continue;
      const words = strip(text).match(/\p{L}+/gu) ?? [];
      if (words.length >= 3) problems.push(`${lang}: ${k} is still English: ${JSON.stringify(text)}`);
    }
  }
  none(problems, `untranslated messages (${problems.length}):${list(problems)}`);
});

test('a button named in quotes is named as the button says', () => {
  // en "…check them with “Check all settings”." quotes the checkAll button: each locale must
  // quote its own text of that button.
  const quoted = [];
  for (const [k, text] of Object.entries(en)) {
    for (const m of text.matchAll(/“([^”]+)”/g)) {
      const target = Object.keys(en).find((t) => t !== k && en[t] === m[1] && !placeholders(en[t]).length);
      if (target) quoted.push([k, target]);
    }
  }
  const problems = [];
  for (const [lang, messages] of Object.entries(catalogues)) {
    for (const [k, target] of quoted) {
      if (!(k in messages) || !(target in messages)) continue;
      if (!messages[k].includes(messages[target])) problems.push(`${lang}: ${k} should name the button ${target} as ${JSON.stringify(messages[target])}: ${JSON.stringify(messages[k])}`);
    }
  }
  none(problems, `buttons quoted under another name:${list(problems)}`);
});

test('buttons, pills and on-page labels stay short', () => {
  // Tight spaces: popup buttons and pills, the label beside a switch on LinkedIn's page.
  const tight = (k) => /^(pill|mark|turnOff$|turnOffOne$|showMe$|dismiss$|cancel$|forget|checkAll$|options$|confirmYes|exportJson$|exportReport$)/.test(k) && !/(Title|Body)$/.test(k)
    || /^setting_.*_short$/.test(k);
  const len = (s) => s.replace(/\$[0-9]+/g, '').length;
  const problems = [];
  for (const [lang, messages] of Object.entries(catalogues)) {
    if (lang === 'en') continue;
    for (const [k, text] of Object.entries(messages)) {
      if (!(k in en) || !tight(k)) continue;
      const limit = Math.max(Math.ceil(len(en[k]) * 1.8), len(en[k]) + 10);
      if (len(text) > limit) problems.push(`${lang}: ${k} is ${len(text)} characters (limit ${limit}, en ${len(en[k])}): ${JSON.stringify(text)}`);
    }
  }
  none(problems, `too long for their place:${list(problems)}`);
});

test('the manifest description fits the Chrome Web Store limit of 132 characters', () => {
  const problems = [];
  for (const [lang, messages] of Object.entries(catalogues)) {
    if (typeof messages.appDescription !== 'string') continue;
    const n = [...messages.appDescription].length;
    if (n > 132) problems.push(`${lang}: appDescription is ${n} characters: ${JSON.stringify(messages.appDescription)}`);
  }
  none(problems, `descriptions over 132 characters:${list(problems)}`);
});
