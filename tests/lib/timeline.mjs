// A timeline of what the extension stored and what the popup drew, for a test that failed
// on an order of events (which write came first, what the popup showed between them).
//
//   await startTimeline(popup)          in an open popup: hears storage.onChanged (the
//                                       stored state, the job), and watches the popup's job
//                                       box and rows as they are drawn
//   await timeline(popup, server)       every entry so far, oldest first, with the fixture
//                                       server's page loads merged in, as lines of text
//
// Times are the machine's clock (Date.now() in the popup and in the server), so the lines of
// both sources interleave as they happened. Only reads; changes nothing the test checks.

/** Runs in the popup. Idempotent. */
function installTimeline() {
  if (window.__timeline) return true;
  const api = globalThis.browser ?? globalThis.chrome;
  const log = (window.__timeline = []);
  const note = (what) => { if (log.length < 2000) log.push({ t: Date.now(), what }); };
  const rows = (state) => {
    const s = state?.settings ?? {};
    return Object.keys(s).sort().map((id) => `${id}=${s[id].state}${s[id].reason ? `/${s[id].reason}` : ''}${s[id].readOn ? `@${s[id].readOn}` : ''}`).join(' ');
  };
  // The job is the core's JSON text: its lanes, each with its tab and what it reads.
  const jobLine = (text) => {
    if (!text) return 'none';
    let j;
    try { j = JSON.parse(text); } catch { return `unreadable ${String(text).slice(0, 40)}`; }
    const lanes = (j.lanes ?? []).map((l) => {
      // A visit is "idle", or {open: {url, …}}, {waiting: {step, …}}, {deferred: {step}}.
      const [state, v] = typeof l.visit === 'string' ? [l.visit, {}] : Object.entries(l.visit ?? { '?': {} })[0];
      const where = v.url ? ` ${new URL(v.url).pathname}` : v.step !== undefined ? ` step ${v.step}` : '';
      return `${l.role}(tab ${l.tab ?? '-'} ${state}${where})`;
    }).join(' ');
    const done = (j.steps ?? []).filter((s) => s.outcome).length;
    return `${j.kind} ${j.status}${j.woundUp ? ' wound-up' : ''} ${done}/${j.steps?.length ?? '?'} done ${lanes}`;
  };
  api.storage.onChanged.addListener((changes, area) => {
    for (const [key, c] of Object.entries(changes)) {
      if (area === 'local' && key === 'state') {
        note(c.newValue === undefined ? 'storage.local: state ERASED' : `storage.local: state stored, ${Object.keys(c.newValue.settings ?? {}).length} settings: ${rows(c.newValue)}`);
        // What a read made now returns (as the popup's renderSummary does on this event).
        const told = rows(c.newValue);
        api.storage.local.get('state').then((r) => {
          const got = rows(r.state);
          note(got === told ? 'storage.local read on that event: as the event says' : `storage.local read on that event: STALE, ${Object.keys(r.state?.settings ?? {}).length} settings`);
        });
      } else if (area === 'session' && key === 'job') {
        note(c.newValue === undefined ? 'storage.session: job ERASED' : `storage.session: job ${jobLine(c.newValue)}`);
      } else if (area === 'local' || area === 'session') {
        note(`storage.${area}: ${key} ${c.newValue === undefined ? 'erased' : 'written'}`);
      }
    }
  });
  // What the popup logs (lib/store.js log: a render that failed says so here).
  const warn = console.warn;
  console.warn = (...args) => { note(`popup logged: ${args.map(String).join(' ').slice(0, 200)}`); warn.apply(console, args); };
  // What the popup draws: the job box's kind and status, and the rows that say "not checked".
  const box = document.getElementById('job');
  const settings = document.getElementById('settings');
  let lastBox = null;
  let lastRows = null;
  const drawn = () => {
    const b = box.hidden ? 'hidden' : `${box.dataset.kind}:${box.dataset.status} "${document.getElementById('job-status').textContent.slice(0, 60)}"`;
    if (b !== lastBox) { note(`popup draws job box ${b}`); lastBox = b; }
    const unchecked = [...settings.querySelectorAll('[data-setting]')]
      .filter((li) => li.dataset.reason === 'not-checked').map((li) => li.dataset.setting);
    const r = `${unchecked.length} rows not checked${unchecked.length && unchecked.length < 8 ? ` (${unchecked.join(' ')})` : ''}`;
    if (r !== lastRows) { note(`popup draws rows: ${r}`); lastRows = r; }
  };
  drawn();
  new MutationObserver(drawn).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden', 'data-kind', 'data-status', 'data-reason'] });
  return true;
}

/** Starts recording in `popup` (a Page of tests/lib/browsers.mjs showing popup.html). */
export function startTimeline(popup) {
  return popup.eval(installTimeline);
}

/**
 * The recorded entries with `server`'s page loads (documents of /mypreferences/, /psettings/,
 * /settings/, /login) since the first entry, as lines "+ms  what", oldest first.
 */
export async function timeline(popup, server) {
  const entries = (await popup.eval(() => window.__timeline ?? []).catch((e) => [{ t: Date.now(), what: `(popup unreadable: ${e.message})` }])) ?? [];
  const t0 = entries.length ? entries[0].t : Date.now();
  const loads = (server?.requests ?? [])
    .filter((r) => r.time >= t0 && /^\/(mypreferences|psettings|settings|login|checkpoint)\//.test(r.url))
    .map((r) => ({ t: r.time, what: `server: ${r.method} ${r.url}` }));
  return [...entries, ...loads].sort((a, b) => a.t - b.t).map((e) => `+${String(e.t - t0).padStart(6)} ms  ${e.what}`);
}
