import { defineConfig } from '@playwright/test';

// The real server, on a fresh SQLite database, in Debian's Chromium (Playwright's
// own browser download is not reachable from these machines).
const port = Number(process.env.E2E_PORT ?? 3100);
const dataDir = process.env.E2E_DATA_DIR ?? '../target/e2e-data';

const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
  },
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    ...chromium,
  },
  projects: [
    { name: 'fr', use: { locale: 'fr-FR' } },
    { name: 'en', use: { locale: 'en-US' } },
  ],
  webServer: {
    command: `rm -rf ${dataDir} && ../target/debug/guichet`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      GUICHET_ADDR: `127.0.0.1:${port}`,
      GUICHET_DATA_DIR: dataDir,
      GUICHET_SITE_DIR: '../target/site',
      GUICHET_CONTENT_DIR: '../content/help',
      GUICHET_DEMO: 'true',
      // Resolved tickets close after a few seconds, so the end-to-end test sees it;
      // long enough that a loaded machine still has the customer comment first (at
      // 4 s the ticket sometimes closed before the comment that should reopen it).
      GUICHET_RESOLVED_GRACE: '10s',
      GUICHET_SWEEP_INTERVAL: '1s',
      RUST_LOG: 'warn',
      // Rate limits are proven by the integration tests; here many tests share one IP.
      GUICHET_SIGNIN_MAX_FAILURES: '50',
      GUICHET_SIGNIN_MAX_FAILURES_PER_IP: '500',
      // Three watchers a ticket, so that the cap is quick to reach; the hourly cap on
      // outside addresses is proven by the integration tests, here many tests share users.
      GUICHET_MAX_WATCHERS: '3',
      GUICHET_MAX_OUTSIDE_WATCHERS_PER_HOUR: '1000',
      // 1 MiB, so that "a file over the limit" is quick to make.
      GUICHET_MAX_UPLOAD_BYTES: '1048576',
    },
  },
});
