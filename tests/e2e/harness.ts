/**
 * Shared helpers for the e2e tests: the base URL of the server global-setup.ts started, Debian's
 * Chromium driven by playwright-core, pages that record console errors, and screenshots.
 *
 *   const browser = await launchBrowser();            // beforeAll
 *   const { page, errors } = await newPage(browser, MOBILE, { signedIn: true });
 *   await page.goto(url("/"));
 *   ...
 *   expectNoConsoleErrors(errors);
 *   await browser.close();                            // afterAll
 *
 * Signing in through the real UI: `signInWithDemoUser(page, "Ada Owner")` on /login (dev provider),
 * or through the certified OpenID provider the server's OIDC uses: `certifiedProvider()`, steered with
 * `certifiedControl` (stop/start/reset) and read with `certifiedLog()`. The fake GitHub (and Actions
 * issuer) the server uses are `fakeProviders()`, steered with `fakeControl`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";
import type { FakeProvidersInfo, RecordedRequest } from "../fakes/server";
import type { CertifiedProviderInfo, CertifiedProviderLog } from "./certified-op";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Passed verbatim; the profile directory is a fresh mkdtemp dir (launchPersistentContext). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

export const ARTIFACTS_DIR = fileURLToPath(new URL("./artifacts/", import.meta.url));

export type Viewport = {
  name: "desktop" | "mobile";
  width: number;
  height: number;
  isMobile: boolean;
  hasTouch: boolean;
  deviceScaleFactor: number;
};
export const DESKTOP: Viewport = {
  name: "desktop",
  width: 1280,
  height: 800,
  isMobile: false,
  hasTouch: false,
  deviceScaleFactor: 1,
};
export const MOBILE: Viewport = {
  name: "mobile",
  width: 390,
  height: 844,
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};
export const VIEWPORTS = [DESKTOP, MOBILE] as const;

/** The running app, e.g. http://127.0.0.1:41234 */
export function baseURL(): string {
  const value = inject("e2eBaseURL");
  if (!value) throw new Error("e2eBaseURL was not provided: run the e2e tests with --config vitest.e2e.config.ts");
  return value;
}

export function url(path: string): string {
  return new URL(path, baseURL()).toString();
}

export type E2EBrowser = {
  browser: Browser;
  /** The persistent (profile) context Chromium was launched with. */
  profile: BrowserContext;
  close(): Promise<void>;
};

export async function launchBrowser(): Promise<E2EBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}. Install it with: apt-get update && apt-get install -y chromium`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), "atmos-e2e-chromium-"));
  let profile: BrowserContext;
  try {
    // `chromium.launch` refuses --user-data-dir in args; the persistent context is the supported way.
    profile = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_FLAGS],
      headless: true,
      timeout: 60_000,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const browser = profile.browser();
  if (!browser) {
    await profile.close();
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error("launchPersistentContext returned a context without a browser");
  }
  let closed: Promise<void> | undefined;
  return {
    browser,
    profile,
    close: () =>
      (closed ??= (async () => {
        try {
          await profile.close();
        } finally {
          rmSync(userDataDir, { recursive: true, force: true });
        }
      })()),
  };
}

export type PageError = { kind: "console" | "pageerror"; text: string; url?: string };

export type E2EPage = {
  page: Page;
  viewport: Viewport;
  /** console.error messages and uncaught exceptions, in order. */
  errors: PageError[];
  close(): Promise<void>;
};

/** The seeded owner's session cookie, minted by global-setup.ts. */
export function ownerSessionCookie(): { name: string; value: string } {
  const cookie = inject("e2eOwnerSession");
  if (!cookie)
    throw new Error("e2eOwnerSession was not provided: run the e2e tests with --config vitest.e2e.config.ts");
  return cookie;
}

export type NewPageOptions = {
  /** Start signed in as the seeded owner (SEED.ownerLogin). Default: signed out. */
  signedIn?: boolean;
};

/** A page in its own fresh context (no cookies shared with other pages) at the given viewport. */
export async function newPage(
  browser: E2EBrowser,
  viewport: Viewport = DESKTOP,
  options: NewPageOptions = {},
): Promise<E2EPage> {
  const context = await browser.browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.isMobile,
    hasTouch: viewport.hasTouch,
    deviceScaleFactor: viewport.deviceScaleFactor,
    locale: "en-US",
    timezoneId: "UTC",
  });
  if (options.signedIn) {
    const { name, value } = ownerSessionCookie();
    await context.addCookies([{ name, value, url: baseURL(), httpOnly: true, sameSite: "Lax" }]);
  }
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const errors: PageError[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push({ kind: "console", text: message.text(), url: message.location().url });
  });
  page.on("pageerror", (error) => {
    errors.push({ kind: "pageerror", text: error.stack ?? String(error) });
  });
  return { page, viewport, errors, close: () => context.close() };
}

export function expectNoConsoleErrors(errors: PageError[], allow: (error: PageError) => boolean = () => false) {
  const unexpected = errors.filter((error) => !allow(error));
  expect(
    unexpected,
    `console errors in the page:\n${unexpected.map((e) => `${e.kind}: ${e.text}`).join("\n")}`,
  ).toEqual([]);
}

/** Resolves once React has hydrated the element (hydrateRoot attaches its fiber to the server-rendered DOM). */
export async function waitForHydration(page: Page, selector = "body *"): Promise<void> {
  await page.waitForFunction(
    (sel) => {
      const element = document.querySelector(sel);
      return element !== null && Object.keys(element).some((key) => key.startsWith("__reactFiber$"));
    },
    selector,
    { timeout: 15_000 },
  );
}

export async function isVisible(locator: Locator): Promise<boolean> {
  try {
    await locator.waitFor({ state: "visible", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** The page is no wider than its viewport (nothing forces horizontal scrolling). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Saves tests/e2e/artifacts/<name>-<viewport>.png (full page) and returns its path. */
export async function screenshot(target: E2EPage, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}-${target.viewport.name}.png`);
  await target.page.screenshot({ path, fullPage: true, animations: "disabled" });
  return path;
}

/** The fake GitHub/OIDC providers global-setup.ts started and pointed the server at. */
export function fakeProviders(): FakeProvidersInfo {
  const value = inject("e2eFakeProviders");
  if (!value)
    throw new Error("e2eFakeProviders was not provided: run the e2e tests with --config vitest.e2e.config.ts");
  return value;
}

/** POST {controlUrl}/reset | /faults | /identity (see tests/fakes/server.ts). */
export async function fakeControl(path: "reset" | "faults" | "identity", body: unknown = {}): Promise<void> {
  const response = await fetch(`${fakeProviders().controlUrl}/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`fake provider control /${path} answered ${response.status}: ${text}`);
}

/** Every provider request the fakes received since the last reset. */
export async function fakeRequests(): Promise<RecordedRequest[]> {
  const response = await fetch(`${fakeProviders().controlUrl}/requests`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`fake provider control /requests answered ${response.status}`);
  return (await response.json()) as RecordedRequest[];
}

/** The certified OpenID provider (oidc-provider) global-setup.ts started and pointed the server's OIDC at. */
export function certifiedProvider(): CertifiedProviderInfo {
  const value = inject("e2eCertifiedProvider");
  if (!value)
    throw new Error("e2eCertifiedProvider was not provided: run the e2e tests with --config vitest.e2e.config.ts");
  return value;
}

/** POST {controlUrl}/stop | /start | /reset of the certified provider (see tests/e2e/certified-op.ts). */
export async function certifiedControl(path: "stop" | "start" | "reset"): Promise<void> {
  const response = await fetch(`${certifiedProvider().controlUrl}/${path}`, {
    method: "POST",
    signal: AbortSignal.timeout(40_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`certified provider control /${path} answered ${response.status}: ${text}`);
}

/** The requests the certified provider answered and the ID tokens it issued since the last reset. */
export async function certifiedLog(): Promise<CertifiedProviderLog> {
  const response = await fetch(`${certifiedProvider().controlUrl}/log`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`certified provider control /log answered ${response.status}`);
  return (await response.json()) as CertifiedProviderLog;
}

export const DEMO_USER_BUTTON = "Continue with a demo user (local only)";

/**
 * From the sign-in page (already loaded): "Continue with a demo user" → the dev provider's picker →
 * the demo user named `name`. Resolves once the browser has left the sign-in pages; where it lands
 * (the returnTo) is for the caller to check.
 */
export async function signInWithDemoUser(page: Page, name: string): Promise<void> {
  await waitForHydration(page, "main form button");
  await page.getByRole("button", { name: DEMO_USER_BUTTON, exact: true }).click();
  await page.waitForURL((address) => address.pathname === "/auth/dev/authorize");
  const users = page.getByRole("list", { name: "Demo users" });
  await waitForHydration(page, "main form button");
  await users.getByRole("button", { name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`) }).click();
  await page.waitForURL((address) => !address.pathname.startsWith("/auth/") && address.pathname !== "/login");
}

/**
 * One Chromium for the calling test file: launched before its tests and closed after them. Each page
 * from `openPage` has its own browser context and is closed after the test that opened it.
 */
export function chromiumForFile(): { openPage(viewport?: Viewport, options?: NewPageOptions): Promise<E2EPage> } {
  let browser: E2EBrowser | undefined;
  let open: E2EPage[] = [];
  const closeOpen = async () => {
    await Promise.allSettled(open.map((target) => target.close()));
    open = [];
  };
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(closeOpen);
  afterAll(async () => {
    await closeOpen();
    await browser?.close();
  });
  return {
    async openPage(viewport = DESKTOP, options = {}) {
      if (!browser) throw new Error("chromiumForFile: the browser is not running (openPage outside a test?)");
      const target = await newPage(browser, viewport, options);
      open.push(target);
      return target;
    },
  };
}
