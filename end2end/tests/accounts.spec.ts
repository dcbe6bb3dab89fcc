import { test, expect, L, DEMO_PASSWORD, signIn, hydrated, expectAccessible, openAccountMenu, openAccountSwitcher } from './support/fixtures';

test.describe('sign-in and accounts', () => {
  test('signs in through the product family and sees the name', async ({ page, t, customer }) => {
    await signIn(page, t, customer.email, 'other');
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator('.account-menu > summary')).toContainText(customer.name);
    await expect(page.getByRole('link', { name: t.manageTickets }).first()).toBeVisible();
  });

  test('a wrong password shows one generic error and keeps the e-mail', async ({ page, t }) => {
    await page.goto('/signin?family=esignature');
    await hydrated(page);
    await page.getByLabel(t.email).fill('jean.dubois@example.com');
    await page.getByLabel(t.password).fill('not-the-password');
    await page.getByRole('button', { name: t.signIn }).click();
    await expect(page.getByRole('alert')).toHaveText(t.badCredentials);
    await expect(page.getByLabel(t.email)).toHaveValue('jean.dubois@example.com');
    await expect(page.getByLabel(t.email)).toHaveAttribute('aria-invalid', 'true');
    // An unknown address gets the very same answer.
    await page.getByLabel(t.email).fill('nobody@example.com');
    await page.getByLabel(t.password).fill('whatever');
    await page.getByRole('button', { name: t.signIn }).click();
    await expect(page.getByRole('alert')).toHaveText(t.badCredentials);
  });

  test('switches between the three accounts and the header follows', async ({ page, t, customer }) => {
    await signIn(page, t, customer.email);
    const active = page.getByTestId('active-account');
    const [first, second, third] = customer.accounts;
    await expect(active).toHaveText(first);
    for (const name of [second, third, first]) {
      await openAccountSwitcher(page, t);
      await page.getByRole('button', { name }).click();
      await expect(active).toHaveText(name);
    }
    // The choice is kept by the session, not the page: a reload shows it.
    await openAccountSwitcher(page, t);
    await page.getByRole('button', { name: third }).click();
    await expect(active).toHaveText(third);
    await page.reload();
    await expect(active).toHaveText(third);
  });

  test('signing out ends the session for good', async ({ page, context, t, customer }) => {
    await signIn(page, t, customer.email);
    await expect(page.locator('.account-menu > summary')).toContainText(customer.name);
    const before = (await context.cookies()).find((c) => c.name === 'guichet_session');
    expect(before?.value).toBeTruthy();
    await openAccountMenu(page);
    await page.getByRole('button', { name: t.signOut, exact: true }).click();
    await expect(page.getByRole('link', { name: t.signIn }).first()).toBeVisible();
    await expect(page.locator('.account-menu')).toHaveCount(0);
    // Replaying the old cookie does not bring the session back.
    await context.addCookies([{ ...before!, value: before!.value }]);
    await page.goto('/');
    await expect(page.getByRole('link', { name: t.signIn }).first()).toBeVisible();
    await expect(page.locator('.account-menu')).toHaveCount(0);
  });

  test('signing out everywhere ends the sessions of every device', async ({ browser, page, t, lang }) => {
    // A customer of one's own: no other test's session is ended meanwhile.
    const email = lang === 'fr' ? 'lucie.bernard@example.com' : 'noah.clark@example.com';
    const phone = await browser.newContext({ locale: lang === 'fr' ? 'fr-FR' : 'en-US' });
    const other = await phone.newPage();
    await signIn(other, t, email);
    await signIn(page, t, email);
    await openAccountMenu(page);
    await expectAccessible(page);
    await page.getByRole('button', { name: t.signOutEverywhere }).click();
    await expect(page.getByRole('link', { name: t.signIn }).first()).toBeVisible();
    // The other device is signed out at its next page.
    await other.goto('/tickets');
    await expect(other.getByRole('link', { name: t.signIn }).first()).toBeVisible();
    await expect(other.locator('.account-menu')).toHaveCount(0);
    await phone.close();
  });

  test('the language switcher changes every label', async ({ page, lang }) => {
    const t = L[lang];
    const other = L[lang === 'fr' ? 'en' : 'fr'];
    await page.goto('/');
    await hydrated(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.homeTitle);
    await page.getByRole('button', { name: new RegExp(`^${t.otherLanguage}`) }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(other.homeTitle);
    await expect(page.locator('html')).toHaveAttribute('lang', lang === 'fr' ? 'en' : 'fr');
  });

  test('home and sign-in pages have no accessibility violations', async ({ page, t }) => {
    await page.goto('/');
    await hydrated(page);
    await expectAccessible(page);
    await page.goto('/signin');
    await expectAccessible(page);
    await page.goto('/signin?family=other');
    await page.getByLabel(t.email).fill('jean.dubois@example.com');
    await page.getByLabel(t.password).fill('wrong password');
    await page.getByRole('button', { name: t.signIn }).click();
    await expect(page.getByRole('alert')).toHaveText(t.badCredentials);
    await expectAccessible(page);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('signs in, switches account and signs out with plain forms', async ({ page, t, customer }) => {
    await page.goto('/');
    await page.getByRole('link', { name: t.signIn }).first().click();
    await page.getByRole('link', { name: t.esignature }).click();
    // A wrong password first: the error and the e-mail come back from the server.
    await page.getByLabel(t.email).fill(customer.email);
    await page.getByLabel(t.password).fill('wrong');
    await page.getByRole('button', { name: t.signIn }).click();
    await expect(page.getByRole('alert')).toHaveText(t.badCredentials);
    await expect(page.getByLabel(t.email)).toHaveValue(customer.email);
    await page.getByLabel(t.password).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: t.signIn }).click();
    await expect(page.locator('.account-menu > summary')).toContainText(customer.name);
    await page.locator('.account-menu > summary').click();
    await page.getByText(t.switchAccount).click();
    await page.getByRole('button', { name: customer.accounts[1] }).click();
    await expect(page.getByTestId('active-account')).toHaveText(customer.accounts[1]);
    await page.locator('.account-menu > summary').click();
    await page.getByRole('button', { name: t.signOut, exact: true }).click();
    await expect(page.getByRole('link', { name: t.signIn }).first()).toBeVisible();
  });
});
