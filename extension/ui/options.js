// Options: the person's region (guessed, shown, changeable) and the optional watching
// features (notifications, reminders). Optional permissions are asked for only when the
// person turns a feature on.
import { core, coreReady } from '../lib/core.js';
import { ask, readEffectiveOptions, timeZone } from '../lib/store.js';

const api = globalThis.OptOutApi;
const $ = (id) => document.getElementById(id);
const { msg } = globalThis.OptOutText;

/** The background stores the choice (it alone writes storage.local). */
async function save(change) {
  await ask({ type: 'options-set', options: change });
  $('saved').textContent = msg('optionsSaved');
}

async function main() {
  OptOutText.translate(document);
  await coreReady();
  const applies = await readEffectiveOptions();
  const guess = core.guessRegion(timeZone(), [...navigator.languages]);
  const select = $('region');
  for (const r of core.regions()) {
    const o = document.createElement('option');
    o.value = r.code;
    o.textContent = msg(r.name);
    select.append(o);
  }
  select.value = applies.region;
  select.disabled = applies.regionManaged;
  $('region-guess').textContent = msg('optionsRegionGuess', msg(`region_${guess}`));
  select.addEventListener('change', () => save({ region: select.value }));

  const notify = $('notify');
  notify.checked = applies.notify;
  notify.addEventListener('change', async () => {
    // Asked for at the moment the person turns it on (a user gesture), never at install.
    const granted = !notify.checked || (await api.permissions.request({ permissions: ['notifications'] }));
    if (!granted) notify.checked = false;
    await save({ notify: notify.checked });
  });

  // Quiet mode: off, the extension adds nothing to LinkedIn's pages (no attributes,
  // elements or styles); the popup, Check all and guided opt-out work the same.
  const showMarks = $('show-marks');
  showMarks.checked = applies.showMarks;
  showMarks.addEventListener('change', () => save({ showMarks: showMarks.checked }));

  const remind = $('remind');
  remind.value = String(applies.remindDays);
  remind.disabled = applies.remindManaged;
  $('managed').hidden = !applies.managed;
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
