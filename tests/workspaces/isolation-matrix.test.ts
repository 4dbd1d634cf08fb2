/**
 * The tenant-isolation matrix, generated from the app's route files: every `app/routes/dashboard.*`
 * module, every one of its loaders and every intent of its action, for every kind of visitor:
 *
 *   owner, admin, member   — of Acme (the seed), the workspace every request addresses;
 *   otherOwner             — owner of a second workspace, Globex Corp, and nothing else;
 *   signedOut              — no session.
 *
 * Each cell starts from a fresh database (seed + Acme admin + Globex + one pending Acme invitation),
 * sends one request — as a browser does (document request) and as Remix's client does (`?_data=`,
 * which runs only that route's loader or action, so a child loader that forgot its membership check
 * cannot hide behind its layout's 404) — and checks: the status (and where a redirect goes), that the
 * response carries nothing of the other tenant, and, for actions, that a refused request changed no
 * row at all while an allowed one made the change it is for (the row and column its intent writes,
 * by this visitor) — and never a row of the other tenant.
 *
 * Routes that address an object (`$instanceId`, `$owner/$name`, …) are also asked, by every visitor,
 * for GLOBEX's object under Acme's address: always 404, nothing of Globex in the answer.
 *
 * A new dashboard route, a new loader or action, or a new action intent makes the "covers every
 * route" test fail until its row is added to EXPECTATIONS below.
 *
 * The same cells run again with Acme on Enterprise requiring single sign-on ("single sign-on
 * required" below), Acme's owner and member signed in with the organisation's provider (`oidc`) or
 * another way (`github`): with it, every cell answers as above; without it, they get the 403 page
 * with the button to sign in with the provider (back to the page) and nothing changes, while
 * Globex's owner still gets 404.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { SEED } from "../../db/seed";
import type { SignInProvider } from "~/config/env.server";
import { sessionCookieFor } from "../auth";
import { form, request } from "../auth/sign-in";
import { dumpDatabase, resetDatabase } from "../db";
import { env } from "cloudflare:test";
import {
  ACME_ADMIN,
  ACME_IMPORTABLE,
  ACME_MARKERS,
  GLOBEX,
  GLOBEX_MARKERS,
  leakedMarkers,
  pageText as pageTextOf,
  restoreWorld,
  type World,
} from "./fixtures";

// ─── What the app has ────────────────────────────────────────────────────────────────────────

const APP = "../../app/";
const ROUTE_DIR = `${APP}routes/`;
const modules = import.meta.glob<Record<string, unknown>>("../../app/routes/dashboard.*.tsx", { eager: true });
/** Every app source, to read the intents an action dispatches (also through helpers it imports). */
const appSources = import.meta.glob<string>(["../../app/**/*.ts", "../../app/**/*.tsx", "!../../app/**/*.test.*"], {
  eager: true,
  query: "?raw",
  import: "default",
});

/** The dynamic segments of a flat-route file name: `dashboard.$workspace.instances.$instanceId.tsx` → workspace, instanceId. */
function paramsOf(file: string): string[] {
  return file
    .replace(/\.[jt]sx?$/, "")
    .split(".")
    .map((segment) => (segment.endsWith("_") ? segment.slice(0, -1) : segment))
    .filter((segment) => segment.startsWith("$"))
    .map((segment) => segment.slice(1));
}

/** Remix v2 flat routes: `dashboard.$workspace._index.tsx` → `/dashboard/acme`. */
function urlFor(file: string, params: Record<string, string>): string {
  const parts = file
    .replace(/\.[jt]sx?$/, "")
    .split(".")
    .flatMap((segment) => {
      if (segment === "_index" || segment.startsWith("_")) return []; // index / pathless layout
      const name = segment.endsWith("_") ? segment.slice(0, -1) : segment; // `foo_` opts out of nesting
      if (!name.startsWith("$")) return [name];
      const value = params[name.slice(1)];
      if (value === undefined) throw new Error(`${file}: no value for the URL parameter ${name}`);
      return [encodeURIComponent(value)];
    });
  return `/${parts.join("/")}`;
}

/** `intent` values a source handles: `intent === "x"`, `case "x":` of a switch on the intent, and `intent: "'x'"` form schemas. */
function intentsIn(source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(/intent\s*===\s*"([^"]+)"/g)) found.add(match[1]!);
  for (const match of source.matchAll(/\bintent:\s*"'([^']+)'"/g)) found.add(match[1]!);
  const dispatch = source.search(/switch\s*\(\s*[\w.]*intent\s*\)/);
  if (dispatch >= 0) for (const match of source.slice(dispatch).matchAll(/case\s+"([^"]+)"\s*:/g)) found.add(match[1]!);
  return [...found];
}

/** The source of an app module imported as `~/x/y` (or null if it is not an app module). */
function appModule(specifier: string): string | null {
  if (!specifier.startsWith("~/")) return null;
  const base = `${APP}${specifier.slice(2)}`;
  return appSources[base] ?? appSources[`${base}.ts`] ?? appSources[`${base}.tsx`] ?? null;
}

/**
 * The intents an action handles: those in the route's action and form schemas, plus those of the
 * app helpers its action calls (`lockAction(...)` from `~/forms/locks.server`). Null when
 * the action's source cannot be found (an `export const action = …` shape, say).
 */
function intentsOf(source: string): string[] | null {
  const start = source.search(/export\s+async\s+function\s+action\s*\(/);
  if (start < 0) return null;
  const end = source.indexOf("\n}\n", start);
  const body = source.slice(start, end < 0 ? undefined : end);
  const found = new Set([...intentsIn(body), ...intentsIn(source.slice(0, start))]);
  for (const match of source.matchAll(/import\s+\{([^}]*)\}\s+from\s+"([^"]+)"/g)) {
    const helper = appModule(match[2]!);
    if (!helper) continue;
    const names = match[1]!
      .split(",")
      .map(
        (name) =>
          name
            .trim()
            .replace(/^type\s+/, "")
            .split(/\s+as\s+/)
            .pop()!,
      )
      .filter(Boolean);
    if (names.some((name) => new RegExp(`\\b${name}\\s*\\(`).test(body)))
      for (const intent of intentsIn(helper)) found.add(intent);
  }
  return [...found].sort();
}

type RouteFile = {
  file: string;
  routeId: string;
  params: string[];
  hasLoader: boolean;
  hasAction: boolean;
  intents: string[] | null;
};

const ROUTES: RouteFile[] = Object.keys(modules)
  .sort()
  .map((path) => {
    const file = path.slice(ROUTE_DIR.length);
    const module = modules[path]!;
    return {
      file,
      routeId: `routes/${file.replace(/\.[jt]sx?$/, "")}`,
      params: paramsOf(file),
      hasLoader: typeof module.loader === "function",
      hasAction: typeof module.action === "function",
      intents: typeof module.action === "function" ? intentsOf(appSources[path] ?? "") : null,
    };
  });

// ─── What every visitor must get ─────────────────────────────────────────────────────────────

const ACTORS = ["owner", "admin", "member", "otherOwner", "signedOut"] as const;
type Actor = (typeof ACTORS)[number];

/** A status, `LOGIN` (302 to /login?returnTo=<this page>), or a redirect to an exact location. */
const LOGIN = "login" as const;
type Outcome = number | typeof LOGIN | { status: 301 | 302; location: string };
type Row = Record<Actor, Outcome>;
type Params = Record<string, string>;
type Dump = Record<string, Array<Record<string, unknown>>>;
/** What an allowed request must have written: asserts on the database before and after it. */
type Effect = (change: { before: Dump; after: Dump; actor: Actor; world: World }) => void;
type ActionCell = {
  fields: (world: World) => Record<string, string>;
  expect: Row;
  /** Object params for this intent (e.g. unlock needs a locked instance), over the route's. */
  params?: Params;
  /** The change an allowed request makes. Every intent some visitor may take has one. */
  effect?: Effect;
  /** What differs when Acme requires single sign-on (and the visitor signed in with it). */
  whenSsoRequired?: Pick<ActionCell, "fields" | "expect" | "effect">;
};
type RouteExpectation = {
  /** Values for the route's object params (besides the workspace): Acme's objects. */
  params?: Params;
  loader?: Row;
  actions?: Record<string, ActionCell>;
  /** For routes with object params: Globex's objects, asked for under Acme's address. */
  foreign?: Params;
};

const to = (location: string) => ({ status: 302 as const, location });

/** Reading a workspace page. */
const READ: Row = { owner: 200, admin: 200, member: 200, otherOwner: 404, signedOut: LOGIN };
/** An action only owners may take. */
const OWNER_ONLY = (ownerOutcome: Outcome): Row => ({
  owner: ownerOutcome,
  admin: 403,
  member: 403,
  otherOwner: 404,
  signedOut: LOGIN,
});
/** An action owners and admins may take. */
const MANAGERS: Row = { owner: 200, admin: 200, member: 403, otherOwner: 404, signedOut: LOGIN };
/** An action every member may take. */
const MEMBERS: Row = { owner: 200, admin: 200, member: 200, otherOwner: 404, signedOut: LOGIN };
/** Another tenant's object under this workspace's address: there is no such thing here. */
const NOT_HERE: Row = { owner: 404, admin: 404, member: 404, otherOwner: 404, signedOut: LOGIN };
/** The intent an action does not know: still only for members. */
const UNKNOWN_INTENT = "*";
const UNKNOWN: ActionCell = {
  fields: () => ({ intent: "no-such-intent" }),
  expect: { owner: 400, admin: 400, member: 400, otherOwner: 404, signedOut: LOGIN },
};

const pad = (base: string) => base + "0".repeat(28 - base.length);
/** Seeded Acme instances: plat-ue2-dev/vpc (unlocked) and plat-ue2-prod/eks/cluster (locked by the seed). */
const ACME_UNLOCKED_INSTANCE = `inst_${pad("acme000")}`;
const ACME_LOCKED_INSTANCE = `inst_${pad("acme025")}`;
const NEW_LOCK = { key: "acme/infra/plat-ue2-dev/vpc", ttl: "3600", message: "matrix" };
/** A drift-enabled Acme instance (plat-ue2-dev/eks/cluster), Acme's seeded schedule, and a schedule to create. */
const ACME_DRIFT_INSTANCE = `inst_${pad("acme001")}`;
const ACME_SCHEDULE = `drs_${pad("acmenightly")}`;
const NEW_SCHEDULE = { name: "Matrix", repositoryId: "", cron: "0 6 * * *", timezone: "UTC" };
/** A permission acme/infra does not have yet, and one it has (the seed's first default). */
const NEW_PERMISSION = { type: "Affected Stacks Create", workflow: "atmos-plan.yml", branch: "main", environment: "*" };
const ACME_INFRA_PERMISSION = `perm_${pad("acmeinfra0")}`;

// ─── What an allowed request writes ──────────────────────────────────────────────────────────

/** The signed-in person behind each visitor. */
const PEOPLE: Record<Exclude<Actor, "signedOut">, { id: string; login: string }> = {
  owner: { id: SEED.ownerId, login: SEED.ownerLogin },
  admin: { id: ACME_ADMIN.id, login: ACME_ADMIN.login },
  member: { id: SEED.memberId, login: SEED.memberLogin },
  otherOwner: { id: GLOBEX.ownerId, login: GLOBEX.ownerLogin },
};
function person(actor: Actor) {
  if (actor === "signedOut") throw new Error("a signed-out visitor is never allowed to change anything");
  return PEOPLE[actor];
}

/** The rows of `table` whose columns have these values. */
function rowsOf(dump: Dump, table: string, match: Record<string, unknown>): Array<Record<string, unknown>> {
  expect(dump[table], `no table ${table}`).toBeDefined();
  return dump[table]!.filter((row) => Object.entries(match).every(([column, value]) => row[column] === value));
}

/** The one row of `table` whose columns have these values. */
function oneRow(
  dump: Dump,
  table: string,
  match: Record<string, unknown>,
  when: "before" | "after",
): Record<string, unknown> {
  const found = rowsOf(dump, table, match);
  expect(found, `${when}: exactly one ${table} row with ${JSON.stringify(match)}`).toHaveLength(1);
  return found[0]!;
}

const ACME_MEMBERSHIP = (userId: string) => ({ workspace_id: SEED.workspaceId, user_id: userId });

/** A new active lock on `key` in Acme, held by the visitor for the form's hour. */
const lockCreated =
  (key: string, message: string | null): Effect =>
  ({ before, after, actor }) => {
    const active = { workspace_id: SEED.workspaceId, key, deleted_at: null };
    expect(rowsOf(before, "locks", active), "before: no active lock on the key").toEqual([]);
    const lock = oneRow(after, "locks", active, "after");
    expect(lock).toMatchObject({ locked_by: person(actor).login, message });
    expect(Number(lock.expires_at) - Number(lock.created_at), "the lock's duration (ttl 3600)").toBe(3_600_000);
  };

/** Acme's active lock on `key` released (deleted_at set), and no other active lock on it. */
const lockReleased =
  (key: string): Effect =>
  ({ before, after }) => {
    const active = { workspace_id: SEED.workspaceId, key, deleted_at: null };
    const held = oneRow(before, "locks", active, "before");
    expect(oneRow(after, "locks", { id: held.id }, "after").deleted_at, "the lock's deleted_at").toEqual(
      expect.any(Number),
    );
    expect(rowsOf(after, "locks", active), "after: an active lock on the key").toEqual([]);
  };

/** A new drift run of Acme's, started by the visitor now (not the seed's nightly ones). */
const driftRunStarted: Effect = ({ before, after, actor }) => {
  const mine = { workspace_id: SEED.workspaceId, cause: "manual", requested_by: person(actor).login };
  expect(rowsOf(before, "drift_runs", mine), "before: a run by the visitor").toEqual([]);
  expect(oneRow(after, "drift_runs", mine, "after")).toMatchObject({ repository_id: SEED.repositoryId });
};

/** A membership gone from Acme: SEED's member (removed) or the visitor (left). */
const membershipGone =
  (whose: (actor: Actor) => string): Effect =>
  ({ before, after, actor }) => {
    oneRow(before, "memberships", ACME_MEMBERSHIP(whose(actor)), "before");
    expect(rowsOf(after, "memberships", ACME_MEMBERSHIP(whose(actor))), "after: the membership").toEqual([]);
  };

/**
 * Keyed by route file; actions by `intent` (plus "*", an intent the route does not know).
 * Form values are valid, so that the visitor's role is what decides.
 */
const EXPECTATIONS: Record<string, RouteExpectation> = {
  "dashboard._index.tsx": {
    // Not addressed by workspace: everyone signed in goes to a workspace of their own.
    loader: {
      owner: to("/dashboard/acme"),
      admin: to("/dashboard/acme"),
      member: to("/dashboard/acme"),
      otherOwner: to("/dashboard/globex"),
      signedOut: LOGIN,
    },
  },
  "dashboard.$workspace.tsx": { loader: READ },
  "dashboard.$workspace._index.tsx": { loader: READ },
  "dashboard.$workspace.audit.tsx": { loader: { ...READ, member: 403 } },
  "dashboard.$workspace.deployments.tsx": { loader: READ },
  "dashboard.$workspace.drift.tsx": {
    loader: READ,
    actions: {
      create: {
        fields: () => ({ ...NEW_SCHEDULE }),
        expect: MANAGERS,
        effect: ({ before, after }) => {
          const schedule = { workspace_id: SEED.workspaceId, name: NEW_SCHEDULE.name };
          expect(rowsOf(before, "drift_schedules", schedule), "before: the new schedule").toEqual([]);
          expect(oneRow(after, "drift_schedules", schedule, "after")).toMatchObject({ cron: "0 6 * * *", enabled: 1 });
        },
      },
      update: {
        fields: () => ({ ...NEW_SCHEDULE, scheduleId: ACME_SCHEDULE }),
        expect: MANAGERS,
        effect: ({ after }) => {
          expect(oneRow(after, "drift_schedules", { id: ACME_SCHEDULE }, "after")).toMatchObject({
            name: NEW_SCHEDULE.name,
            cron: "0 6 * * *",
          });
        },
      },
      pause: {
        fields: () => ({ scheduleId: ACME_SCHEDULE }),
        expect: MANAGERS,
        effect: ({ after }) => {
          expect(oneRow(after, "drift_schedules", { id: ACME_SCHEDULE }, "after")).toMatchObject({
            enabled: 0,
            next_run_at: null,
          });
        },
      },
      // The seeded schedule runs already: resuming it changes nothing, and says so.
      resume: {
        fields: () => ({ scheduleId: ACME_SCHEDULE }),
        expect: MANAGERS,
        effect: ({ before, after }) => {
          expect(oneRow(after, "drift_schedules", { id: ACME_SCHEDULE }, "after")).toEqual(
            oneRow(before, "drift_schedules", { id: ACME_SCHEDULE }, "before"),
          );
        },
      },
      delete: {
        fields: () => ({ scheduleId: ACME_SCHEDULE }),
        expect: MANAGERS,
        effect: ({ before, after }) => {
          oneRow(before, "drift_schedules", { id: ACME_SCHEDULE }, "before");
          expect(rowsOf(after, "drift_schedules", { id: ACME_SCHEDULE }), "after: the schedule").toEqual([]);
        },
      },
      run: { fields: () => ({ scheduleId: ACME_SCHEDULE }), expect: MEMBERS, effect: driftRunStarted },
      check: { fields: () => ({ repositoryId: SEED.repositoryId }), expect: MEMBERS, effect: driftRunStarted },
      [UNKNOWN_INTENT]: UNKNOWN,
    },
  },
  "dashboard.$workspace.pull-requests.tsx": { loader: READ },
  "dashboard.$workspace.repositories._index.tsx": {
    loader: READ,
    actions: {
      // No installation 424242 was ever reported by GitHub; members may not try at all.
      connect: {
        fields: () => ({ installationId: "424242" }),
        expect: { owner: 404, admin: 404, member: 403, otherOwner: 404, signedOut: LOGIN },
      },
      // acme/apps: covered by Acme's connected installation, not imported yet.
      import: {
        fields: () => ({ repositoryId: ACME_IMPORTABLE.id }),
        expect: MANAGERS,
        effect: ({ before, after, actor }) => {
          const link = { workspace_id: SEED.workspaceId, repository_id: ACME_IMPORTABLE.id };
          expect(rowsOf(before, "workspace_repositories", link), "before: acme/apps in Acme").toEqual([]);
          expect(oneRow(after, "workspace_repositories", link, "after").imported_by).toBe(person(actor).id);
          expect(rowsOf(after, "repository_permissions", link), "after: its default permissions").toHaveLength(4);
          expect(
            oneRow(after, "audit_events", { workspace_id: SEED.workspaceId, action: "repository.imported" }, "after"),
          ).toMatchObject({ actor_id: person(actor).id });
        },
      },
      remove: {
        fields: () => ({ repositoryId: SEED.repositoryId }),
        expect: MANAGERS,
        effect: ({ before, after }) => {
          const link = { workspace_id: SEED.workspaceId, repository_id: SEED.repositoryId };
          oneRow(before, "workspace_repositories", link, "before");
          expect(rowsOf(after, "workspace_repositories", link), "after: acme/infra in Acme").toEqual([]);
          expect(rowsOf(after, "repository_permissions", link), "after: its permissions in Acme").toEqual([]);
          // Globex's repositories and permissions are untouched.
          expect(rowsOf(after, "workspace_repositories", { repository_id: GLOBEX.repositoryId })).toEqual(
            rowsOf(before, "workspace_repositories", { repository_id: GLOBEX.repositoryId }),
          );
        },
      },
      [UNKNOWN_INTENT]: UNKNOWN,
    },
  },
  "dashboard.$workspace.repositories.$owner.$name.tsx": {
    params: { owner: "acme", name: "infra" },
    foreign: { owner: "globex", name: "platform" },
    loader: READ,
    actions: {
      "add-permission": {
        fields: () => ({ ...NEW_PERMISSION }),
        expect: MANAGERS,
        effect: ({ before, after, actor }) => {
          const permission = {
            workspace_id: SEED.workspaceId,
            repository_id: SEED.repositoryId,
            type: NEW_PERMISSION.type,
            workflow_pattern: NEW_PERMISSION.workflow,
            branch_pattern: NEW_PERMISSION.branch,
            environment_pattern: NEW_PERMISSION.environment,
          };
          expect(rowsOf(before, "repository_permissions", permission), "before: the permission").toEqual([]);
          oneRow(after, "repository_permissions", permission, "after");
          const event = { workspace_id: SEED.workspaceId, action: "permission.assigned" };
          expect(rowsOf(before, "audit_events", event), "before: the audit event").toEqual([]);
          expect(oneRow(after, "audit_events", event, "after")).toMatchObject({
            actor_id: person(actor).id,
            category: "permission",
          });
        },
      },
      "remove-permission": {
        fields: () => ({ permissionId: ACME_INFRA_PERMISSION }),
        expect: MANAGERS,
        effect: ({ before, after, actor }) => {
          oneRow(before, "repository_permissions", { id: ACME_INFRA_PERMISSION }, "before");
          expect(
            rowsOf(after, "repository_permissions", { id: ACME_INFRA_PERMISSION }),
            "after: the permission",
          ).toEqual([]);
          // acme/infra's other permissions stay.
          expect(rowsOf(after, "repository_permissions", { repository_id: SEED.repositoryId })).toHaveLength(
            rowsOf(before, "repository_permissions", { repository_id: SEED.repositoryId }).length - 1,
          );
          expect(
            oneRow(after, "audit_events", { workspace_id: SEED.workspaceId, action: "permission.removed" }, "after"),
          ).toMatchObject({ actor_id: person(actor).id, category: "permission" });
        },
      },
      [UNKNOWN_INTENT]: UNKNOWN,
    },
  },
  "dashboard.$workspace.locks.tsx": {
    loader: READ,
    actions: {
      lock: { fields: () => ({ ...NEW_LOCK }), expect: MEMBERS, effect: lockCreated(NEW_LOCK.key, NEW_LOCK.message) },
      unlock: { fields: () => ({ key: SEED.lockKey }), expect: MEMBERS, effect: lockReleased(SEED.lockKey) },
      // lockAction treats any other intent as an unlock, whose form then fails: 400.
      [UNKNOWN_INTENT]: UNKNOWN,
    },
  },
  "dashboard.$workspace.instances.$instanceId.tsx": {
    params: { instanceId: ACME_UNLOCKED_INSTANCE },
    foreign: { instanceId: GLOBEX.instanceId },
    loader: READ,
    actions: {
      // The key always comes from the instance; a key in the form is ignored.
      // (ACME_UNLOCKED_INSTANCE is plat-ue2-dev/vpc of acme/infra: its key is NEW_LOCK.key.)
      lock: {
        fields: () => ({ ttl: "3600", key: "globex/platform/x/y" }),
        expect: MEMBERS,
        effect: (change) => {
          lockCreated(NEW_LOCK.key, null)(change);
          expect(rowsOf(change.after, "locks", { key: "globex/platform/x/y" }), "a lock on the form's key").toEqual([]);
        },
      },
      unlock: {
        params: { instanceId: ACME_LOCKED_INSTANCE },
        fields: () => ({}),
        expect: MEMBERS,
        effect: lockReleased(SEED.lockKey),
      },
      // The instance (and its repository) come from the page, never from the form.
      check: {
        params: { instanceId: ACME_DRIFT_INSTANCE },
        fields: () => ({ repositoryId: GLOBEX.repositoryId, instanceId: GLOBEX.instanceId }),
        expect: MEMBERS,
        effect: (change) => {
          driftRunStarted(change);
          const jobs = change.after.deployments!.filter(
            (row) => row.drift_run_id && !String(row.drift_run_id).startsWith("drr_acmenightly"),
          );
          expect(jobs.map((row) => row.instance_id)).toEqual([ACME_DRIFT_INSTANCE]);
        },
      },
      [UNKNOWN_INTENT]: UNKNOWN,
    },
  },
  "dashboard.$workspace.members.tsx": {
    // Members see the page (read-only); what they may do is decided per intent.
    loader: READ,
    actions: {
      invite: {
        fields: () => ({ invitee: "new-person", role: "member" }),
        expect: MANAGERS,
        effect: ({ before, after, actor }) => {
          const invitation = { workspace_id: SEED.workspaceId, invitee: "new-person" };
          expect(rowsOf(before, "invitations", invitation), "before: an invitation for new-person").toEqual([]);
          expect(oneRow(after, "invitations", invitation, "after")).toMatchObject({
            role: "member",
            invited_by: person(actor).id,
            accepted_at: null,
            revoked_at: null,
          });
        },
      },
      revoke: {
        fields: (world) => ({ invitationId: world.pendingInvitationId }),
        expect: MANAGERS,
        effect: ({ before, after, world }) => {
          expect(oneRow(before, "invitations", { id: world.pendingInvitationId }, "before").revoked_at).toBeNull();
          expect(oneRow(after, "invitations", { id: world.pendingInvitationId }, "after")).toMatchObject({
            revoked_at: expect.any(Number),
            accepted_at: null,
          });
        },
      },
      role: {
        fields: () => ({ userId: SEED.memberId, role: "admin" }),
        expect: MANAGERS,
        effect: ({ before, after }) => {
          expect(oneRow(before, "memberships", ACME_MEMBERSHIP(SEED.memberId), "before").role).toBe("member");
          expect(oneRow(after, "memberships", ACME_MEMBERSHIP(SEED.memberId), "after").role).toBe("admin");
        },
      },
      remove: {
        fields: () => ({ userId: SEED.memberId }),
        expect: MANAGERS,
        effect: membershipGone(() => SEED.memberId),
      },
      // Everyone may leave — except the last owner (409).
      leave: {
        fields: () => ({}),
        expect: { owner: 409, admin: to("/dashboard"), member: to("/dashboard"), otherOwner: 404, signedOut: LOGIN },
        effect: membershipGone((actor) => person(actor).id),
      },
      [UNKNOWN_INTENT]: UNKNOWN,
    },
  },
  "dashboard.$workspace.settings.tsx": {
    // Everyone may see the settings page (the workspace id for CI); only owners change anything.
    loader: READ,
    actions: {
      rename: {
        fields: () => ({ name: "Acme Renamed" }),
        expect: OWNER_ONLY(200),
        effect: ({ before, after }) => {
          expect(oneRow(before, "workspaces", { id: SEED.workspaceId }, "before").name).toBe(SEED.workspaceName);
          expect(oneRow(after, "workspaces", { id: SEED.workspaceId }, "after")).toMatchObject({
            name: "Acme Renamed",
            slug: SEED.workspaceSlug,
          });
        },
      },
      slug: {
        fields: () => ({ slug: "acme-renamed" }),
        expect: OWNER_ONLY(to("/dashboard/acme-renamed/settings")),
        effect: ({ before, after }) => {
          expect(oneRow(before, "workspaces", { id: SEED.workspaceId }, "before").slug).toBe(SEED.workspaceSlug);
          expect(oneRow(after, "workspaces", { id: SEED.workspaceId }, "after")).toMatchObject({
            slug: "acme-renamed",
            name: SEED.workspaceName,
          });
          // The old address keeps working: it redirects to the new slug.
          oneRow(
            after,
            "workspace_slug_redirects",
            { slug: SEED.workspaceSlug, workspace_id: SEED.workspaceId },
            "after",
          );
        },
      },
      // Acme is on Team, which does not include single sign-on: refused (409), nothing changed.
      // Requiring it: the owner turns it off (turning it on is tests/workspaces/single-sign-on.test.ts).
      sso: {
        fields: () => ({ required: "on" }),
        expect: OWNER_ONLY(409),
        whenSsoRequired: {
          fields: () => ({ required: "off" }),
          expect: OWNER_ONLY(200),
          effect: ({ before, after, actor }) => {
            expect(oneRow(before, "workspaces", { id: SEED.workspaceId }, "before").require_sso).toBe(1);
            expect(oneRow(after, "workspaces", { id: SEED.workspaceId }, "after").require_sso).toBe(0);
            const event = { workspace_id: SEED.workspaceId, action: "workspace.sso_not_required" };
            expect(rowsOf(before, "audit_events", event), "before: the audit event").toEqual([]);
            expect(oneRow(after, "audit_events", event, "after")).toMatchObject({
              actor_id: person(actor).id,
              category: "workspace",
            });
          },
        },
      },
      delete: {
        fields: () => ({ confirm: "acme" }),
        expect: OWNER_ONLY(to("/dashboard")),
        effect: ({ before, after }) => {
          oneRow(before, "workspaces", { id: SEED.workspaceId }, "before");
          expect(rowsOf(after, "workspaces", { id: SEED.workspaceId }), "after: Acme's workspace row").toEqual([]);
          // What it owned goes with it (foreign keys cascade).
          for (const table of ["memberships", "invitations", "locks", "instances", "workspace_repositories"]) {
            expect(
              rowsOf(before, table, { workspace_id: SEED.workspaceId }).length,
              `before: Acme's ${table}`,
            ).toBeGreaterThan(0);
            expect(rowsOf(after, table, { workspace_id: SEED.workspaceId }), `after: Acme's ${table}`).toEqual([]);
          }
        },
      },
      [UNKNOWN_INTENT]: UNKNOWN,
    },
  },
};

// ─── The cells ───────────────────────────────────────────────────────────────────────────────

async function cookieFor(actor: Actor, provider: SignInProvider = "dev"): Promise<string> {
  switch (actor) {
    case "owner":
      return sessionCookieFor(SEED.ownerId, undefined, provider);
    case "admin":
      return sessionCookieFor(ACME_ADMIN.id, undefined, provider);
    case "member":
      return sessionCookieFor(SEED.memberId, undefined, provider);
    case "otherOwner":
      return sessionCookieFor(GLOBEX.ownerId, undefined, provider);
    case "signedOut":
      return "";
  }
}

type Transport = "document" | "data";
const TRANSPORTS: Transport[] = ["document", "data"];

/** What the response must look like, for this transport. Data requests answer a redirect with 204 + X-Remix-Redirect. */
function expected(outcome: Outcome, path: string, transport: Transport): { status: number; location: string | null } {
  const redirect =
    outcome === LOGIN
      ? { status: 302, location: `/login?returnTo=${encodeURIComponent(path)}` }
      : typeof outcome === "number"
        ? null
        : outcome;
  if (!redirect) return { status: outcome as number, location: null };
  return transport === "data" ? { status: 204, location: redirect.location } : redirect;
}

/**
 * What the visitor must learn nothing about: Globex for Acme's people (and for anyone asking for a
 * Globex object under Acme's address), Acme for Globex's owner.
 */
const foreignMarkers = (actor: Actor, foreignObject: boolean): readonly string[] =>
  actor === "otherOwner" ? (foreignObject ? [...ACME_MARKERS, ...GLOBEX_MARKERS] : ACME_MARKERS) : GLOBEX_MARKERS;

/** Every row that belongs to (or mentions) Globex, table by table. */
function globexRows(dump: Record<string, Array<Record<string, unknown>>>): Record<string, string[]> {
  const ids = [GLOBEX.workspaceId, GLOBEX.ownerId, GLOBEX.repositoryId, GLOBEX.instanceId];
  return Object.fromEntries(
    Object.entries(dump).map(([table, rows]) => [
      table,
      rows.map((row) => JSON.stringify(row)).filter((text) => ids.some((id) => text.includes(id))),
    ]),
  );
}

async function send(
  cookie: string,
  transport: Transport,
  method: "GET" | "POST",
  path: string,
  routeId: string,
  fields?: Record<string, string>,
) {
  const search =
    transport === "data" ? `${path.includes("?") ? "&" : "?"}${new URLSearchParams({ _data: routeId })}` : "";
  const { response } = await request(`${path}${search}`, cookie, method === "POST" ? form(fields ?? {}) : {});
  const body = await response.text();
  const location = transport === "data" ? response.headers.get("x-remix-redirect") : response.headers.get("location");
  return { response, body, location };
}

/**
 * The visitor typed the object params into the address: a page may echo them (a title like
 * "globex/platform · Atmos Pro"). Those echoes are not leaks; anything else is.
 */
function withoutEchoes(text: string, objectParams: Params): string {
  const values = Object.values(objectParams);
  const plain = [values.join("/"), ...values.filter((value) => value.length >= 8)].filter(Boolean);
  // Longest first, so that a part of an echo never breaks up a longer one.
  const echoes = [
    ...plain,
    ...plain.map((echo) => encodeURIComponent(`/${echo}`)),
    ...plain.map(encodeURIComponent),
  ].sort((a, b) => b.length - a.length);
  return echoes.reduce((out, echo) => out.split(echo).join(""), text);
}

function assertOutcome(
  got: { response: Response; body: string; location: string | null },
  want: { status: number; location: string | null },
  markers: readonly string[],
  objectParams: Params,
) {
  expect(got.response.status, `status; body starts: ${got.body.slice(0, 300)}`).toBe(want.status);
  if (want.location !== null) expect(got.location, "redirect target").toBe(want.location);
  const leaked = leakedMarkers(withoutEchoes(`${got.location ?? ""}\n${got.body}`, objectParams), markers);
  expect(leaked, `the response mentions the other workspace`).toEqual([]);
}

const objectParamsOf = (route: RouteFile) => route.params.filter((param) => param !== "workspace");
const WHERE = "EXPECTATIONS in tests/workspaces/isolation-matrix.test.ts";

/** Why a route's row cannot generate its cells (empty: it can). */
function rowProblems(route: RouteFile, entry: RouteExpectation): string[] {
  const problems: string[] = [];
  const name = `app/routes/${route.file}`;
  for (const param of objectParamsOf(route)) {
    if (!entry.params?.[param])
      problems.push(`${name}: give \`params.${param}\` (an Acme object's value) in its row in ${WHERE}.`);
    if (!entry.foreign?.[param])
      problems.push(
        `${name}: give \`foreign.${param}\` (the same kind of object of Globex: the cross-tenant check) in its row in ${WHERE}.`,
      );
  }
  if (route.hasLoader && !entry.loader)
    problems.push(`${name} exports a loader: add \`loader\` to its row in ${WHERE}.`);
  if (!route.hasLoader && entry.loader)
    problems.push(`${name} no longer exports a loader: remove \`loader\` from its row in ${WHERE}.`);
  if (route.hasAction && !entry.actions)
    problems.push(
      `${name} exports an action: add \`actions\` (one entry per intent, and "${UNKNOWN_INTENT}") to its row in ${WHERE}.`,
    );
  if (!route.hasAction && entry.actions)
    problems.push(`${name} no longer exports an action: remove \`actions\` from its row in ${WHERE}.`);
  if (route.hasAction && entry.actions) {
    if (route.intents === null) {
      problems.push(
        `${name}: could not read the intents of its action (expected \`export async function action\` dispatching on fields.intent); list them in ${WHERE} and teach intentsOf() the new shape.`,
      );
    } else {
      const listed = Object.keys(entry.actions).filter((intent) => intent !== UNKNOWN_INTENT);
      for (const intent of route.intents)
        if (!listed.includes(intent))
          problems.push(`${name}: its action handles intent "${intent}": add it to the row's \`actions\` in ${WHERE}.`);
      for (const intent of listed)
        if (!route.intents.includes(intent))
          problems.push(`${name}: no intent "${intent}" any more: remove it from ${WHERE}.`);
      if (!entry.actions[UNKNOWN_INTENT])
        problems.push(`${name}: add the "${UNKNOWN_INTENT}" (unknown intent) entry to its \`actions\` in ${WHERE}.`);
    }
  }
  return problems;
}

describe("tenant isolation matrix: generated from app/routes", () => {
  it("covers every dashboard route, loader and action intent (add new ones to EXPECTATIONS)", () => {
    expect(ROUTES.length, "import.meta.glob found no dashboard routes").toBeGreaterThan(0);
    const problems: string[] = [];
    for (const route of ROUTES) {
      const entry = EXPECTATIONS[route.file];
      if (!entry) {
        const parts = [
          route.hasLoader && "loader",
          route.hasAction && `action (per intent: ${route.intents?.join(", ") || "?"}, and "${UNKNOWN_INTENT}")`,
        ].filter(Boolean);
        const objects = objectParamsOf(route);
        problems.push(
          `app/routes/${route.file} is not in ${WHERE}: add what each of ${ACTORS.join(", ")} must get from its ${parts.join(" and ")}${objects.length ? `, with \`params\` and \`foreign\` values for ${objects.map((param) => `$${param}`).join(", ")}` : ""}.`,
        );
        continue;
      }
      problems.push(...rowProblems(route, entry));
    }
    for (const file of Object.keys(EXPECTATIONS)) {
      if (!ROUTES.some((route) => route.file === file))
        problems.push(`${WHERE} lists ${file}, which is no longer a dashboard route: remove it.`);
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("restores the world faithfully", async () => {
    // The first call in this file builds the world; the second puts the same rows back.
    await restoreWorld();
    const built = await dumpDatabase();
    expect(built.workspaces).toHaveLength(2);
    await resetDatabase();
    await restoreWorld();
    expect(await dumpDatabase()).toEqual(built);
  });

  it("reads the route files it is generated from", () => {
    // The generator itself: URL derivation and intent scanning must see what the app has.
    const byFile = Object.fromEntries(ROUTES.map((route) => [route.file, route]));
    expect(urlFor("dashboard._index.tsx", {})).toBe("/dashboard");
    expect(urlFor("dashboard.$workspace._index.tsx", { workspace: "acme" })).toBe("/dashboard/acme");
    expect(urlFor("dashboard.$workspace.members.tsx", { workspace: "acme" })).toBe("/dashboard/acme/members");
    expect(
      urlFor("dashboard.$workspace.repositories.$owner.$name.tsx", { workspace: "acme", owner: "o", name: "n" }),
    ).toBe("/dashboard/acme/repositories/o/n");
    expect(urlFor("docs_.search.tsx", {})).toBe("/docs/search");
    expect(paramsOf("dashboard.$workspace.instances.$instanceId.tsx")).toEqual(["workspace", "instanceId"]);
    expect(byFile["dashboard.$workspace.members.tsx"]?.intents).toEqual([
      "invite",
      "leave",
      "remove",
      "revoke",
      "role",
    ]);
    expect(byFile["dashboard.$workspace.settings.tsx"]?.intents).toEqual(["delete", "rename", "slug", "sso"]);
    expect(byFile["dashboard.$workspace.tsx"]?.hasAction).toBe(false);
    // Intents handled by an imported helper count too.
    expect(appSources[`${APP}forms/locks.server.ts`]).toBeDefined();
    expect(
      intentsOf(
        'import { lockAction } from "~/forms/locks.server";\nexport async function action() {\n  return lockAction();\n}\n',
      ),
    ).toEqual(["lock", "unlock"]);
  });
});

describe("tenant isolation matrix", () => {
  let world: World;
  beforeEach(async () => {
    world = await restoreWorld();
  });

  for (const route of ROUTES) {
    const entry = EXPECTATIONS[route.file];
    if (!entry || rowProblems(route, entry).length > 0) continue; // reported by the coverage test
    const acmeParams: Params = { workspace: SEED.workspaceSlug, ...entry.params };
    const objectParams = (params: Params) =>
      Object.fromEntries(objectParamsOf(route).map((param) => [param, params[param]!]));
    // An index route's action is addressed with `?index`.
    const actionUrl = (path: string) => (route.file.endsWith("._index.tsx") ? `${path}?index` : path);

    /** The address variants: Acme's objects, and (for object routes) Globex's objects under Acme's address. */
    const variants: Array<{ label: string; params: Params; foreign: boolean }> = [
      { label: "", params: acmeParams, foreign: false },
    ];
    if (entry.foreign)
      variants.push({ label: " [Globex's object]", params: { ...acmeParams, ...entry.foreign }, foreign: true });

    describe(`app/routes/${route.file}`, () => {
      for (const variant of variants) {
        if (route.hasLoader && entry.loader) {
          const row = variant.foreign ? NOT_HERE : entry.loader;
          const path = urlFor(route.file, variant.params);
          for (const transport of TRANSPORTS) {
            for (const actor of ACTORS) {
              const want = expected(row[actor], path, transport);
              it(`GET ${path}${variant.label} (${transport}) as ${actor} → ${want.status}`, async () => {
                const got = await send(await cookieFor(actor), transport, "GET", path, route.routeId);
                assertOutcome(got, want, foreignMarkers(actor, variant.foreign), objectParams(variant.params));
              });
            }
          }
        }

        if (route.hasAction && entry.actions) {
          for (const [intent, cell] of Object.entries(entry.actions)) {
            const params = variant.foreign ? variant.params : { ...variant.params, ...cell.params };
            const path = urlFor(route.file, params);
            const row = variant.foreign ? NOT_HERE : cell.expect;
            for (const transport of TRANSPORTS) {
              for (const actor of ACTORS) {
                const want = expected(row[actor], path, transport);
                const refused = want.status >= 400 || (want.location?.startsWith("/login?") ?? false);
                it(`POST ${path}${variant.label} intent=${intent} (${transport}) as ${actor} → ${want.status}${refused ? ", nothing changed" : ""}`, async () => {
                  const fields = { intent, ...cell.fields(world) };
                  const cookie = await cookieFor(actor); // its session row exists before "before"
                  const before = await dumpDatabase();
                  const got = await send(cookie, transport, "POST", actionUrl(path), route.routeId, fields);
                  assertOutcome(got, want, foreignMarkers(actor, variant.foreign), objectParams(params));
                  const after = await dumpDatabase();
                  if (refused) {
                    expect(after, "a refused request changed the database").toEqual(before);
                  } else {
                    expect(
                      cell.effect,
                      `intent=${intent} is allowed for ${actor}: say what it writes (\`effect\` in ${WHERE})`,
                    ).toBeDefined();
                    cell.effect!({ before, after, actor, world });
                  }
                  expect(globexRows(after), "a request to Acme changed a row of Globex").toEqual(globexRows(before));
                });
              }
            }
          }
        }
      }
    });
  }
});

// ─── Single sign-on required ─────────────────────────────────────────────────────────────────

/** Acme on Enterprise, requiring single sign-on. */
async function requireSsoForAcme(): Promise<void> {
  await env.DB.prepare("UPDATE workspaces SET plan = 'enterprise', require_sso = 1 WHERE id = ?")
    .bind(SEED.workspaceId)
    .run();
}

/**
 * Who signs in how: Acme's owner and member with single sign-on (`oidc`) and without (`github`);
 * Globex's owner without (for them Acme stays a 404: the requirement tells outsiders nothing). The
 * admin and the signed-out visitor add no case here (same gate; no session), so they are left out.
 */
const SSO_VISITORS: Array<{ actor: Actor; provider: SignInProvider }> = [
  ...(["owner", "member"] as const).flatMap((actor) =>
    (["oidc", "github"] as const).map((provider) => ({ actor, provider })),
  ),
  { actor: "otherOwner", provider: "github" },
];

/** The page back to which the provider's sign-in returns: the address without `_data` and `index`. */
const pageOf = (path: string) => path.replace(/\?index$/, "");

/** The 403 of a workspace that requires single sign-on: its message and the sign-in button back to `path`. */
function assertSsoRequired(got: { response: Response; body: string }, transport: Transport, path: string) {
  expect(got.response.status, `status; body starts: ${got.body.slice(0, 300)}`).toBe(403);
  const returnTo = pageOf(path);
  if (transport === "data") {
    expect(JSON.parse(got.body)).toMatchObject({
      kind: "sso_required",
      message: expect.stringContaining("requires signing in with your organisation's provider (Acme SSO)"),
      signIn: { action: "/auth/oidc", label: "Continue with Acme SSO", returnTo },
    });
    return;
  }
  const text = pageTextOf(got.body);
  expect(text).toContain("requires signing in with your organisation's provider (Acme SSO)");
  const form = got.body.match(/<form[^>]*data-testid="sso-sign-in"[^>]*>([\s\S]*?)<\/form>/);
  expect(form, "the sign-in button's form").not.toBeNull();
  expect(form![0]).toMatch(/action="\/auth\/oidc"/);
  expect(form![0]).toMatch(/method="post"/);
  expect(pageTextOf(form![1]!)).toContain(`name="returnTo" value="${returnTo}"`);
  expect(pageTextOf(form![1]!)).toContain("Continue with Acme SSO");
}

describe("single sign-on required: every dashboard route, with single sign-on and without", () => {
  let world: World;
  beforeEach(async () => {
    world = await restoreWorld();
    await requireSsoForAcme();
  });

  for (const route of ROUTES) {
    const entry = EXPECTATIONS[route.file];
    if (!entry || rowProblems(route, entry).length > 0) continue; // reported by the coverage test
    const params: Params = { workspace: SEED.workspaceSlug, ...entry.params };
    const objectParams = Object.fromEntries(objectParamsOf(route).map((param) => [param, params[param]!]));
    const actionUrl = (path: string) => (route.file.endsWith("._index.tsx") ? `${path}?index` : path);
    // Not addressed by a workspace (/dashboard): it sends everyone on as before.
    const addressed = route.params.includes("workspace");
    /** Without single sign-on, Acme's people are refused; everyone else answers as before. */
    const refusedFor = (actor: Actor, provider: SignInProvider) =>
      addressed && provider !== "oidc" && actor !== "otherOwner";

    describe(`app/routes/${route.file}`, () => {
      if (route.hasLoader && entry.loader) {
        const path = urlFor(route.file, params);
        for (const transport of TRANSPORTS) {
          for (const { actor, provider } of SSO_VISITORS) {
            const refused = refusedFor(actor, provider);
            const want = expected(entry.loader[actor], path, transport);
            it(`GET ${path} (${transport}) as ${actor} signed in with ${provider} → ${refused ? "403, sign in with single sign-on" : want.status}`, async () => {
              const got = await send(await cookieFor(actor, provider), transport, "GET", path, route.routeId);
              if (refused) assertSsoRequired(got, transport, path);
              else assertOutcome(got, want, foreignMarkers(actor, false), objectParams);
            });
          }
        }
      }

      if (route.hasAction && entry.actions) {
        for (const [intent, base] of Object.entries(entry.actions)) {
          const cell = { ...base, ...base.whenSsoRequired };
          const path = urlFor(route.file, { ...params, ...cell.params });
          for (const transport of TRANSPORTS) {
            for (const { actor, provider } of SSO_VISITORS) {
              const ssoRefused = refusedFor(actor, provider);
              const want = expected(cell.expect[actor], path, transport);
              const refused = ssoRefused || want.status >= 400 || (want.location?.startsWith("/login?") ?? false);
              it(`POST ${path} intent=${intent} (${transport}) as ${actor} signed in with ${provider} → ${ssoRefused ? "403, sign in with single sign-on" : want.status}${refused ? ", nothing changed" : ""}`, async () => {
                const fields = { intent, ...cell.fields(world) };
                const cookie = await cookieFor(actor, provider);
                const before = await dumpDatabase();
                const got = await send(cookie, transport, "POST", actionUrl(path), route.routeId, fields);
                if (ssoRefused) assertSsoRequired(got, transport, path);
                else assertOutcome(got, want, foreignMarkers(actor, false), objectParams);
                const after = await dumpDatabase();
                if (refused) {
                  expect(after, "a refused request changed the database").toEqual(before);
                } else {
                  expect(
                    cell.effect,
                    `intent=${intent} is allowed for ${actor}: say what it writes (\`effect\` in ${WHERE})`,
                  ).toBeDefined();
                  cell.effect!({ before, after, actor, world });
                }
                expect(globexRows(after), "a request to Acme changed a row of Globex").toEqual(globexRows(before));
              });
            }
          }
        }
      }
    });
  }
});
