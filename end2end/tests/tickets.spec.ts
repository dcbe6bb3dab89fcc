import { test, expect, signIn, hydrated, expectAccessible, L, Lang } from './support/fixtures';
import { Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';

type T = (typeof L)[Lang];

/// A field by the start of its label (the accessible name adds "(required)").
const field = (page: Page, label: string) => page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

function tempFile(name: string, bytes: number | string): string {
  const file = path.join(os.tmpdir(), `guichet-${Date.now()}-${Math.random().toString(16).slice(2)}-${name}`);
  fs.writeFileSync(file, typeof bytes === 'string' ? bytes : Buffer.alloc(bytes, 'a'));
  return file;
}

async function openNewTicket(page: Page, t: T) {
  await page.getByRole('link', { name: t.manageTickets }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.getByRole('link', { name: t.addTicket }).click();
  await expect(page.getByRole('heading', { level: 1, name: t.addTicket })).toBeVisible();
}

test.describe('opening a ticket', () => {
  test('the whole seed flow: family, errors, envelope ID, attachment, SEND, number, queue', async ({ page, t, customer }) => {
    const unique = `Signature bloquée ${Date.now()}`;
    await signIn(page, t, customer.email, 'other');
    await hydrated(page);
    await openNewTicket(page, t);
    await hydrated(page);

    // "Autres produits" was chosen at sign-in: its form comes first.
    await expect(field(page, t.product)).toBeVisible();
    await expect(field(page, t.environment)).toBeVisible();
    await expect(field(page, t.subject)).toHaveAttribute('aria-required', 'true');
    await field(page, t.subject).fill(unique);
    await field(page, t.description).fill('Depuis lundi, impossible de signer une enveloppe : erreur 500 au clic.');

    // Switch to eSignature and back: common values stay, the other fields swap.
    await page.getByRole('radio', { name: t.esignature }).check();
    await expect(field(page, t.envelopeId)).toBeVisible();
    await expect(field(page, t.product)).toHaveCount(0);
    await expect(field(page, t.subject)).toHaveValue(unique);
    await page.getByRole('radio', { name: t.other }).check();
    await expect(field(page, t.product)).toBeVisible();
    await expect(field(page, t.subject)).toHaveValue(unique);

    // Empty required fields: every one is named, next to it and in the summary.
    await field(page, t.subject).fill('');
    await field(page, t.description).fill('');
    await page.getByRole('button', { name: t.send }).click();
    const summary = page.locator('.error-summary');
    await expect(summary).toBeFocused();
    for (const label of [t.product, t.subject, t.environment, t.impact, t.description]) {
      await expect(summary.getByRole('link', { name: new RegExp(label) })).toBeVisible();
    }
    await expect(page.locator('.field-error', { hasText: t.requiredError })).toHaveCount(5);
    await expect(field(page, t.subject)).toHaveAttribute('aria-invalid', 'true');
    await expectAccessible(page);

    // Fix them, in eSignature this time, with a bad envelope ID first.
    await page.getByRole('radio', { name: t.esignature }).check();
    await field(page, t.subject).fill(unique);
    await field(page, t.description).fill('Depuis lundi, impossible de signer une enveloppe : erreur 500 au clic.');
    await field(page, t.envelopeId).fill('not-an-envelope');
    await field(page, t.started).focus();
    await expect(page.locator('.field-envelope_id .field-error')).toContainText(t.badUuid);
    await field(page, t.envelopeId).fill('3F2504E0-4F89-41D3-9A0C-0305E82C3301');
    await field(page, t.started).fill('2026-01-15');
    await field(page, t.before).selectOption({ label: t.yes });
    await field(page, t.users).selectOption({ label: t.users2to10 });
    await field(page, t.attachment).setInputFiles(tempFile('capture.txt', 'journal de signature\n'));
    await page.getByRole('button', { name: t.send }).click();

    // The notification, dismissed with ×, then the ticket with its number.
    const notice = page.getByRole('status');
    await expect(notice).toContainText(/\d{8}/);
    const number = (await page.getByTestId('ticket-number').textContent())!.trim();
    expect(number).toMatch(/^\d{8}$/);
    await expect(notice).toHaveText(new RegExp(t.created(number).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await page.getByRole('link', { name: t.dismiss }).click();
    await expect(page.getByRole('status')).toHaveCount(0);
    const details = page.locator('dl.fields');
    await expect(details).toContainText(unique);
    await expect(details).toContainText('3f2504e0-4f89-41d3-9a0c-0305e82c3301');
    await expect(details).toContainText('2026-01-15');
    await expect(details).toContainText(t.yes);
    await expect(details).toContainText(t.users2to10);
    await expect(page.getByRole('link', { name: 'capture.txt' })).toBeVisible();
    await expect(page.locator('.ticket .status')).toHaveText(t.statusNew);
    await expectAccessible(page);

    // The queue finds it by number and by a word of the subject.
    await page.goto('/tickets');
    await field(page, t.searchQueue).fill(number);
    await page.getByRole('button', { name: t.filter }).click();
    await expect(page.locator('table.queue tbody tr')).toHaveCount(1);
    await expect(page.locator('table.queue')).toContainText(unique);
    await field(page, t.searchQueue).fill(unique.split(' ')[2]);
    await page.getByRole('button', { name: t.filter }).click();
    await expect(page.getByRole('link', { name: `#${number}` })).toBeVisible();
    await expectAccessible(page);
  });

  test('a reload in the middle of typing restores the draft', async ({ page, t, customer }) => {
    await signIn(page, t, customer.email);
    await hydrated(page);
    await page.goto('/tickets/new');
    await hydrated(page);
    await field(page, t.subject).pressSequentially('Mot de passe oublié');
    await field(page, t.description).fill('Je ne reçois pas le courriel de réinitialisation.');
    await page.reload();
    await hydrated(page);
    await expect(field(page, t.subject)).toHaveValue('Mot de passe oublié');
    await expect(field(page, t.description)).toHaveValue('Je ne reçois pas le courriel de réinitialisation.');
  });

  test('a file over the limit is refused as soon as it is chosen', async ({ page, t, customer }) => {
    await signIn(page, t, customer.email);
    await hydrated(page);
    await page.goto('/tickets/new');
    await hydrated(page);
    await field(page, t.subject).fill('Fichier trop gros');
    await field(page, t.attachment).setInputFiles(tempFile('big.bin', 1_100_000));
    await expect(page.locator('.field-attachment .field-error')).toContainText(t.tooLarge);
    await expect(field(page, t.subject)).toHaveValue('Fichier trop gros');
  });

  test('another customer gets a 404 for the ticket and its attachment', async ({ page, browser, t, customer }) => {
    await signIn(page, t, customer.email);
    await hydrated(page);
    await page.goto('/tickets/new');
    await hydrated(page);
    await field(page, t.subject).fill('Visible par moi seul');
    await field(page, t.description).fill('Ce ticket ne doit être visible que par sa demandeuse.');
    await field(page, t.attachment).setInputFiles(tempFile('secret.txt', 'secret'));
    await page.getByRole('button', { name: t.send }).click();
    const number = (await page.getByTestId('ticket-number').textContent())!.trim();
    const href = await page.getByRole('link', { name: 'secret.txt' }).getAttribute('href');
    const other = await browser.newContext();
    const stranger = await other.newPage();
    await signIn(stranger, t, 'jean.dubois@example.com');
    await expect(stranger.locator('.account-menu')).toBeVisible();
    const res = await stranger.goto(`/tickets/${number}`);
    expect(res?.status()).toBe(404);
    const file = await stranger.request.get(href!);
    expect(file.status()).toBe(404);
    await other.close();
  });
});

test.describe('opening a ticket without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the same submission works as a plain HTML form', async ({ page, t, customer }) => {
    const unique = `Sans JavaScript ${Date.now()}`;
    await signIn(page, t, customer.email, 'other', false);
    await page.getByRole('link', { name: t.manageTickets }).first().click();
    await page.getByRole('link', { name: t.addTicket }).click();
    await expect(field(page, t.product)).toBeVisible();

    // Switching family posts the form and keeps the values.
    await field(page, t.subject).fill(unique);
    await page.getByRole('radio', { name: t.esignature }).check();
    await page.getByRole('button', { name: t.switchFamily }).click();
    await expect(field(page, t.envelopeId)).toBeVisible();
    await expect(field(page, t.subject)).toHaveValue(unique);
    await page.getByRole('radio', { name: t.other }).check();
    await page.getByRole('button', { name: t.switchFamily }).click();
    await expect(field(page, t.product)).toBeVisible();

    // Errors come back from the server, values kept.
    await page.getByRole('button', { name: t.send }).click();
    await expect(page.locator('.error-summary')).toBeVisible();
    await expect(page.locator('.field-error', { hasText: t.requiredError })).toHaveCount(4);
    await expect(field(page, t.subject)).toHaveValue(unique);

    // An oversized file: refused by the server, the rest survives.
    await field(page, t.product).selectOption({ label: 'K.Sign' });
    await field(page, t.environment).selectOption({ label: t.production });
    await field(page, t.impact).selectOption({ label: t.high });
    await field(page, t.description).fill('Le certificat K.Sign expire demain et le renouvellement échoue.');
    await field(page, t.attachment).setInputFiles(tempFile('huge.bin', 1_100_000));
    await page.getByRole('button', { name: t.send }).click();
    await expect(page.locator('.field-attachment .field-error')).toContainText(t.tooLarge);
    await expect(field(page, t.description)).toHaveValue('Le certificat K.Sign expire demain et le renouvellement échoue.');
    await expect(field(page, t.product)).toHaveValue('ksign');

    await field(page, t.attachment).setInputFiles(tempFile('ok.txt', 'petit fichier'));
    await page.getByRole('button', { name: t.send }).click();
    await expect(page.getByRole('status')).toBeVisible();
    const number = (await page.getByTestId('ticket-number').textContent())!.trim();
    await expect(page.locator('dl.fields')).toContainText(unique);
    await expect(page.locator('dl.overview')).toContainText('K.Sign');
    // × is a plain link without JavaScript.
    await page.getByRole('link', { name: t.dismiss }).click();
    await expect(page.getByRole('status')).toHaveCount(0);
    await expect(page).toHaveURL(new RegExp(`/tickets/${number}$`));
  });
});
