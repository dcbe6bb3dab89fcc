import { test, expect, signIn, hydrated, expectAccessible, openAccountSwitcher, L, Lang } from './support/fixtures';
import { Page, Browser } from '@playwright/test';

type T = (typeof L)[Lang];

/// The ticket page's labels, per language (app/locales).
const C = {
  fr: {
    history: 'Historique', comment: 'Ajouter un commentaire', send: 'Ajouter le commentaire', commented: 'a commenté',
    opened: 'a ouvert le ticket', watcher: 'Ajouter un observateur (adresse e-mail)', addWatcher: 'Ajouter l’observateur',
    watchers: 'Observateurs', followUp: 'Ouvrir un ticket de suivi',
    watchersFull: 'Ce ticket a déjà le nombre maximal d’observateurs. Retirez-en un avant d’en ajouter un autre.',
    attach: 'Ajouter des pièces jointes', upload: 'Envoyer les fichiers', added: 'Fichiers ajoutés : 2.',
    attachments: 'Pièces jointes', refused: 'tool.exe — Ce type de fichier n’est pas accepté',
    attachedEvent: 'a ajouté des pièces jointes : log.txt, notes.txt',
  },
  en: {
    history: 'History', comment: 'Add a comment', send: 'Add the comment', commented: 'commented',
    opened: 'opened the ticket', watcher: 'Add a watcher (e-mail address)', addWatcher: 'Add the watcher',
    watchers: 'Watchers', followUp: 'Open a follow-up ticket',
    watchersFull: 'This ticket already has the most watchers allowed. Remove one before adding another.',
    attach: 'Add attachments', upload: 'Upload the files', added: 'Files added: 2.',
    attachments: 'Attachments', refused: 'tool.exe — This type of file is not accepted',
    attachedEvent: 'added attachments: log.txt, notes.txt',
  },
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

    test('the customer adds two files at once; a program is refused by name', async ({ page, t, lang, customer }) => {
      const c = C[lang];
      await signIn(page, t, customer.email, 'esignature', js);
      await openTicket(page, t, `Files flow ${Date.now()}`, js);
      const input = page.getByLabel(c.attach);
      await input.setInputFiles([{ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ\x90\x00binary') }]);
      await page.getByRole('button', { name: c.upload }).click();
      await expect(page.getByText(c.refused)).toBeVisible();
      await expect(page.getByLabel(c.attach)).toHaveAttribute('aria-invalid', 'true');
      await page.getByLabel(c.attach).setInputFiles([
        { name: 'log.txt', mimeType: 'text/plain', buffer: Buffer.from('signing error at 10:02\n') },
        { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('tried twice\n') },
      ]);
      await page.getByRole('button', { name: c.upload }).click();
      await expect(page.getByTestId('attach-status')).toHaveText(c.added);
      const list = page.getByRole('region', { name: c.attachments });
      await expect(list.getByRole('link', { name: 'log.txt' })).toBeVisible();
      await expect(list.getByRole('link', { name: 'notes.txt' })).toBeVisible();
      await expect(page.getByRole('region', { name: c.history })).toContainText(c.attachedEvent);
      if (js) await expectAccessible(page);
    });
  });
}

/// The agent's pages are in French: Sophie Agent's own language.
const A = {
  console: 'Console agent',
  assignTo: 'Attribuer à',
  assign: 'Attribuer',
  message: 'Message',
  internal: 'Note interne (agents seulement)',
  public: 'Réponse publique (le client et les observateurs)',
  status: 'Statut après l’envoi',
  send: 'Envoyer',
  resolved: 'resolved',
};

async function agentPage(browser: Browser, t: T) {
  const context = await browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  await signIn(page, L.fr, 'agent@example.com', 'esignature', true);
  return { context, page };
}

async function agentReply(page: Page, text: string, internal: boolean, status: string) {
  await page.getByLabel(A.message, { exact: true }).fill(text);
  await page.getByLabel(internal ? A.internal : A.public).check();
  await page.getByLabel(A.status).selectOption(status);
  await page.getByRole('button', { name: A.send, exact: true }).click();
}

test('customer and agent drive a ticket from new to closed', async ({ page, browser, t, lang, customer }) => {
  test.setTimeout(90_000);
  const c = C[lang];
  const subject = `Lifecycle ${lang} ${Date.now()}`;
  await signIn(page, t, customer.email);
  await openTicket(page, t, subject, true);
  const number = (await page.getByTestId('ticket-number').textContent())!.trim();
  await page.getByRole('textbox', { name: new RegExp(`^${c.comment}`) }).fill('First comment from the customer.');
  await page.getByRole('button', { name: c.send }).click();
  await expect(page.getByRole('region', { name: c.history })).toContainText('First comment');
  // Another attachment, and a watcher who only gets the e-mails.
  await page.getByLabel(c.attach).setInputFiles([{ name: 'second.txt', mimeType: 'text/plain', buffer: Buffer.from('more logs\n') }]);
  await page.getByRole('button', { name: c.upload }).click();
  await expect(page.getByRole('region', { name: c.attachments }).getByRole('link', { name: 'second.txt' })).toBeVisible();
  await page.getByLabel(c.watcher).fill('partner@outside.example');
  await page.getByRole('button', { name: c.addWatcher }).click();
  await expect(page.getByRole('region', { name: c.watchers })).toContainText('partner@outside.example');

  // The agent finds it in the console, assigns it, notes and replies.
  const agent = await agentPage(browser, t);
  await agent.page.goto('/console');
  await expect(agent.page.getByRole('heading', { level: 1, name: A.console })).toBeVisible();
  await expectAccessible(agent.page);
  await agent.page.getByRole('link', { name: `#${number}` }).click();
  await agent.page.getByLabel(A.assignTo).selectOption('me');
  await agent.page.getByRole('button', { name: A.assign, exact: true }).click();
  await expect(agent.page.getByTestId('assignee')).toHaveText('Sophie Agent');
  await agentReply(agent.page, 'Internal: check the signing certificate.', true, '');
  await agentReply(agent.page, 'We fixed the certificate, please try again.', false, 'resolved');
  await expect(agent.page.getByRole('region', { name: 'Historique' })).toContainText('Internal: check');
  await expectAccessible(agent.page);

  // The customer sees the reply, not the note, and when it will close.
  await page.reload();
  const history = page.getByRole('region', { name: c.history });
  await expect(history).toContainText('We fixed the certificate');
  await expect(history).not.toContainText('Internal: check');
  await expect(page.getByTestId('auto-close')).toBeVisible();
  // A comment reopens it.
  await page.getByRole('textbox', { name: new RegExp(`^${c.comment}`) }).fill('Still broken for one signer.');
  await page.getByRole('button', { name: c.send }).click();
  await expect(page.locator('.ticket .status')).toHaveClass(/status-open/);

  // The agent resolves again; with a grace of seconds it closes by itself.
  await agent.page.reload();
  await agentReply(agent.page, 'Fixed for that signer too.', false, 'resolved');
  await expect(async () => {
    await page.reload();
    await expect(page.locator('.ticket .status')).toHaveClass(/status-closed/, { timeout: 500 });
  }).toPass({ timeout: 20_000 });
  // Closed: read-only, no comment box.
  await expect(page.getByRole('textbox', { name: new RegExp(`^${c.comment}`) })).toHaveCount(0);
  await expectAccessible(page);
  await agent.context.close();
  // The follow-up: a new ticket, linked to the closed one.
  await page.getByRole('button', { name: c.followUp }).click();
  await expect(page.getByTestId('ticket-number')).not.toHaveText(number);
  await expect(page.getByRole('link', { name: `#${number}` })).toBeVisible();
  await expect(page.locator('.ticket-subject')).toHaveText(subject);
});

test('the requester adds a watcher, who then finds the ticket in their queue', async ({ page, browser, t, lang, customer }) => {
  const c = C[lang];
  await signIn(page, t, customer.email);
  // The demo watcher belongs to Martin Conseil and Wilson & Co: the ticket goes there.
  const shared = lang === 'fr' ? 'Martin Conseil' : 'Wilson & Co';
  await openAccountSwitcher(page, t);
  await page.getByRole('button', { name: shared }).click();
  await expect(page.getByTestId('active-account')).toHaveText(shared);
  await openTicket(page, t, `Watched ${lang} ${Date.now()}`, true);
  const number = (await page.getByTestId('ticket-number').textContent())!.trim();
  await page.getByLabel(c.watcher).fill('watcher@example.com');
  await page.getByRole('button', { name: c.addWatcher }).click();
  await expect(page.getByRole('region', { name: c.watchers })).toContainText('watcher@example.com');
  await expect(page.getByRole('region', { name: c.history })).toContainText('watcher@example.com');
  // Lucas, the demo watcher (French), in another browser.
  const other = await browser.newContext({ locale: 'fr-FR' });
  const watcher = await other.newPage();
  await signIn(watcher, L.fr, 'watcher@example.com');
  await watcher.goto('/tickets?all=1');
  await expect(watcher.getByRole('link', { name: new RegExp(number) }).first()).toBeVisible();
  await other.close();
});

test('a ticket takes a bounded number of watchers, and says so past it', async ({ page, t, lang, customer }) => {
  const c = C[lang];
  await signIn(page, t, customer.email);
  await openTicket(page, t, `Many watchers ${lang} ${Date.now()}`, true);
  const watchers = page.getByRole('region', { name: c.watchers });
  // The end-to-end server allows three watchers a ticket.
  for (const n of [1, 2, 3]) {
    await page.getByLabel(c.watcher).fill(`partner${n}@outside.example`);
    await page.getByRole('button', { name: c.addWatcher }).click();
    await expect(watchers).toContainText(`partner${n}@outside.example`);
  }
  await page.getByLabel(c.watcher).fill('one.too.many@outside.example');
  await page.getByRole('button', { name: c.addWatcher }).click();
  await expect(page.getByRole('alert').filter({ hasText: c.watchersFull })).toBeVisible();
  await expect(page.getByLabel(c.watcher)).toHaveAttribute('aria-invalid', 'true');
  await expect(watchers).not.toContainText('one.too.many@outside.example');
  await expectAccessible(page);
});
