// Shrinks the built extension's locales: the browser reads only each message's `message`
// and `placeholders.*.content`; the `description`s and `example`s are for translators and
// stay in extension/_locales/. Usage: node tools/locales.mjs <built extension dir>
import fs from 'node:fs';
import path from 'node:path';

const dir = path.join(process.argv[2], '_locales');
// Norwegian: Chrome reads _locales/no, Firefox looks for nb_NO then nb, so ship no also as nb.
const no = path.join(dir, 'no');
if (fs.existsSync(no)) fs.cpSync(no, path.join(dir, 'nb'), { recursive: true });
for (const lang of fs.readdirSync(dir)) {
  const file = path.join(dir, lang, 'messages.json');
  const messages = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const entry of Object.values(messages)) {
    delete entry.description;
    for (const p of Object.values(entry.placeholders ?? {})) delete p.example;
  }
  fs.writeFileSync(file, JSON.stringify(messages));
}
