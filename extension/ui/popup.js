// The popup: shows the core's summary of the stored state and the progress of a running
// job. It reads storage itself, so it also works when opened as a page, and builds its
// DOM from text nodes only. It changes nothing on LinkedIn without the person's
// confirmation in its own dialog.
import { core, coreReady } from '../lib/core.js';
import { JOB_KEY, ORG_KEY, ask as send, log, readManaged, readOrg, readRegion, readStored } from '../lib/store.js';
import { download, openReport, setUpReport } from './report.js';
import { placeObjection } from './objection.js';

const api = globalThis.OptOutApi;
const ENTRA_ORIGINS = api.runtime.getManifest().optional_host_permissions ?? [];
const $ = (id) => document.getElementById(id);
const { say, msg } = OptOutText;

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

let summary = null;
// The running or last job, as the core words it (the job itself is the core's text).
let jobWords = null;
let retry = null; // "Try the failed ones again": {kind, settings} from the core

function row(r) {
  const title = say(r.title);
  const buttons = el('span', { class: 'row-actions' });
  if (r.canTurnOff) {
    buttons.append(button(msg('turnOff'), { 'data-action': 'turn-off', 'aria-label': msg('turnOffFor', title) }, () => confirmTurnOff([r])));
  }
  if (r.alert) {
    buttons.append(button(msg('dismiss'), { 'data-action': 'dismiss', 'aria-label': msg('dismissFor', title) }, () =>
      send({ type: 'alert-dismiss', setting: r.id })));
  }
  // A setting whose state could not be read: what the extension saw, for the developers.
  if (r.reportable) {
    buttons.append(button(msg('reportProblem'), { 'data-action': 'report', 'aria-label': msg('reportProblemFor', title) }, () => openReport(r.id)));
  }
  if (r.url) {
    const show = button(msg('showMe'), { 'data-action': 'show', 'aria-label': msg('showMeFor', title) }, async () => {
      show.disabled = true;
      try {
        await send({ type: 'show', setting: r.id });
        if (!document.body.classList.contains('as-tab')) window.close();
      } catch {
        show.textContent = msg('couldNotOpen');
      } finally {
        show.disabled = false;
      }
    });
    buttons.append(show);
  }
  const changed = r.changedText ? (r.changedAtLastCheck ? `${msg('changedAtLastCheck')} ` : '') + say(r.changedText) : null;
  return el(
    'li',
    {
      'data-setting': r.id,
      'data-state': r.state,
      'data-reason': r.reason,
      'data-look': r.look,
      'data-alert': r.alert,
      'data-changed': r.changedAtLastCheck ? 'true' : null,
      'data-read-only': r.readOnly ? 'true' : null,
    },
    el('div', { class: 'top' },
      el('span', { 'data-field': 'title' }, title),
      el('span', { class: 'pill', 'data-field': 'state' }, say(r.pill))),
    r.stateText ? el('p', { 'data-field': 'meaning' }, say(r.stateText)) : null,
    r.reasonText ? el('p', { 'data-field': 'reason' }, say(r.reasonText)) : null,
    r.regionText ? el('p', { 'data-field': 'region' }, say(r.regionText)) : null,
    changed ? el('p', { 'data-field': 'changed' }, changed) : null,
    el('div', { class: 'bottom' }, el('span', { 'data-field': 'seen' }, r.seenText ? say(r.seenText) : msg('neverChecked')), buttons),
  );
}

async function loadStored() {
  return (await readStored()).stored;
}

async function renderSummary() {
  summary = core.summary(await loadStored(), Date.now(), await readRegion(), await readManaged());
  $('managed-note').hidden = !summary.managed;
  $('headline').textContent = say(summary.headline);
  $('lead').textContent = say(summary.lead);
  $('subline').textContent = say(summary.subline);
  $('gpc').hidden = !summary.gpc;
  $('gpc').textContent = say(summary.gpc);
  $('registry').textContent = summary.org.officeRegistry;
  $('warning').hidden = !summary.warning;
  $('warning').textContent = say(summary.warning);
  // Grouped as LinkedIn's own pages group them, in the core's order.
  $('settings').replaceChildren(...summary.sections.map((sec) => el('section', { 'data-section': sec.id, 'aria-labelledby': `section-${sec.id}` },
    el('h2', { id: `section-${sec.id}` }, say(sec.title)),
    el('ul', {}, ...summary.rows.filter((r) => r.section === sec.id).map(row)))));
  // LinkedIn's objection form, beside the AI setting; counted apart from the switches.
  placeObjection($('settings'), $('objection-note'), summary.objection);
  $('links').replaceChildren(
    ...summary.links.map((l) => el('li', {}, el('a', { href: l.url, target: '_blank', rel: 'noreferrer' }, say(l.title)))),
  );
  renderActions();
}

const exposedRows = () =>
  (summary?.rows ?? []).filter((r) => r.canTurnOff);

function renderActions() {
  // While a job runs (the core says), every button that starts one stays disabled.
  const running = jobWords?.running === true;
  $('job-retry').disabled = running;
  const n = exposedRows().length;
  $('check-all').disabled = running;
  $('turn-off-all').hidden = n === 0;
  $('turn-off-all').disabled = running;
  $('turn-off-all').textContent = n === 1 ? msg('turnOffOne') : msg('turnOffAll', n);
  for (const b of document.querySelectorAll('[data-action="turn-off"]')) b.disabled = running;
}

function renderJob() {
  const box = $('job');
  if (!jobWords) {
    box.hidden = true;
    renderActions();
    return;
  }
  const words = jobWords;
  box.hidden = false;
  box.dataset.kind = words.kind;
  box.dataset.status = words.status;
  // The core's words: what was read, what could not be, and why.
  let status = words.sentences.map(say).join(' ');
  if (words.running) {
    if (words.current) status += ` — ${say(words.current)}`;
    if (words.awaitingConfirmation) status += `. ${msg('jobAwaitingConfirmation')}`;
  }
  $('job-status').textContent = status;
  retry = words.retry.length > 0 ? { kind: words.retryKind, settings: words.retry } : null;
  $('job-retry').hidden = !retry;
  $('job-progress').max = words.total;
  $('job-progress').value = words.done;
  $('job-progress').hidden = !words.running;
  $('job-cancel').hidden = !words.running;
  // Opt-out shows its exact result per setting; a sweep's result is the summary below.
  $('job-results').replaceChildren(
    ...words.results.map((r) => el('li', { 'data-result': r.setting, 'data-outcome': r.outcome }, say(r.text))),
  );
  renderActions();
}

/** The organisation section: the Entra answer seen last, or the button that allows looking. */
async function renderOrg() {
  const granted = await api.permissions.contains({ permissions: ['scripting'], origins: ENTRA_ORIGINS });
  const entra = (await readOrg()).entra;
  $('org-grant').hidden = granted;
  $('entra-open').hidden = !granted;
  $('entra').dataset.state = entra?.state ?? '';
  $('entra-status').textContent = !granted
    ? msg('orgGrantWhy')
    : entra
      ? `${say(core.entraDescribe(entra))} (${say(core.agoText(Date.now(), entra.checkedAt))})`
      : msg('orgEntraNotSeen');
}

async function loadJob() {
  const job = (await api.storage.session.get(JOB_KEY))[JOB_KEY];
  jobWords = typeof job === 'string' ? core.jobSummary(job) : null;
  renderJob();
}

/** Asks the person, in the popup's own dialog, before anything is changed on LinkedIn. */
function confirmTurnOff(rows) {
  if (rows.length === 0) return;
  const dialog = $('confirm');
  $('confirm-list').replaceChildren(...rows.map((r) => el('li', { 'data-confirm': r.id }, say(r.title))));
  $('confirm-yes').textContent = rows.length === 1 ? msg('confirmYesOne') : msg('confirmYes', rows.length);
  dialog.returnValue = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'yes') return;
    await startJob({ kind: 'opt-out', settings: rows.map((r) => r.id) });
  };
  dialog.showModal();
  $('confirm-no').focus();
}

/** Starts a job; a refusal is said in the core's words. */
async function startJob(what) {
  let why = null;
  try {
    const reply = await send({ type: 'job-start', ...what });
    if (!reply.started) why = say(reply.refused);
  } catch (e) {
    why = e.message;
  }
  if (why !== null) {
    $('job-status').textContent = msg('jobCouldNotStart', why);
    $('job').hidden = false;
  }
}

/** "Try the failed ones again": a check of those at once; turning off asks first, as always. */
function retryFailed() {
  if (!retry) return;
  if (retry.kind === 'sweep') return startJob({ kind: 'sweep', settings: retry.settings });
  confirmTurnOff((summary?.rows ?? []).filter((r) => retry.settings.includes(r.id)));
}

function stamp() {
  return new Date().toISOString().slice(0, 10);
}

async function main() {
  // Opened as a tab (not the toolbar popup) the page may be wider; close() would shut the tab.
  if (location.search.includes('tab') || window.outerWidth > 700) document.body.classList.add('as-tab');
  OptOutText.translate(document);
  await coreReady();
  $('check-all').addEventListener('click', () => startJob({ kind: 'sweep' }));
  $('job-retry').addEventListener('click', retryFailed);
  setUpReport();
  $('open-options').addEventListener('click', () => api.runtime.openOptionsPage());
  $('open-history').addEventListener('click', () => api.tabs.create({ url: api.runtime.getURL('history.html') }));
  $('org-grant').addEventListener('click', async () => {
    // Asked for only here, when the person says they manage a tenant.
    await api.permissions.request({ permissions: ['scripting'], origins: ENTRA_ORIGINS }).catch(() => false);
    await renderOrg();
  });
  $('partners').href = core.partnersUrl();
  $('entra-open').addEventListener('click', () => api.tabs.create({ url: core.entraSettingsUrl() }));
  $('copy-registry').addEventListener('click', async () => {
    await navigator.clipboard.writeText($('registry').textContent);
    $('copy-registry').textContent = msg('orgCopied');
  });
  $('turn-off-all').addEventListener('click', () => confirmTurnOff(exposedRows()));
  $('job-cancel').addEventListener('click', () => send({ type: 'job-cancel' }));
  $('export-json').addEventListener('click', async () => {
    const data = core.exportJson(await loadStored(), Date.now());
    download(`opt-out-lens-${stamp()}.json`, 'application/json', JSON.stringify(data, null, 2) + '\n');
  });
  $('export-md').addEventListener('click', async () => {
    const lookup = (key, args) => api.i18n.getMessage(key, args);
    download(`opt-out-lens-${stamp()}.md`, 'text/markdown', core.exportMarkdown(await loadStored(), Date.now(), lookup));
  });
  $('forget').addEventListener('click', () => {
    const dialog = $('forget-confirm');
    dialog.returnValue = '';
    dialog.onclose = () => dialog.returnValue === 'yes' && send({ type: 'forget' });
    dialog.showModal();
    $('forget-no').focus();
  });
  // Renders in the order the changes came: the background stores what a page showed before
  // the job's next step, so the job box never says "Checked all" beside a row not yet drawn.
  // Heard from the start: a change made while the first renders run (a job starting, a
  // "Forget everything") is drawn after them, never missed.
  const first = renderSummary().then(loadJob).then(renderOrg);
  let rendering = first.catch(() => {});
  const inTurn = (render) => {
    rendering = rendering.then(render).catch((e) => log('popup render', e?.message ?? e));
  };
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' || area === 'managed') inTurn(renderSummary);
    if (area === 'local' && ORG_KEY in changes) inTurn(renderOrg);
    // The job box is drawn after the rows, from a reading made after the job was stored
    // (the background stores what a page showed before the job's step): never "Checked
    // all" beside a row that is not drawn yet.
    if (area === 'session' && JOB_KEY in changes) inTurn(() => renderSummary().then(loadJob));
  });
  await first; // a first render that fails says so in the headline
  // While a job runs, wake the background every second: a stopped service worker
  // resumes its clock, so a page that never answers cannot hang the job.
  setInterval(() => {
    if (jobWords?.running) send({ type: 'job-tick' }).catch(() => {});
  }, 1000);
}

main().catch((e) => {
  $('headline').textContent = msg('couldNotStartApp', e?.message ?? e);
});
