/**
 * One commit on a branch, through GitHub's Git Data API, as our App's installation:
 *
 *   GET   /repos/{o}/{r}/git/ref/heads/{branch}   → head commit sha        (404: the branch does not exist)
 *   GET   /repos/{o}/{r}/git/commits/{head}       → its tree
 *   POST  /repos/{o}/{r}/git/blobs                → one blob per distinct addition (base64, up to 6 at a time)
 *   POST  /repos/{o}/{r}/git/trees                → base_tree + entries (a deletion is `sha: null`)
 *   POST  /repos/{o}/{r}/git/commits              → message, tree, parents [head]
 *   PATCH /repos/{o}/{r}/git/refs/heads/{branch}  → the new commit, never forced (422: the branch moved)
 *
 * No author or committer is sent: GitHub attributes the commit to the App's bot and signs it.
 * When the new tree equals the head's (nothing changes), no commit is made and the head is returned.
 * Subrequests: 2 (installation, token; the token is usually cached) + 5 + one per distinct addition,
 * so at most MAX_CHANGED_FILES + 7.
 *
 * And the commit a ref names (a release's tag): GET /repos/{o}/{r}/commits/{ref}, Contents: read.
 */
import { type } from "../validation";
import type { Clock } from "../clock";
import { GithubError, repositoryClient, type GithubAppSettings, type RepositoryClient } from "./app.server";

export const MAX_CHANGED_FILES = 200;
export const MAX_PATH_LENGTH = 1024;
export const MAX_BRANCH_LENGTH = 255;
export const MAX_COMMIT_MESSAGE_LENGTH = 65_536;
const BLOB_CONCURRENCY = 6;

export type Addition = { path: string; /** base64 (standard alphabet) */ contents: string };
export type Deletion = { path: string };
export type CommitInput = {
  owner: string;
  repo: string;
  branch: string;
  additions: Addition[];
  deletions: Deletion[];
  message: string;
};
export type CommitResult = {
  sha: string;
  /** true when the changes left the tree as it was: no commit was made */ unchanged: boolean;
};

// ---------------------------------------------------------------------------------------------
// What may be committed
// ---------------------------------------------------------------------------------------------

/** Why `path` cannot be a file path in the repository, or null when it can. */
export function repositoryPathProblem(path: string): string | null {
  if (path === "") return "a non-empty path";
  if (path.length > MAX_PATH_LENGTH) return `a path of at most ${MAX_PATH_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return "a path without control characters or backslashes";
  if (path.startsWith("/")) return "a path relative to the repository root (no leading /)";
  if (path.endsWith("/")) return "a file path (no trailing /)";
  const segments = path.split("/");
  if (segments.some((part) => part === "")) return "a path without empty segments (//)";
  if (segments.some((part) => part === "." || part === "..")) return "a path without . or .. segments";
  if (segments.some((part) => part.toLowerCase() === ".git")) return "a path outside .git/";
  return null;
}

/** Why `branch` is not a branch name git and GitHub accept (git check-ref-format), or null. */
export function branchNameProblem(branch: string): string | null {
  if (branch === "") return "a non-empty branch name";
  if (branch.length > MAX_BRANCH_LENGTH) return `a branch name of at most ${MAX_BRANCH_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(branch))
    return "a branch name without spaces, control characters or ~ ^ : ? * [ \\";
  if (branch.includes("..") || branch.includes("@{") || branch === "@") return "a branch name without .. or @{";
  if (branch.startsWith("/") || branch.endsWith("/") || branch.includes("//"))
    return "a branch name without leading, trailing or double /";
  if (branch.startsWith("-")) return "a branch name not starting with -";
  if (branch.endsWith(".")) return "a branch name not ending with .";
  if (branch.split("/").some((part) => part.startsWith(".") || part.endsWith(".lock")))
    return "a branch name whose parts neither start with . nor end with .lock";
  return null;
}

// ---------------------------------------------------------------------------------------------
// GitHub's answers (only the fields we use)
// ---------------------------------------------------------------------------------------------

const sha = type(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/);
const refAnswer = type({ ref: "string", object: { sha, type: "string" } });
const commitAnswer = type({ sha, tree: { sha } });
/** GET /repos/{o}/{r}/commits/{ref}: the commit, annotated tags peeled. */
const refCommitAnswer = type({ sha });
const blobAnswer = type({ sha });
const treeAnswer = type({ sha });

const segment = (value: string) => encodeURIComponent(value);
/** A branch in a ref path keeps its slashes: /git/ref/heads/feature/x. */
const branchPath = (branch: string) => branch.split("/").map(segment).join("/");

async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The changes are checked here too (the API's DTO checks them first, naming the field). */
function checkInput(input: CommitInput): void {
  const problem = (what: string) => new GithubError("changes_refused", "check_changes", what, null);
  const branch = branchNameProblem(input.branch);
  if (branch) throw problem(`The branch must be ${branch}`);
  if (input.additions.length + input.deletions.length > MAX_CHANGED_FILES)
    throw problem(`At most ${MAX_CHANGED_FILES} files can change in one commit`);
  const seen = new Set<string>();
  for (const { path } of [...input.additions, ...input.deletions]) {
    const pathProblem = repositoryPathProblem(path);
    if (pathProblem) throw problem(`Each path must be ${pathProblem}`);
    if (seen.has(path)) throw problem(`${path} is changed twice`);
    seen.add(path);
  }
  if (input.message.trim() === "") throw problem("The commit message must not be empty");
}

async function headOf(client: RepositoryClient, branch: string): Promise<string> {
  try {
    const ref = await client.request({
      method: "GET",
      path: `/repos/${segment(client.owner)}/${segment(client.repo)}/git/ref/heads/${branchPath(branch)}`,
      schema: refAnswer,
      step: "get_ref",
    });
    if (ref.object.type !== "commit")
      throw new GithubError("unexpected_response", "get_ref", `refs/heads/${branch} does not point at a commit`);
    return ref.object.sha;
  } catch (error) {
    if (error instanceof GithubError && error.kind === "http" && error.status === 404) {
      throw new GithubError(
        "branch_not_found",
        "get_ref",
        `Branch ${branch} does not exist in ${client.owner}/${client.repo}`,
        404,
      );
    }
    throw error;
  }
}

export const REF_PERMISSIONS = { contents: "read" } as const;

/** The commit a tag, branch or sha names (GitHub answers 422 or 404 when it names none). */
export async function commitOfRef(client: RepositoryClient, ref: string): Promise<string> {
  try {
    const answer = await client.request({
      method: "GET",
      path: `/repos/${segment(client.owner)}/${segment(client.repo)}/commits/${segment(ref)}`,
      schema: refCommitAnswer,
      step: "get_ref_commit",
    });
    return answer.sha;
  } catch (error) {
    if (error instanceof GithubError && error.kind === "http" && (error.status === 404 || error.status === 422)) {
      throw new GithubError(
        "ref_not_found",
        "get_ref_commit",
        `${ref} names no commit in ${client.owner}/${client.repo}`,
        error.status,
      );
    }
    throw error;
  }
}

/** Commits `additions` and `deletions` on top of `branch` and moves the branch to the new commit. */
export async function commitChanges(
  settings: GithubAppSettings,
  input: CommitInput,
  now: Clock,
): Promise<CommitResult> {
  checkInput(input);
  // Reading and writing git objects and moving a branch: Contents, and nothing else.
  const client = await repositoryClient(settings, input.owner, input.repo, { contents: "write" }, now);
  const repoPath = `/repos/${segment(input.owner)}/${segment(input.repo)}`;

  const head = await headOf(client, input.branch);
  if (input.additions.length === 0 && input.deletions.length === 0) return { sha: head, unchanged: true };
  const headCommit = await client.request({
    method: "GET",
    path: `${repoPath}/git/commits/${head}`,
    schema: commitAnswer,
    step: "get_commit",
  });

  // Identical contents share one blob.
  const distinct = [...new Set(input.additions.map((addition) => addition.contents))];
  const blobShas = new Map<string, string>();
  await mapLimit(distinct, BLOB_CONCURRENCY, async (contents) => {
    const blob = await client.request({
      method: "POST",
      path: `${repoPath}/git/blobs`,
      body: { content: contents, encoding: "base64" },
      schema: blobAnswer,
      step: "create_blob",
    });
    blobShas.set(contents, blob.sha);
  });

  const entries = [
    ...input.additions.map((addition) => ({
      path: addition.path,
      mode: "100644",
      type: "blob",
      sha: blobShas.get(addition.contents)!,
    })),
    ...input.deletions.map((deletion) => ({ path: deletion.path, mode: "100644", type: "blob", sha: null })),
  ];
  let tree: typeof treeAnswer.infer;
  try {
    tree = await client.request({
      method: "POST",
      path: `${repoPath}/git/trees`,
      body: { base_tree: headCommit.tree.sha, tree: entries },
      schema: treeAnswer,
      step: "create_tree",
    });
  } catch (error) {
    // GitHub answers 422 (GitRPC::BadObjectState) for a deletion of a path the branch does not have.
    if (error instanceof GithubError && error.kind === "http" && error.status === 422) {
      throw new GithubError(
        "changes_refused",
        "create_tree",
        `GitHub refused the changes on ${input.branch}: ${error.message.replace(/^GitHub answered 422 \(create_tree\):?\s*/, "") || "unprocessable"}. Check that every deleted path exists on the branch.`,
        422,
      );
    }
    throw error;
  }
  if (tree.sha === headCommit.tree.sha) return { sha: head, unchanged: true };

  const commit = await client.request({
    method: "POST",
    path: `${repoPath}/git/commits`,
    body: { message: input.message, tree: tree.sha, parents: [head] },
    schema: commitAnswer,
    step: "create_commit",
  });

  try {
    await client.request({
      method: "PATCH",
      path: `${repoPath}/git/refs/heads/${branchPath(input.branch)}`,
      body: { sha: commit.sha, force: false },
      schema: refAnswer,
      step: "update_ref",
    });
  } catch (error) {
    if (error instanceof GithubError && error.kind === "http" && error.status === 422) {
      throw new GithubError(
        "not_fast_forward",
        "update_ref",
        `Branch ${input.branch} of ${input.owner}/${input.repo} moved while committing; nothing was changed. Retry with the new head.`,
        422,
      );
    }
    throw error;
  }
  return { sha: commit.sha, unchanged: false };
}
