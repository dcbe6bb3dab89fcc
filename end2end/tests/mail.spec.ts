import { test, expect, signIn, hydrated, expectAccessible, openAccountMenu, L, Lang, ADMIN, DEMO_PASSWORD } from './support/fixtures';
import { Browser, Page } from '@playwright/test';

/// The password-reset pages and the e-mails, per language (app/locales, server/locales).
const P = {
  fr: {
    forgot: 'Mot de passe oublié ?', sendLink: 'Envoyer le lien',
    sent: 'Si un compte utilise cette adresse, un lien lui a été envoyé.',
    newPw: 'Nouveau mot de passe', confirm: 'Confirmez le nouveau mot de passe', save: 'Enregistrer le mot de passe',
    tooShort: 'Le mot de passe doit contenir au moins 10 caractères.',
    mismatch: 'Les deux mots de passe ne sont pas identiques.',
    changed: 'Votre mot de passe a été changé',
    invalid: 'Ce lien n’est plus valable',
    mailSubject: 'Réinitialisez votre mot de passe Guichet',
    noReply: 'Ne répondez pas à cet e-mail',
    user: 'nathalie.roux@example.com',
    created: 'a été créé. Notre équipe vous répondra',
  },
  en: {
    forgot: 'Forgot your password?', sendLink: 'Send the link',
    sent: 'If an account uses this address, a link has been sent to it.',
    newPw: 'New password', confirm: 'Confirm the new password', save: 'Save the password',
    tooShort: 'The password must have at least 10 characters.',
    mismatch: 'The two passwords are not the same.',
    changed: 'Your password has been changed',
    invalid: 'This link is no longer valid',
    mailSubject: 'Reset your Guichet password',
    noReply: 'Do not reply to this e-mail',
    user: 'oliver.reed@example.com',
    created: 'has been created. Our team will answer you',
  },
};

/// The admin (English) opens the e-mails page from the account menu and reads the
/// newest message to `to` whose summary contains `subject`; returns its text.
async function readMail(browser: Browser, to: string, subject: string): Promise<{ text: string; admin: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ locale: 'en-US' });
  const admin = await context.newPage();
  await signIn(admin, L.en, ADMIN);
  await openAccountMenu(admin);
  await admin.getByRole('link', { name: 'E-mails' }).click();
  await expect(admin.getByRole('heading', { level: 1, name: 'E-mails' })).toBeVisible();
  const mail = admin.locator(`li[data-to="${to}"]`).filter({ hasText: subject }).first();
  await expect(async () => {
    await admin.reload();
    await expect(mail).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await mail.locator('summary').click();
  const text = (await mail.locator('pre.mail-text').textContent()) ?? '';
  return { text, admin, close: () => context.close() };
}

test('a forgotten password is reset by e-mail, once, and every session ends', async ({ page, browser, t, lang }) => {
  test.setTimeout(60_000);
  const p = P[lang as Lang];
  // Signed in elsewhere: that session must end with the reset.
  const elsewhere = await browser.newContext({ locale: lang === 'fr' ? 'fr-FR' : 'en-US' });
  const other = await elsewhere.newPage();
  await signIn(other, t, p.user);

  await page.goto('/signin?family=esignature');
  await page.getByRole('link', { name: p.forgot }).click();
  await expectAccessible(page);
  await page.getByLabel(t.email).fill(p.user.toUpperCase());
  await page.getByRole('button', { name: p.sendLink }).click();
  await expect(page.getByRole('status').filter({ hasText: p.sent })).toBeVisible();

  // The message, as the mailbox shows it to admins: in the user's language.
  const mail = await readMail(browser, p.user, p.mailSubject);
  expect(mail.text).toContain(p.noReply);
  await expectAccessible(mail.admin);
  await mail.close();
  const link = mail.text.match(/https?:\/\/\S+\/password\/reset\?token=[0-9a-f]+/)?.[0];
  expect(link, mail.text).toBeTruthy();
  const path = new URL(link!).pathname + new URL(link!).search;

  // Bad input first: clear errors, tied to their fields.
  await page.goto(path);
  await page.getByLabel(new RegExp(`^${p.newPw}`)).fill('short');
  await page.getByLabel(new RegExp(`^${p.confirm}`)).fill('short');
  // The browser's own minlength check would stop a person; a script may not: the
  // server says the same thing.
  await page.locator('main form').evaluate((f: HTMLFormElement) => f.setAttribute('novalidate', ''));
  await page.getByRole('button', { name: p.save }).click();
  await expect(page.getByText(p.tooShort)).toBeVisible();
  await expect(page.getByLabel(new RegExp(`^${p.newPw}`))).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);
  await page.goto(path);
  await page.getByLabel(new RegExp(`^${p.newPw}`)).fill('a brand new password');
  await page.getByLabel(new RegExp(`^${p.confirm}`)).fill('a brand new passwore');
  await page.getByRole('button', { name: p.save }).click();
  await expect(page.getByText(p.mismatch)).toBeVisible();
  await expect(page.getByLabel(new RegExp(`^${p.confirm}`))).toHaveAttribute('aria-invalid', 'true');

  // The real thing.
  await page.goto(path);
  await page.getByLabel(new RegExp(`^${p.newPw}`)).fill('a brand new password');
  await page.getByLabel(new RegExp(`^${p.confirm}`)).fill('a brand new password');
  await page.getByRole('button', { name: p.save }).click();
  await expect(page.getByText(p.changed)).toBeVisible();

  // The other browser is signed out; the old password no longer works, the new one does.
  await other.reload();
  await expect(other.locator('.account-menu')).toHaveCount(0);
  await elsewhere.close();
  await page.getByRole('link', { name: t.esignature }).click();
  await page.getByLabel(t.email).fill(p.user);
  await page.getByLabel(t.password).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: t.signIn }).click();
  await expect(page.getByText(t.badCredentials)).toBeVisible();
  await page.getByLabel(t.password).fill('a brand new password');
  await page.getByRole('button', { name: t.signIn }).click();
  await expect(page.locator('.account-menu')).toBeVisible();

  // The link works once.
  await page.goto(path);
  await page.getByLabel(new RegExp(`^${p.newPw}`)).fill('yet another password');
  await page.getByLabel(new RegExp(`^${p.confirm}`)).fill('yet another password');
  await page.getByRole('button', { name: p.save }).click();
  await expect(page.getByText(p.invalid)).toBeVisible();
});

test('a new ticket is confirmed by e-mail, in the customer’s language', async ({ page, browser, t, lang, customer }) => {
  const p = P[lang as Lang];
  await signIn(page, t, customer.email);
  await page.goto('/tickets/new');
  await hydrated(page);
  const subject = `Mail check ${lang} ${Date.now()}`;
  await page.getByLabel(new RegExp(`^${t.subject}`)).fill(subject);
  await page.getByLabel(new RegExp(`^${t.description}`)).fill('Checking that the confirmation e-mail arrives.');
  await page.getByRole('button', { name: t.send }).click();
  const number = (await page.getByTestId('ticket-number').textContent())!.trim();
  const mail = await readMail(browser, customer.email, subject);
  expect(mail.text).toContain(p.created);
  expect(mail.text).toContain(`/tickets/${number}`);
  expect(mail.text).toContain(p.noReply);
  await mail.close();
});
