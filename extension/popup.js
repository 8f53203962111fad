// The popup: shows the core's summary of the stored state and the progress of a running
// job. It reads storage itself, so it also works when opened as a page, and builds its
// DOM from text nodes only. It changes nothing on LinkedIn without the person's
// confirmation in its own dialog.
import init, * as core from './core/opt_out_lens_core.js';

const api = globalThis.browser ?? globalThis.chrome;
const STATE_KEY = 'state';
const JOB_KEY = 'job';
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function button(text, attrs, onClick) {
  const b = el('button', { type: 'button', ...attrs }, text);
  b.addEventListener('click', onClick);
  return b;
}

async function send(msg) {
  const reply = await api.runtime.sendMessage(msg).catch((e) => ({ error: e.message }));
  if (reply?.error) throw new Error(reply.error);
  return reply;
}

const STATE_WORD = { on: 'ON', off: 'OFF', unknown: 'UNKNOWN' };
let summary = null;
let job = null;

function row(r) {
  const look = r.state === 'unknown' ? 'unknown' : r.protective ? 'protective' : 'exposed';
  const buttons = el('span', { class: 'row-actions' });
  if (look === 'exposed' && r.url) {
    buttons.append(button('Turn off', { 'data-action': 'turn-off', 'aria-label': `Turn off: ${r.title}` }, () => confirmTurnOff([r])));
  }
  if (r.alert) {
    buttons.append(button('Dismiss', { 'data-action': 'dismiss', 'aria-label': `Dismiss the warning about ${r.title}` }, () =>
      send({ type: 'alert-dismiss', setting: r.id })));
  }
  if (r.url) {
    const show = button('Show me', { 'data-action': 'show', 'aria-label': `Show me: ${r.title}` }, async () => {
      show.disabled = true;
      try {
        await send({ type: 'show', setting: r.id });
        if (!document.body.classList.contains('as-tab')) window.close();
      } catch {
        show.textContent = 'Could not open';
      } finally {
        show.disabled = false;
      }
    });
    buttons.append(show);
  }
  return el(
    'li',
    {
      'data-setting': r.id,
      'data-state': r.state,
      'data-reason': r.reason,
      'data-look': look,
      'data-alert': r.alert,
      'data-changed': r.changedAtLastCheck ? 'true' : null,
    },
    el('div', { class: 'top' },
      el('span', { 'data-field': 'title' }, r.title),
      el('span', { class: 'pill', 'data-field': 'state' }, STATE_WORD[r.state])),
    r.stateText ? el('p', { 'data-field': 'meaning' }, r.stateText) : null,
    r.reasonText ? el('p', { 'data-field': 'reason' }, r.reasonText) : null,
    r.changedText ? el('p', { 'data-field': 'changed' }, (r.changedAtLastCheck ? 'New at the last check. ' : '') + r.changedText) : null,
    el('div', { class: 'bottom' }, el('span', { 'data-field': 'seen' }, r.seenText ?? 'Never checked'), buttons),
  );
}

async function loadStored() {
  const raw = (await api.storage.local.get(STATE_KEY))[STATE_KEY];
  const { stored, resetReason } = core.loadState(raw);
  if (resetReason) console.warn('Opt-Out Lens:', resetReason);
  return stored;
}

async function renderSummary() {
  summary = core.summary(await loadStored(), Date.now());
  $('headline').textContent = summary.headline;
  $('subline').textContent = summary.subline ?? '';
  $('warning').hidden = !summary.warning;
  $('warning').textContent = summary.warning ?? '';
  $('settings').replaceChildren(...summary.rows.map(row));
  $('links').replaceChildren(
    ...summary.links.map((l) => el('li', {}, el('a', { href: l.url, target: '_blank', rel: 'noreferrer' }, l.title))),
  );
  renderActions();
}

const exposedRows = () => (summary?.rows ?? []).filter((r) => r.state !== 'unknown' && !r.protective && r.url);

function renderActions() {
  const running = job?.status === 'running';
  const n = exposedRows().length;
  $('check-all').disabled = running;
  $('turn-off-all').hidden = n === 0;
  $('turn-off-all').disabled = running;
  $('turn-off-all').textContent = n === 1 ? 'Turn off 1 setting' : `Turn off all ${n}`;
  for (const b of document.querySelectorAll('[data-action="turn-off"]')) b.disabled = running;
}

const OUTCOME_TEXT = {
  on: 'on',
  off: 'off',
  unknown: 'unknown',
  'turned-off': 'turned off',
  'already-off': 'already off',
  failed: 'failed',
};

function renderJob() {
  const box = $('job');
  if (!job) {
    box.hidden = true;
    renderActions();
    return;
  }
  box.hidden = false;
  box.dataset.kind = job.kind;
  box.dataset.status = job.status;
  const done = job.steps.filter((s) => s.outcome).length;
  const total = job.steps.length;
  const title = (id) => summary?.rows.find((r) => r.id === id)?.title ?? id;
  const verb = job.kind === 'sweep' ? 'Checking' : 'Turning off';
  const current = job.steps[job.current];
  let status;
  if (job.status === 'running') {
    status = `${verb}: ${done + 1 > total ? total : done + 1} of ${total}`;
    if (current) status += ` — ${title(current.setting)}`;
    if (current?.awaitingConfirmation) status += '. LinkedIn is asking you to confirm on its page: the tab is open for you.';
  } else if (job.status === 'stopped' && job.stopReason === 'not-logged-in') {
    status = 'Stopped: you are not signed in to LinkedIn. Sign in and try again; nothing stored was changed.';
  } else if (job.status === 'cancelled') {
    status = `Cancelled after ${done - job.steps.filter((s) => s.reason === 'cancelled').length} of ${total}.`;
  } else {
    status = job.kind === 'sweep' ? `Checked all ${total} settings.` : 'Done.';
  }
  $('job-status').textContent = status;
  $('job-progress').max = total;
  $('job-progress').value = done;
  $('job-progress').hidden = job.status !== 'running';
  $('job-cancel').hidden = job.status !== 'running';
  // Opt-out shows its exact result per setting; a sweep's result is the summary below.
  const results = job.kind === 'opt-out' ? job.steps.filter((s) => s.outcome) : [];
  $('job-results').replaceChildren(
    ...results.map((s) => {
      const why = s.reason ? `: ${core.reasonText(s.reason)}` : '';
      return el('li', { 'data-result': s.setting, 'data-outcome': s.outcome }, `${title(s.setting)} — ${OUTCOME_TEXT[s.outcome]}${why}`);
    }),
  );
  renderActions();
}

async function loadJob() {
  job = (await api.storage.session.get(JOB_KEY))[JOB_KEY] ?? null;
  renderJob();
}

/** Asks the person, in the popup's own dialog, before anything is changed on LinkedIn. */
function confirmTurnOff(rows) {
  if (rows.length === 0) return;
  const dialog = $('confirm');
  $('confirm-list').replaceChildren(...rows.map((r) => el('li', { 'data-confirm': r.id }, r.title)));
  $('confirm-yes').textContent = rows.length === 1 ? 'Turn off 1 setting' : `Turn off ${rows.length} settings`;
  dialog.returnValue = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'yes') return;
    try {
      await send({ type: 'job-start', kind: 'opt-out', settings: rows.map((r) => r.id) });
    } catch (e) {
      $('job-status').textContent = `Could not start: ${e.message}`;
      $('job').hidden = false;
    }
  };
  dialog.showModal();
  $('confirm-no').focus();
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function stamp() {
  return new Date().toISOString().slice(0, 10);
}

async function main() {
  // Opened as a tab (not the toolbar popup) the page may be wider; close() would shut the tab.
  if (location.search.includes('tab') || window.outerWidth > 700) document.body.classList.add('as-tab');
  await init({ module_or_path: new URL('./core/opt_out_lens_core_bg.wasm', import.meta.url) });
  $('check-all').addEventListener('click', () => send({ type: 'job-start', kind: 'sweep' }).catch((e) => {
    $('job-status').textContent = `Could not start: ${e.message}`;
    $('job').hidden = false;
  }));
  $('turn-off-all').addEventListener('click', () => confirmTurnOff(exposedRows()));
  $('job-cancel').addEventListener('click', () => send({ type: 'job-cancel' }));
  $('export-json').addEventListener('click', async () => {
    const data = core.exportJson(await loadStored(), Date.now());
    download(`opt-out-lens-${stamp()}.json`, 'application/json', JSON.stringify(data, null, 2) + '\n');
  });
  $('export-md').addEventListener('click', async () => {
    download(`opt-out-lens-${stamp()}.md`, 'text/markdown', core.exportMarkdown(await loadStored(), Date.now()));
  });
  $('forget').addEventListener('click', () => {
    const dialog = $('forget-confirm');
    dialog.returnValue = '';
    dialog.onclose = () => dialog.returnValue === 'yes' && send({ type: 'forget' });
    dialog.showModal();
    $('forget-no').focus();
  });
  await renderSummary();
  await loadJob();
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'local') renderSummary();
    if (area === 'session' && JOB_KEY in changes) loadJob();
  });
  // While a job runs, wake the background every second: a stopped service worker
  // resumes its clock, so a page that never answers cannot hang the job.
  setInterval(() => {
    if (job?.status === 'running') send({ type: 'job-tick' }).catch(() => {});
  }, 1000);
}

main().catch((e) => {
  $('headline').textContent = `Opt-Out Lens could not start: ${e?.message ?? e}`;
});
