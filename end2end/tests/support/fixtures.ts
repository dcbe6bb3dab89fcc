import { test as base, expect, Page, TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export type Lang = 'fr' | 'en';

/// The labels a person reads on the page, as the seed names them (French) and in
/// English. Written here, not read from the catalogues, so a wrong label fails.
export const L = {
  fr: {
    signIn: 'S’identifier',
    esignature: 'eSignature et Rooms',
    other: 'Autres produits',
    email: 'E-mail',
    password: 'Mot de passe',
    badCredentials: 'E-mail ou mot de passe incorrect.',
    manageTickets: 'GÉRER MES TICKETS',
    switchAccount: 'Changer de compte',
    signOut: 'Se déconnecter',
    signOutEverywhere: 'Se déconnecter partout',
    accountMenu: 'Menu du compte',
    homeTitle: 'Comment pouvons-nous vous aider ?',
    otherLanguage: 'English',
    addTicket: 'AJOUTER UN NOUVEAU TICKET',
    send: 'ENVOYER',
    product: 'Produit',
    subject: 'Objet',
    environment: 'Environnement',
    impact: 'Impact sur l’activité',
    description: 'Description',
    envelopeId: 'Identifiant de l’enveloppe',
    started: 'Quand le problème a-t-il commencé ?',
    before: 'S’était-il déjà produit ?',
    users: 'Combien d’utilisateurs sont concernés ?',
    attachment: 'Pièce jointe',
    required: 'obligatoire',
    requiredError: 'Ce champ est obligatoire.',
    badUuid: 'Un identifiant d’enveloppe ressemble à',
    tooLarge: 'Ce fichier est trop volumineux',
    created: (n: string) => `Votre ticket ${n} a été créé avec succès.`,
    dismiss: 'Fermer la notification',
    searchQueue: 'Numéro de ticket ou mots de l’objet',
    filter: 'Filtrer',
    switchFamily: 'Afficher le formulaire de cette famille',
    yes: 'Oui',
    production: 'Production',
    high: 'Élevé',
    users2to10: '2 à 10',
    statusNew: 'Nouveau',
    // Help center and the subject's suggestions.
    searchHelp: 'Rechercher dans le centre d’aide',
    search: 'Rechercher',
    searchTitle: 'Résultats de recherche',
    nResults: (n: number) => `${n} résultats`,
    nextPage: 'Page suivante',
    previousPage: 'Page précédente',
    pageOf: (n: number, total: number) => `Page ${n} sur ${total}`,
    articleLabel: 'Article',
    postLabel: 'Publication de la communauté',
    suggestTitle: 'Ces pages répondent peut-être à votre question',
    announce: (articles: number, posts: number) => `${articles} articles et ${posts} publications suggérés`,
    solvedMyProblem: 'Cela a résolu mon problème',
    backToTicket: 'Revenir à mon ticket',
    searchSubject: 'Chercher ce sujet dans le centre d’aide',
    solvedThanks: 'Ravis que cela ait résolu votre problème. Aucun ticket n’a été envoyé.',
    wasHelpful: 'Cet article vous a-t-il été utile ?',
    thanksVote: 'Merci pour votre avis.',
    related: 'Articles connexes',
  },
  en: {
    signIn: 'Sign in',
    esignature: 'eSignature and Rooms',
    other: 'Other products',
    email: 'E-mail',
    password: 'Password',
    badCredentials: 'Wrong e-mail or password.',
    manageTickets: 'MANAGE MY TICKETS',
    switchAccount: 'Switch account',
    signOut: 'Sign out',
    signOutEverywhere: 'Sign out everywhere',
    accountMenu: 'Account menu',
    homeTitle: 'How can we help?',
    otherLanguage: 'Français',
    addTicket: 'ADD A NEW TICKET',
    send: 'SEND',
    product: 'Product',
    subject: 'Subject',
    environment: 'Environment',
    impact: 'Business impact',
    description: 'Description',
    envelopeId: 'Envelope ID',
    started: 'When did the problem start?',
    before: 'Has it happened before?',
    users: 'How many users are affected?',
    attachment: 'Attachment',
    required: 'required',
    requiredError: 'This field is required.',
    badUuid: 'An envelope ID looks like',
    tooLarge: 'This file is too large',
    created: (n: string) => `Your ticket ${n} has been created.`,
    dismiss: 'Dismiss the notification',
    searchQueue: 'Ticket number or words of the subject',
    filter: 'Filter',
    switchFamily: 'Show this family\'s form',
    yes: 'Yes',
    production: 'Production',
    high: 'High',
    users2to10: '2 to 10',
    statusNew: 'New',
    // Help center and the subject's suggestions.
    searchHelp: 'Search the help center',
    search: 'Search',
    searchTitle: 'Search results',
    nResults: (n: number) => `${n} results`,
    nextPage: 'Next page',
    previousPage: 'Previous page',
    pageOf: (n: number, total: number) => `Page ${n} of ${total}`,
    articleLabel: 'Article',
    postLabel: 'Community post',
    suggestTitle: 'These may answer your question',
    announce: (articles: number, posts: number) => `${articles} articles and ${posts} community posts suggested`,
    solvedMyProblem: 'This solved my problem',
    backToTicket: 'Back to my ticket',
    searchSubject: 'Search the help center for this subject',
    solvedThanks: 'Glad this solved your problem. No ticket was sent.',
    wasHelpful: 'Was this article helpful?',
    thanksVote: 'Thank you for your feedback.',
    related: 'Related articles',
  },
} as const;

export const DEMO_PASSWORD = 'guichet-demo';
export const CLAIRE = 'claire.martin@example.com';
export const ADMIN = 'admin@example.com';

/// The demo customer whose preferred language is the test's: a user's preference
/// decides the language once signed in, so each language has its own customer
/// (both with three accounts; the first one, alphabetically, is active at sign-in).
export const CUSTOMER = {
  fr: { email: CLAIRE, name: 'Claire Martin', accounts: ['Atelier Lumière', 'Cabinet Dubois', 'Martin Conseil'] },
  en: { email: 'emma.wilson@example.com', name: 'Emma Wilson', accounts: ['Harbor Studio', 'Northwind Legal', 'Wilson & Co'] },
} as const;

export function langOf(info: TestInfo): Lang {
  return info.project.name.startsWith('fr') ? 'fr' : 'en';
}

export const test = base.extend<{ lang: Lang; t: (typeof L)[Lang]; customer: (typeof CUSTOMER)[Lang] }>({
  lang: async ({}, use, info) => use(langOf(info)),
  t: async ({ lang }, use) => use(L[lang]),
  customer: async ({ lang }, use) => use(CUSTOMER[lang]),
});
export { expect };

/// Waits until the WebAssembly bundle has hydrated the page (no-op without JS).
export async function hydrated(page: Page) {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 15_000 });
}

/// Signs in as a person does: home, "Sign in", the product family, e-mail, password.
export async function signIn(page: Page, t: (typeof L)[Lang], email: string, family: 'esignature' | 'other' = 'esignature', js = true) {
  await page.goto('/');
  if (js) await hydrated(page);
  await page.getByRole('link', { name: t.signIn }).first().click();
  await page.getByRole('link', { name: family === 'esignature' ? t.esignature : t.other }).click();
  await page.getByLabel(t.email).fill(email);
  await page.getByLabel(t.password).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: t.signIn }).click();
  await expect(page.locator('.account-menu')).toBeVisible();
}

/// axe-core, WCAG 2.2 A and AA rules: no violations.
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary).toEqual([]);
}

/// Opens the account menu and its "Switch account" part. The menu re-renders when the
/// session changes (after sign-in or a switch), so the click is retried until open.
export async function openAccountSwitcher(page: Page, t: (typeof L)[Lang]) {
  const switcher = page.locator('.switch-account > summary', { hasText: t.switchAccount });
  await expect(async () => {
    if (!(await switcher.isVisible())) await page.locator('.account-menu > summary').click();
    await expect(switcher).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  if ((await page.locator('.switch-account[open]').count()) === 0) await switcher.click();
}

export async function openAccountMenu(page: Page) {
  const panel = page.locator('.account-menu .menu-panel');
  await expect(async () => {
    if (!(await panel.isVisible())) await page.locator('.account-menu > summary').click();
    await expect(panel).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 10_000 });
}
