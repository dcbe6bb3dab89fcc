import { test, expect, signIn, hydrated, expectAccessible, L, Lang, ADMIN } from './support/fixtures';
import { Page } from '@playwright/test';

type T = (typeof L)[Lang];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/// Demo help-center content (content/help/{fr,en}/articles/*.md): titles as written.
const ARTICLES = {
  fr: {
    downloadFails: 'Impossible de télécharger le document signé ou le certificat de réalisation',
    invoices: 'Télécharger vos factures et reçus de paiement',
    supportNeeds: 'Quelles informations le support a-t-il besoin quand je le contacte ?',
    reopen: 'Mon ticket est résolu mais le problème revient : puis-je le rouvrir ?',
  },
  en: {
    downloadFails: "Can't download the signed document or certificate of completion",
    invoices: 'Download your invoices and payment receipts',
    supportNeeds: 'What information does support need when I contact it?',
    reopen: 'My ticket was resolved but the problem is back: can I reopen it?',
  },
} as const;

/// What a person types, per language.
const TYPED = {
  fr: {
    subject: 'Impossible de télécharger le document signé',
    noAccents: 'impossible de telecharger le document signe',
    typo: 'telecharger mes factrues',
    invoicesQuery: 'factures',
    broad: 'enveloppe',
    reopen: 'rouvrir ticket',
    description: 'Le bouton Télécharger ne fait rien sur une enveloppe terminée depuis hier.',
  },
  en: {
    subject: "Can't download the signed document",
    noAccents: 'cant downlaod the signed document',
    typo: 'where can I find my invocies',
    invoicesQuery: 'invoices',
    broad: 'envelope',
    reopen: 'reopen ticket',
    description: 'The Download button does nothing on an envelope completed yesterday.',
  },
} as const;

const subjectBox = (page: Page, t: T) => page.getByRole('combobox', { name: new RegExp(`^${escape(t.subject)}`) });
const listbox = (page: Page, t: T) => page.getByRole('listbox', { name: t.suggestTitle });
const liveRegion = (page: Page) => page.locator('.suggestions [role="status"]');
const optionTitles = (page: Page) => page.locator('#subject-suggestions [role="option"] .suggestion-title').allTextContents();

async function openNewTicketForm(page: Page, t: T, email: string) {
  await signIn(page, t, email);
  await page.goto('/tickets/new');
  await hydrated(page);
  await expect(subjectBox(page, t)).toBeVisible();
}

/// Types like a person, one key at a time, starting from an empty subject.
async function typeSubject(page: Page, t: T, text: string) {
  await subjectBox(page, t).click();
  await page.keyboard.type(text, { delay: 40 });
}

/// Types the subject and waits until the list shows the answer to all of it: on a
/// loaded machine a pause between two keys can outlast the debounce, so an earlier
/// prefix's suggestions may show first and be replaced when the last answer comes,
/// taking the keyboard's place among them along.
async function typeWholeSubject(page: Page, t: T, text: string) {
  const answered = page.waitForResponse(
    (r) => r.url().includes('/api/help/suggest') && new URL(r.url()).searchParams.get('q') === text,
  );
  await typeSubject(page, t, text);
  const body: { articles: { title_html: string }[]; posts: { title_html: string }[] } = await (await answered).json();
  const titles = await page.evaluate(
    (htmls) =>
      htmls.map((h) => {
        const div = document.createElement('div');
        div.innerHTML = h;
        return div.textContent ?? '';
      }),
    [...body.articles, ...body.posts].map((h) => h.title_html),
  );
  expect(titles.length).toBeGreaterThan(0);
  await expect.poll(() => optionTitles(page)).toEqual(titles);
}

/// Waits until the suggestions show `title` among their options.
async function expectSuggested(page: Page, t: T, title: string) {
  await expect(listbox(page, t)).toBeVisible();
  await expect(listbox(page, t).getByRole('option', { name: new RegExp(escape(title)) })).toBeVisible();
}

test.describe('live suggestions under the subject', () => {
  test('change as the subject is typed, labelled article or community post', async ({ page, t, lang, customer }) => {
    await openNewTicketForm(page, t, customer.email);
    const subject = subjectBox(page, t);
    await expect(subject).toHaveAttribute('aria-expanded', 'false');

    // Two letters: nothing yet. Three: the first suggestions.
    const full = TYPED[lang].subject;
    await typeSubject(page, t, full.slice(0, 2));
    await page.waitForTimeout(400);
    await expect(listbox(page, t)).toBeHidden();
    await page.keyboard.type(full.slice(2, 3), { delay: 40 });
    await expect(listbox(page, t)).toBeVisible();
    await expect(subject).toHaveAttribute('aria-expanded', 'true');
    const early = await optionTitles(page);
    expect(early.length).toBeGreaterThan(0);

    // The rest of the subject, letter by letter: the list follows.
    await page.keyboard.type(full.slice(3), { delay: 40 });
    await expect(subject).toHaveValue(full);
    const first = listbox(page, t).getByRole('option').first();
    await expect(first.locator('.suggestion-title')).toHaveText(ARTICLES[lang].downloadFails);
    const late = await optionTitles(page);
    expect(late).not.toEqual(early);

    // The words shown in bold are words of the subject.
    const words = full.toLowerCase().split(/[^\p{L}]+/u);
    const bold = await first.locator('.suggestion-title b').allTextContents();
    expect(bold.length).toBeGreaterThan(0);
    for (const b of bold) expect(words).toContain(b.toLowerCase());

    // Each option says what it is: articles first, then community posts.
    const labels = await listbox(page, t).locator('[role="option"] .kind-label').allTextContents();
    expect(labels.length).toBe(late.length);
    expect(labels[0]).toBe(t.articleLabel);
    expect(new Set(labels)).toEqual(new Set([t.articleLabel, t.postLabel]));
    expect(labels.lastIndexOf(t.articleLabel)).toBeLessThan(labels.indexOf(t.postLabel));
    await expect(first).toHaveAccessibleName(new RegExp(`^${t.articleLabel}`));
  });

  test('a typo and missing accents still find the right article', async ({ page, t, lang, customer }) => {
    await openNewTicketForm(page, t, customer.email);
    await typeSubject(page, t, TYPED[lang].noAccents);
    await expectSuggested(page, t, ARTICLES[lang].downloadFails);

    await subjectBox(page, t).fill('');
    await typeSubject(page, t, TYPED[lang].typo);
    await expectSuggested(page, t, ARTICLES[lang].invoices);
  });

  test('works from the keyboard alone', async ({ page, t, lang, customer }) => {
    await openNewTicketForm(page, t, customer.email);
    const subject = subjectBox(page, t);
    await typeWholeSubject(page, t, TYPED[lang].subject);
    await expectSuggested(page, t, ARTICLES[lang].downloadFails);
    const options = listbox(page, t).getByRole('option');
    const count = await options.count();
    expect(count).toBeGreaterThan(2);
    await expect(subject).not.toHaveAttribute('aria-activedescendant', /.+/);

    // Down, down: the second option; up: back to the first; focus never leaves.
    await page.keyboard.press('ArrowDown');
    await expect(subject).toHaveAttribute('aria-activedescendant', 'suggestion-0');
    await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('ArrowDown');
    await expect(subject).toHaveAttribute('aria-activedescendant', 'suggestion-1');
    await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
    await expect(options.nth(0)).toHaveAttribute('aria-selected', 'false');
    await page.keyboard.press('ArrowUp');
    await expect(subject).toHaveAttribute('aria-activedescendant', 'suggestion-0');
    await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true');
    // Up from the first wraps to the last.
    await page.keyboard.press('ArrowUp');
    await expect(subject).toHaveAttribute('aria-activedescendant', `suggestion-${count - 1}`);
    await expect(subject).toBeFocused();

    // Escape closes, focus stays in the subject, the text is untouched.
    await page.keyboard.press('Escape');
    await expect(subject).toHaveAttribute('aria-expanded', 'false');
    await expect(listbox(page, t)).toBeHidden();
    await expect(subject).not.toHaveAttribute('aria-activedescendant', /.+/);
    await expect(subject).toBeFocused();
    await expect(subject).toHaveValue(TYPED[lang].subject);

    // Down opens again; Enter opens the suggestion beside the form, nothing is sent.
    await page.keyboard.press('ArrowDown');
    await expect(subject).toHaveAttribute('aria-expanded', 'true');
    await expect(subject).toHaveAttribute('aria-activedescendant', 'suggestion-0');
    await page.keyboard.press('Enter');
    const panel = page.getByRole('complementary', { name: ARTICLES[lang].downloadFails });
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('heading', { level: 2 })).toBeFocused();
    await expect(page).toHaveURL(/\/tickets\/new$/);
    await expect(page.locator('.error-summary h2')).toHaveCount(0);
    await expect(page.locator('.field-error')).toHaveCount(0);
    await expect(subject).toHaveValue(TYPED[lang].subject);
  });

  test('a polite live region says how many were found', async ({ page, t, lang, customer }) => {
    await openNewTicketForm(page, t, customer.email);
    const region = liveRegion(page);
    await expect(region).toHaveAttribute('aria-live', 'polite');
    await typeSubject(page, t, TYPED[lang].subject);
    await expectSuggested(page, t, ARTICLES[lang].downloadFails);
    const labels = await listbox(page, t).locator('[role="option"] .kind-label').allTextContents();
    const articles = labels.filter((l) => l === t.articleLabel).length;
    const posts = labels.filter((l) => l === t.postLabel).length;
    // At most 5 articles and 3 community posts.
    expect(articles).toBeGreaterThan(0);
    expect(articles).toBeLessThanOrEqual(5);
    expect(posts).toBeLessThanOrEqual(3);
    await expect(region).toHaveText(t.announce(articles, posts));
  });

  test('opening a suggestion and coming back keeps the form', async ({ page, t, lang, customer }) => {
    await openNewTicketForm(page, t, customer.email);
    const description = page.getByLabel(new RegExp(`^${escape(t.description)}`));
    await description.fill(TYPED[lang].description);
    await typeSubject(page, t, TYPED[lang].subject);
    await expectSuggested(page, t, ARTICLES[lang].downloadFails);

    await listbox(page, t).getByRole('option', { name: new RegExp(escape(ARTICLES[lang].downloadFails)) }).click();
    const panel = page.getByRole('complementary', { name: ARTICLES[lang].downloadFails });
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText(ARTICLES[lang].downloadFails);
    await expect(panel.locator('.prose')).toContainText('DOCUMENT_NOT_AVAILABLE');
    await expect(panel.getByRole('button', { name: t.solvedMyProblem })).toBeVisible();

    await panel.getByRole('button', { name: t.backToTicket }).click();
    await expect(panel).toBeHidden();
    await expect(subjectBox(page, t)).toHaveValue(TYPED[lang].subject);
    await expect(description).toHaveValue(TYPED[lang].description);
    await expect(subjectBox(page, t)).toBeFocused();
    await expect(page).toHaveURL(/\/tickets\/new$/);
  });

  test('"this solved my problem" is counted as a deflected ticket', async ({ page, browser, t, lang, customer }) => {
    const slug = 'completed-document-download-fails';
    await openNewTicketForm(page, t, customer.email);
    await typeSubject(page, t, TYPED[lang].subject);
    await expectSuggested(page, t, ARTICLES[lang].downloadFails);
    await listbox(page, t).getByRole('option', { name: new RegExp(escape(ARTICLES[lang].downloadFails)) }).click();
    const panel = page.getByRole('complementary', { name: ARTICLES[lang].downloadFails });
    await panel.getByRole('button', { name: t.solvedMyProblem }).click();

    // The article, thanked; no ticket, and the draft is gone.
    await expect(page).toHaveURL(new RegExp(`/help/articles/${slug}\\?solved=1$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(ARTICLES[lang].downloadFails);
    await expect(page.getByRole('status').filter({ hasText: t.solvedThanks })).toBeVisible();
    await page.goto('/tickets/new');
    await hydrated(page);
    await expect(subjectBox(page, t)).toHaveValue('');

    // An admin sees it in the deflection report.
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signIn(admin, t, ADMIN);
    const res = await admin.goto('/admin/deflection');
    expect(res?.status()).toBe(200);
    const row = admin.locator(`tr[data-slug="${slug}"]`).filter({ has: admin.locator(`a[href="/help/articles/${slug}"]`) });
    await expect(row).toHaveCount(1);
    const cells = row.locator('td');
    // Columns: suggested, opened, deflected.
    expect(Number(await cells.nth(1).textContent())).toBeGreaterThanOrEqual(1);
    expect(Number(await cells.nth(2).textContent())).toBeGreaterThanOrEqual(1);
    expect(Number(await admin.getByTestId('deflection-solved').textContent())).toBeGreaterThanOrEqual(1);
    await expect(admin.getByTestId('deflection-rate')).not.toHaveText(/^0\.0 %$/);
    await adminContext.close();
  });

  test('the deflection report is for admins only', async ({ page, t, customer }) => {
    await signIn(page, t, customer.email);
    const res = await page.goto('/admin/deflection');
    expect(res?.status()).toBe(404);
    await expect(page.locator('tr[data-slug]')).toHaveCount(0);
  });
});

test.describe('help center without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('search from the home page, highlighted words, next page', async ({ page, t, lang }) => {
    await page.goto('/');
    await page.getByRole('searchbox', { name: t.searchHelp }).fill(TYPED[lang].broad);
    await page.getByRole('search').getByRole('button', { name: t.search }).click();
    await expect(page).toHaveURL(new RegExp(`/help/search\\?q=${TYPED[lang].broad}$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.searchTitle);
    await expect(page.getByRole('searchbox', { name: t.searchHelp })).toHaveValue(TYPED[lang].broad);
    const count = await page.locator('p.result-count').textContent();
    const total = Number(count!.match(/\d+/)![0]);
    expect(total).toBeGreaterThan(10);
    await expect(page.locator('p.result-count')).toHaveText(t.nResults(total));

    const hits = page.locator('ol.hits > li');
    await expect(hits).toHaveCount(10);
    const bold = await page.locator('ol.hits b').allTextContents();
    expect(bold.length).toBeGreaterThan(0);
    for (const b of bold) expect(b.toLowerCase()).toMatch(/envel/);
    const firstPage = await page.locator('ol.hits > li > a').allTextContents();

    const pages = Math.ceil(total / 10);
    const nav = page.getByRole('navigation', { name: /./ }).filter({ hasText: t.pageOf(1, pages) });
    await expect(nav).toBeVisible();
    await expect(nav.getByRole('link', { name: t.previousPage })).toHaveCount(0);
    await nav.getByRole('link', { name: t.nextPage }).click();
    await expect(page).toHaveURL(/[?&]page=2$/);
    await expect(page.getByText(t.pageOf(2, pages))).toBeVisible();
    await expect(page.getByRole('link', { name: t.previousPage })).toBeVisible();
    await expect(hits.first()).toBeVisible();
    const secondPage = await page.locator('ol.hits > li > a').allTextContents();
    expect(secondPage.some((title) => firstPage.includes(title))).toBe(false);
  });

  test('an article reads whole: title, body, related articles', async ({ page, t, lang }) => {
    await page.goto('/');
    await page.getByRole('searchbox', { name: t.searchHelp }).fill(TYPED[lang].invoicesQuery);
    await page.getByRole('search').getByRole('button', { name: t.search }).click();
    await page.getByRole('link', { name: ARTICLES[lang].invoices }).click();
    await expect(page).toHaveURL(/\/help\/articles\/download-invoices$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(ARTICLES[lang].invoices);
    await expect(page.locator('article .prose')).toContainText('INV-2026-004512');
    const related = page.getByRole('region', { name: t.related });
    await expect(related.getByRole('heading', { level: 2, name: t.related })).toBeVisible();
    const links = related.getByRole('link');
    expect(await links.count()).toBeGreaterThan(0);
    const href = await links.first().getAttribute('href');
    expect(href).toMatch(/^\/help\/articles\/[a-z0-9-]+$/);
    expect(href).not.toBe('/help/articles/download-invoices');
    await links.first().click();
    await expect(page).toHaveURL(new RegExp(`${escape(href!)}$`));
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  });

  test('"was this helpful?" posts the vote and says thank you', async ({ page, t, lang }) => {
    await page.goto('/help/articles/what-information-does-support-need');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(ARTICLES[lang].supportNeeds);
    const vote = page.getByRole('region', { name: t.wasHelpful });
    await expect(vote.getByRole('heading', { name: t.wasHelpful })).toBeVisible();
    await vote.getByRole('button', { name: t.yes, exact: true }).click();
    await expect(page).toHaveURL(/\/help\/articles\/what-information-does-support-need\?voted=1$/);
    await expect(page.getByRole('status')).toHaveText(t.thanksVote);
    await expect(page.getByRole('button', { name: t.yes, exact: true })).toHaveCount(0);
  });

  test('the ticket form searches the help center for its subject in a new tab', async ({ page, context, t, lang, customer }) => {
    await signIn(page, t, customer.email, 'esignature', false);
    await page.goto('/tickets/new');
    await subjectBox(page, t).fill(TYPED[lang].subject);
    const button = page.getByRole('button', { name: t.searchSubject });
    await expect(button).toBeVisible();
    const [results] = await Promise.all([context.waitForEvent('page'), button.click()]);
    await results.waitForLoadState();
    await expect(results).toHaveURL(/\/help\/search\?/);
    await expect(results.getByRole('heading', { level: 1 })).toHaveText(t.searchTitle);
    await expect(results.getByRole('link', { name: ARTICLES[lang].downloadFails })).toBeVisible();
    // The form stays as typed in its own tab.
    await expect(subjectBox(page, t)).toHaveValue(TYPED[lang].subject);
    await expect(page).toHaveURL(/\/tickets\/new$/);
  });
});

test.describe('help center pages', () => {
  test('have no accessibility violations, suggestions open included', async ({ page, t, lang, customer }) => {
    await page.goto('/');
    await expectAccessible(page);
    await page.goto('/help/articles/completed-document-download-fails');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(ARTICLES[lang].downloadFails);
    await expectAccessible(page);
    await page.goto(`/help/search?q=${encodeURIComponent(TYPED[lang].broad)}`);
    await expect(page.locator('ol.hits > li').first()).toBeVisible();
    await expectAccessible(page);

    await openNewTicketForm(page, t, customer.email);
    await typeWholeSubject(page, t, TYPED[lang].subject);
    await expectSuggested(page, t, ARTICLES[lang].downloadFails);
    await page.keyboard.press('ArrowDown');
    await expect(subjectBox(page, t)).toHaveAttribute('aria-activedescendant', 'suggestion-0');
    await expectAccessible(page);
  });

  test('a hostile query is shown as text, never run', async ({ page, t }) => {
    const hostile = '<script>alert(1)</script> "AND ( [ *';
    let dialogs = 0;
    page.on('dialog', async (d) => {
      dialogs += 1;
      await d.dismiss();
    });
    const res = await page.goto(`/help/search?q=${encodeURIComponent(hostile)}`);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.searchTitle);
    await expect(page.getByRole('searchbox', { name: t.searchHelp })).toHaveValue(hostile);
    await expect(page.locator('p.result-count')).toHaveText(/\d+/);
    // No element made of the query: no script in the page body, no alert.
    expect(await page.locator('main script, body > script:not([nonce]):not([src])').count()).toBe(0);
    expect(await page.locator('main').evaluate((m) => m.innerHTML.includes('<script>'))).toBe(false);
    // Only <b> marks inside the hits.
    const tags = await page.locator('ol.hits').evaluate((ol) =>
      [...ol.querySelectorAll('li *')].map((e) => e.tagName.toLowerCase()),
    );
    expect(new Set(tags.filter((tag) => !['span', 'a', 'p', 'b'].includes(tag)))).toEqual(new Set());
    // The suggestions endpoint takes it too.
    const api = await page.request.get(`/api/help/suggest?locale=en&family=esignature&q=${encodeURIComponent(hostile)}`);
    expect(api.status()).toBe(200);
    await page.waitForTimeout(300);
    expect(dialogs).toBe(0);
  });

  test('titles in results and suggestions are shown whole', async ({ page, lang }) => {
    await page.goto(`/help/search?q=${encodeURIComponent(TYPED[lang].reopen)}`);
    const link = page.locator('ol.hits a[href="/help/articles/reopen-resolved-ticket"]');
    await expect(link).toHaveText(ARTICLES[lang].reopen);
    // The suggestions get the same highlighted titles: read as text, each is the title.
    const res = await page.request.get(`/api/help/suggest?locale=${lang}&family=esignature&q=${encodeURIComponent(TYPED[lang].reopen)}`);
    type Found = { slug: string; title_html: string };
    const found = (await res.json()) as { articles: Found[]; posts: Found[] };
    const hits = [...found.articles, ...found.posts];
    expect(hits.length).toBeGreaterThan(0);
    const shown = await page.evaluate((html) => html.map((h) => {
      const el = document.createElement('span');
      el.innerHTML = h;
      return el.textContent;
    }), hits.map((h) => h.title_html));
    // The article's title, read as text, is its whole title; no title is cut short.
    expect(shown[hits.findIndex((h) => h.slug === 'reopen-resolved-ticket')]).toBe(ARTICLES[lang].reopen);
    for (const title of shown) expect(title).not.toMatch(/…$/);
  });
});
