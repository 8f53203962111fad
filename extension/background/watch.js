// Watching over time: a system notification when a setting turns (back) on, and the
// optional reminder to check again. Both only if the person asked for them; reminders
// never open LinkedIn.
import { core } from '../lib/core.js';
import { readOptions, log } from '../lib/store.js';
import { managed } from './state.js';

const api = globalThis.OptOutApi;
const REMINDER = 'recheck';
const { msg, say } = globalThis.OptOutText;

async function notify(title, message) {
  if (!api.notifications || !(await api.permissions.contains({ permissions: ['notifications'] }))) return;
  await api.notifications.create(`opt-out-lens-${Date.now()}`, {
    type: 'basic',
    iconUrl: api.runtime.getURL('icons/icon-128.png'),
    title,
    message,
  });
}

/** A system notification when a setting turned (back) on, if the person asked for them. */
export async function notifyNewAlerts(before, after) {
  if (core.alertsAdded(before, after).length === 0) return;
  const policy = await managed();
  if (!core.effectiveOptions(await readOptions(), policy, '', []).notify) return;
  const summary = core.summary(after, Date.now(), null, policy);
  if (summary.warning) await notify(msg('notifyFlipTitle'), say(summary.warning));
}

/** Keeps the reminder alarm in step with the options and the administrator's policy. */
export async function syncReminder() {
  if (!api.alarms) return;
  const days = core.effectiveOptions(await readOptions(), await managed(), '', []).remindDays;
  if (days > 0) {
    const existing = await api.alarms.get(REMINDER);
    if (existing?.periodInMinutes !== days * 1440) await api.alarms.create(REMINDER, { periodInMinutes: days * 1440 });
  } else {
    await api.alarms.clear(REMINDER);
  }
}

/** Listens for the reminder, once the alarms API is there (optional in Chrome). */
export function listenForAlarms() {
  if (!api.alarms || listenForAlarms.done) return;
  listenForAlarms.done = true;
  api.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === REMINDER) notify(msg('remindTitle'), msg('remindBody')).catch((e) => log('reminder', e));
  });
}
