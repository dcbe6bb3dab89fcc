import { test, expect, signIn, hydrated, expectAccessible, L, Lang } from './support/fixtures';
import { Page } from '@playwright/test';

type T = (typeof L)[Lang];

/// The ticket page's labels, per language (app/locales).
const C = {
  fr: { history: 'Historique', comment: 'Ajouter un commentaire', send: 'Ajouter le commentaire', commented: 'a commenté', opened: 'a ouvert le ticket' },
  en: { history: 'History', comment: 'Add a comment', send: 'Add the comment', commented: 'commented', opened: 'opened the ticket' },
};

const field = (page: Page, label: string) => page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

/// Opens a ticket through the form and lands on its page.
async function openTicket(page: Page, t: T, subject: string, js: boolean) {
  await page.goto('/tickets/new');
  if (js) await hydrated(page);
  await field(page, t.subject).fill(subject);
  await field(page, t.description).fill('The signing step fails for every recipient since this morning.');
  await page.getByRole('button', { name: t.send }).click();
  await expect(page.getByTestId('ticket-number')).toBeVisible();
}

for (const js of [true, false]) {
  test.describe(js ? 'the ticket page, alive' : 'the ticket page, alive, without JavaScript', () => {
    test.use({ javaScriptEnabled: js });

    test('the customer comments and reads it in the history', async ({ page, t, lang, customer }) => {
      const c = C[lang];
      await signIn(page, t, customer.email, 'esignature', js);
      await openTicket(page, t, `Comment flow ${Date.now()}`, js);
      const history = page.getByRole('region', { name: c.history });
      await expect(history.getByRole('listitem')).toHaveCount(1);
      await expect(history).toContainText(c.opened);
      const box = page.getByRole('textbox', { name: new RegExp(`^${c.comment}`) });
      await expect(box).toHaveAttribute('aria-required', 'true');
      await box.fill('Still failing **today**, see the envelope.');
      await page.getByRole('button', { name: c.send }).click();
      await expect(history.getByRole('listitem')).toHaveCount(2);
      await expect(history.getByRole('listitem').last()).toContainText(c.commented);
      await expect(history.locator('.comment-body strong')).toHaveText('today');
      if (js) await expectAccessible(page);
    });
  });
}
