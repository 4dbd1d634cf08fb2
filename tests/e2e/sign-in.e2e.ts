/**
 * Sign-in in a real browser, through the real pages: the dev provider's demo-user picker, returnTo
 * values that try to leave our origin, and signing out (this browser, and everywhere). Sign-in with
 * an OpenID provider (a certified one, on loopback) is in oidc-certified.e2e.ts.
 *
 * The seeded owner's minted session (harness `signedIn`) is used by other files: nothing here signs
 * the seeded owner out everywhere — "Sign out everywhere" is exercised with the seeded member.
 */
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { SEED } from "../../db/seed";
import { E2E_OIDC_NAME } from "./server-settings";
import {
  baseURL,
  chromiumForFile,
  DEMO_USER_BUTTON,
  DESKTOP,
  type E2EPage,
  expectNoConsoleErrors,
  isVisible,
  type NewPageOptions,
  type PageError,
  screenshot,
  signInWithDemoUser,
  url,
  waitForHydration,
} from "./harness";

const OWNER_NAME = "Ada Owner";
const MEMBER_NAME = "Max Member";
const SSO_BUTTON = `Continue with ${E2E_OIDC_NAME}`;
const DASHBOARD = `/dashboard/${SEED.workspaceSlug}`;
const loginFor = (path: string) => `/login?returnTo=${encodeURIComponent(path)}`;

/** No console errors, except those a test names as expected. */
function expectNoErrors(errors: PageError[], allow: (error: PageError) => boolean = () => false) {
  expectNoConsoleErrors(errors, allow);
}

const chromium = chromiumForFile();
const openPage = (options: NewPageOptions = {}) => chromium.openPage(DESKTOP, options);

/** Where the server sends this browser for `path`, without following (cookies of the page's context). */
async function redirectOf(page: Page, path: string): Promise<{ status: number; location: string | null }> {
  const response = await page.request.get(url(path), { maxRedirects: 0 });
  await response.dispose();
  const location = response.headers()["location"];
  return {
    status: response.status(),
    location: location === undefined ? null : new URL(location, baseURL()).toString(),
  };
}

/** A signed-out browser at `path` is sent to /login with that path as returnTo. */
async function expectSentToLogin(page: Page, path: string) {
  await page.goto(url(path));
  expect(page.url()).toBe(url(loginFor(path)));
  expect(await isVisible(page.getByRole("heading", { level: 1, name: "Sign in to Atmos Pro" }))).toBe(true);
}

/** The user menu of the dashboard header (a <details>): open it, press one of its buttons. */
async function userMenu(page: Page, name: string, item: "Sign out" | "Sign out everywhere") {
  await waitForHydration(page, "header details summary");
  const summary = page.locator("header details > summary");
  expect((await summary.textContent())?.trim()).toBe(name);
  await summary.click();
  const button = page.locator("header details").getByRole("button", { name: item, exact: true });
  expect(await isVisible(button)).toBe(true);
  await button.click();
}

/** Records every request the page's context makes to evil.example, and answers none of them. */
async function trapEvilOrigin(target: E2EPage): Promise<string[]> {
  const seen: string[] = [];
  await target.page.context().route(
    (address) => address.hostname.endsWith("evil.example"),
    async (route) => {
      seen.push(route.request().url());
      await route.abort("blockedbyclient");
    },
  );
  return seen;
}

describe("the dev provider (demo users)", () => {
  test("the e2e server runs with its own provider settings (--var wins over .dev.vars)", async () => {
    // .dev.vars says AUTH_PROVIDERS=dev; the OIDC button appears only if --var AUTH_PROVIDERS=dev,oidc won.
    const response = await fetch(url("/login"));
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain(SSO_BUTTON);
    expect(html).toContain(DEMO_USER_BUTTON);
    expect(html).not.toContain("Continue with GitHub");
  });

  test("signed out, /dashboard/acme → /login → demo user picker → Ada Owner → back on /dashboard/acme", async () => {
    const target = await openPage();
    const { page } = target;

    await expectSentToLogin(page, DASHBOARD);
    await waitForHydration(page, "main form button");
    const buttons = page.getByRole("main").getByRole("button");
    expect((await buttons.allInnerTexts()).map((text) => text.trim())).toEqual([SSO_BUTTON, DEMO_USER_BUTTON]);
    expect(await page.getByRole("alert").count()).toBe(0);
    expect(await page.locator("input[name=returnTo]").first().inputValue()).toBe(DASHBOARD);
    await screenshot(target, "login");

    await page.getByRole("button", { name: DEMO_USER_BUTTON, exact: true }).click();
    await page.waitForURL((address) => address.pathname === "/auth/dev/authorize");
    expect(new URL(page.url()).searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await isVisible(page.getByRole("heading", { level: 1, name: "Sign in as a demo user" }))).toBe(true);
    const demoUsers = page.getByRole("list", { name: "Demo users" }).getByRole("button");
    const names = (await demoUsers.allInnerTexts()).map((text) => text.replace(/\s+/g, " ").trim());
    expect(names).toEqual(
      expect.arrayContaining([`${OWNER_NAME} @${SEED.ownerLogin}`, `${MEMBER_NAME} @${SEED.memberLogin}`]),
    );
    expect(await isVisible(page.getByRole("form", { name: "Create a demo user" }))).toBe(true);
    await waitForHydration(page, "main form button");
    await screenshot(target, "dev-picker");

    await page
      .getByRole("list", { name: "Demo users" })
      .getByRole("button", { name: new RegExp(`^${OWNER_NAME}\\b`) })
      .click();
    await page.waitForURL(url(DASHBOARD));
    expect(await isVisible(page.getByRole("heading", { level: 1, name: "Overview" }))).toBe(true);
    expect((await page.locator("header details > summary").textContent())?.trim()).toBe(OWNER_NAME);

    // Signed in now: the sign-in page sends this browser on instead of showing the buttons.
    expect(await redirectOf(page, loginFor(DASHBOARD))).toEqual({ status: 302, location: url(DASHBOARD) });
    expectNoErrors(target.errors);
  });

  test("a new demo user created with the form is signed in", async () => {
    const target = await openPage();
    const { page } = target;
    const login = `e2e-new-${Date.now().toString(36)}`;

    await page.goto(url("/login"));
    await waitForHydration(page, "main form button");
    await page.getByRole("button", { name: DEMO_USER_BUTTON, exact: true }).click();
    await page.waitForURL((address) => address.pathname === "/auth/dev/authorize");
    const form = page.getByRole("form", { name: "Create a demo user" });
    await waitForHydration(page, "main form button");

    // An invalid login is refused in place, with the field's message; nothing is signed in.
    await form.getByLabel("Login").fill("Not a login!");
    await form.getByLabel("Name").fill("Nia Newbie");
    await form.getByRole("button", { name: "Create and sign in" }).click();
    expect(await isVisible(form.getByText("Use lowercase letters, digits and dashes (up to 39)."))).toBe(true);
    expect(await form.getByLabel("Login").getAttribute("aria-invalid")).toBe("true");
    expect(new URL(page.url()).pathname).toBe("/auth/dev/authorize");

    await form.getByLabel("Login").fill(login);
    await form.getByLabel("Name").fill("Nia Newbie");
    await form.getByRole("button", { name: "Create and sign in" }).click();
    await page.waitForURL((address) => !address.pathname.startsWith("/auth/") && address.pathname !== "/login");
    // Where a user without a workspace lands is another page's business; the session is what counts.
    const landed = new URL(page.url());
    expect(landed.origin).toBe(baseURL());

    const login2 = await redirectOf(page, "/login");
    expect(login2.status).toBe(302);
    expect(login2.location).toBe(url("/dashboard"));
    const dashboard = await redirectOf(page, "/dashboard");
    expect(dashboard.status).toBe(302);
    expect(new URL(dashboard.location ?? "").pathname).not.toBe("/login");
    // A brand-new user is no member of the seeded workspace.
    const acme = await page.request.get(url(DASHBOARD), { maxRedirects: 0 });
    expect(acme.status()).toBe(404);
    await acme.dispose();

    // The refused form answers 400, and Chromium reports that response as a failed resource.
    expectNoErrors(target.errors, (error) => {
      if (error.kind !== "console" || !error.url) return false;
      const address = new URL(error.url);
      return /status of 400/.test(error.text) && address.pathname === "/auth/dev/authorize";
    });
  });
});

describe("returnTo never leaves our origin", () => {
  // The raw query of /login; the comment is the returnTo value the server reads.
  const cases = [
    "returnTo=//evil.example", // //evil.example
    "returnTo=https://evil.example", // https://evil.example
    "returnTo=/%2F%2Fevil.example", // ///evil.example
    `returnTo=${encodeURIComponent("/%2F%2Fevil.example")}`, // /%2F%2Fevil.example
    `returnTo=${encodeURIComponent("/\\evil.example")}`, // /\evil.example
  ];

  test.each(cases)("/login?%s → signed in on our own /dashboard", async (query) => {
    const target = await openPage();
    const { page } = target;
    const evil = await trapEvilOrigin(target);

    await page.goto(url(`/login?${query}`));
    await waitForHydration(page, "main form button");
    expect(await page.locator("input[name=returnTo]").first().inputValue()).toBe("/dashboard");
    await signInWithDemoUser(page, OWNER_NAME);
    await page.waitForURL(url(DASHBOARD));
    expect(await isVisible(page.getByRole("heading", { level: 1, name: "Overview" }))).toBe(true);
    expect(evil).toEqual([]);
    expectNoErrors(target.errors);
  });

  test("a tampered returnTo in the posted form is refused by the server too", async () => {
    const target = await openPage();
    const { page } = target;
    const evil = await trapEvilOrigin(target);

    await page.goto(url("/login"));
    await waitForHydration(page, "main form button");
    await page.evaluate(() => {
      for (const input of document.querySelectorAll<HTMLInputElement>("input[name=returnTo]"))
        input.value = "//evil.example/steal";
    });
    await signInWithDemoUser(page, OWNER_NAME);
    await page.waitForURL(url(DASHBOARD));
    expect(new URL(page.url()).origin).toBe(baseURL());
    expect(evil).toEqual([]);
    expectNoErrors(target.errors);
  });
});

describe("signing out", () => {
  test("Sign out in the user menu ends this browser's session only", async () => {
    const target = await openPage();
    const { page } = target;

    await page.goto(url(loginFor(DASHBOARD)));
    await signInWithDemoUser(page, OWNER_NAME);
    await page.waitForURL(url(DASHBOARD));

    await userMenu(page, OWNER_NAME, "Sign out");
    await page.waitForURL(url("/"));
    expect(await isVisible(page.getByRole("heading", { level: 1, name: /Deploy Terraform/ }))).toBe(true);
    expect((await page.context().cookies(baseURL())).map((cookie) => cookie.name)).toEqual([]);
    await expectSentToLogin(page, DASHBOARD);
    expectNoErrors(target.errors);

    // The owner's other session (the one global-setup minted) is untouched.
    const other = await openPage({ signedIn: true });
    const response = await other.page.goto(url(DASHBOARD));
    expect(response?.status()).toBe(200);
    expect(await isVisible(other.page.getByRole("heading", { level: 1, name: "Overview" }))).toBe(true);
  });

  test("Sign out everywhere also signs out another browser of the same user", async () => {
    const [first, second] = [await openPage(), await openPage()];
    for (const { page } of [first, second]) {
      await page.goto(url(loginFor(DASHBOARD)));
      await signInWithDemoUser(page, MEMBER_NAME);
      await page.waitForURL(url(DASHBOARD));
      expect(await isVisible(page.getByRole("heading", { level: 1, name: "Overview" }))).toBe(true);
    }
    // Two sessions, two different cookies.
    const session = async (target: E2EPage) =>
      (await target.page.context().cookies(baseURL())).find((c) => c.name === "atmos_session")?.value;
    expect(await session(first)).toBeTruthy();
    expect(await session(first)).not.toBe(await session(second));

    await userMenu(first.page, MEMBER_NAME, "Sign out everywhere");
    await first.page.waitForURL(url("/"));
    await expectSentToLogin(first.page, DASHBOARD);

    // The second browser still holds its cookie, but its session is gone.
    expect(await session(second)).toBeTruthy();
    await second.page.reload();
    expect(second.page.url()).toBe(url(loginFor(DASHBOARD)));
    expect(await isVisible(second.page.getByRole("heading", { level: 1, name: "Sign in to Atmos Pro" }))).toBe(true);

    expectNoErrors(first.errors);
    expectNoErrors(second.errors);
  });
});
