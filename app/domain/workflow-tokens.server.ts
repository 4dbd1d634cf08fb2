/**
 * The GitHub Actions token exchange's product rules (POST /api/v1/auth/github-oidc): a workflow may
 * get an API token for a workspace when the workspace exists, its repository is imported into it and
 * covered by the GitHub App (else 404, as the CLI expects), the workflow holds an "Affected Stacks Create" permission there, and its OIDC token (by `jti`) has
 * not been exchanged before. The signature checks and the API token itself are the API edge's.
 */
import { eq, lt } from "drizzle-orm";
import type { Database } from "../../db/client";
import { usedOidcTokens, workspaces } from "../../db/schema";
import { refuse, type Refusal } from "./result";
import {
  findImportedRepository,
  notInstalledMessage,
  workflowAccess,
  type Workflow,
} from "./repository-permissions.server";

export type ExchangeRefusal =
  | "workspace_unknown"
  | "repository_not_imported"
  | "repository_not_installed"
  | "not_permitted"
  | "token_replayed";

export async function admitWorkflow(
  db: Database,
  input: { workspaceId: string; repository: string; workflow: Workflow; jti: string; tokenExpiresAt: Date; now: Date },
): Promise<{ ok: true; repositoryId: string } | Refusal<ExchangeRefusal>> {
  const workspace = await db
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(eq(workspaces.id, input.workspaceId))
    .limit(1);
  if (!workspace[0]) return refuse("workspace_unknown", "No workspace has this id. Check ATMOS_PRO_WORKSPACE_ID.");
  const [owner, name] = input.repository.split("/") as [string, string];
  const repository = await findImportedRepository(db, input.workspaceId, owner, name);
  if (!repository)
    return refuse(
      "repository_not_imported",
      `${input.repository} is not imported into this workspace. Install the GitHub App on it and import it.`,
    );

  // Installed first, then the permission: both in one query.
  const access = await workflowAccess(db, {
    workspaceId: input.workspaceId,
    repositoryId: repository.id,
    type: "Affected Stacks Create",
    workflow: input.workflow,
  });
  if (access === "not_installed") return refuse("repository_not_installed", notInstalledMessage(input.repository));
  if (access === "not_permitted") {
    return refuse(
      "not_permitted",
      `No "Affected Stacks Create" permission matches workflow ${input.workflow.workflow || "(unknown)"} on branch ${input.workflow.branch || "(none)"}.`,
    );
  }

  // Single use: the first exchange of a jti wins; a replay is refused.
  // Expired entries can go: an expired token is refused by its signature check anyway.
  const [, claimed] = await db.batch([
    db.delete(usedOidcTokens).where(lt(usedOidcTokens.expiresAt, input.now)),
    db
      .insert(usedOidcTokens)
      .values({ jti: input.jti, expiresAt: input.tokenExpiresAt })
      .onConflictDoNothing()
      .returning({ jti: usedOidcTokens.jti }),
  ]);
  if (claimed.length === 0)
    return refuse("token_replayed", "This GitHub OIDC token was already exchanged. Request a new one.");
  return { ok: true, repositoryId: repository.id };
}
