// A fake Microsoft Entra admin center and Azure portal for the Entra e2e tests, beside the
// LinkedIn fixture server (tests/lib/server.mjs, whose strict CSP it reuses and which it
// does not change):
//
//   - HTTPS on a loopback port, answering for entra.microsoft.com and portal.azure.com,
//     and for sandbox-1.reactblade.portal.azure.net, the host of the Azure portal's React
//     view frames (the browsers map those names to it; certificate errors are ignored by
//     the drivers);
//   - every response carries the fixture server's strict CSP (no eval, no
//     'wasm-unsafe-eval'), with only what a portal with a framed blade needs added:
//     `frame-src 'self' <blade frame origin>` on the shell and `frame-ancestors` of the
//     portals on the blade;
//   - `/` is the portal shell (static/portal.js routes on the fragment and shows the User
//     settings blade in an <iframe>: same-origin, or with ?frame=cross|opaque a sandboxed
//     one served from the blade frame host); `/blade/user-settings` is the blade, rendered
//     here from tests/fixtures/entra/blades.json. See tests/fixtures/entra/README.md.
//
// Also: launchChromiumEntra, a Chromium with the unpacked extension and those host names
// mapped to the server, whose profile can say that the person granted the Entra hosts
// earlier (see grantedEarlier below).
//
// Standalone: `node tests/lib/entra-server.mjs [--port N]`.
import https from 'node:https';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CSP } from './server.mjs';
import { CHROMIUM_BIN } from './browsers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ENTRA_FIXTURES = path.resolve(HERE, '../fixtures/entra');
const STATIC = path.join(ENTRA_FIXTURES, 'static');

export const ENTRA_HOSTS = ['entra.microsoft.com', 'portal.azure.com'];
/** The host of the blade frames (?frame=cross|opaque), as the shared facts file names one. */
export const BLADE_FRAME_HOST = 'sandbox-1.reactblade.portal.azure.net';
const BLADE_FRAME_ORIGIN = `https://${BLADE_FRAME_HOST}`;
/**
 * Every origin the extension asks for, from the manifest (its optional host permissions:
 * the portals and the blade frame hosts; crate/tests/entra.rs checks them against the rules).
 */
export const ENTRA_ORIGINS = JSON.parse(fs.readFileSync(path.resolve(HERE, '../../manifest.json'), 'utf8')).optional_host_permissions;
if (!ENTRA_ORIGINS.includes('https://*.reactblade.portal.azure.net/*')) throw new Error('entra-server: the manifest does not ask for the blade frame hosts');
/** The User settings routes (fragments) of the two portals, as in the shared facts file. */
export const SETTINGS_FRAGMENT = {
  'entra.microsoft.com': '#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings/menuId/UserSettings',
  'portal.azure.com': '#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings',
};

/** The URL of a fixture page: `settingsUrl('portal.azure.com', {lang: 'de', state: 'no'})`. */
export function settingsUrl(host, params = {}, fragment = SETTINGS_FRAGMENT[host]) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null)).toString();
  return `https://${host}/${q ? `?${q}` : ''}${fragment}`;
}

const shellCsp = CSP.replace("frame-ancestors 'none'", `frame-ancestors 'none'; frame-src 'self' ${BLADE_FRAME_ORIGIN}`);
const bladeCsp = CSP.replace("frame-ancestors 'none'", `frame-ancestors 'self' ${ENTRA_HOSTS.map((h) => `https://${h}`).join(' ')}`);
if (shellCsp === CSP || bladeCsp === CSP) throw new Error('entra-server: the fixture CSP changed shape; update the frame rules');
for (const c of [shellCsp, bladeCsp]) {
  if (/unsafe-eval|wasm-unsafe-eval|unsafe-inline/.test(c)) throw new Error('entra-server: CSP must stay strict');
}

const MIME = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function loadBlades() {
  return JSON.parse(fs.readFileSync(path.join(ENTRA_FIXTURES, 'blades.json'), 'utf8'));
}

function makeCert() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optout-entra-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '3', '-subj', '/CN=entra.microsoft.com',
      '-addext', `subjectAltName=${[...ENTRA_HOSTS, BLADE_FRAME_HOST].map((h) => `DNS:${h}`).join(',')},IP:127.0.0.1`,
    ], { stdio: 'pipe', timeout: 20000 });
    return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- pages ---------------------------------------------------------------------------------

let uid = 0;
const OPTION_IDS = ['yes', 'selected-group', 'no'];

/**
 * One radio group in one of three markups. `options`: [{id, text}]; `checked`: index or -1.
 * `kind` names the group for the tests (data-fixture-group), never read by the extension.
 */
function radioGroup({ kind, caption, options, checked, style, help = '', learnMore = '' }) {
  const n = ++uid;
  const helpHtml = help ? `<p class="help">${esc(help)} <a href="https://learn.microsoft.com/">${esc(learnMore)}</a></p>` : '';
  if (style === 'azure') {
    // The Azure portal's own option group: a labelled role=radiogroup of role=radio items.
    const items = options.map((o, i) => `<div role="radio" tabindex="${i === checked ? 0 : -1}" aria-checked="${i === checked}" class="azc-optionPicker-item" data-fixture-option="${esc(o.id)}">${esc(o.text)}</div>`).join('');
    return `<div class="section azc-formElementContainer" data-fixture-section="${esc(kind)}">
  <div class="azc-formElementSubLabelContainer"><label class="azc-text-label" id="azc-label-${n}">${esc(caption)}</label></div>
  ${helpHtml}
  <div class="azc-optionPicker" role="radiogroup" aria-labelledby="azc-label-${n}" data-fixture-group="${esc(kind)}">${items}</div>
</div>`;
  }
  const inputs = options.map((o, i) => {
    const id = `ChoiceGroup${n}-${o.id}`;
    const input = `<input type="radio" id="${id}" name="ChoiceGroup${n}" value="${esc(o.id)}" class="ms-ChoiceField-input" data-fixture-option="${esc(o.id)}"${i === checked ? ' checked' : ''}>`;
    return style === 'preceding'
      // No accessible name on the group; each radio wrapped in its label.
      ? `<div class="ms-ChoiceField"><label class="ms-ChoiceField-field">${input} <span class="ms-ChoiceFieldLabel">${esc(o.text)}</span></label></div>`
      : `<div class="ms-ChoiceField"><div class="ms-ChoiceField-wrapper">${input}<label for="${id}" class="ms-ChoiceField-field"><span class="ms-ChoiceFieldLabel" id="${id}-label">${esc(o.text)}</span></label></div></div>`;
  }).join('');
  if (style === 'preceding') {
    return `<div class="section" data-fixture-section="${esc(kind)}">
  ${helpHtml}
  <div class="caption">${esc(caption)}</div>
  <div role="radiogroup" class="ms-ChoiceFieldGroup-flexContainer" data-fixture-group="${esc(kind)}">${inputs}</div>
</div>`;
  }
  // Fluent UI ChoiceGroup: the label inside the radiogroup, named by aria-labelledby.
  return `<div class="section ms-ChoiceFieldGroup root-${n}" data-fixture-section="${esc(kind)}">
  <div role="radiogroup" aria-labelledby="ChoiceGroupLabel${n}" data-fixture-group="${esc(kind)}">
    <label class="ms-Label" id="ChoiceGroupLabel${n}">${esc(caption)}</label>
    ${helpHtml}
    <div class="ms-ChoiceFieldGroup-flexContainer">${inputs}</div>
  </div>
</div>`;
}

/**
 * The User settings blade. Query: lang (en|de|fr), state (yes|selected-group|no|none),
 * markup (fluent|azure|preceding, the LinkedIn group's markup), variant (missing: no
 * LinkedIn section; empty: a blade that never renders; twice: the setting shown twice,
 * the second copy with `state2`), delayMs (content put in late by blade.js).
 */
function bladeHtml(q) {
  const blades = loadBlades();
  const lang = blades[q.get('lang')] ? q.get('lang') : 'en';
  const t = blades[lang];
  const variant = q.get('variant') || '';
  const stateIndex = (s) => (s === 'none' ? -1 : Math.max(0, OPTION_IDS.indexOf(s || 'yes')));
  // caption=row: the row label security baselines quote, instead of the section title.
  const linkedin = (state, kind = 'linkedin') => radioGroup({
    kind,
    caption: q.get('caption') === 'row' && t.row ? t.row : t.setting,
    options: OPTION_IDS.map((id) => ({ id, text: t.options[id] })),
    checked: stateIndex(state),
    style: q.get('markup') || 'fluent',
    help: t.help,
    learnMore: t.learnMore,
  });
  const decoys = t.decoys.map((d, i) => radioGroup({
    kind: `decoy-${i}`,
    caption: d.caption,
    options: d.three ? OPTION_IDS.map((id) => ({ id, text: t.options[id] })) : t.yesNo.map((text, j) => ({ id: j === 0 ? 'yes' : 'no', text })),
    checked: d.checked,
    style: d.style,
  }));
  let sections = '';
  if (variant !== 'empty') {
    const parts = [decoys[0], decoys[1]];
    if (variant !== 'missing') parts.push(linkedin(q.get('state')));
    parts.push(decoys[2], decoys[3]);
    if (variant === 'twice') parts.push(linkedin(q.get('state2') || q.get('state'), 'linkedin-2'));
    sections = parts.join('\n');
  }
  const content = `<div class="toolbar"><button type="button">${esc(t.save)}</button><button type="button">${esc(t.discard)}</button></div>
<h1>${esc(t.title)}</h1>
${sections}`;
  const delayed = Number(q.get('delayMs') || 0) > 0 || variant === 'empty';
  return `<!DOCTYPE html>
<html lang="${esc(lang)}">
<head><meta charset="utf-8"><title>${esc(t.title)}</title>
<link rel="stylesheet" href="/static/portal.css">
<script src="/static/blade.js" defer></script></head>
<body>
<main id="blade" class="blade">${delayed ? `<p class="loading">${esc(t.loading)}</p>` : content}</main>
${delayed && variant !== 'empty' ? `<template id="blade-content">${content}</template>` : ''}
</body>
</html>
`;
}

/**
 * The portal shell; variant=signed-out shows a sign-in form in place of the portal.
 * frame=cross: the blade in a sandboxed iframe (scripts and its own origin allowed, as the
 * portal loads React views) from the blade frame host; frame=opaque: sandboxed without its
 * own origin (an opaque origin); otherwise a same-origin iframe.
 */
function shellHtml(host, q) {
  const blades = loadBlades();
  const lang = blades[q.get('lang')] ? q.get('lang') : 'en';
  const t = blades[lang];
  const title = host === 'portal.azure.com' ? 'Microsoft Azure' : t.portal;
  if (q.get('variant') === 'signed-out') {
    return `<!DOCTYPE html>
<html lang="${esc(lang)}"><head><meta charset="utf-8"><title>${esc(t.signIn)}</title>
<link rel="stylesheet" href="/static/portal.css"></head>
<body><form class="signin" method="post" action="/">
<h1>${esc(t.signIn)}</h1>
<label>${esc(t.email)} <input type="email" name="loginfmt" autocomplete="username"></label>
<label>${esc(t.password)} <input type="password" name="passwd" autocomplete="current-password"></label>
<button type="submit">${esc(t.signIn)}</button>
</form></body></html>
`;
  }
  return `<!DOCTYPE html>
<html lang="${esc(lang)}">
<head><meta charset="utf-8"><title>${esc(t.title)} - ${esc(title)}</title>
<link rel="stylesheet" href="/static/portal.css">
<script src="/static/portal.js" defer></script></head>
<body>
<header class="fxs-topbar">${esc(title)}</header>
<div class="fxs-body">
<nav class="fxs-nav"><a href="#home">Home</a><a href="${esc(SETTINGS_FRAGMENT[host] || SETTINGS_FRAGMENT['entra.microsoft.com'])}">${esc(t.title)}</a></nav>
<main class="fxs-main" id="blade-host" data-title="${esc(t.title)}"${bladeFrameAttrs(q.get('frame'))}>
<p class="crumbs">${esc(t.crumbs)}</p>
<section id="home"><h1>${esc(t.home)}</h1></section>
</main>
</div>
</body>
</html>
`;
}

/** Where portal.js puts the blade (read by the fixture only). */
function bladeFrameAttrs(frame) {
  if (frame === 'cross') return ` data-blade-origin="${BLADE_FRAME_ORIGIN}" data-blade-sandbox="allow-scripts allow-same-origin allow-forms allow-popups"`;
  if (frame === 'opaque') return ` data-blade-origin="${BLADE_FRAME_ORIGIN}" data-blade-sandbox="allow-scripts allow-forms"`;
  return '';
}

/** The response for one request, or null for a host this server does not answer. */
export function entraResponse(host, url) {
  host = String(host || '').replace(/:\d+$/, '').toLowerCase();
  const frameHost = host === BLADE_FRAME_HOST;
  if (!ENTRA_HOSTS.includes(host) && !frameHost) return null;
  const p = url.pathname;
  const page = (body, csp = shellCsp) => ({ status: 200, type: 'text/html; charset=utf-8', csp, body });
  if (p.startsWith('/static/')) {
    const file = path.join(STATIC, path.normalize(p.slice('/static/'.length)).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(STATIC) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return { status: 404, type: 'text/plain', csp: shellCsp, body: 'not found' };
    return { status: 200, type: MIME[path.extname(file)] || 'application/octet-stream', csp: shellCsp, body: fs.readFileSync(file) };
  }
  if (p === '/favicon.ico') return { status: 204, type: 'text/plain', csp: shellCsp, body: '' };
  if (p === '/blade/user-settings') return page(bladeHtml(url.searchParams), bladeCsp);
  // The blade frame host serves blades and their files only, never a portal.
  if (p === '/' && !frameHost) return page(shellHtml(host, url.searchParams));
  return { status: 404, type: 'text/html; charset=utf-8', csp: shellCsp, body: '<!DOCTYPE html><title>Not found</title><h1>Not found</h1>' };
}

/** Starts the HTTPS server: `{port, requests, close()}`. */
export async function startEntraServer({ port = 0, host = '127.0.0.1' } = {}) {
  const { key, cert } = makeCert();
  const requests = [];
  const server = https.createServer({ key, cert }, (req, res) => {
    const hostHeader = req.headers.host || '';
    const url = new URL(req.url, `https://${hostHeader || 'entra.microsoft.com'}`);
    requests.push({ host: hostHeader, path: url.pathname + url.search, time: Date.now() });
    if (requests.length > 5000) requests.splice(0, 1000);
    let r;
    try {
      r = entraResponse(hostHeader, url) ?? { status: 421, type: 'text/plain', csp: CSP, body: `not a portal host: ${hostHeader}` };
    } catch (e) {
      r = { status: 500, type: 'text/plain', csp: CSP, body: `fixture error: ${e.stack}` };
    }
    res.writeHead(r.status, {
      'content-type': r.type,
      'content-security-policy': r.csp,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    res.end(r.body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: server.address().port,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
      setTimeout(resolve, 2000).unref();
    }),
  };
}

// ---- Chromium ---------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Chromium with the unpacked extension, entra.microsoft.com and portal.azure.com mapped to
 * the Entra server (and www.linkedin.com to `linkedinPort`, if given).
 *
 * Chromium shows its permission prompt for `permissions.request` as a browser dialog that
 * automation cannot answer: no command-line switch accepts it (the test-only auto-confirm
 * is C++ only), the DevTools protocol has no command for it, and
 * `developerPrivate.addHostPermission` (chrome://extensions) records a runtime grant but
 * does not make optional host permissions active. What Chromium does do without a prompt
 * is grant again what the person granted earlier: with `grantedEarlier`, the profile is
 * first created, then its Preferences record that the Entra hosts and `scripting` were
 * granted to this extension before (granted_permissions and runtime_granted_permissions),
 * while they are not active. The extension starts without them; the popup's own button
 * then calls `permissions.request`, which resolves true without a dialog and fires
 * `permissions.onAdded`, exactly as after a person's "Allow".
 *
 * Returns `{context, extensionId, page, popupUrl, newPage(), serviceWorker(), close()}`.
 */
export async function launchChromiumEntra({ extDir, port, linkedinPort = null, grantedEarlier = true, headless = true, viewport = { width: 1280, height: 900 } }) {
  extDir = path.resolve(extDir);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optout-entra-chromium-'));
  const rules = [...ENTRA_HOSTS, BLADE_FRAME_HOST].map((h) => `MAP ${h} 127.0.0.1:${port}`);
  if (linkedinPort) rules.push(`MAP www.linkedin.com 127.0.0.1:${linkedinPort}`);
  const launch = () => chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM_BIN,
    headless,
    viewport,
    timeout: 30000,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      `--disable-extensions-except=${extDir}`, `--load-extension=${extDir}`,
      '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic',
      `--host-resolver-rules=${rules.join(', ')}`,
      '--ignore-certificate-errors',
    ],
  });
  const workerOf = async (ctx) => ctx.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'))
    || ctx.waitForEvent('serviceworker', { timeout: 15000 });
  let ctx = await launch();
  let extensionId;
  try {
    extensionId = new URL((await workerOf(ctx)).url()).host;
    if (grantedEarlier) {
      await ctx.close();
      const prefsFile = path.join(userDir, 'Default', 'Preferences');
      const prefs = JSON.parse(fs.readFileSync(prefsFile, 'utf8'));
      const settings = prefs.extensions?.settings?.[extensionId];
      if (!settings) throw new Error(`Chromium profile has no settings for ${extensionId}`);
      const add = (set, api, hosts) => ({
        api: [...new Set([...(set?.api ?? []), ...api])],
        explicit_host: [...new Set([...(set?.explicit_host ?? []), ...hosts])],
        manifest_permissions: set?.manifest_permissions ?? [],
        scriptable_host: [...new Set([...(set?.scriptable_host ?? []), ...hosts])],
      });
      settings.granted_permissions = add(settings.granted_permissions, ['scripting'], ENTRA_ORIGINS);
      settings.runtime_granted_permissions = add(settings.runtime_granted_permissions, [], ENTRA_ORIGINS);
      fs.writeFileSync(prefsFile, JSON.stringify(prefs));
      ctx = await launch();
      await workerOf(ctx);
    }
  } catch (e) {
    await ctx.close().catch(() => {});
    fs.rmSync(userDir, { recursive: true, force: true });
    throw e;
  }
  const page = ctx.pages()[0] || (await ctx.newPage());
  return {
    name: 'chromium',
    context: ctx,
    extensionId,
    page,
    popupUrl: `chrome-extension://${extensionId}/popup.html`,
    newPage: () => ctx.newPage(),
    serviceWorker: () => workerOf(ctx),
    async close() {
      await Promise.race([ctx.close().catch(() => {}), sleep(10000)]);
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

// Standalone mode.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const s = await startEntraServer({ port: i > 0 ? Number(process.argv[i + 1]) : 0 });
  console.log(`Entra fixture server on https://127.0.0.1:${s.port}/`);
  console.log(`Chromium: --host-resolver-rules="MAP entra.microsoft.com 127.0.0.1:${s.port}, MAP portal.azure.com 127.0.0.1:${s.port}" --ignore-certificate-errors`);
  console.log(`  then ${settingsUrl('entra.microsoft.com', { lang: 'de', state: 'no' })}`);
  console.log(`curl: curl -k --resolve entra.microsoft.com:${s.port}:127.0.0.1 'https://entra.microsoft.com:${s.port}/blade/user-settings?lang=fr'`);
  const stop = () => s.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
