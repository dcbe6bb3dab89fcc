// Benchmark, not a test: time from the last keystroke of a subject to the rendered
// suggestions, read from performance marks in Chromium. Prints the median and p90,
// with and without the 150 ms debounce. Needs a running server (BENCH_URL).
import { chromium } from '@playwright/test';

const base = process.env.BENCH_URL ?? 'http://127.0.0.1:3000';
const subjects = [
  'impossible de telecharger le document signe',
  'le destinataire ne recoit pas le mail',
  'enveloppe bloquee en cours envoi',
  'erreur certificat ksign expire',
  'modifier le modele partage',
  'facture avec numero de TVA',
  'probleme de SSO avec Azure',
  'signataire a refuse par erreur',
  'workflow SpringCM bloque',
  'horodatage Protect Sign en erreur',
];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
// Signed in through the API, the cookie handed to the browser.
const signIn = await fetch(`${base}/api/sign_in`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  body: 'family=esignature&email=claire.martin%40example.com&password=guichet-demo',
});
const session = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('guichet_session='));
if (!session) throw new Error(`sign-in failed: ${signIn.status}`);
const context = await browser.newContext({ locale: 'fr-FR' });
const [name, value] = session.split('=');
await context.addCookies([{ name, value, url: base }]);
const page = await context.newPage();
await page.goto(`${base}/tickets/new`);
await page.waitForSelector('html[data-hydrated="true"]');
const subject = page.locator('#field-subject');
const times = [];
for (const s of subjects) {
  await subject.fill('');
  await subject.pressSequentially(s.slice(0, -1), { delay: 20 });
  await page.waitForTimeout(400);
  await page.evaluate(() => performance.clearMarks());
  await page.evaluate(() => performance.mark('guichet:last-key'));
  await subject.press(s.slice(-1));
  const ms = await page.evaluate(() => new Promise((resolve) => {
    const start = performance.getEntriesByName('guichet:last-key')[0].startTime;
    const poll = () => {
      const done = performance.getEntriesByName('guichet:suggestions-rendered')[0];
      if (done) resolve(done.startTime - start);
      else if (performance.now() - start > 5000) resolve(NaN);
      else setTimeout(poll, 2);
    };
    poll();
  }));
  if (Number.isNaN(ms)) throw new Error(`no suggestions rendered for ${JSON.stringify(s)} (is the bundle current?)`);
  times.push(ms);
}
await browser.close();
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
const f = (x) => x.toFixed(1).padStart(7);
console.log(`subjects: ${times.length}`);
console.log(`last key -> rendered:            median ${f(at(0.5))} ms   p90 ${f(at(0.9))} ms`);
console.log(`the same without the 150 ms wait: median ${f(at(0.5) - 150)} ms   p90 ${f(at(0.9) - 150)} ms`);
