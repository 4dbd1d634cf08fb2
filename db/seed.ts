/**
 * The demo data local dev and e2e run against. Idempotent: fixed ids and `ON CONFLICT DO NOTHING`,
 * so running it twice leaves the same rows. Written in D1 batches (≤ 100 bound parameters each).
 */
import { lastRunAtOrBefore, nextRunAfter } from "../app/domain/drift/schedule-time";
import type { Database } from "./client";
import {
  auditEvents,
  deployments,
  DEPLOYMENT_KINDS,
  driftRuns,
  driftSchedules,
  githubInstallations,
  identities,
  incidentComponents,
  incidents,
  incidentUpdates,
  instanceResults,
  instances,
  INSTANCE_STATUSES,
  locks,
  memberships,
  repositories,
  repositoryPermissions,
  PERMISSION_TYPES,
  users,
  workspaceRepositories,
  workspaces,
} from "./schema";

/** The statuses of a dispatched run (the seed has no batches waiting to dispatch). */
const RUN_STATUSES = ["queued", "in_progress", "success", "failure", "cancelled"] as const;
const pad = (base: string) => base + "0".repeat(28 - base.length);

/** Ids the README, docs and tests refer to. */
export const SEED = {
  workspaceId: `ws_${pad("acme")}`,
  workspaceSlug: "acme",
  workspaceName: "Acme",
  ownerId: `usr_${pad("acmeowner")}`,
  ownerLogin: "acme-owner",
  memberId: `usr_${pad("acmemember")}`,
  memberLogin: "acme-member",
  repositoryId: `repo_${pad("acmeinfra")}`,
  /** The GitHub App's installation on the acme organisation, connected to Acme; it covers acme/infra. */
  installationId: 9001,
  repositoryGithubId: 9101,
  lockKey: "acme/infra/plat-ue2-prod/eks/cluster",
} as const;

export const SEED_STACKS = [
  "plat-ue2-dev",
  "plat-ue2-staging",
  "plat-ue2-prod",
  "core-ue2-auto",
  "core-gbl-dns",
] as const;

export const SEED_COMPONENTS = [
  "vpc",
  "eks/cluster",
  "eks/karpenter",
  "rds/aurora-postgres",
  "s3-bucket/artifacts",
  "iam-role/deployer",
  "dns-delegated",
  "ecr",
  "alb/public",
  "waf",
  "sqs-queue/events",
  "lambda/notifier",
] as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** drizzle's D1 batch takes a non-empty tuple; chunking keeps each statement under D1's 100 parameters. */
async function insertAll<T>(db: Database, rows: T[], perStatement: number, insert: (chunk: T[]) => unknown) {
  const statements = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    statements.push(insert(rows.slice(i, i + perStatement)));
  }
  if (statements.length === 0) return;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  await db.batch(statements as any);
}

/** The seeded workspace's drift schedule: every day at 03:00 UTC. */
export const SEED_SCHEDULE = { cron: "0 3 * * *", timezone: "UTC" } as const;

export async function seed(db: Database, now: Date = new Date()): Promise<void> {
  const t = now.getTime();
  const at = (offsetMs: number) => new Date(t + offsetMs);

  await db.batch([
    db
      .insert(users)
      .values([
        {
          id: SEED.ownerId,
          login: SEED.ownerLogin,
          name: "Ada Owner",
          email: "ada@acme.example",
          lastWorkspaceId: SEED.workspaceId,
          createdAt: at(-90 * DAY),
          updatedAt: at(-90 * DAY),
        },
        {
          id: SEED.memberId,
          login: SEED.memberLogin,
          name: "Max Member",
          email: "max@acme.example",
          lastWorkspaceId: SEED.workspaceId,
          createdAt: at(-60 * DAY),
          updatedAt: at(-60 * DAY),
        },
      ])
      .onConflictDoNothing(),
    db
      .insert(identities)
      .values([
        {
          id: `idn_${pad("acmeowner")}`,
          userId: SEED.ownerId,
          provider: "dev",
          issuer: "dev",
          subject: SEED.ownerLogin,
          login: SEED.ownerLogin,
          email: "ada@acme.example",
          emailVerified: true,
          createdAt: at(-90 * DAY),
        },
        {
          id: `idn_${pad("acmemember")}`,
          userId: SEED.memberId,
          provider: "dev",
          issuer: "dev",
          subject: SEED.memberLogin,
          login: SEED.memberLogin,
          email: "max@acme.example",
          emailVerified: true,
          createdAt: at(-60 * DAY),
        },
      ])
      .onConflictDoNothing(),
    db
      .insert(workspaces)
      .values({
        id: SEED.workspaceId,
        name: SEED.workspaceName,
        slug: SEED.workspaceSlug,
        plan: "team",
        createdAt: at(-90 * DAY),
        updatedAt: at(-90 * DAY),
      })
      .onConflictDoNothing(),
    db
      .insert(memberships)
      .values([
        {
          workspaceId: SEED.workspaceId,
          userId: SEED.ownerId,
          role: "owner",
          createdAt: at(-90 * DAY),
          updatedAt: at(-90 * DAY),
        },
        {
          workspaceId: SEED.workspaceId,
          userId: SEED.memberId,
          role: "member",
          createdAt: at(-60 * DAY),
          updatedAt: at(-60 * DAY),
        },
      ])
      .onConflictDoNothing(),
    db
      .insert(githubInstallations)
      .values({
        id: SEED.installationId,
        workspaceId: SEED.workspaceId,
        accountLogin: "acme",
        accountType: "Organization",
        accountGithubId: 9000,
        repositorySelection: "selected",
        permissions: { actions: "write", checks: "write", contents: "write", pull_requests: "write", metadata: "read" },
        createdAt: at(-89 * DAY),
        updatedAt: at(-89 * DAY),
      })
      .onConflictDoNothing(),
    db
      .insert(repositories)
      .values({
        id: SEED.repositoryId,
        host: "github.com",
        owner: "acme",
        name: "infra",
        installationId: SEED.installationId,
        githubId: SEED.repositoryGithubId,
        createdAt: at(-89 * DAY),
        updatedAt: at(-89 * DAY),
      })
      .onConflictDoNothing(),
    db
      .insert(workspaceRepositories)
      .values({
        workspaceId: SEED.workspaceId,
        repositoryId: SEED.repositoryId,
        importedBy: SEED.ownerId,
        createdAt: at(-89 * DAY),
      })
      .onConflictDoNothing(),
    db
      .insert(repositoryPermissions)
      .values(
        PERMISSION_TYPES.map((type, i) => ({
          id: `perm_${pad(`acmeinfra${i}`)}`,
          workspaceId: SEED.workspaceId,
          repositoryId: SEED.repositoryId,
          type,
          workflowPattern: "*",
          branchPattern: "*",
          environmentPattern: "*",
          createdAt: at(-89 * DAY),
        })),
      )
      .onConflictDoNothing(),
  ]);

  // ~60 instances: every component in every stack, statuses in a fixed rotation.
  const instanceRows = SEED_STACKS.flatMap((stack, s) =>
    SEED_COMPONENTS.map((component, c) => {
      const n = s * SEED_COMPONENTS.length + c;
      const status = INSTANCE_STATUSES[n % 7 === 3 ? 1 : n % 11 === 5 ? 2 : n % 13 === 7 ? 3 : 0]!;
      const ran = status !== "unknown";
      const command = status === "drifted" ? "plan" : n % 2 === 0 ? "apply" : "plan";
      return {
        id: `inst_${pad(`acme${String(n).padStart(3, "0")}`)}`,
        workspaceId: SEED.workspaceId,
        repositoryId: SEED.repositoryId,
        stack,
        component,
        componentType: "terraform",
        settingsPro: {
          enabled: true,
          pull_request: {
            opened: {
              workflows: {
                "atmos-terraform-plan.yaml": {
                  inputs: { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}" },
                },
              },
            },
            merged: {
              workflows: {
                "atmos-terraform-apply.yaml": {
                  inputs: { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}" },
                },
              },
            },
          },
          drift_detection: {
            enabled: n % 3 !== 0,
            detect: {
              workflows: {
                "atmos-terraform-plan.yaml": {
                  inputs: { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}", upload_status: true },
                },
              },
            },
          },
        },
        driftEnabled: n % 3 !== 0,
        status,
        lastCommand: ran ? command : null,
        lastExitCode: ran ? (status === "in_sync" ? 0 : status === "drifted" ? 2 : 1) : null,
        lastRunAt: ran ? at(-((n % 48) + 1) * HOUR) : null,
        createdAt: at(-80 * DAY),
        updatedAt: at(-((n % 48) + 1) * HOUR),
      };
    }),
  );
  await insertAll(db, instanceRows, 5, (chunk) => db.insert(instances).values(chunk).onConflictDoNothing());

  // The nightly schedule, and its last two runs (their detect jobs and what they reported, below).
  const nightlyId = `drs_${pad("acmenightly")}`;
  const nightlyRuns = [3, 2].map((daysAgo) => ({
    id: `drr_${pad(`acmenightly${daysAgo}`)}`,
    workspaceId: SEED.workspaceId,
    repositoryId: SEED.repositoryId,
    scheduleId: nightlyId,
    cause: "schedule" as const,
    requestedBy: "Nightly drift detection",
    ref: "main",
    headSha: "c".repeat(40),
    status: "success" as const,
    maxInFlight: 10,
    // Before the first of its results (they are a minute apart per instance), done after the last.
    createdAt: at(-daysAgo * DAY - 90 * 60_000),
    completedAt: at(-daysAgo * DAY + 10 * 60_000),
  }));
  await db.batch([
    db
      .insert(driftSchedules)
      .values({
        id: nightlyId,
        workspaceId: SEED.workspaceId,
        repositoryId: SEED.repositoryId,
        name: "Nightly drift detection",
        cron: SEED_SCHEDULE.cron,
        timezone: SEED_SCHEDULE.timezone,
        enabled: true,
        // What the expression says, from the seed's clock: the last time it was due, and the next.
        lastRunAt: lastRunAtOrBefore(SEED_SCHEDULE.cron, SEED_SCHEDULE.timezone, now),
        nextRunAt: nextRunAfter(SEED_SCHEDULE.cron, SEED_SCHEDULE.timezone, now),
        createdAt: at(-80 * DAY),
        updatedAt: at(-80 * DAY),
      })
      .onConflictDoNothing(),
    db.insert(driftRuns).values(nightlyRuns).onConflictDoNothing(),
  ]);
  const driftJobRows = nightlyRuns.flatMap((run, r) =>
    instanceRows
      // The locked instance's page keeps its empty deployments list (the demo of an instance never deployed).
      .filter((row) => row.driftEnabled && `acme/infra/${row.stack}/${row.component}` !== SEED.lockKey)
      .map((row, i) => ({
        id: `dep_${pad(`acmedrift${r}${String(i).padStart(3, "0")}`)}`,
        workspaceId: SEED.workspaceId,
        instanceId: row.id,
        driftRunId: run.id,
        kind: "detect" as const,
        status: "success" as const,
        workflow: "atmos-terraform-plan.yaml",
        ref: "main",
        githubRunId: 9_100_000_000 + r * 1000 + i,
        githubRunUrl: `https://github.com/acme/infra/actions/runs/${9_100_000_000 + r * 1000 + i}`,
        createdAt: run.createdAt,
        dispatchedAt: run.createdAt,
        startedAt: new Date(run.createdAt.getTime() + 60_000),
        completedAt: new Date(run.createdAt.getTime() + 6 * 60_000),
      })),
  );
  await insertAll(db, driftJobRows, 6, (chunk) => db.insert(deployments).values(chunk).onConflictDoNothing());

  // Status history: a few results per instance that has run.
  const resultRows = instanceRows
    .filter((row) => row.status !== "unknown")
    .flatMap((row, i) =>
      [3, 2, 1].map((daysAgo, k) => {
        const last = k === 2;
        const command: "plan" | "apply" | "detect" = last
          ? (row.lastCommand as "plan" | "apply")
          : k === 0
            ? "detect"
            : "plan";
        return {
          id: `res_${pad(`acme${String(i).padStart(3, "0")}${k}`)}`,
          workspaceId: SEED.workspaceId,
          instanceId: row.id,
          command,
          exitCode: last ? (row.lastExitCode ?? 0) : 0,
          status: last ? row.status : ("in_sync" as const),
          ranAt: last ? (row.lastRunAt ?? at(-daysAgo * DAY)) : at(-daysAgo * DAY - i * 60_000),
          // The nightly runs' detects (3 and 2 days ago) reported the earlier results of watched instances.
          driftRunId: !last && row.driftEnabled ? nightlyRuns[k]!.id : null,
        };
      }),
    );
  await insertAll(db, resultRows, 12, (chunk) => db.insert(instanceResults).values(chunk).onConflictDoNothing());

  // Deployments of every kind in every status a run has.
  const deploymentRows = DEPLOYMENT_KINDS.flatMap((kind, k) =>
    RUN_STATUSES.map((status, s) => {
      const n = k * RUN_STATUSES.length + s;
      const instance = instanceRows[(n * 3) % instanceRows.length]!;
      const created = at(-(n * 5 + 1) * HOUR);
      const started = status === "queued" ? null : new Date(created.getTime() + 60_000);
      const finished = status === "success" || status === "failure" || status === "cancelled";
      const runId = 9_000_000_000 + n;
      return {
        id: `dep_${pad(`acme${String(n).padStart(3, "0")}`)}`,
        workspaceId: SEED.workspaceId,
        instanceId: instance.id,
        kind,
        status,
        workflow: kind === "apply" ? "atmos-terraform-apply.yaml" : "atmos-terraform-plan.yaml",
        githubRunId: status === "queued" ? null : runId,
        githubRunUrl: status === "queued" ? null : `https://github.com/acme/infra/actions/runs/${runId}`,
        createdAt: created,
        startedAt: started,
        completedAt: finished ? new Date(created.getTime() + 6 * 60_000) : null,
      };
    }),
  );
  await insertAll(db, deploymentRows, 7, (chunk) => db.insert(deployments).values(chunk).onConflictDoNothing());

  await db.batch([
    db
      .insert(locks)
      .values({
        id: `lock_${pad("acmeprodeks")}`,
        workspaceId: SEED.workspaceId,
        key: SEED.lockKey,
        message: "Upgrading the EKS control plane to 1.31 — please hold applies",
        lockedBy: SEED.ownerLogin,
        properties: { ticket: "OPS-1042" },
        // Far ahead so the demo lock stays active for every local run of the seed.
        expiresAt: at(3650 * DAY),
        createdAt: at(-2 * HOUR),
        updatedAt: at(-2 * HOUR),
      })
      .onConflictDoNothing(),
    db
      .insert(auditEvents)
      .values([
        {
          id: `aud_${pad("acme001")}`,
          workspaceId: SEED.workspaceId,
          actorType: "user",
          actorId: SEED.ownerId,
          actorLabel: SEED.ownerLogin,
          action: "workspace.created",
          category: "workspace",
          targetType: "workspace",
          targetId: SEED.workspaceId,
          metadata: { name: "Acme", slug: "acme" },
          createdAt: at(-90 * DAY),
        },
        {
          id: `aud_${pad("acme002")}`,
          workspaceId: SEED.workspaceId,
          actorType: "user",
          actorId: SEED.ownerId,
          actorLabel: SEED.ownerLogin,
          action: "permission.default_created",
          category: "permission",
          targetType: "repository",
          targetId: SEED.repositoryId,
          metadata: { repository: "acme/infra", types: [...PERMISSION_TYPES] },
          createdAt: at(-89 * DAY),
        },
        {
          id: `aud_${pad("acme003")}`,
          workspaceId: SEED.workspaceId,
          actorType: "user",
          actorId: SEED.ownerId,
          actorLabel: SEED.ownerLogin,
          action: "team_member.invited",
          category: "team_member",
          targetType: "user",
          targetId: SEED.memberId,
          metadata: { invitee: SEED.memberLogin, role: "member" },
          createdAt: at(-61 * DAY),
        },
        {
          id: `aud_${pad("acme004")}`,
          workspaceId: SEED.workspaceId,
          actorType: "ci",
          actorId: null,
          actorLabel: "acme/infra",
          action: "lock.created",
          category: "lock",
          targetType: "lock",
          targetId: `lock_${pad("acmeprodeks")}`,
          metadata: { key: SEED.lockKey },
          createdAt: at(-2 * HOUR),
        },
      ])
      .onConflictDoNothing(),
  ]);

  await seedIncidents(db, now);
}

/** The demo incident's fixed id; its slug depends on the day the seed first ran (see seedIncidents). */
export const SEED_INCIDENT_ID = `inc_${pad("cachedispatch")}`;

/** `<YYYY-MM-DD>-delayed-plan-and-apply-dispatches` for the seed's incident, 12 days before `now`. */
export function seedIncidentSlug(now: Date): string {
  return `${seedIncidentStart(now).toISOString().slice(0, 10)}-delayed-plan-and-apply-dispatches`;
}

function seedIncidentStart(now: Date): Date {
  const day = Math.floor(now.getTime() / DAY) * DAY;
  return new Date(day - 12 * DAY + 14 * HOUR + 5 * 60_000);
}

/** One resolved incident with a full write-up, so the status page has history to show. */
/** The sender of GitHub's published example payloads (@octokit/webhooks-examples). */
export const EXAMPLE_GITHUB_SENDER = { id: 21031067, login: "Codertocat" } as const;

/**
 * For trying the GitHub App locally (`npm run dev`, `npm run db:seed`, the browser e2e), not for the
 * unit tests' seed: the demo owner has also signed in with GitHub as the sender of GitHub's example
 * payloads, so the installation `npm run webhook:send -- installation.created` reports is one they
 * made, and theirs to connect. Idempotent.
 */
export async function seedDemoGithubSignIn(db: Database, now: Date = new Date()): Promise<void> {
  await db
    .insert(identities)
    .values({
      id: `idn_${pad("acmeownergithub")}`,
      userId: SEED.ownerId,
      provider: "github",
      issuer: "https://github.com",
      subject: String(EXAMPLE_GITHUB_SENDER.id),
      login: EXAMPLE_GITHUB_SENDER.login,
      createdAt: now,
    })
    .onConflictDoNothing();
}

export async function seedIncidents(db: Database, now: Date = new Date()): Promise<void> {
  const start = seedIncidentStart(now).getTime();
  const at = (minutes: number) => new Date(start + minutes * 60_000);
  const id = SEED_INCIDENT_ID;
  const author = "status-team";
  await db.batch([
    db
      .insert(incidents)
      .values({
        id,
        slug: seedIncidentSlug(now),
        title: "Delayed plan and apply dispatches",
        status: "resolved",
        impact: "partial_outage",
        author,
        occurredAt: at(0),
        mitigatedAt: at(41),
        resolvedAt: at(95),
        summary:
          "For 41 minutes, plan and apply runs for pull requests were dispatched late or not at all for about a third of workspaces. " +
          "Uploads of affected stacks were accepted throughout; nothing was lost, and every delayed run was dispatched once we had fixed the cause.",
        impactText:
          "- Workspaces whose GitHub App installation token expired during the window saw no new check runs on their pull requests.\n" +
          "- Applies after merges in those workspaces started between 4 and 41 minutes late.\n" +
          "- Drift detection, locks, sign-in and the dashboard were not affected.",
        whatHappened:
          "A change deployed at 13:58 UTC shortened how long we cache GitHub App installation tokens, but compared the token's expiry " +
          "in seconds with our clock in milliseconds. Every cached token therefore looked valid forever. When tokens expired after one hour, " +
          "GitHub refused the dispatches with `401 Bad credentials`, and our retry used the same stale token.",
        whatWeDid:
          "1. Paused dispatching at 14:31 UTC so that no run would be started twice once tokens worked again.\n" +
          "2. Rolled back the change at 14:40 UTC and cleared the token cache.\n" +
          "3. Resumed dispatching at 14:46 UTC; the backlog of 212 runs was dispatched in dependency order by 15:12 UTC.",
        followUp:
          "- **Done:** a unit test that pins the token cache's expiry arithmetic, with times in both units.\n" +
          "- **Done:** an alert when more than 1% of dispatches fail with 401 over five minutes.\n" +
          "- **In progress:** refresh installation tokens on the first 401 instead of retrying with the same one.",
        createdAt: at(0),
        updatedAt: at(140),
      })
      .onConflictDoNothing(),
    db
      .insert(incidentComponents)
      .values([
        { incidentId: id, component: "deployments" },
        { incidentId: id, component: "webhooks" },
      ])
      .onConflictDoNothing(),
    db
      .insert(incidentUpdates)
      .values([
        {
          id: `incu_${pad("cachedispatch1")}`,
          incidentId: id,
          status: "investigating",
          author,
          createdAt: at(0),
          body: "We are looking into reports of pull requests that show no plan check runs. Uploads are being accepted.",
        },
        {
          id: `incu_${pad("cachedispatch2")}`,
          incidentId: id,
          status: "identified",
          author,
          createdAt: at(26),
          body: "Dispatches are failing because expired GitHub App tokens are being reused. We are pausing dispatching and rolling back the change that caused it.",
        },
        {
          id: `incu_${pad("cachedispatch3")}`,
          incidentId: id,
          status: "monitoring",
          author,
          createdAt: at(41),
          body: "The rollback is complete and dispatching has resumed. Delayed runs are being started in dependency order.",
        },
        {
          id: `incu_${pad("cachedispatch4")}`,
          incidentId: id,
          status: "resolved",
          author,
          createdAt: at(95),
          body: "All delayed runs have been dispatched and new pull requests are planned normally. We will publish a full report.",
        },
      ])
      .onConflictDoNothing(),
  ]);
}
