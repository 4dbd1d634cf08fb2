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
