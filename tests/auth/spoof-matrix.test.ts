/**
 * The spoof matrix: one identity must not pass for another. `users.login` is whatever the provider
 * that signed in last called the person — for OpenID Connect a `preferred_username` anyone may pick —
 * and an email is only theirs if the provider verified it. So:
 *
 * - OPERATOR_LOGINS and login invitations match only a GitHub account's login (and a dev login, in
 *   development only);
 * - email invitations match only an email the provider marked verified.
 *
 * Each refusal is a clear page (or the status page's plain 404) and changes nothing (every table,
 * before and after); the real owner of the name still gets in afterwards.
 */
import { env } from "cloudflare:test";
import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { incidents, memberships } from "../../db/schema";
import { SEED } from "../../db/seed";
import { createSession } from "~/auth/session.server";
import { readSettings } from "~/config/env.server";
import { acceptInvitation, inviteMember } from "~/domain/members.server";
import type { IdentityProvider } from "~/domain/identities.server";
import * as manageRoute from "~/routes/status.operator.$slug";
import * as operatorRoute from "~/routes/status.operator._index";
import { isOperator } from "~/status-page/operator-access.server";
import { getIncident } from "~/status-page/incidents.server";
import { testContext } from "../context";
import { db, dumpDatabase, FIXED_NOW } from "../db";
import { ORIGIN } from "../http";
import { answer } from "../status-page/fixtures";
import { addUser, pageText, restoreWorld } from "../workspaces/fixtures";
import { form, location, request } from "./sign-in";

const OPERATOR = "octocat";
/** The Worker's OIDC_NAME under test (vitest.config.ts). */
const SSO = "Acme SSO";
const OPEN_INCIDENT = {
  intent: "open",
  title: "Slow dashboard pages",
  impact: "degraded",
  status: "investigating",
  components: ["dashboard"],
  body: "Looking into it.",
};

type Person = {
  provider: IdentityProvider;
  login: string | null;
  email?: string | null;
  emailVerified?: boolean;
  name?: string;
};

/** A user with one identity of that provider, and a session of that provider (as its sign-in makes them). */
async function signedIn(person: Person): Promise<{ userId: string; cookie: string }> {
  const userId = await addUser({
    login: person.login,
    name: person.name ?? `${person.provider} ${person.login ?? "person"}`,
    email: person.email ?? null,
    provider: person.provider,
    emailVerified: person.emailVerified ?? false,
  });
  const setCookie = await createSession(new Request(`${ORIGIN}/`), testContext(), userId, person.provider);
  return { userId, cookie: setCookie.split(";")[0]! };
}

async function membership(userId: string) {
  const rows = await db()
    .select()
    .from(memberships)
    .where(and(eq(memberships.workspaceId, SEED.workspaceId), eq(memberships.userId, userId)));
  return rows[0] ?? null;
}

/** An Acme invitation as the owner makes it; returns the link's path. */
async function invite(invitee: string, role: "admin" | "member" = "member"): Promise<{ path: string; token: string }> {
  const result = await inviteMember(db(), {
    workspaceId: SEED.workspaceId,
    actorRole: "owner",
    actor: { type: "user", id: SEED.ownerId, label: SEED.ownerLogin },
    actorId: SEED.ownerId,
    invitee,
    role,
    now: FIXED_NOW,
  });
  if (!result.ok) throw new Error(result.message);
  return { path: `/invitations/${result.token}`, token: result.token };
}

beforeEach(async () => {
  await restoreWorld();
});

describe("status operators: only a GitHub login (or a dev login in development) counts", () => {
  type Args = LoaderFunctionArgs & ActionFunctionArgs;
  const operatorSettings = { OPERATOR_LOGINS: OPERATOR };
  const call = (
    fn: (args: Args) => Promise<unknown>,
    req: Request,
    context: AppLoadContext,
    params: Record<string, string> = {},
  ) => answer(() => fn({ request: req, context, params } as Args));
  const page = (cookie: string, path = "/status/operator") =>
    new Request(`${ORIGIN}${path}`, { headers: { Cookie: cookie } });
  const post = (cookie: string, fields: Record<string, string | string[]>, path = "/status/operator") => {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(fields))
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    return new Request(`${ORIGIN}${path}`, {
      method: "POST",
      body,
      headers: { Cookie: cookie, Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
    });
  };

  it("the GitHub account octocat operates the status page, and signs the incident as octocat", async () => {
    const { cookie } = await signedIn({ provider: "github", login: "OctoCat" });
    const context = testContext({}, operatorSettings);
    expect((await call(operatorRoute.loader, page(cookie), context)).status).toBe(200);
    const opened = await call(operatorRoute.action, post(cookie, OPEN_INCIDENT), context);
    expect(opened.status).toBe(302);
    const slug = location(opened).split("/").pop()!.split("?")[0]!;
    expect(await getIncident(db(), slug)).toMatchObject({ title: OPEN_INCIDENT.title, author: "OctoCat" });
  });

  for (const spoof of [
    {
      why: "an OIDC account whose preferred_username is octocat",
      person: { provider: "oidc", login: OPERATOR, email: "octocat@idp.example", emailVerified: true },
    },
    { why: "an OIDC account named OctoCat (case differs)", person: { provider: "oidc", login: "OctoCat" } },
  ] satisfies Array<{ why: string; person: Person }>) {
    it(`${spoof.why}: /status/operator is a 404, every form is a 404, nothing changes`, async () => {
      const { cookie } = await signedIn(spoof.person);
      const context = testContext({}, operatorSettings);
      const before = await dumpDatabase();
      const refused = await call(operatorRoute.loader, page(cookie), context);
      expect(refused.status).toBe(404);
      expect(((await refused.json()) as { message: string }).message).toBe(
        "We could not find that page. It may have moved, or the address may be mistyped.",
      );
      expect((await call(operatorRoute.action, post(cookie, OPEN_INCIDENT), context)).status).toBe(404);
      const slug = (await db().select({ slug: incidents.slug }).from(incidents).limit(1))[0]!.slug;
      expect((await call(manageRoute.loader, page(cookie, `/status/operator/${slug}`), context, { slug })).status).toBe(
        404,
      );
      expect(
        (
          await call(
            manageRoute.action,
            post(cookie, { intent: "resolve", body: "Hijacked" }, `/status/operator/${slug}`),
            context,
            { slug },
          )
        ).status,
      ).toBe(404);
      expect(await dumpDatabase()).toEqual(before);
    });
  }

  it("a dev login is an operator in development only", async () => {
    const { cookie } = await signedIn({ provider: "dev", login: OPERATOR });
    expect((await call(operatorRoute.loader, page(cookie), testContext({}, operatorSettings))).status).toBe(200);

    // The same person, the same session, a Worker that is not in development (where the dev provider
    // cannot sign anyone in): no operator. The clock stays the run's (production refuses CLOCK_OFFSET_MS).
    const { CLOCK_OFFSET_MS: _offset, ...withoutOffset } = env;
    const read = readSettings({
      ...withoutOffset,
      ENVIRONMENT: "production",
      AUTH_PROVIDERS: "github",
      GITHUB_CLIENT_ID: "id",
      GITHUB_CLIENT_SECRET: "secret",
      ...operatorSettings,
    });
    if (!read.ok) throw new Error(`production settings: ${read.invalid.join(", ")}`);
    const production: AppLoadContext = { ...testContext(), settings: read.settings };
    expect(production.settings.ENVIRONMENT).toBe("production");
    const before = await dumpDatabase();
    expect((await call(operatorRoute.loader, page(cookie), production)).status).toBe(404);
    expect((await call(operatorRoute.action, post(cookie, OPEN_INCIDENT), production)).status).toBe(404);
    expect(await dumpDatabase()).toEqual(before);

    const dev = [{ provider: "dev", login: OPERATOR, email: null, emailVerified: false }] as const;
    for (const ENVIRONMENT of ["test", "preview", "production"] as const) {
      expect(isOperator({ OPERATOR_LOGINS: [OPERATOR], ENVIRONMENT }, dev), ENVIRONMENT).toBe(false);
    }
    expect(isOperator({ OPERATOR_LOGINS: [OPERATOR], ENVIRONMENT: "development" }, dev)).toBe(true);
    expect(
      isOperator({ OPERATOR_LOGINS: [OPERATOR], ENVIRONMENT: "production" }, [
        { provider: "github", login: OPERATOR, email: null, emailVerified: false },
      ]),
    ).toBe(true);
  });
});

describe("login invitations: only the GitHub account with that login accepts", () => {
  it("an OIDC account named like the invited GitHub login is refused with a clear page; the GitHub account accepts afterwards", async () => {
    const { path } = await invite(OPERATOR, "admin");
    const spoof = await signedIn({
      provider: "oidc",
      login: OPERATOR,
      email: "octocat@idp.example",
      emailVerified: true,
    });

    const shown = await request(path, spoof.cookie);
    expect(shown.response.status).toBe(200);
    const html = pageText(await shown.response.text());
    expect(html).toContain(
      `You are signed in with ${SSO} as octocat. This invitation is for the GitHub account octocat. Sign in with GitHub as octocat to accept it.`,
    );
    expect(html).not.toContain("Accept and join");

    const before = await dumpDatabase();
    const refused = await request(path, spoof.cookie, form({}));
    expect(refused.response.status).toBe(403);
    expect(pageText(await refused.response.text())).toContain(
      "This invitation is for the GitHub account octocat. Sign in with GitHub as octocat to accept it.",
    );
    expect(await dumpDatabase()).toEqual(before);
    expect(await membership(spoof.userId)).toBeNull();

    const real = await signedIn({
      provider: "github",
      login: "Octocat",
      email: "octocat@github.example",
      emailVerified: true,
    });
    expect(pageText(await (await request(path, real.cookie)).response.text())).toContain("Accept and join Acme");
    const accepted = await request(path, real.cookie, form({}));
    expect(accepted.response.status).toBe(302);
    expect(location(accepted.response)).toBe("/dashboard/acme");
    expect(await membership(real.userId)).toMatchObject({ role: "admin" });
  });

  it("a dev login accepts a login invitation in development only", async () => {
    const { token } = await invite("demo-person");
    const dev = await signedIn({ provider: "dev", login: "demo-person" });
    const user = { id: dev.userId, login: "demo-person", name: "Demo Person" };
    const before = await dumpDatabase();
    for (const environment of ["test", "preview", "production"]) {
      const refused = await acceptInvitation(db(), { token, user, now: FIXED_NOW, trust: { environment } });
      expect(refused, environment).toEqual({
        ok: false,
        reason: "invitation_for_someone_else",
        message:
          "This invitation is for the GitHub account demo-person. Sign in with GitHub as demo-person to accept it.",
      });
    }
    expect(await dumpDatabase()).toEqual(before);
    expect(
      await acceptInvitation(db(), { token, user, now: FIXED_NOW, trust: { environment: "development" } }),
    ).toEqual({ ok: true, workspaceSlug: "acme" });
    expect(await membership(dev.userId)).toMatchObject({ role: "member" });
  });
});

describe("email invitations: only an email the provider verified", () => {
  const EMAIL = "jane@example.com";
  const REFUSAL = `This invitation is for ${EMAIL}. To accept it, sign in with an account whose provider has verified ${EMAIL}.`;

  it("an OIDC account with an unverified copy of the email is refused with a clear page; the verified owner accepts afterwards", async () => {
    const { path } = await invite(EMAIL);
    const spoof = await signedIn({ provider: "oidc", login: "jane", email: EMAIL, emailVerified: false });

    const shown = await request(path, spoof.cookie);
    const html = pageText(await shown.response.text());
    expect(shown.response.status).toBe(200);
    expect(html).toContain(`You are signed in with ${SSO} as jane. ${REFUSAL}`);
    expect(html).not.toContain("Accept and join");

    const before = await dumpDatabase();
    const refused = await request(path, spoof.cookie, form({}));
    expect(refused.response.status).toBe(403);
    expect(pageText(await refused.response.text())).toContain(REFUSAL);
    expect(await dumpDatabase()).toEqual(before);
    expect(await membership(spoof.userId)).toBeNull();

    // Another provider that did verify it: the invitation is theirs (case-insensitively).
    const owner = await signedIn({
      provider: "oidc",
      login: "jane-real",
      email: "Jane@Example.com",
      emailVerified: true,
    });
    const accepted = await request(path, owner.cookie, form({}));
    expect(accepted.response.status).toBe(302);
    expect(location(accepted.response)).toBe("/dashboard/acme");
    expect(await membership(owner.userId)).toMatchObject({ role: "member" });
  });

  it("a GitHub account whose (verified primary) email it is accepts", async () => {
    const { path } = await invite(EMAIL);
    const owner = await signedIn({ provider: "github", login: "jdoe", email: EMAIL, emailVerified: true });
    const accepted = await request(path, owner.cookie, form({}));
    expect(accepted.response.status).toBe(302);
    expect(location(accepted.response)).toBe("/dashboard/acme");
    expect(await membership(owner.userId)).toMatchObject({ role: "member" });
  });
  it("a dev identity's verified email counts in development only", async () => {
    const { token } = await invite(EMAIL);
    const dev = await signedIn({ provider: "dev", login: "jane-dev", email: EMAIL, emailVerified: true });
    const user = { id: dev.userId, login: "jane-dev", name: "Jane Dev" };
    const before = await dumpDatabase();
    for (const environment of ["test", "preview", "production"]) {
      expect(
        await acceptInvitation(db(), { token, user, now: FIXED_NOW, trust: { environment } }),
        environment,
      ).toEqual({ ok: false, reason: "invitation_for_someone_else", message: REFUSAL });
    }
    expect(await dumpDatabase()).toEqual(before);
    expect(
      await acceptInvitation(db(), { token, user, now: FIXED_NOW, trust: { environment: "development" } }),
    ).toEqual({ ok: true, workspaceSlug: "acme" });
  });
});

describe("the invite form says what each invitee form matches", () => {
  it("on the members page", async () => {
    const setCookie = await createSession(new Request(`${ORIGIN}/`), testContext(), SEED.ownerId, "dev");
    const { response } = await request("/dashboard/acme/members", setCookie.split(";")[0]!);
    expect(response.status).toBe(200);
    expect(pageText(await response.text()).replace(/\s+/g, " ")).toContain(
      "A GitHub login matches only the GitHub account with that login. An email matches only an account whose sign-in provider has verified that email.",
    );
  });
});
