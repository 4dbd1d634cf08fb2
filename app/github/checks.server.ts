/**
 * Reporting back on GitHub as our App's installation: the check run of a head sha (Checks: write) and
 * our comment on a pull request (Pull requests: write), found again by a hidden marker.
 */
import { type } from "../validation";
import { GithubError, type RepositoryClient } from "./app.server";

export const REPORT_PERMISSIONS = { checks: "write", pull_requests: "write" } as const;

const segment = (value: string) => encodeURIComponent(value);
const repoPath = (client: RepositoryClient) => `/repos/${segment(client.owner)}/${segment(client.repo)}`;

const checkRunAnswer = type({ id: "number.integer > 0" });

export type CheckRunInput = {
  name: string;
  headSha: string;
  status: "in_progress" | "completed";
  conclusion: "success" | "failure" | "neutral" | "cancelled" | null;
  detailsUrl: string;
  title: string;
  summary: string;
  externalId: string;
};

function checkRunBody(input: CheckRunInput) {
  return {
    name: input.name,
    head_sha: input.headSha,
    status: input.status,
    ...(input.status === "completed" ? { conclusion: input.conclusion ?? "neutral" } : {}),
    details_url: input.detailsUrl,
    external_id: input.externalId,
    output: { title: input.title, summary: input.summary },
  };
}

/** POST …/check-runs, or PATCH …/check-runs/{id} when we made it before: the check run's id. */
export async function upsertCheckRun(
  client: RepositoryClient,
  id: number | null,
  input: CheckRunInput,
): Promise<number> {
  const answer = await client.request({
    method: id === null ? "POST" : "PATCH",
    path: id === null ? `${repoPath(client)}/check-runs` : `${repoPath(client)}/check-runs/${id}`,
    body: checkRunBody(input),
    schema: checkRunAnswer,
    step: id === null ? "create_check_run" : "update_check_run",
  });
  return answer.id;
}

const commentAnswer = type({ id: "number.integer > 0", body: "string" });
const commentsAnswer = commentAnswer.array();
const COMMENTS_PER_PAGE = 100;
const MAX_COMMENT_PAGES = 10;

/** Our comment on the pull request, found by its marker (first 1,000 comments), or null. */
async function findComment(client: RepositoryClient, number: number, marker: string): Promise<number | null> {
  for (let page = 1; page <= MAX_COMMENT_PAGES; page++) {
    const comments = await client.request({
      method: "GET",
      path: `${repoPath(client)}/issues/${number}/comments?per_page=${COMMENTS_PER_PAGE}&page=${page}`,
      schema: commentsAnswer,
      step: "list_comments",
    });
    const ours = comments.find((comment) => comment.body.includes(marker));
    if (ours) return ours.id;
    if (comments.length < COMMENTS_PER_PAGE) return null;
  }
  return null;
}

/**
 * Creates our one comment, or edits it in place: by the id we stored, else by the marker (a comment
 * created before we could store its id), else a new one. A stored id GitHub no longer knows (someone
 * deleted the comment) is forgotten: the comment is found by its marker or made again. Returns its id.
 */
export async function upsertComment(
  client: RepositoryClient,
  input: { number: number; knownId: number | null; marker: string; body: string },
): Promise<number> {
  if (input.knownId !== null) {
    try {
      return await writeComment(client, input.number, input.knownId, input.body);
    } catch (error) {
      if (!(error instanceof GithubError && error.status === 404)) throw error;
    }
  }
  const found = await findComment(client, input.number, input.marker);
  return writeComment(client, input.number, found, input.body);
}

async function writeComment(client: RepositoryClient, number: number, id: number | null, body: string) {
  const answer = await client.request({
    method: id === null ? "POST" : "PATCH",
    path: id === null ? `${repoPath(client)}/issues/${number}/comments` : `${repoPath(client)}/issues/comments/${id}`,
    body: { body },
    schema: commentAnswer,
    step: id === null ? "create_comment" : "update_comment",
  });
  return answer.id;
}
