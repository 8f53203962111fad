// The settings catalogue for the JavaScript tests, as build.rs writes it (catalogue.json,
// from the same parsed rules as the wasm's statics): no test reads crate/rules/linkedin.toml
// by hand, and no test hard-codes how many settings there are.
//
// build.sh copies the file to target/catalogue.json. When that copy is missing or older
// than the rules, it is made again with a native `cargo build` of the core (seconds once
// built; the wasm build is not needed).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CATALOGUE_JSON = path.join(ROOT, 'target', 'catalogue.json');
const INPUTS = ['crate/rules/linkedin.toml', 'crate/src/schema.rs', 'crate/build.rs', 'crate/src/normalize.rs'].map((f) => path.join(ROOT, f));

const mtime = (f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : -1);

/** Builds the core natively and copies the catalogue.json its build script wrote. */
function regenerate() {
  const out = execFileSync('cargo', ['build', '-q', '-p', 'opt-out-lens-core', '--message-format=json'], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 600_000, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dirs = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
    .filter((m) => m.reason === 'build-script-executed' && /opt-out-lens-core/.test(m.package_id)).map((m) => m.out_dir);
  const src = dirs.map((d) => path.join(d, 'catalogue.json')).find((f) => fs.existsSync(f));
  if (!src) throw new Error('cargo build did not report the catalogue.json of opt-out-lens-core');
  fs.mkdirSync(path.dirname(CATALOGUE_JSON), { recursive: true });
  fs.copyFileSync(src, CATALOGUE_JSON);
}

let cached = null;

/**
 * `{site, sections, settings, messages}`: settings in catalogue order, each with `id`, `title`,
 * `section`, `kind` ("switch" | "connection"), `paths`, `keys`, `element_ids`, `labels`
 * ([{lang, text, norm, confirmed, source}]), `msg_title`, …; `messages` every i18n name the
 * catalogue implies.
 */
export function loadCatalogue() {
  if (cached) return cached;
  if (mtime(CATALOGUE_JSON) < Math.max(...INPUTS.map(mtime))) regenerate();
  cached = JSON.parse(fs.readFileSync(CATALOGUE_JSON, 'utf8'));
  return cached;
}

/** The settings whose switch a job reads on a page of its own (not read-only rows). */
export function switchSettings() {
  return loadCatalogue().settings.filter((s) => s.kind === 'switch' && s.paths.length > 0);
}

/** How many rows the popup shows when nothing is filtered. */
export function settingCount() {
  return loadCatalogue().settings.length;
}
