/**
 * Sign-in with a real, certified OpenID provider: panva's oidc-provider on loopback
 * (tests/e2e/certified-op.ts), which the e2e server's OIDC_ISSUER points at. Chromium goes from our
 * sign-in page to the provider's own login page and back through real redirects; the provider
 * requires PKCE (S256), puts RFC 9207 `iss` in its authorization response, and — like many providers,
 * as OpenID Connect Core §5.4 says — gives the profile (email, email_verified, name,
 * preferred_username) from its UserInfo endpoint only, not in the ID token.
 *
 * Fault injection (provider down at sign-in, bad tokens, UserInfo failures) stays with the fake in the
 * workerd suite (tests/fakes/oidc.ts); here the provider is only stopped after sign-in, to show a
 * session does not depend on it.
 */
import type { Page } from "playwright-core";
import { afterEach, beforeEach, describe, expect, inject, test } from "vitest";
import { clockWithOffset } from "../../app/clock";
import { SIGN_IN_ERRORS } from "../../app/auth/sign-in-error";
import { E2E_OIDC_NAME } from "./server-settings";
import {
  baseURL,
  certifiedControl,
  certifiedLog,
  certifiedProvider,
  chromiumForFile,
  DESKTOP,
  type E2EPage,
  expectNoConsoleErrors,
  isVisible,
  type PageError,
  screenshot,
  url,
  waitForHydration,
} from "./harness";

const SSO_BUTTON = `Continue with ${E2E_OIDC_NAME}`;
const WORKSPACE_NAME = "Casey Platform";

const chromium = chromiumForFile();

beforeEach(async () => {
  await certifiedControl("start");
  await certifiedControl("reset");
});

// A test that stopped the provider must not leave it down for the next one.
afterEach(async () => {
  await certifiedControl("start");
});

/**
 * A page for this file. The provider's login page (the library's development views) asks for Google
 * Fonts: answered here with an empty stylesheet, as the run is offline.
 */
async function openPage(): Promise<E2EPage> {
  const target = await chromium.openPage(DESKTOP);
  await target.page
    .context()
    .route("https://fonts.googleapis.com/**", (route) =>
      route.fulfill({ status: 200, contentType: "text/css", body: "" }),
    );
  return target;
}

/** No console errors, but the provider's own missing favicon (its page, not ours). */
function expectNoErrors(errors: PageError[]) {
  const favicon = `${certifiedProvider().issuer}/favicon.ico`;
  expectNoConsoleErrors(
    errors,
    (error) => error.kind === "console" && error.url === favicon && /status of 404/.test(error.text),
  );
}

/** Every document (navigation) request the page makes, in order. */
function recordNavigations(page: Page): URL[] {
  const seen: URL[] = [];
  page.on("request", (request) => {
    if (request.isNavigationRequest()) seen.push(new URL(request.url()));
  });
  return seen;
}

/** From our sign-in page (loaded): the SSO button → the provider's login page, filled in and sent. */
async function signInAtProvider(page: Page, login: string) {
  const { issuer } = certifiedProvider();
  await waitForHydration(page, "main form button");
  await page.getByRole("button", { name: SSO_BUTTON, exact: true }).click();
  await page.waitForURL((address) => address.origin === issuer && address.pathname.startsWith("/interaction/"));
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("any password will do");
  await page.getByRole("button", { name: "Sign-in", exact: true }).click();
  await page.waitForURL((address) => address.origin === baseURL() && !address.pathname.startsWith("/auth/"));
}

/** The cookies our app set for this browser (the provider's, on the same loopback host, start with op_). */
async function appCookies(page: Page): Promise<string[]> {
  return (await page.context().cookies(baseURL()))
    .map((cookie) => cookie.name)
    .filter((name) => !name.startsWith("op_"));
}

async function userMenuSummary(page: Page): Promise<string | undefined> {
  await waitForHydration(page, "header details summary");
  return (await page.locator("header details > summary").textContent())?.trim();
}

describe("a certified OpenID provider (oidc-provider on loopback)", () => {
  test(
    "sign-in lands on the dashboard showing the user from UserInfo, and the session survives the provider going down",
    { timeout: 120_000 },
    async () => {
      const { issuer, clientId, account } = certifiedProvider();
      const target = await openPage();
      const { page } = target;
      const navigations = recordNavigations(page);

      await page.goto(url("/login"));
      await signInAtProvider(page, account.sub);
      // A new person has no workspace yet: sign-in ends at workspace creation.
      expect(page.url(), "where the sign-in ended (…/login?error=… means it failed)").toBe(url("/workspaces/new"));

      // The authorization request the browser took to the provider: code flow with PKCE S256 and a nonce.
      const authorize = navigations.find((address) => address.origin === issuer && address.pathname === "/auth");
      expect(authorize, `navigations: ${navigations.join(", ")}`).toBeDefined();
      const request = Object.fromEntries(authorize!.searchParams);
      expect(request).toMatchObject({
        response_type: "code",
        client_id: clientId,
        redirect_uri: url("/auth/oidc/callback"),
        code_challenge_method: "S256",
      });
      expect(request.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(request.nonce).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(request.state).toBeTruthy();
      expect(request.scope?.split(" ")).toEqual(expect.arrayContaining(["openid", "profile", "email"]));

      // The provider's answer, as the browser brought it to our callback: RFC 9207 `iss`, our state, a code.
      const callback = navigations.find(
        (address) => address.origin === baseURL() && address.pathname === "/auth/oidc/callback",
      );
      expect(callback, `navigations: ${navigations.join(", ")}`).toBeDefined();
      expect(callback!.searchParams.get("iss")).toBe(issuer);
      expect(callback!.searchParams.get("state")).toBe(request.state);
      expect(callback!.searchParams.get("code")).toBeTruthy();
      expect(navigations.indexOf(callback!)).toBeGreaterThan(navigations.indexOf(authorize!));

      // Server-side: the code was redeemed with the PKCE verifier and the client's Basic credentials;
      // the ID token it got has no profile claims, so the profile came from UserInfo.
      const log = await certifiedLog();
      expect(log.serverErrors).toEqual([]);
      const token = log.requests.filter((entry) => entry.path === "/token");
      expect(token).toEqual([
        expect.objectContaining({
          method: "POST",
          status: 200,
          authorization: "Basic",
          form: {
            grant_type: "authorization_code",
            redirect_uri: url("/auth/oidc/callback"),
            code_verifier: "[present]",
          },
        }),
      ]);
      expect(log.idTokens).toHaveLength(1);
      const idToken = log.idTokens[0]!;
      expect(idToken).toMatchObject({ iss: issuer, aud: clientId, sub: account.sub, nonce: request.nonce });
      for (const claim of ["email", "email_verified", "name", "preferred_username"])
        expect(idToken).not.toHaveProperty(claim);
      expect(log.requests.filter((entry) => entry.path === "/me")).toEqual([
        expect.objectContaining({ status: 200, authorization: "Bearer" }),
      ]);
      // The provider signs on the run's clock (the server verifies on it too), not the wall clock.
      const runNow = clockWithOffset(inject("runClock").offsetMs)().getTime();
      expect(Math.abs(Number(idToken.iat) * 1000 - runNow)).toBeLessThan(60_000);

      // Create the workspace; its dashboard shows who is signed in, by the name and login from UserInfo.
      await waitForHydration(page, "main form button");
      await page.getByLabel("Workspace name").fill(WORKSPACE_NAME);
      await page.getByRole("button", { name: "Create workspace" }).click();
      await page.waitForURL((address) => address.pathname.startsWith("/dashboard/"));
      const dashboard = page.url();
      expect(await isVisible(page.getByRole("heading", { level: 1, name: "Overview" }))).toBe(true);
      expect(await userMenuSummary(page)).toBe(account.name);
      await page.locator("header details > summary").click();
      expect(
        await isVisible(page.locator("header details").getByText(`@${account.preferredUsername}`, { exact: true })),
      ).toBe(true);
      expect(await appCookies(page)).toEqual(["atmos_session"]);
      await screenshot(target, "certified-op-dashboard");

      // The provider goes down; the session does not need it.
      await certifiedControl("stop");
      await expect(
        fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) }),
      ).rejects.toThrow();
      const reloaded = await page.reload();
      expect(reloaded?.status()).toBe(200);
      expect(page.url()).toBe(dashboard);
      expect(await userMenuSummary(page)).toBe(account.name);
      const login = await page.request.get(url("/login"), { maxRedirects: 0 });
      expect(login.status()).toBe(302);
      expect(new URL(login.headers()["location"] ?? "", baseURL()).pathname).toBe("/dashboard");
      await login.dispose();

      // It comes back (its own sessions were in memory: it asks to sign in again); in another browser
      // context the same person — the same `sub` — signs in again and is back in their workspace.
      await certifiedControl("start");
      const again = await openPage();
      await again.page.goto(url("/login"));
      await signInAtProvider(again.page, account.sub);
      expect(again.page.url()).toBe(dashboard);
      expect(await userMenuSummary(again.page)).toBe(account.name);

      expectNoErrors(target.errors);
      expectNoErrors(again.errors);
    },
  );

  test("Cancel on the provider's login page → /login?error=access_denied with its message, not signed in", async () => {
    const { issuer } = certifiedProvider();
    const target = await openPage();
    const { page } = target;

    await page.goto(url("/login?returnTo=%2Fdashboard"));
    await waitForHydration(page, "main form button");
    await page.getByRole("button", { name: SSO_BUTTON, exact: true }).click();
    await page.waitForURL((address) => address.origin === issuer && address.pathname.startsWith("/interaction/"));
    await screenshot(target, "certified-op-login");
    await page.getByRole("link", { name: "[ Cancel ]" }).click();
    await page.waitForURL((address) => address.origin === baseURL() && address.pathname === "/login");
    expect(page.url()).toBe(url("/login?error=access_denied"));

    const alert = page.getByRole("alert");
    expect(await isVisible(alert)).toBe(true);
    expect((await page.getByTestId("login-error").textContent())?.trim()).toBe(SIGN_IN_ERRORS.access_denied);
    expect(await page.getByRole("button", { name: SSO_BUTTON, exact: true }).count()).toBe(1);

    const log = await certifiedLog();
    expect(log.requests.some((entry) => entry.path === "/auth")).toBe(true);
    expect(log.requests.some((entry) => entry.path === "/token")).toBe(false);
    expect(log.idTokens).toEqual([]);
    expect(await appCookies(page)).toEqual([]);
    const dashboard = await page.request.get(url("/dashboard"), { maxRedirects: 0 });
    expect(dashboard.status()).toBe(302);
    expect(new URL(dashboard.headers()["location"] ?? "", baseURL()).pathname).toBe("/login");
    await dashboard.dispose();

    expectNoErrors(target.errors);
  });
});
