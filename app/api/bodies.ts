/**
 * Request bodies of the atmos CLI's endpoints that are not uploads (the uploads' payloads are
 * app/domain/uploads/payloads.ts): the token exchange, locks and git commits.
 */
import { paddedBase64 } from "../encoding";
import {
  branchNameProblem,
  MAX_CHANGED_FILES,
  MAX_COMMIT_MESSAGE_LENGTH,
  repositoryPathProblem,
} from "../github/commits.server";
import { nullable, type } from "../validation";

/** POST /api/v1/locks — ttl in seconds, at most 30 days. */
export const lockBody = type({
  key: "0 < string <= 512",
  ttl: "1 <= number.integer <= 2592000",
  "lockMessage?": "string | null",
  "properties?": "Record<string, unknown> | null",
}).narrow((body, ctx) =>
  Array.isArray(body.properties)
    ? ctx.reject({ path: ["properties"], expected: "an object or null", actual: "an array" })
    : true,
);
export type LockBody = typeof lockBody.infer;

/** DELETE /api/v1/locks (a force-unlock). */
export const unlockBody = type({ key: "0 < string <= 512" });
export type UnlockBody = typeof unlockBody.infer;

/** POST /api/v1/auth/github-oidc — no Authorization header; the token is GitHub's OIDC JWT. */
export const oidcExchangeBody = type({ token: "string > 0", workspaceId: "string > 0" });
export type OidcExchangeBody = typeof oidcExchangeBody.infer;

/**
 * Body of POST /api/v1/git/commit (see ../shared/contracts/README.md):
 *
 *   {branch, changes: {additions: [{path, contents}], deletions: [{path}]}, commitMessage, comment?}
 *
 * `contents` is the file's bytes in standard base64 (Go's encoding of []byte; padding optional).
 * As with the upload payloads (app/domain/uploads/payloads.ts), a nil slice may arrive as null, unknown keys are ignored,
 * and each refusal names its field. Values that may be large or odd (contents, paths) are never
 * quoted back in a message.
 */
const base64Contents = type("string")
  .narrow((value, ctx) =>
    paddedBase64(value) === null ? ctx.reject({ expected: "base64 (standard alphabet)", actual: "" }) : true,
  )
  .pipe((value) => paddedBase64(value)!);

const repositoryPath = type("string").narrow((path, ctx) => {
  const problem = repositoryPathProblem(path);
  return problem ? ctx.reject({ expected: problem, actual: "" }) : true;
});

/** A branch name; `refs/heads/main` is accepted for `main`. */
const branchName = type("string")
  .pipe((branch) => branch.replace(/^refs\/heads\//, ""))
  .narrow((branch, ctx) => {
    const problem = branchNameProblem(branch);
    return problem ? ctx.reject({ expected: problem, actual: "" }) : true;
  });

export const gitCommitBody = type({
  branch: branchName,
  changes: {
    "additions?": type([
      type({ path: repositoryPath, contents: base64Contents }).array().or("null"),
      "@",
      nullable("an array"),
    ]),
    "deletions?": type([type({ path: repositoryPath }).array().or("null"), "@", nullable("an array")]),
  },
  commitMessage: type("string").narrow((message, ctx) =>
    message.trim() !== "" && message.length <= MAX_COMMIT_MESSAGE_LENGTH
      ? true
      : ctx.reject({ expected: `a non-empty message of at most ${MAX_COMMIT_MESSAGE_LENGTH} characters`, actual: "" }),
  ),
  "comment?": "string | null",
})
  .narrow((body, ctx) => {
    const changed = [...(body.changes.additions ?? []), ...(body.changes.deletions ?? [])];
    if (changed.length > MAX_CHANGED_FILES) {
      return ctx.reject({
        path: ["changes"],
        expected: `at most ${MAX_CHANGED_FILES} added or deleted files in one commit`,
        actual: `${changed.length}`,
      });
    }
    const seen = new Set<string>();
    for (const { path } of changed) {
      if (seen.has(path))
        return ctx.reject({ path: ["changes"], expected: "each path added or deleted at most once", actual: "" });
      seen.add(path);
    }
    return true;
  })
  .pipe((body) => ({
    branch: body.branch,
    additions: body.changes.additions ?? [],
    deletions: body.changes.deletions ?? [],
    commitMessage: body.commitMessage,
    comment: body.comment ?? null,
  }));
export type GitCommitBody = typeof gitCommitBody.infer;
