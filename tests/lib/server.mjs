// Fixture server: pretends to be https://www.linkedin.com for the e2e tests.
//
// - HTTPS with a throwaway self-signed cert for www.linkedin.com (made by the openssl CLI
//   at startup, so nothing secret lives in the repo).
// - Every response carries a strict LinkedIn-like CSP without 'unsafe-eval' or
//   'wasm-unsafe-eval': the extension must work under it, exactly as on the real site.
// - /mypreferences/d/... serve one SPA shell; tests/fixtures/static/app.js renders the page
//   from tests/fixtures/routes.json (no inline script, scripts come from 'self').
// - A "logged out" switch makes /mypreferences/... redirect to /login, like the real site.
// - Server-side state, like LinkedIn's account: per-switch on/off by aria key (used when the
//   URL has no state param), flips persisted by the SPA, click counters per key, and per-path
//   behaviours (never, sticky, sticky-late, confirm, decoy, slow; and pages that do not load:
//   reset, http500, checkpoint, stall; a page full of personal data: personal). See
//   tests/fixtures/README.md.
//
// Standalone: `node tests/lib/server.mjs [--port N]` prints the port and keeps serving.
import https from 'node:https';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from './catalogue.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = path.resolve(HERE, '../fixtures');
const STATIC_DIR = path.join(FIXTURES_DIR, 'static');

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const MIME = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

/** Load tests/fixtures/routes.json (re-read on every request so edits show up live). */
export function loadRoutes() {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, 'routes.json'), 'utf8'));
}

/**
 * The catalogued switch settings that have a page of their own, with that page's fixture:
 * `{id, path, key, title, label}` in catalogue order, where `key` is the fixture switch's
 * aria key (server-side state is kept by it) and `title`/`label` what the page shows. The
 * settings come from the core's catalogue (catalogue.json); read-only rows (a connection)
 * and settings without a page of their own are left out: a job reads no switch for them.
 */
export function catalogue(routes = loadRoutes()) {
  return loadCatalogue().settings
    .filter((s) => s.kind === 'switch' && s.paths.length > 0)
    .map((s) => {
      const page = routes.pages[s.paths[0]];
      if (!page) throw new Error(`tests/fixtures/routes.json has no page for ${s.id} at ${s.paths[0]}`);
      // The page's switch for this setting: by its key or element id, else its only unlocked one.
      const mine = page.switches.find((w) => s.keys.includes(w.key) || (w.elementId && s.element_ids.includes(w.elementId)));
      const open = page.switches.filter((w) => !w.locked);
      const sw = mine ?? (open.length === 1 ? open[0] : null);
      if (!sw) throw new Error(`routes.json: cannot tell which switch of ${s.paths[0]} is ${s.id}`);
      return { id: s.id, path: s.paths[0], key: sw.key, title: page.title, label: sw.label };
    });
}

function makeCert(dir) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  // EC key: generated in milliseconds; SAN is what browsers check.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '3', '-subj', '/CN=www.linkedin.com',
    '-addext', 'subjectAltName=DNS:www.linkedin.com,DNS:linkedin.com,IP:127.0.0.1',
  ], { stdio: 'pipe', timeout: 20000 });
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

// A signed-in member's data as LinkedIn shows it around a settings page (the global
// navigation, the profile card, a message preview): behaviour `personal`. None of it may
// reach a diagnostic report.
export const PERSONAL = {
  name: 'Jane Q. Doe',
  email: 'jane.doe@example.com',
  phone: '+44 20 7946 0958',
  profile: 'https://www.linkedin.com/in/jane-doe-4711/',
  message: 'Hi Jane, are we still on for Thursday at 10?',
};

function personalHtml(d) {
  return `<header class="_globalNav_x81" aria-label="Global navigation">
  <a class="_me_p1" href="${esc(d.profile)}"><span class="_meName_q2">${esc(d.name)}</span></a>
  <div class="_profileCard_z3"><h2>${esc(d.name)}</h2><p>${esc(d.email)} · ${esc(d.phone)}</p>
  <a href="${esc(d.profile)}">${esc(d.profile)}</a></div>
  <aside class="_msgOverlay_m4" aria-label="Messaging"><h3>Messaging</h3><p><b>${esc(d.name)}</b>: ${esc(d.message)}</p></aside>
</header>`;
}

// Behaviour `renamed`: LinkedIn changed the page: two switches whose keys and labels no
// rule knows (one label names the member's address, as e-mail settings do).
function renamedHtml() {
  return `<section class="_renamed_k2" aria-label="Preferences">
  <div class="_row_r1"><span id="prefNewA1">Use my data for new features</span>
    <input type="checkbox" role="switch" class="_sw_s1" aria-labelledby="prefNewA1" checked></div>
  <div class="_row_r1"><span id="prefNewB2">Send a weekly summary to ${esc(PERSONAL.email)}</span>
    <input type="checkbox" role="switch" class="_sw_s1" aria-labelledby="prefNewB2"></div>
</section>`;
}

// Behaviour `identity`: the member's own identity all over the page, as LinkedIn shows it
// (the nav's own-profile link, "Profile viewing options" with the name and headline as its
// first choice) and in the labels, keys and ids of switches no rule knows, in other case
// too. A name no pattern would catch. For the report test.
export const IDENTITY = {
  name: 'Quillon Vartabedian-Nakamura',
  slug: 'q-vnakamura-7b1',
  headline: 'Cartographer of tidal archives at Saltmarsh Atlas',
};

function identityHtml(d) {
  return `<header class="_globalNav_x82" aria-label="Global navigation">
  <a class="_me_p2" href="/in/${esc(d.slug)}/"><img alt="${esc(d.name)}" src="data:,"><span>Me</span></a>
</header>
<section class="_viewing_v1" aria-label="Profile viewing options">
  <div><input type="radio" name="discloseAsProfileViewer" id="discloseAsProfileViewer__DISCLOSE_FULL" checked>
    <label for="discloseAsProfileViewer__DISCLOSE_FULL"><span>Your name and headline</span><strong>${esc(d.name)}</strong><span>${esc(d.headline)}</span></label></div>
  <div><input type="radio" name="discloseAsProfileViewer" id="discloseAsProfileViewer__DISCLOSE_ANONYMOUS">
    <label for="discloseAsProfileViewer__DISCLOSE_ANONYMOUS">Private mode</label></div>
</section>
<section class="_renamed_k3" aria-label="Preferences">
  <div class="_row_r1"><span id="prefActivityFollowers">Show ${esc(d.name)}’s activity to followers</span>
    <input type="checkbox" role="switch" class="_sw_s1" aria-labelledby="prefActivityFollowers" checked></div>
  <div class="_row_r1"><span id="prefDigest">Email ${esc(d.name.toUpperCase())} a weekly digest</span>
    <input type="checkbox" role="switch" class="_sw_s1" id="digest-${esc(d.slug)}" aria-labelledby="prefDigest"></div>
  <div class="_row_r1"><span id="${esc(d.slug)}-firstName">Let ${esc(d.name.split(' ')[0])}’s followers see new posts</span>
    <input type="checkbox" role="switch" class="_sw_s1" aria-labelledby="${esc(d.slug)}-firstName"></div>
</section>`;
}

function shellHtml(lang, personal = null, renamed = false, { observe = false, feed = false, identity = false } = {}) {
  // The SPA shell. routes.js defines window.__FIXTURE_ROUTES; app.js renders from it.
  // observe: a page-world DOM watch first (static/observe.js); feed: the busy feed (static/feed.js).
  const extra = (observe ? '<script src="/static/observe.js"></script>\n' : '') + (feed ? '<script src="/static/feed.js"></script>\n' : '');
  return `<!DOCTYPE html>
<html lang="${esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Settings | LinkedIn</title>
<link rel="stylesheet" href="/static/style.css">
${extra}<script src="/static/routes.js"></script>
<script src="/static/server-state.js"></script>
<script src="/static/app.js" defer></script>
</head>
<body class="_app_q1x7">
${personal ? personalHtml(personal) : ''}
${identity ? identityHtml(IDENTITY) : ''}
${renamed ? renamedHtml() : ''}
<div id="app" class="_appRoot_f3k1"><p class="_boot_0aa1">Loading…</p></div>
</body>
</html>
`;
}

function loginHtml(redirect) {
  // Server-rendered sign-in page: a password field and no switches at all.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>LinkedIn Login, Sign in | LinkedIn</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body class="_login_p0a2">
<main class="_loginCard_7hh1">
  <div class="_logo_9qw2" aria-label="LinkedIn">Linked<span>in</span></div>
  <h1>Sign in</h1>
  <p>Stay updated on your professional world.</p>
  <form method="post" action="/checkpoint/lg/login-submit" class="_loginForm_e4r1">
    <input type="hidden" name="session_redirect" value="${esc(redirect)}">
    <label>Email or phone <input type="text" name="session_key" autocomplete="username"></label>
    <label>Password <input type="password" name="session_password" autocomplete="current-password"></label>
    <label class="_remember_k1"><input type="checkbox" name="rememberMe" checked> Keep me logged in</label>
    <button type="submit" class="_primaryBtn_c8d1">Sign in</button>
  </form>
</main>
</body>
</html>
`;
}

function errorHtml() {
  // What LinkedIn answers when something went wrong on its side: no settings on it.
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>LinkedIn</title><link rel="stylesheet" href="/static/style.css"></head>
<body class="_err_u7"><main class="_card_1k2j"><h1>Something went wrong</h1><p>Please try again later.</p></main></body>
</html>
`;
}

function checkpointHtml() {
  // LinkedIn's security check ("verify it's you"): a puzzle, no settings.
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Security Verification | LinkedIn</title><link rel="stylesheet" href="/static/style.css"></head>
<body class="_chk_r5"><main class="_card_1k2j"><h1>Let’s do a quick security check</h1>
<p>To protect your account, please solve this puzzle to show you’re a person.</p>
<button type="button" class="_primaryBtn_c8d1">Start puzzle</button></main></body>
</html>
`;
}

function indexHtml(routes) {
  const links = Object.keys(routes.pages).map((p) => `<li><a href="${esc(p)}">${esc(p)}</a> ${esc(routes.pages[p].title || '')}</li>`).join('\n');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fixture index | LinkedIn</title>
<link rel="stylesheet" href="/static/style.css"></head><body class="_index_a1"><main class="_card_1k2j _index_a1">
<h1>Opt-Out Lens fixture server</h1><p>Query params: ?state=on|off, ?state.KEY=on|off, ?lang=de|fr, ?variant=NAME, ?delayMs=N. See tests/fixtures/README.md.</p>
<ul>${links}</ul></main></body></html>`;
}

/**
 * Start the fixture server.
 * @param {{port?: number, host?: string, quiet?: boolean}} opts
 * @returns {Promise<{port:number, origin:string, close():Promise<void>, setLoggedIn(b:boolean):void,
 *   state:object, requests:Array<{method:string,url:string,time:number}>}>}
 */
export async function startServer({ port = 0, host = '127.0.0.1', quiet = true } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optout-fixture-'));
  const { key, cert } = makeCert(tmp);
  fs.rmSync(tmp, { recursive: true, force: true });

  // switches: {key: 'on'|'off'}; behaviours: {path: 'never'|'sticky'|'sticky-late'|'confirm'|'decoy'|'slow[:ms]'};
  // clicks / confirmClicks / cancelClicks: {key: n}, reported by the SPA (tests/fixtures/static/app.js).
  // observe: every shell page gets the page-world DOM watch (as ?observe=1 does).
  const state = { loggedIn: true, switches: {}, behaviours: {}, clicks: {}, confirmClicks: {}, cancelClicks: {}, observe: false };
  const requests = [];
  const requestHooks = new Set(); // fn({method, url, time}) on every request, as it arrives
  const events = []; // every SPA report, in arrival order: {type, key, state, path, time}
  const ONE = '(never|sticky|sticky-late|confirm|decoy|slow(:\\d+)?|save(:\\d+)?|refuse(:\\d+)?|ghost|reset|http500|checkpoint|stall|personal|renamed|states|states-de|odd|absolute|mobile|decoys|identity|signedin)';
  const BEHAVIOURS = new RegExp(`^${ONE}(,${ONE})*$`);
  // Pages that do not load, answered here before any page is served (see failPage).
  const FAILURES = ['reset', 'http500', 'checkpoint', 'stall'];
  const stalled = new Set(); // responses held open by `stall`, ended on reset and close
  const endStalled = () => { for (const r of stalled) r.socket?.destroy(); stalled.clear(); endSaves(); };
  // LinkedIn's answers to a change still on their way (behaviours save, refuse): ended on reset and close.
  const saves = new Set();
  const endSaves = () => { for (const t of saves) clearTimeout(t); saves.clear(); };
  /**
   * A change the SPA asks LinkedIn to save (behaviours save:MS, refuse:MS, ghost): the server,
   * not a page timer, decides what is stored and when. save: stored after MS, then "ok";
   * refuse: never stored, "refused" after MS; ghost: "ok" at once, never stored.
   */
  function saveChange(ev, res) {
    const key = String(ev.key || '');
    const wanted = String(ev.state || '');
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(key)) throw new Error('bad key');
    checkSwitch(key, wanted);
    const beh = Object.fromEntries(String(state.behaviours[ev.path] || '').split(',').map((b) => b.split(':')));
    const after = (ms, fn) => { const t = setTimeout(() => { saves.delete(t); fn(); }, Math.min(Number(ms) || 0, 60000)); saves.add(t); };
    if ('save' in beh) {
      after(beh.save, () => {
        applyEvent({ type: 'flip', key, state: wanted, path: ev.path });
        send(res, 200, '{"ok":true}', MIME['.json']);
      });
    } else if ('refuse' in beh) {
      after(beh.refuse, () => send(res, 409, '{"ok":false}', MIME['.json']));
    } else if ('ghost' in beh) {
      send(res, 200, '{"ok":true}', MIME['.json']);
    } else {
      throw new Error(`no answer behaviour on ${ev.path}`);
    }
  }

  const setMap = (target, patch, check) => {
    for (const [k, v] of Object.entries(patch || {})) {
      if (v === null || v === undefined) delete target[k];
      else { check(k, v); target[k] = v; }
    }
  };
  const checkSwitch = (k, v) => { if (v !== 'on' && v !== 'off') throw new Error(`switch ${k}: state must be on|off, not ${v}`); };
  const checkBehaviour = (k, v) => { if (!BEHAVIOURS.test(v)) throw new Error(`behaviour for ${k}: unknown ${v}`); };
  const resetClicks = () => { state.clicks = {}; state.confirmClicks = {}; state.cancelClicks = {}; events.length = 0; };
  /** Applies a control patch (same shape in-process and over POST /__fixture/state). */
  function applyPatch(patch) {
    if (patch.reset) {
      state.loggedIn = true; state.switches = {}; state.behaviours = {}; state.observe = false; resetClicks(); endStalled();
    }
    if ('loggedIn' in patch) state.loggedIn = !!patch.loggedIn;
    if ('observe' in patch) state.observe = !!patch.observe;
    if (patch.switches) setMap(state.switches, patch.switches, checkSwitch);
    if (patch.behaviours) setMap(state.behaviours, patch.behaviours, checkBehaviour);
    if (patch.resetClicks) resetClicks();
  }
  /** A report from the fixture SPA: a click on a switch, a persisted flip, a press on a modal's button. */
  function applyEvent(ev) {
    const key = String(ev.key || '');
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(key)) throw new Error('bad key');
    events.push({ type: ev.type, key, state: ev.state, path: ev.path, time: Date.now() });
    if (events.length > 5000) events.splice(0, 1000);
    const bump = (m) => { m[key] = (m[key] || 0) + 1; };
    if (ev.type === 'click') bump(state.clicks);
    else if (ev.type === 'confirm') bump(state.confirmClicks);
    else if (ev.type === 'cancel') bump(state.cancelClicks);
    else if (ev.type === 'flip') {
      checkSwitch(key, ev.state);
      state.switches[key] = ev.state;
      // Coupled switches (routes.json `couplings`): LinkedIn changes another switch itself.
      for (const c of loadRoutes().couplings || []) {
        if (c.when.key === key && c.when.state === ev.state) Object.assign(state.switches, c.set);
      }
    }
    else throw new Error(`unknown event ${ev.type}`);
  }

  const send = (res, status, body, type = 'text/html; charset=utf-8', extra = {}) => {
    res.writeHead(status, {
      'content-type': type,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      ...extra,
    });
    res.end(body);
  };

  const server = https.createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url, `https://${req.headers.host || 'www.linkedin.com'}`);
    const entry = { method: req.method, url: url.pathname + url.search, time: Date.now() };
    requests.push(entry);
    if (requests.length > 5000) requests.splice(0, 1000);
    for (const hook of requestHooks) { try { hook(entry); } catch (e) { console.error('fixture request hook:', e); } }
    if (!quiet) console.log(req.method, req.url);
    try {
      route(req, res, url);
    } catch (e) {
      send(res, 500, `fixture error: ${esc(e.stack)}`, 'text/plain; charset=utf-8');
    }
  });

  function readBody(req, cb) {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; if (body.length > 1e5) req.destroy(); });
    req.on('end', () => cb(body));
  }

  function route(req, res, url) {
    const p = url.pathname;
    // --- test control endpoint (loopback only, not part of "LinkedIn") ---
    if (p === '/__fixture/state') {
      if (req.method === 'POST') {
        return readBody(req, (body) => {
          try {
            applyPatch(JSON.parse(body || '{}'));
            send(res, 200, JSON.stringify(state), MIME['.json']);
          } catch (e) { send(res, 400, String(e), 'text/plain'); }
        });
      }
      return send(res, 200, JSON.stringify(state), MIME['.json']);
    }
    if (p === '/__fixture/save' && req.method === 'POST') {
      // A change the SPA asks "LinkedIn" to save; answered when the server decides.
      return readBody(req, (body) => {
        try {
          saveChange(JSON.parse(body || '{}'), res);
        } catch (e) { send(res, 400, String(e), 'text/plain'); }
      });
    }
    if (p === '/__fixture/event' && req.method === 'POST') {
      // Reports from the fixture SPA (same origin, allowed by connect-src 'self').
      return readBody(req, (body) => {
        try {
          applyEvent(JSON.parse(body || '{}'));
          send(res, 204, '');
        } catch (e) { send(res, 400, String(e), 'text/plain'); }
      });
    }
    if (p === '/static/server-state.js') {
      // What "LinkedIn's servers" know, read by the SPA on every page load.
      const shared = { switches: state.switches, behaviours: state.behaviours };
      return send(res, 200, `window.__FIXTURE_SERVER = ${JSON.stringify(shared)};\n`, MIME['.js']);
    }
    if (p === '/static/routes.js') {
      // The route table as a script, so the SPA can render synchronously (no fetch).
      return send(res, 200, `window.__FIXTURE_ROUTES = ${JSON.stringify(loadRoutes())};\n`, MIME['.js']);
    }
    if (p.startsWith('/static/')) {
      const file = path.join(STATIC_DIR, path.normalize(p.slice('/static/'.length)).replace(/^(\.\.[/\\])+/, ''));
      if (!file.startsWith(STATIC_DIR) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return send(res, 404, 'not found', 'text/plain');
      return send(res, 200, fs.readFileSync(file), MIME[path.extname(file)] || 'application/octet-stream');
    }
    if (p === '/favicon.ico') return send(res, 204, '');
    if (p === '/login' || p === '/uas/login') {
      return send(res, 200, loginHtml(url.searchParams.get('session_redirect') || '/feed/'));
    }
    if (p === '/checkpoint/lg/login-submit' && req.method === 'POST') {
      // Manual poking: "signing in" flips the flag back and returns to where you were.
      return readBody(req, (body) => {
        state.loggedIn = true;
        const to = new URLSearchParams(body).get('session_redirect') || '/mypreferences/d/categories/privacy';
        const safe = to.startsWith('/') || /^https:\/\/www\.linkedin\.com[:/]/.test(to) ? to : '/';
        send(res, 302, '', 'text/plain', { location: safe });
      });
    }
    if (p.startsWith('/checkpoint/challenge/')) return send(res, 200, checkpointHtml());
    if (p.startsWith('/mypreferences/') || p.startsWith('/psettings/') || p.startsWith('/settings/')) {
      const failure = (state.behaviours[p] || '').split(',').find((b) => FAILURES.includes(b));
      if (failure) return failPage(req, res, failure);
      if (!state.loggedIn) {
        const original = `https://${req.headers.host || 'www.linkedin.com'}${url.pathname}${url.search}`;
        return send(res, 302, '', 'text/plain', { location: `/login?session_redirect=${encodeURIComponent(original)}` });
      }
      const routes = loadRoutes();
      const cfg = routes.pages[p] || {};
      const variant = url.searchParams.get('variant') || url.searchParams.get('lang');
      const lang = url.searchParams.get('lang') || (cfg.variants && cfg.variants[variant] && cfg.variants[variant].lang) || cfg.lang || 'en';
      const extras = (state.behaviours[p] || '').split(',');
      return send(res, 200, shellHtml(lang, extras.includes('personal') ? PERSONAL : null, extras.includes('renamed'), {
        observe: state.observe || url.searchParams.has('observe'),
        identity: extras.includes('identity'),
      }));
    }
    if (p === '/feed' || p.startsWith('/feed/')) {
      return send(res, 200, shellHtml('en', null, false, { observe: state.observe || url.searchParams.has('observe'), feed: true }));
    }
    if (p === '/') return send(res, 200, indexHtml(loadRoutes()));
    return send(res, 404, '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Page not found | LinkedIn</title></head><body><h1>Page not found</h1></body></html>');
  }

  /** A page that does not load, the way `failure` says (one of FAILURES). */
  function failPage(req, res, failure) {
    if (failure === 'reset') {
      // The connection is reset before any answer (the browser shows its error page).
      // (A TLS socket refuses resetAndDestroy: then its TCP socket is reset underneath.)
      const tcp = req.socket._parent ?? req.socket;
      try {
        tcp.resetAndDestroy();
      } catch {
        tcp.destroy();
      }
      return;
    }
    if (failure === 'http500') return send(res, 500, errorHtml());
    if (failure === 'checkpoint') {
      return send(res, 302, '', 'text/plain', { location: `/checkpoint/challenge/AgF${Date.now().toString(36)}?ut=fixture` });
    }
    // stall: the request is accepted and never answered (until reset or close).
    stalled.add(res);
    res.on('close', () => stalled.delete(res));
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  return {
    port: actualPort,
    origin: `https://www.linkedin.com:${actualPort}`,
    state,
    requests,
    events,
    setLoggedIn(v) { state.loggedIn = !!v; },
    /** Calls fn({method, url, time}) as each request arrives (e.g. to act at a page's exact moment); returns an unsubscribe. */
    onRequest(fn) { requestHooks.add(fn); return () => requestHooks.delete(fn); },
    /** Server-side switch states by aria key ('on'|'off'; null removes): merged into what is set. */
    setSwitches(map) { applyPatch({ switches: map }); },
    /** A behaviour for one page path (null removes it). */
    setBehaviour(p, name) { applyPatch({ behaviours: { [p]: name } }); },
    /** Every shell page gets the page-world DOM watch (static/observe.js) while `on`. */
    setObserve(on) { applyPatch({ observe: on }); },
    /** Page loads (document requests) of `path`, any query: how often a browser asked for it. */
    loads(path) { return requests.filter((r) => r.url.split('?')[0] === path).length; },
    /**
     * Page loads of `path` as the browser's user (or extension) asked for them: requests less
     * than `gapMs` apart count as one, since a browser re-sends a request whose connection was
     * reset by itself, within milliseconds.
     */
    loadAttempts(path, gapMs = 1000) {
      let n = 0;
      let last = -Infinity;
      for (const r of requests) {
        if (r.url.split('?')[0] !== path) continue;
        if (r.time - last >= gapMs) n++;
        last = r.time;
      }
      return n;
    },
    /** Back to defaults: logged in, every switch as in routes.json, no behaviours, counters at 0. */
    reset() { applyPatch({ reset: true }); },
    resetClicks() { applyPatch({ resetClicks: true }); },
    /** Copies of the counters: {clicks: {key: n}, confirmClicks: {...}, cancelClicks: {...}}. */
    counters() { return { clicks: { ...state.clicks }, confirmClicks: { ...state.confirmClicks }, cancelClicks: { ...state.cancelClicks } }; },
    /** The server-side state of a switch: what a fresh page load without ?state shows. */
    switchState(key, fallback = 'on') { return state.switches[key] || fallback; },
    close() {
      endStalled();
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
        setTimeout(resolve, 2000).unref();
      });
    },
  };
}

// Standalone mode.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 0;
  const s = await startServer({ port, quiet: !process.argv.includes('--verbose') });
  console.log(`fixture server on https://127.0.0.1:${s.port}/  (port ${s.port})`);
  console.log(`Chromium: --host-resolver-rules="MAP www.linkedin.com 127.0.0.1:${s.port}" --ignore-certificate-errors, then https://www.linkedin.com/`);
  console.log(`curl: curl -k --resolve www.linkedin.com:${s.port}:127.0.0.1 https://www.linkedin.com:${s.port}/mypreferences/d/categories/privacy`);
  const stop = () => s.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
