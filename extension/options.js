// Options: the person's region (guessed, shown, changeable) and the optional watching
// features (notifications, reminders). Optional permissions are asked for only when the
// person turns a feature on.
import init, * as core from './core/opt_out_lens_core.js';

const api = globalThis.browser ?? globalThis.chrome;
const OPTIONS_KEY = 'options';
const $ = (id) => document.getElementById(id);
const { msg } = OptOutText;

async function load() {
  return (await api.storage.local.get(OPTIONS_KEY))[OPTIONS_KEY] ?? {};
}

async function save(change) {
  const next = { ...(await load()), ...change };
  await api.storage.local.set({ [OPTIONS_KEY]: next });
  $('saved').textContent = msg('optionsSaved');
}

async function main() {
  OptOutText.translate(document);
  await init({ module_or_path: new URL('./core/opt_out_lens_core_bg.wasm', import.meta.url) });
  const options = await load();
  let policy = {};
  try {
    policy = core.loadManaged(await api.storage.managed.get(null)).managed;
  } catch {
    // No policy.
  }
  const guess = core.guessRegion(Intl.DateTimeFormat().resolvedOptions().timeZone ?? '', [...navigator.languages]);
  const select = $('region');
  for (const r of core.regions()) {
    const o = document.createElement('option');
    o.value = r.code;
    o.textContent = msg(r.name);
    select.append(o);
  }
  select.value = policy.region ?? options.region ?? guess;
  select.disabled = policy.region != null;
  $('region-guess').textContent = msg('optionsRegionGuess', msg(`region_${guess}`));
  select.addEventListener('change', () => save({ region: select.value }));

  const notify = $('notify');
  notify.checked = options.notify === true;
  notify.addEventListener('change', async () => {
    // Asked for at the moment the person turns it on (a user gesture), never at install.
    const granted = !notify.checked || (await api.permissions.request({ permissions: ['notifications'] }));
    if (!granted) notify.checked = false;
    await save({ notify: notify.checked });
  });

  const remind = $('remind');
  remind.value = String(policy.reminderDays ?? options.remindDays ?? 0);
  remind.disabled = policy.reminderDays != null;
  $('managed').hidden = policy.region == null && policy.reminderDays == null && policy.watchSettings == null && policy.allowOptOut == null;
  remind.addEventListener('change', async () => {
    const days = Number(remind.value);
    // Optional where the browser allows it (Chrome); Firefox grants it with the extension.
    const optional = (api.runtime.getManifest().optional_permissions ?? []).includes('alarms');
    const granted = days === 0 || !optional || (await api.permissions.request({ permissions: ['alarms'] }));
    if (!granted) remind.value = '0';
    await save({ remindDays: granted ? days : 0 });
  });
}

main().catch((e) => {
  $('saved').textContent = msg('couldNotStartApp', e?.message ?? e);
});
