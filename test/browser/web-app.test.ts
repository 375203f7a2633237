import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOGINS,
  launchBrowser,
  navigation,
  type Server,
  screenshot,
  seriousViolations,
  signIn,
  startServer,
} from './support.js';

/**
 * The Ops Console and Client Portal in Debian's Chromium against `npm start` on a fresh data
 * directory with the sandbox on: what each role sees, a live test call, publishing and rollback,
 * tenant isolation by URL, and axe-core on the main screens.
 */
let server: Server;
let browser: Browser;
const tenants: Record<string, string> = {};

let adminCookie = '';

/** A 1×1 PNG. */
const LOGO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** The tenant's call count in its KPIs for the last 30 days, read through the API. */
async function kpiCalls(slug: string): Promise<number> {
  const res = await fetch(`${server.url}/api/tenants/${tenants[slug]}/kpis`, {
    headers: { cookie: adminCookie },
  });
  return ((await res.json()) as { totals: { calls: number } }).totals.calls;
}

async function freshPage(): Promise<Page> {
  // CSP bypassed only so that axe-core can be injected into the page.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  return context.newPage();
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(LOGINS.admin),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  adminCookie = cookie;
  const list = (await (await fetch(`${server.url}/api/tenants`, { headers: { cookie } })).json()) as {
    items: { id: string; slug: string }[];
  };
  for (const t of list.items) tenants[t.slug] = t.id;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('each role signs in and sees only its navigation', () => {
  it('internal_admin: console with every area, API keys included', async () => {
    const page = await freshPage();
    await signIn(page, server.url, LOGINS.admin);
    expect(page.url()).toContain('/console/');
    // The tenant's own areas join once the tenant list is in.
    await page.getByRole('link', { name: 'Agents' }).waitFor();
    const nav = await navigation(page);
    expect(nav).toEqual(
      expect.arrayContaining([
        'Tenants',
        'Agents',
        'Test call',
        'Calls',
        'Live calls',
        'Portal branding',
        'Users',
        'API keys',
        'Audit log',
      ]),
    );
    await screenshot(page, 'console-tenants');
    await page.close();
  });

  it('internal_operator: console without the admin-only API keys', async () => {
    const page = await freshPage();
    await signIn(page, server.url, LOGINS.operator);
    await page.getByRole('link', { name: 'Agents' }).waitFor();
    const nav = await navigation(page);
    expect(nav).toEqual(expect.arrayContaining(['Tenants', 'Agents', 'Test call', 'Calls', 'Live calls']));
    expect(nav).not.toContain('API keys');
    expect(nav).not.toContain('Portal branding');
    await page.goto(`${server.url}/console/api-keys`);
    await page.waitForURL(/\/console\/tenants/);
    await page.close();
  });

  it('client_viewer: only the portal of its own tenant, not the console or another tenant by URL', async () => {
    const page = await freshPage();
    await signIn(page, server.url, LOGINS.acmeViewer);
    const acme = tenants['acme-dental']!;
    expect(page.url()).toContain(`/portal/${acme}`);
    expect(await navigation(page)).toEqual(['Dashboard', 'Calls']);
    await page.goto(`${server.url}/console/tenants`);
    await page.waitForURL(new RegExp(`/portal/${acme}$`));
    await page.goto(`${server.url}/portal/${tenants['bright-plumbing']}/calls`);
    await page.waitForURL(new RegExp(`/portal/${acme}$`));
    expect(page.url()).not.toContain(tenants['bright-plumbing']!);
    await page.close();
  });

  it('a session that ends sends the person to sign in, then back where they were', async () => {
    const page = await freshPage();
    await signIn(page, server.url, LOGINS.operator);
    const where = `/console/t/${tenants['acme-dental']}/agents`;
    await page.goto(`${server.url}${where}`);
    await page.getByRole('link', { name: 'Front desk' }).waitFor();
    await page.context().clearCookies();
    await page.getByRole('link', { name: 'Tools' }).click();
    await page.waitForURL(/\/login\?/);
    await page.getByText('Your session ended').waitFor();
    await page.getByLabel('Email').fill(LOGINS.operator.email);
    await page.getByLabel('Password').fill(LOGINS.operator.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/console/t/${tenants['acme-dental']}/tools$`));
    await page.close();
  });
});

describe('operator workflows', () => {
  let callId: string;
  let callsBefore = 0;

  it('publishes a new agent version with a note, compares it with the last, and rolls back', {
    timeout: 300_000,
  }, async () => {
    const page = await freshPage();
    await signIn(page, server.url, LOGINS.operator);
    await page.goto(`${server.url}/console/t/${tenants['acme-dental']}/agents`);
    await page.getByRole('link', { name: 'Front desk' }).click();
    await page.getByLabel('Greeting').fill('Hello, Acme Dental here. How can I help you today?');
    await screenshot(page, 'console-agent-editor');
    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByLabel('Note').fill('Shorter greeting');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    // The demo agent has a test suite: the console runs it on the draft, then publishes.
    const published = page.getByText('Published version 2; it is live now.');
    const refused = page.getByRole('alert').filter({ hasText: 'Not published' });
    await published.or(refused).waitFor({ timeout: 240_000 });
    expect((await refused.isVisible()) ? await refused.textContent() : 'published').toBe('published');

    await page.getByRole('tab', { name: 'Versions' }).click();
    const versions = page.getByRole('table', { name: 'Versions' });
    await versions.getByText('Shorter greeting').waitFor();
    await page.getByRole('textbox', { name: 'From' }).click();
    await page.getByRole('option', { name: 'v1' }).click();
    await page.getByRole('textbox', { name: 'To' }).click();
    await page.getByRole('option', { name: 'v2' }).click();
    const diff = page.getByRole('table', { name: 'Differences' });
    await diff.getByText('greeting', { exact: true }).waitFor();
    await screenshot(page, 'console-agent-versions');

    await page.getByRole('button', { name: 'Roll back to v1' }).click();
    await page.getByText('Version 1 is live again.').waitFor();
    await page.getByText('live: v1').waitFor();
    await page.close();
  });

  it('places a sandbox test call and watches its turns arrive while it is in progress', async () => {
    callsBefore = await kpiCalls('acme-dental');
    const page = await freshPage();
    await signIn(page, server.url, LOGINS.operator);
    await page.goto(`${server.url}/console/t/${tenants['acme-dental']}/test-call`);
    await page.getByRole('textbox', { name: 'Number to call' }).waitFor();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Number to call' }).inputValue())
      .toBe('+15005550006');
    await page.getByRole('button', { name: 'Place test call' }).click();
    // A turn on screen while the call is still running: the conversation is shown live.
    await page.getByTestId('live-turn').first().waitFor({ timeout: 60_000 });
    expect(await page.getByText('call in progress').isVisible()).toBe(true);
    await page.getByText('Call completed').waitFor({ timeout: 90_000 });
    // Tool calls show with their status while the call runs, and their final one once it is over.
    const tool = page.getByTestId('live-tool').filter({ hasText: 'book_appointment' }).first();
    await tool.waitFor({ timeout: 30_000 });
    await expect.poll(() => tool.getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    const turns = await page.getByTestId('live-turn').allInnerTexts();
    expect(turns.some((t) => /cleaning appointment/i.test(t))).toBe(true);
    expect(turns.some((t) => /confirmation/i.test(t))).toBe(true);
    await screenshot(page, 'console-test-call');
    const href = await page.getByRole('link', { name: 'Open the call' }).getAttribute('href');
    callId = /calls\/(call_[a-z0-9]+)/.exec(href!)![1]!;
    await page.close();
  });

  it('the acme-dental viewer sees it in the KPIs, finds it, reads the transcript and plays the recording', async () => {
    const page = await freshPage();
    await signIn(page, server.url, LOGINS.acmeViewer);
    // KPIs count the test call: the dashboard's call count is at least the calls before it plus one.
    const callsCard = page.getByTestId('kpi-card').filter({ hasText: 'Calls' }).first();
    await callsCard.waitFor();
    await expect
      .poll(async () => Number(/Calls\s*(\d+)/.exec((await callsCard.textContent()) ?? '')?.[1] ?? 0), {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(callsBefore + 1);
    await screenshot(page, 'portal-dashboard');

    await page.getByRole('link', { name: 'Calls' }).click();
    const row = page.locator(`a[href$="/calls/${callId}"]`);
    await row.waitFor();
    await screenshot(page, 'portal-calls');
    await row.click();
    const transcript = page.getByRole('list', { name: 'Transcript' });
    await transcript.getByText(/cleaning appointment/i).waitFor();
    await transcript
      .getByText(/confirmation/i)
      .first()
      .waitFor();

    const play = page.getByRole('button', { name: 'Play' });
    await expect.poll(() => play.isEnabled(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('textbox', { name: 'Playback speed' }).click();
    await page.getByRole('option', { name: '2' }).click();
    const current = () => page.locator('[data-testid="turn"][data-current="true"]').textContent();
    await play.click();
    await expect
      .poll(() => page.getByTestId('player-time').textContent(), { timeout: 20_000 })
      .not.toBe('0.0 s');
    const first = await current();
    await expect.poll(current, { timeout: 60_000 }).not.toBe(first);
    await screenshot(page, 'portal-call-detail');
    const pause = page.getByRole('button', { name: 'Pause' });
    if (await pause.isVisible()) await pause.click();

    // Clicking a turn seeks the player to it.
    await transcript.getByRole('listitem').first().click();
    await expect.poll(() => page.getByTestId('player-time').textContent()).toMatch(/^[0-2]\.\d s$/);
    await page.close();
  });
});

describe('live calls across tenants', () => {
  it('an operator watches a sandbox call appear in "live calls now" and then end', async () => {
    const page = await freshPage();
    await signIn(page, server.url, LOGINS.operator);
    await page.goto(`${server.url}/console/live`);
    await page.getByText('live', { exact: true }).waitFor();
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(LOGINS.operator),
    });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const placed = fetch(`${server.url}/api/sandbox/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ to: '+15005550006', scenario: 'book-appointment', speed: 2 }),
    });
    const row = page.getByTestId('live-call').filter({ hasText: '+15005550006' }).first();
    await row.waitFor({ timeout: 60_000 });
    expect(['ringing', 'in_progress']).toContain(await row.getAttribute('data-status'));
    await expect.poll(() => page.getByTestId('live-count').textContent()).toMatch(/^[1-9]\d* calls? now$/);
    await row.getByText('Acme Dental', { exact: false }).waitFor();
    await screenshot(page, 'console-live-calls');
    expect((await placed).status).toBe(200);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('completed');
    await row.getByText('ended: completed').waitFor();
    await page.close();
  });
});

describe('white-label portal', () => {
  it("an admin brands bright-plumbing's portal; its viewer sees the name, logo and accent colour", async () => {
    const plumbing = tenants['bright-plumbing']!;
    const page = await freshPage();
    await signIn(page, server.url, LOGINS.admin);
    await page.goto(`${server.url}/console/t/${plumbing}/branding`);
    await page.getByLabel('Display name').fill('Bright Plumbing & Heating');
    await page.getByRole('textbox', { name: 'Accent colour' }).fill('#0b7a75');
    await page.getByRole('button', { name: 'Save branding' }).click();
    await page.getByText('Branding saved; the portal shows it now.').waitFor();
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: LOGO_PNG });
    await page.getByTestId('logo-preview').waitFor();
    await screenshot(page, 'console-branding');
    // An SVG is refused with the API's message.
    await page.locator('input[type="file"]').setInputFiles({
      name: 'logo.svg',
      mimeType: 'image/svg+xml',
      buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    });
    await page.getByText(/LOGO_TYPE_UNSUPPORTED/).waitFor();
    await page.close();

    const viewer = await freshPage();
    await signIn(viewer, server.url, LOGINS.plumbingViewer);
    await viewer.getByTestId('brand-name').getByText('Bright Plumbing & Heating').waitFor();
    const logo = viewer.getByTestId('brand-logo');
    await expect
      .poll(() => logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(1);
    // The accent colour is the portal's primary colour (shade 8, already dark enough for AA).
    const primary = await viewer.evaluate(() => {
      const w = globalThis as unknown as {
        document: { documentElement: unknown };
        getComputedStyle(e: unknown): { getPropertyValue(name: string): string };
      };
      return w
        .getComputedStyle(w.document.documentElement)
        .getPropertyValue('--mantine-primary-color-filled')
        .trim();
    });
    expect(primary).toBe('#0b7a75');
    expect(await viewer.title()).toBe('Bright Plumbing & Heating');
    expect(await seriousViolations(viewer)).toEqual([]);
    await screenshot(viewer, 'portal-branded');
    await viewer.close();
  });
});

describe('admin workflows', () => {
  it('places a legal hold on a call with a reason and releases it', async () => {
    const page = await freshPage();
    await signIn(page, server.url, LOGINS.admin);
    await page.goto(`${server.url}/console/t/${tenants['acme-dental']}/calls`);
    const table = page.getByRole('table', { name: 'Calls' });
    const place = table.getByRole('button', { name: /^Place legal hold on call/ }).first();
    await place.waitFor();
    const callId = /on call (call_\w+)/.exec((await place.getAttribute('aria-label'))!)![1]!;
    await place.click();
    const dialog = page.getByRole('dialog', { name: 'Place legal hold' });
    await dialog.getByLabel('Reason').fill('Dispute from the caller, ticket 4711');
    await dialog.getByRole('button', { name: 'Place hold' }).click();
    const release = table.getByRole('button', { name: `Release legal hold on call ${callId}` });
    await release.waitFor();
    await expect.poll(() => table.getByText('on hold').count()).toBe(1);
    await screenshot(page, 'console-calls-legal-hold');
    await release.click();
    const releaseDialog = page.getByRole('dialog', { name: 'Release legal hold' });
    await releaseDialog.getByLabel('Reason').fill('Dispute settled');
    await releaseDialog.getByRole('button', { name: 'Release' }).click();
    await table.getByRole('button', { name: `Place legal hold on call ${callId}` }).waitFor();
    await expect.poll(() => table.getByText('on hold').count()).toBe(0);
    await page.close();
  });

  it('an operator sees no legal hold controls', async () => {
    const page = await freshPage();
    await signIn(page, server.url, LOGINS.operator);
    await page.goto(`${server.url}/console/t/${tenants['acme-dental']}/calls`);
    await page.getByRole('table', { name: 'Calls' }).waitFor();
    expect(await page.getByRole('button', { name: /legal hold/ }).count()).toBe(0);
    await page.close();
  });
});

/** Network idle, except on screens that hold a live event stream open (never idle): their first answer. */
async function settled(page: Page): Promise<void> {
  if (page.url().endsWith('/console/live')) await page.getByText('live', { exact: true }).waitFor();
  else await page.waitForLoadState('networkidle');
}

describe('content security policy', () => {
  it('serves the app without unsafe-eval; the tool editor and the test form still validate', async () => {
    const res = await fetch(`${server.url}/login`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');

    // This page enforces the policy (no bypass): any blocked eval would be reported here.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      const w = globalThis as unknown as {
        cspViolations?: string[];
        document: {
          addEventListener(
            type: string,
            f: (e: { violatedDirective: string; blockedURI: string }) => void,
          ): void;
        };
      };
      w.document.addEventListener('securitypolicyviolation', (e) => {
        w.cspViolations = [...(w.cspViolations ?? []), `${e.violatedDirective} ${e.blockedURI}`];
      });
    });
    await signIn(page, server.url, LOGINS.operator);
    await page.goto(`${server.url}/console/t/${tenants['acme-dental']}/tools`);
    await page.getByRole('link', { name: 'book_appointment' }).click();
    await page.getByText('Valid JSON Schema').waitFor();

    // The test form refuses missing arguments with the schema's own rules...
    await page.getByRole('button', { name: 'Run test' }).click();
    await page
      .getByText(/is a required property/)
      .first()
      .waitFor();
    // ...and runs once they are there.
    await page.locator('#root_service').fill('cleaning');
    await page.locator('#root_date').fill('2026-12-01');
    await page.locator('#root_time').fill('09:30');
    await page.getByRole('button', { name: 'Run test' }).click();
    await page.getByTestId('tool-test-result').getByText('succeeded').first().waitFor({ timeout: 30_000 });

    // The schema editor checks against the 2020-12 meta-schema as one types.
    await page.locator('.cm-content').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText('{"type":"object","properties":{"a":{"type":"nope"}}}');
    await page.getByText(/not a valid JSON Schema/).waitFor();

    expect(
      await page.evaluate(() => (globalThis as unknown as { cspViolations?: string[] }).cspViolations ?? []),
    ).toEqual([]);
    await context.close();
  });
});

describe('accessibility', () => {
  it('axe-core finds no serious or critical violations on the main screens, light and dark', {
    timeout: 360_000,
  }, async () => {
    const page = await freshPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').waitFor();
    const found: Record<string, unknown> = {};
    const check = async (name: string) => {
      const v = await seriousViolations(page);
      if (v.length) found[name] = v;
    };
    await check('login');
    await screenshot(page, 'login');
    await signIn(page, server.url, LOGINS.admin);
    const acme = tenants['acme-dental']!;
    const screens: [string, string, string][] = [
      ['console-tenants', '/console/tenants', 'Tenants'],
      ['console-agents', `/console/t/${acme}/agents`, 'Front desk'],
      ['console-tools', `/console/t/${acme}/tools`, 'book_appointment'],
      ['console-numbers', `/console/t/${acme}/numbers`, '+15005550006'],
      ['console-n8n', `/console/t/${acme}/n8n`, 'Sandbox n8n'],
      ['console-users', '/console/users', 'admin@switchboard.local'],
      ['console-audit', '/console/audit', 'Audit log'],
      ['console-calls', `/console/t/${acme}/calls`, 'Calls'],
      ['console-all-calls', '/console/calls', 'Calls across tenants'],
      ['portal-calls-admin', `/portal/${acme}/calls`, 'Calls'],
      ['console-live-calls', '/console/live', 'Live calls'],
      ['console-test-call-form', `/console/t/${acme}/test-call`, 'Test call'],
      ['console-branding', `/console/t/${acme}/branding`, 'Portal branding'],
      ['portal-dashboard-admin', `/portal/${acme}`, 'Dashboard'],
    ];
    for (const [name, path, text] of screens) {
      await page.goto(`${server.url}${path}`);
      await page.getByText(text, { exact: true }).first().waitFor();
      await settled(page);
      await check(name);
      await screenshot(page, name);
    }
    // The dark theme on the same kinds of screen.
    await page.emulateMedia({ colorScheme: 'dark' });
    for (const [name, path, text] of screens.filter(([n]) =>
      ['console-tenants', 'console-calls', 'console-live-calls', 'portal-dashboard-admin'].includes(n),
    )) {
      await page.goto(`${server.url}${path}`);
      await page.getByText(text, { exact: true }).first().waitFor();
      await settled(page);
      await check(`${name}-dark`);
      await screenshot(page, `${name}-dark`);
    }
    expect(found).toEqual({});
    await page.close();
  });
});
