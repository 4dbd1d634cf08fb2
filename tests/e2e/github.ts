/**
 * GitHub and the atmos CLI as the browser tests play them against the e2e `wrangler dev`: signed
 * webhook deliveries of GitHub's example payloads (with our values), the fake GitHub's control, and
 * the CLI's token exchange with a GitHub Actions token minted by the fake issuer.
 */
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { devWebhookSecret, examplePayload, postWebhook, type ExamplePayload } from "../../scripts/webhook-delivery";
import { fakeProviders, url, waitForHydration } from "./harness";

/** GitHub's example payload for `name` ("event.action"), as a fresh copy to edit. */
export function example(name: string): ExamplePayload {
  const found = examplePayload(name);
  if ("problem" in found) throw new Error(found.problem);
  return structuredClone(found.payload);
}

/** GitHub's example payload for `name`, for our installation `id` (a fresh one per run). */
export function installationEvent(name: "installation.created" | "installation.deleted", id: number): ExamplePayload {
  const payload = example(name);
  (payload.installation as ExamplePayload).id = id;
  return payload;
}

/** Delivers `payload` as GitHub would, signed with .dev.vars' secret; the endpoint accepts it (202). */
export async function deliver(event: string, payload: ExamplePayload): Promise<void> {
  const secret = devWebhookSecret();
  if (!secret) throw new Error("GITHUB_WEBHOOK_SECRET is missing from .dev.vars");
  const response = await postWebhook(url("/webhooks/github"), event, payload, secret);
  expect(response.status, await response.clone().text()).toBe(202);
}

/** The atmos CLI's token exchange for `repository`'s atmos-pro.yaml on `branch`: the status and the API token. */
export async function exchange(
  workspaceId: string,
  branch: string,
  repository = "Codertocat/Hello-World",
): Promise<{ status: number; token: string | null }> {
  const workflowRef = `${repository}/.github/workflows/atmos-pro.yaml@refs/heads/${branch}`;
  const minted = await fetch(`${fakeProviders().controlUrl}/actions-token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      claims: {
        sub: `repo:${repository}:ref:refs/heads/${branch}`,
        repository,
        repository_owner: repository.split("/")[0],
        ref: `refs/heads/${branch}`,
        workflow_ref: workflowRef,
        job_workflow_ref: workflowRef,
      },
    }),
    signal: AbortSignal.timeout(5_000),
  });
  expect(minted.status).toBe(200);
  const { token } = (await minted.json()) as { token: string };
  const answer = await fetch(url("/api/v1/auth/github-oidc"), {
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": "atmos/1.190.0 (linux; amd64)" },
    body: JSON.stringify({ token, workspaceId }),
    signal: AbortSignal.timeout(10_000),
  });
  const envelope = (await answer.json()) as { data?: { token?: string } };
  return { status: answer.status, token: envelope.data?.token ?? null };
}

/** Reloads `path` until `text` is on it (the queue consumer runs beside the request), bounded. */
export async function reloadUntil(page: Page, path: string, text: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(url(path));
    if ((await page.locator("main").textContent())?.includes(text)) return;
    if (Date.now() > until) throw new Error(`"${text}" did not appear on ${path} within ${timeoutMs / 1000} s`);
    await page.waitForTimeout(250);
  }
}

/** What the fake GitHub holds (GET {controlUrl}/git), and changes to it (POST, merged). */
export async function fakeGit<T = Record<string, unknown>>(change?: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${fakeProviders().controlUrl}/git`, {
    method: change ? "POST" : "GET",
    headers: { "Content-Type": "application/json" },
    body: change ? JSON.stringify(change) : undefined,
    signal: AbortSignal.timeout(5_000),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** The end of a test's own workspace: GitHub's `installation.deleted`, then the owner deletes it in its settings. */
export async function uninstallAndDelete(page: Page, installationId: number, slug: string): Promise<void> {
  await deliver("installation", installationEvent("installation.deleted", installationId));
  await page.goto(url(`/dashboard/${slug}/settings`));
  await waitForHydration(page, "main form button");
  await page.getByLabel(`Type ${slug} to confirm`).fill(slug);
  await page.getByRole("button", { name: "Delete this workspace" }).click();
  await page.waitForURL((address) => address.pathname.startsWith("/dashboard/"));
}

export const HELLO_WORLD = { id: 186853002, owner: "Codertocat", name: "Hello-World" } as const;

/**
 * A new workspace of the signed-in user's (`E2E <prefix> …`) with the GitHub App installed on
 * Codertocat/Hello-World (with the Actions permission ours asks for), connected and the repository
 * imported, as a person clicks through it. Returns its slug and workspace id.
 */
export async function workspaceWithHelloWorld(
  page: Page,
  prefix: string,
  installationId: number,
): Promise<{ slug: string; workspaceId: string }> {
  await page.goto(url("/workspaces/new"));
  await waitForHydration(page, "main form button");
  await page.getByLabel("Workspace name").fill(`E2E ${prefix} ${Date.now().toString(36)}`);
  await page.getByRole("button", { name: "Create workspace" }).click();
  const pattern = new RegExp(`^/dashboard/e2e-${prefix.toLowerCase()}-[a-z0-9-]+$`);
  await page.waitForURL((address) => pattern.test(address.pathname));
  const slug = new URL(page.url()).pathname.split("/")[2]!;
  const repositories = `/dashboard/${slug}/repositories`;
  // GitHub's truth for the installation (tokens, dispatches), then its webhook, then the connect.
  await fakeGit({
    installations: {
      [installationId]: { account: HELLO_WORLD.owner, repositories: [{ id: HELLO_WORLD.id, name: HELLO_WORLD.name }] },
    },
  });
  // GitHub's example installation has no Actions permission: ours asks for it (workflow dispatches).
  const created = installationEvent("installation.created", installationId);
  const granted = (created.installation as { permissions: Record<string, string> }).permissions;
  granted.actions = "write";
  await deliver("installation", created);
  await page.goto(url(`/github/setup?installation_id=1&setup_action=install`));
  await reloadUntil(page, `${repositories}?github=install`, "Installed by you, not connected yet");
  await waitForHydration(page, "main form button");
  await page.getByRole("button", { name: `Connect ${HELLO_WORLD.owner}` }).click();
  await page.getByText("Installation connected. Import its repositories below.").waitFor();
  await page.getByRole("button", { name: `Import ${HELLO_WORLD.owner}/${HELLO_WORLD.name}` }).click();
  await page.getByText(`${HELLO_WORLD.owner}/${HELLO_WORLD.name} imported, with the default permissions.`).waitFor();
  await page.goto(url(`/dashboard/${slug}/settings`));
  const workspaceId = (await page.getByTestId("workspace-id").textContent())?.trim() ?? "";
  return { slug, workspaceId };
}
