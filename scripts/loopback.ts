/**
 * Where `npm run dev:github` (a GitHub played on loopback, scripts/github-loopback.ts) listens and
 * what it plays: the repository of GitHub's example payloads, Codertocat/Hello-World, under the
 * example installation, so that `npm run webhook:send` examples and `npm run affected:send` meet it.
 */
export const LOOPBACK_PORT = Number(process.env.LOOPBACK_GITHUB_PORT ?? "8790");
export const LOOPBACK_BASE = `http://127.0.0.1:${LOOPBACK_PORT}`;
export const LOOPBACK_CONTROL = `${LOOPBACK_BASE}/__control`;
export const APP_BASE = `http://127.0.0.1:${process.env.PORT ?? "8787"}`;

/** GitHub's example installation (installation.created) and repository (pull_request.*). */
export const EXAMPLE_INSTALLATION_ID = 957387;
export const EXAMPLE_REPOSITORY = { id: 186853002, owner: "Codertocat", name: "Hello-World" } as const;
/** The head of GitHub's example pull request (#2, branch `changes`). */
export const EXAMPLE_HEAD_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

/** An affected-stacks item as the atmos CLI uploads it, in stack plat-ue2-dev, with its dependents and `settings.pro`. */
export function affectedItem(component: string, pro: Record<string, unknown>, dependents: unknown[] = []) {
  return {
    component,
    component_type: "terraform",
    component_path: `components/terraform/${component}`,
    stack: "plat-ue2-dev",
    stack_slug: `plat-ue2-dev-${component.replace(/\//g, "-")}`,
    affected: "component",
    dependents,
    included_in_dependents: false,
    settings: { pro },
  };
}

/** A response's JSON body, or its text when it is not JSON. */
export async function responseJson(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
}

/**
 * What the atmos CLI does first in a workflow of Codertocat/Hello-World on main: a GitHub Actions
 * OIDC token (minted by the loopback issuer) exchanged at /api/v1/auth/github-oidc for an API token.
 * Exits the process with the reason when either step fails.
 */
export async function ciToken(workspaceId: string, sha: string): Promise<string> {
  const repository = `${EXAMPLE_REPOSITORY.owner}/${EXAMPLE_REPOSITORY.name}`;
  const workflowRef = `${repository}/.github/workflows/atmos-pro.yaml@refs/heads/main`;
  let minted: Response;
  try {
    minted = await fetch(`${LOOPBACK_CONTROL}/actions-token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        claims: {
          sub: `repo:${repository}:ref:refs/heads/main`,
          repository,
          repository_owner: EXAMPLE_REPOSITORY.owner,
          ref: "refs/heads/main",
          workflow_ref: workflowRef,
          job_workflow_ref: workflowRef,
          sha,
        },
      }),
      signal: AbortSignal.timeout(5_000),
    });
  } catch {
    console.error(`The loopback GitHub does not answer at ${LOOPBACK_CONTROL}: start it with npm run dev:github.`);
    process.exit(1);
  }
  const { token: actionsToken } = (await minted.json()) as { token: string };
  const exchanged = await fetch(`${APP_BASE}/api/v1/auth/github-oidc`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": "atmos/1.190.0 (linux; amd64)" },
    body: JSON.stringify({ token: actionsToken, workspaceId }),
    signal: AbortSignal.timeout(10_000),
  });
  const envelope = await responseJson(exchanged);
  const token = (envelope.data as { token?: string } | undefined)?.token;
  if (!token) {
    console.error(`The token exchange answered ${exchanged.status}: ${String(envelope.errorMessage ?? envelope.text)}`);
    process.exit(1);
  }
  return token;
}

/**
 * What the atmos CLI sends after the token exchange: a POST of `body` to the Worker's `path` with
 * the API token, as atmos does it. Prints the status and `done` (or the API's error message) and
 * exits: 0 when it was accepted, 1 otherwise.
 */
export async function uploadAsCli(path: string, token: string, body: unknown, done: string): Promise<never> {
  const uploaded = await fetch(`${APP_BASE}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Authorization: `Bearer ${token}`,
      "User-Agent": "atmos/1.190.0 (linux; amd64)",
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const answer = await responseJson(uploaded);
  console.log(`${uploaded.status} ${uploaded.ok ? done : String(answer.errorMessage ?? answer.text)}`);
  process.exit(uploaded.ok ? 0 : 1);
}
