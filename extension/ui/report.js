// "Report a problem": the core builds the report from what the background kept of the
// settings pages read in this browser session (already without personal data); the
// person sees all of it here before anything leaves the popup, and may copy it or save
// it as a file. Nothing is sent: the extension makes no network requests.
import { core } from '../lib/core.js';
import { JOB_KEY, REPORT_KEY, readStored } from '../lib/store.js';

const api = globalThis.OptOutApi;
const $ = (id) => document.getElementById(id);
const { msg } = OptOutText;

let current = null; // {json, markdown} shown in the dialog

/** Offers a file for download (a Blob URL; nothing leaves the browser). */
export function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const stamp = () => new Date().toISOString().slice(0, 10);

/** Builds the report about `setting` (or about everything) and shows it whole. */
export async function openReport(setting) {
  const session = await api.storage.session.get([REPORT_KEY, JOB_KEY]);
  const env = { extensionVersion: api.runtime.getManifest().version, userAgent: navigator.userAgent };
  const lookup = (key, args) => api.i18n.getMessage(key, args);
  current = core.reportBuild(session[REPORT_KEY], setting ?? undefined, (await readStored()).stored, session[JOB_KEY] ?? undefined, env, Date.now(), lookup);
  const dialog = $('report');
  dialog.dataset.setting = setting ?? '';
  $('report-text').textContent = current.markdown;
  $('report-copy').textContent = msg('reportCopy');
  dialog.showModal();
  $('report-close').focus();
}

/** Wires the dialog's buttons once. */
export function setUpReport() {
  $('report-copy').addEventListener('click', async () => {
    if (!current) return;
    await navigator.clipboard.writeText(current.markdown);
    $('report-copy').textContent = msg('reportCopied');
  });
  $('report-save-md').addEventListener('click', () => current && download(`opt-out-lens-report-${stamp()}.md`, 'text/markdown', current.markdown));
  $('report-save-json').addEventListener('click', () =>
    current && download(`opt-out-lens-report-${stamp()}.json`, 'application/json', `${JSON.stringify(current.json, null, 2)}\n`));
  $('report-close').addEventListener('click', () => $('report').close());
  $('report-open').addEventListener('click', () => openReport(undefined));
}
