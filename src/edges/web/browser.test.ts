/**
 * The web page end to end in a real browser (Debian's chromium through playwright-core), against
 * `myseal serve` in front of a simulated gateway: the PIN typed on the keypad unlocks and the node
 * list follows live; a wrong PIN counts the attempts down; a forged frame from the node side shows
 * up as a security event; the keyboard works too; with a token, the login form lets the user in,
 * also over HTTPS (http.tls), where the session cookie is Secure.
 * Screenshots, phone-sized and desktop, go to $MYSEAL_TEST_OUTPUT/screenshots/ (a CI job sets it to keep
 * them), else test-output/screenshots/ in the working directory (git-ignored); the test prints the
 * absolute directory.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { tempDir } from '../../../test/support/fixtures.ts';
import { requireTool } from '../../../test/support/require-tool.ts';
import { makeTestCertificates } from '../../../test/support/test-cert.ts';
import { runSocketDemo } from '../../demo/socket-demo.ts';
import { HSTS_HEADER } from '../http/tls.ts';
import { injectForgedFrame, injectPlainUnlocked, PIN, startWorld } from '../../../test/support/web-world.ts';

/** Where screenshots go; MYSEAL_TEST_OUTPUT (relative to the working directory) overrides test-output. */
const SHOTS = resolve(process.env.MYSEAL_TEST_OUTPUT || 'test-output', 'screenshots');
let shotsAnnounced = false;
const PHONE = { width: 390, height: 844 };
/** The phone most tests use: a dark scheme, a retina screen. */
const DARK_PHONE = { viewport: PHONE, deviceScaleFactor: 2, colorScheme: 'dark' } as const;
const DESKTOP = { width: 1280, height: 900 };
const WAIT = { timeout: 5_000 };
const TOKEN = 'browser-test-token-0123456789';

async function launch(t: TestContext, extraArgs: string[] = []): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    timeout: 20_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
  t.after(() => browser.close());
  return browser;
}

/** A page that fails the test on any script error or refused resource (a CSP violation included). */
async function openPage(
  t: TestContext,
  context: BrowserContext,
  url: string,
  onResponse?: (headers: Record<string, string>) => void,
  /** Answers the test provokes on purpose (chromium logs every 4xx as an error). */
  expectedStatus: number[] = [],
): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(5_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A 401 before login is the page asking whether it needs one; anything else is a fault.
    const status = /status of (\d{3})/.exec(m.text())?.[1];
    if (m.type() === 'error' && status !== '401' && !expectedStatus.includes(Number(status))) problems.push(`console: ${m.text()}`);
  });
  t.after(() => assert.deepEqual(problems, [], 'no script errors or blocked resources'));
  const response = await page.goto(url);
  onResponse?.((await response?.allHeaders()) ?? {});
  return page;
}

/** A daemon that wants the API token, and a phone's page opened on it (at the login). */
async function phoneAtTokenLogin(t: TestContext): Promise<{ w: Awaited<ReturnType<typeof startWorld>>; context: BrowserContext; page: Page }> {
  const w = await startWorld(t, { token: TOKEN });
  const browser = await launch(t);
  const context = await browser.newContext(DARK_PHONE);
  const page = await openPage(t, context, `${w.base}/`);
  return { w, context, page };
}

async function shot(t: TestContext, page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  if (!shotsAnnounced) {
    shotsAnnounced = true;
    t.diagnostic(`screenshots are written to ${SHOTS}`);
  }
  await page.screenshot({ path: join(SHOTS, name), fullPage });
  t.diagnostic(`screenshot: ${name}`);
}

async function click(page: Page, keys: string): Promise<void> {
  for (const k of keys) await page.locator(`#keys button[data-key="${k}"]`).click();
}

async function resultText(page: Page): Promise<string> {
  return ((await page.locator('#result').textContent()) ?? '').trim();
}

test('the keypad in a browser: unlock, wrong PIN, live node list, security event, keyboard', { timeout: 50_000 }, async (t) => {
  if (!requireTool(t, 'chromium')) return;
  const w = await startWorld(t);
  const browser = await launch(t);
  const phone = await browser.newContext({ ...DARK_PHONE, hasTouch: true });
  const page = await openPage(t, phone, `${w.base}/`);

  await page.locator('#result', { hasText: 'Enter PIN' }).waitFor(WAIT);
  assert.equal(await page.locator('#node').inputValue(), '5', 'the first lock is selected');
  assert.equal(await page.locator('#nodes li[data-node="5"] .badge').textContent(), 'Unknown');
  await page.evaluate(() => ((globalThis as { marker?: number }).marker = 1));

  // Typed digits show as dots, never as digits.
  await click(page, PIN.slice(0, 2));
  await page.locator('#dots .dot-slot.filled').nth(1).waitFor(WAIT);
  assert.equal(await page.locator('#dots .dot-slot.filled').count(), 2);
  assert.equal(await page.locator('#dots').getAttribute('aria-label'), '2 digits entered');
  assert.equal(((await page.locator('#dots').textContent()) ?? '').trim(), '');
  await click(page, PIN.slice(2));
  await page.locator('#result', { hasText: 'Unlocked' }).waitFor(WAIT);
  assert.equal(w.site.lock.node.locked, false);
  // The node list follows over the event stream, without a reload.
  await page.locator('#nodes li[data-node="5"] .badge', { hasText: 'Unlocked' }).waitFor(WAIT);
  await page.locator('#audit li', { hasText: 'Unlock' }).first().waitFor(WAIT);
  assert.equal(await page.evaluate(() => (globalThis as { marker?: number }).marker), 1, 'the page was not reloaded');
  assert.equal(await page.locator('#dots .dot-slot.filled').count(), 0);
  await shot(t, page, 'keypad-unlocked-phone.png');

  // Wrong PIN twice: the attempts count down.
  await click(page, '0000');
  await page.locator('#result', { hasText: 'Wrong PIN' }).waitFor(WAIT);
  assert.equal(await resultText(page), 'Wrong PIN — 4 attempts left');
  await click(page, '1111');
  await page.locator('#result', { hasText: '3 attempts left' }).waitFor(WAIT);
  assert.equal(await resultText(page), 'Wrong PIN — 3 attempts left');
  await page.locator('#nodes li[data-node="5"]', { hasText: '3 attempts left' }).waitFor(WAIT);
  await shot(t, page, 'keypad-wrong-pin-phone.png');

  // A forged frame from the node side (a genuine report with its tag changed): a security event.
  injectForgedFrame(w.site);
  const event = page.locator('#security li', { hasText: 'AUTH_FAILED' });
  await event.waitFor(WAIT);
  assert.match((await event.textContent()) ?? '', /Forged or damaged frame/);
  await page.locator('#audit li.security', { hasText: 'Forged' }).waitFor(WAIT);
  await page.locator('#counters', { hasText: 'node:AUTH_FAILED' }).waitFor(WAIT);
  await page.locator('#nodes li[data-node="5"] .counts .alert', { hasText: 'Rejected' }).waitFor(WAIT);
  // A plain "unlocked" for the sealed lock, put on the gateway link: dropped, and shown as such.
  injectPlainUnlocked(w.site);
  const plain = page.locator('#security li', { hasText: 'PLAIN_FROM_SEALED_NODE' });
  await plain.waitFor(WAIT);
  assert.match((await plain.textContent()) ?? '', /Plain value from a sealed node dropped.*C_SET V_LOCK_STATUS/);
  await page.locator('#counters', { hasText: 'gateway:PLAIN_FROM_SEALED_NODE' }).waitFor(WAIT);
  await page.locator('#security').scrollIntoViewIfNeeded();
  await shot(t, page, 'status-security-event-phone.png');
  await shot(t, page, 'full-page-phone.png', true);

  // The keyboard works too: digits, Escape clears, Enter submits.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('9');
  await page.locator('#dots .dot-slot.filled').first().waitFor(WAIT);
  await page.keyboard.press('Escape');
  await page.locator('#result', { hasText: 'Enter PIN' }).waitFor(WAIT);
  await page.locator('#dots .dot-slot.filled').first().waitFor({ state: 'detached', ...WAIT });
  for (const d of PIN) await page.keyboard.press(d);
  await page.locator('#result', { hasText: 'Unlocked' }).waitFor(WAIT);

  // Real buttons, reachable with Tab, with a visible focus ring.
  await page.locator('#node').focus();
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(`(() => {
    const e = document.activeElement;
    return { tag: e.tagName, key: e.dataset.key, outline: getComputedStyle(e).outlineStyle };
  })()`);
  assert.deepEqual(focused, { tag: 'BUTTON', key: '1', outline: 'solid' });
  await shot(t, page, 'keypad-focus-phone.png');

  // Wrong five times in a row: the lock locks out, and the page counts the seconds down.
  for (let i = 0; i < 5; i++) {
    await page.locator('#result[data-tone="busy"]').waitFor({ state: 'detached', ...WAIT });
    for (const d of '9999') await page.keyboard.press(d);
    await page.locator('#result[data-tone="busy"]').waitFor({ state: 'detached', ...WAIT });
  }
  await page.locator('#result', { hasText: 'Locked out' }).waitFor(WAIT);
  const lockedOut = await resultText(page);
  assert.match(lockedOut, /^Locked out — \d+ s$/);
  const first = Number(/(\d+) s$/.exec(lockedOut)![1]);
  await page.waitForFunction((before) => {
    const m = /(\d+) s$/.exec((globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document.getElementById('result').textContent);
    return m !== null && Number(m[1]) < before;
  }, first, WAIT);
  await page.locator('#nodes li[data-node="5"] .badge', { hasText: 'Locked out' }).waitFor(WAIT);
  await shot(t, page, 'keypad-locked-out-phone.png');

  // The same page on a desktop screen, light theme, with the history loaded from the audit log.
  const desktop = await browser.newContext({ viewport: DESKTOP, colorScheme: 'light' });
  const wide = await openPage(t, desktop, `${w.base}/`);
  await wide.locator('#security li', { hasText: 'AUTH_FAILED' }).waitFor(WAIT);
  await wide.locator('#nodes li[data-node="5"] .badge', { hasText: 'Locked out' }).waitFor(WAIT);
  // A page opened during the lockout shows it on the keypad straight away.
  await wide.locator('#result', { hasText: 'Locked out' }).waitFor(WAIT);
  await shot(t, wide, 'desktop-light.png');
});

test('with a token the page asks for it first, then works with the session cookie', { timeout: 40_000 }, async (t) => {
  if (!requireTool(t, 'chromium')) return;
  const { context, page } = await phoneAtTokenLogin(t);

  await page.getByLabel('API token').waitFor(WAIT);
  assert.equal(await page.locator('#app').isHidden(), true);
  await page.getByLabel('API token').fill('not-the-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#login-error', { hasText: 'not the API token' }).waitFor(WAIT);
  await shot(t, page, 'login-wrong-token-phone.png');

  await page.getByLabel('API token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#result', { hasText: 'Enter PIN' }).waitFor(WAIT);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'myseal_session');
  assert.ok(session, 'the session cookie is set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(session.secure, false, 'plain HTTP: a Secure cookie would never come back');
  assert.equal(await page.evaluate('document.cookie'), '', 'HttpOnly: no script can read it');

  // The keypad's POSTs go with the cookie and the X-MySeal header.
  await click(page, PIN);
  await page.locator('#result', { hasText: 'Unlocked' }).waitFor(WAIT);
  await page.locator('#live', { hasText: 'Live' }).waitFor(WAIT);
  await page.locator('#audit li.security', { hasText: 'Wrong API token' }).waitFor(WAIT);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API token').waitFor(WAIT);
  assert.equal((await context.cookies()).some((c) => c.name === 'myseal_session'), false);
});

test('over HTTPS: the page loads with HSTS, the login sets a Secure cookie, the keypad unlocks', { timeout: 40_000 }, async (t) => {
  if (!requireTool(t, 'chromium', 'openssl')) return;
  const certs = makeTestCertificates(tempDir(t, 'myseal-browser-tls-'));
  const w = await startWorld(t, { token: TOKEN, tls: { cert: certs.certPath, key: certs.keyPath } });
  // Chromium trusts exactly this server's key, as if its CA were installed; any other certificate still fails.
  const browser = await launch(t, [`--ignore-certificate-errors-spki-list=${certs.spkiSha256}`]);
  const context = await browser.newContext(DARK_PHONE);
  let headers: Record<string, string> = {};
  const page = await openPage(t, context, `${w.base}/`, (h) => (headers = h));
  assert.ok(w.base.startsWith('https://'));
  assert.equal(headers['strict-transport-security'], HSTS_HEADER);
  assert.equal(await page.evaluate('window.isSecureContext'), true);

  await page.getByLabel('API token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#result', { hasText: 'Enter PIN' }).waitFor(WAIT);
  const session = (await context.cookies()).find((c) => c.name === 'myseal_session');
  assert.ok(session, 'the session cookie is set');
  assert.equal(session.secure, true, 'Secure: never sent over plain HTTP');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');

  await click(page, PIN);
  await page.locator('#result', { hasText: 'Unlocked' }).waitFor(WAIT);
  await page.locator('#live', { hasText: 'Live' }).waitFor(WAIT);
  assert.equal(w.site.lock.node.locked, false);
  await shot(t, page, 'https-unlocked-phone.png');
});

test("Enter and Clear send the daemon's own submit and clear keys when they are not # and *", { timeout: 40_000 }, async (t) => {
  if (!requireTool(t, 'chromium')) return;
  const w = await startWorld(t, { pinEntry: { submitKey: 'A', clearKey: 'B' } });
  const browser = await launch(t);
  const context = await browser.newContext({ viewport: PHONE });
  // The too-short PIN below is a 400 BAD_PIN answer, on purpose.
  const page = await openPage(t, context, `${w.base}/`, undefined, [400]);
  await page.locator('#result', { hasText: 'Enter PIN' }).waitFor(WAIT);
  // Clear forgets a stray digit, so the PIN typed after it is the whole entry.
  await click(page, '1*');
  await page.locator('#result', { hasText: 'Enter PIN' }).waitFor(WAIT);
  await click(page, PIN);
  await page.locator('#result', { hasText: 'Unlocked' }).waitFor(WAIT);
  assert.equal(w.site.lock.node.locked, false);
  // Enter submits what was typed: three digits are too short for a PIN (had the page sent '#', the
  // daemon would have refused the key itself, with another answer).
  await click(page, '123#');
  await page.locator('#result', { hasText: 'Too short' }).waitFor(WAIT);
  assert.equal(w.running.daemon.bufferedDigits(5), 0);
});

test('Lock beside Unlock; a lockout turns the keys and Unlock off with a countdown, drops digits, and ends by the daemon\'s figure', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'chromium')) return;
  // A short lockout, so the test sees it end.
  const w = await startWorld(t, { node: { lockoutBaseS: 4 } });
  const browser = await launch(t);
  const context = await browser.newContext({ ...DARK_PHONE, hasTouch: true });
  // The too-short PIN sent with Unlock below is a 400 BAD_PIN answer, on purpose.
  const page = await openPage(t, context, `${w.base}/`, undefined, [400]);
  const unlockButton = page.getByRole('button', { name: 'Unlock', exact: true });
  const lockButton = page.getByRole('button', { name: 'Lock', exact: true });
  const key = page.locator('#keys button[data-key="1"]');
  await page.locator('#result', { hasText: 'Enter PIN' }).waitFor(WAIT);

  // Unlock submits what was typed (like Enter): off with nothing typed.
  assert.equal(await unlockButton.isDisabled(), true);
  await click(page, '12');
  await page.waitForFunction(() => !(globalThis as unknown as { document: { getElementById(id: string): { disabled: boolean } } }).document.getElementById('unlock-button').disabled, undefined, WAIT);
  await unlockButton.click();
  await page.locator('#result', { hasText: 'Too short' }).waitFor(WAIT);
  await click(page, PIN);
  await page.locator('#result', { hasText: 'Unlocked' }).waitFor(WAIT);
  assert.equal(w.site.lock.node.locked, false);

  // Lock: the lock's sealed answer, shown like an unlock's.
  await lockButton.click();
  await page.locator('#result', { hasText: 'Locked' }).waitFor(WAIT);
  assert.equal(w.site.lock.node.locked, true);
  await page.locator('#nodes li[data-node="5"] .badge', { hasText: 'Locked' }).waitFor(WAIT);
  await shot(t, page, 'keypad-lock-unlock-phone.png');

  // Five wrong PINs: locked out. The keys and Unlock go off, a countdown says for how long.
  for (let i = 0; i < 5; i++) {
    await click(page, '9999');
    await page.locator('#result[data-tone="busy"]').waitFor({ state: 'detached', ...WAIT });
  }
  await page.locator('#result', { hasText: 'Locked out' }).waitFor(WAIT);
  const countdown = page.locator('#lockout');
  await countdown.waitFor({ state: 'visible', ...WAIT });
  assert.match((await countdown.textContent()) ?? '', /^Keys off: locked out for [1-4] s$/);
  assert.equal(await key.isDisabled(), true);
  assert.equal(await page.locator('#keys button:not([disabled])').count(), 0, 'every key is off');
  assert.equal(await unlockButton.isDisabled(), true);
  assert.equal(await lockButton.isDisabled(), false, 'locking needs no PIN and stays possible');
  await shot(t, page, 'keypad-lockout-countdown-phone.png');

  // Digits typed meanwhile (keyboard too) are dropped, not queued for when it ends.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('3');
  await page.keyboard.press('4');
  assert.equal(await page.locator('#dots .dot-slot.filled').count(), 0);
  assert.equal(w.running.daemon.bufferedDigits(5), 0);

  // The countdown runs out by the daemon's deadline: keys back, countdown gone, and the PIN works.
  await countdown.waitFor({ state: 'hidden', timeout: 15_000 });
  await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): { disabled: boolean } } }).document.querySelector('#keys button[data-key="1"]').disabled, undefined, WAIT);
  assert.equal(w.running.daemon.bufferedDigits(5), 0, 'nothing typed during the lockout went out after it');
  await click(page, PIN);
  await page.locator('#result', { hasText: 'Unlocked' }).waitFor(WAIT);
  assert.equal(w.site.lock.node.locked, false);
});

test('installable: the browser reads the manifest and loads its icons without a login', { timeout: 40_000 }, async (t) => {
  if (!requireTool(t, 'chromium')) return;
  const { w, context, page } = await phoneAtTokenLogin(t);
  await page.getByLabel('API token').waitFor(WAIT);

  // Chromium's own reading of the manifest, as "add to home screen" uses it: no parse errors.
  const cdp = await context.newCDPSession(page);
  const read = (await cdp.send('Page.getAppManifest')) as { url: string; errors: { message: string }[]; data?: string };
  assert.equal(read.url, `${w.base}/manifest.webmanifest`);
  assert.deepEqual(read.errors, []);
  const manifest = JSON.parse(read.data ?? '{}') as { display: string; start_url: string; theme_color: string; icons: { src: string; type: string; sizes: string }[] };
  assert.equal(manifest.display, 'standalone');
  assert.equal(manifest.start_url, '/');
  assert.equal(await page.locator('meta[name="theme-color"]').getAttribute('content'), manifest.theme_color);

  // Every icon, the apple-touch-icon too, decodes in the browser at its stated size, before any login.
  const icons = [...manifest.icons.map((i) => ({ src: i.src, sizes: i.sizes })), { src: (await page.locator('link[rel="apple-touch-icon"]').getAttribute('href')) ?? '', sizes: '180x180' }];
  for (const icon of icons) {
    const size = await page.evaluate(
      (src) =>
        new Promise<string>((resolve) => {
          const img = new (globalThis as unknown as { Image: new () => { src: string; naturalWidth: number; naturalHeight: number; onload: () => void; onerror: () => void } }).Image();
          img.onload = () => resolve(`${img.naturalWidth}x${img.naturalHeight}`);
          img.onerror = () => resolve('failed');
          img.src = src;
        }),
      icon.src,
    );
    if (icon.sizes === 'any') assert.notEqual(size, 'failed', icon.src);
    else assert.equal(size, icon.sizes, icon.src);
  }
  await shot(t, page, 'login-installable-phone.png');
});

test('a login link from myseal login-link signs a phone in once; opened again it is refused', { timeout: 40_000 }, async (t) => {
  if (!requireTool(t, 'chromium')) return;
  const w = await startWorld(t, { token: TOKEN });
  const link = await fetch(`${w.base}/api/login-link`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
  const { path } = (await link.json()) as { path: string };
  const url = `${w.base}${path}`;
  const browser = await launch(t);

  const phone = await browser.newContext({ ...DARK_PHONE, hasTouch: true });
  const page = await openPage(t, phone, url);
  await page.locator('#result', { hasText: 'Enter PIN' }).waitFor(WAIT);
  assert.equal(page.url(), `${w.base}/`, 'the code is gone from the address bar');
  const session = (await phone.cookies()).find((c) => c.name === 'myseal_session');
  assert.ok(session?.httpOnly, 'the same session cookie as a token login');
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).isVisible(), true);
  await click(page, PIN);
  await page.locator('#result', { hasText: 'Unlocked' }).waitFor(WAIT);
  await shot(t, page, 'login-link-signed-in-phone.png');

  // The same link on another phone: dead. The login form says why; the refusal is a security event.
  const other = await browser.newContext({ ...DARK_PHONE, hasTouch: true });
  const again = await openPage(t, other, url);
  await again.locator('#login-error', { hasText: 'used up or expired' }).waitFor(WAIT);
  assert.equal(await again.locator('#app').isHidden(), true);
  assert.equal((await other.cookies()).some((c) => c.name === 'myseal_session'), false);
  await shot(t, again, 'login-link-refused-phone.png');
  await page.locator('#security li', { hasText: 'LOGIN_LINK_REFUSED' }).waitFor(WAIT);

  // The history entry with the code was replaced, not kept behind the page: back is where the tab began.
  await page.goBack();
  assert.equal(page.url(), 'about:blank');
});

test("right after the demo, 'Security events' lists its replays and tampering", { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'chromium')) return;
  const demo = await runSocketDemo();
  t.after(() => demo.stop());
  assert.deepEqual(
    demo.steps.filter((s) => !s.pass).map((s) => s.name),
    [],
    'the demo passed',
  );
  const browser = await launch(t);
  const context = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' });
  const page = await openPage(t, context, demo.url);
  // The lock's frames replayed and tampered on their way to MySeal, and the lock's answer to the
  // unlock replayed on its way to the lock.
  for (const code of ['REPLAYED_COUNTER', 'AUTH_FAILED', 'UNEXPECTED_RESULT']) await page.locator('#security li', { hasText: code }).first().waitFor(WAIT);
  assert.equal(await page.locator('#security-empty').isHidden(), true);
  await page.locator('#counters', { hasText: 'node:AUTH_FAILED' }).waitFor(WAIT);
  await page.locator('#security').scrollIntoViewIfNeeded();
  await shot(t, page, 'demo-security-events-desktop.png');
});
