/**
 * What a batch says on GitHub: the "Atmos Pro" check run of its head sha and the one comment on its
 * pull request — a table of stack, component, plan/apply state, a link to each run, and why an item
 * was skipped or blocked. Pure: the text is built here, the calls are made by report.server.ts.
 */

export const CHECK_RUN_NAME = "Atmos Pro";
/** Our comment is found again by this marker (hidden in the rendered markdown). */
export const COMMENT_MARKER = "<!-- atmos-pro:pull-request-comment -->";
/** GitHub refuses comment bodies (and check summaries) over 65,536 characters. */
export const GITHUB_BODY_LIMIT = 65_536;

/** A merge group that no affected-stacks upload met in time: its neutral check run. */
export const NO_UPLOAD_CHECK = {
  title: "No affected stacks workflow detected",
  summary: (waitedMinutes: number) =>
    `No affected-stacks upload arrived for this merge group's head commit within ${waitedMinutes} minute${waitedMinutes === 1 ? "" : "s"}, so Atmos Pro planned nothing. If this repository deploys with Atmos, run \`atmos describe affected --upload\` in a workflow on \`merge_group\`.`,
};

export type ReportJob = {
  stack: string;
  component: string;
  workflow: string;
  status: string;
  runUrl: string | null;
  reason: string | null;
};
export type ReportBatch = {
  kind: "plan" | "apply";
  status: string;
  error: string | null;
  headSha: string;
  jobs: ReportJob[];
};

const LABELS: Record<string, string> = {
  pending: "⏳ pending",
  blocked: "🔒 blocked by lock",
  dispatching: "🚀 dispatching",
  queued: "🚀 queued",
  in_progress: "🔄 running",
  awaiting_approval: "✋ awaiting approval",
  success: "✅ succeeded",
  failure: "❌ failed",
  cancelled: "⚪ cancelled",
  superseded: "⚪ superseded",
  skipped: "⏭️ skipped",
};

/** Markdown table cells: no pipes or newlines from our data. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");

export type CheckRunState = {
  status: "in_progress" | "completed";
  conclusion: "success" | "failure" | "neutral" | "cancelled" | null;
  title: string;
};

export function checkRunState(batch: Pick<ReportBatch, "status" | "kind" | "jobs" | "error">): CheckRunState {
  const done = batch.jobs.filter((job) =>
    ["success", "failure", "cancelled", "superseded", "skipped"].includes(job.status),
  ).length;
  const word = batch.kind === "plan" ? "Plans" : "Applies";
  switch (batch.status) {
    case "running":
      return { status: "in_progress", conclusion: null, title: `${word}: ${done} of ${batch.jobs.length} done` };
    case "success":
      return {
        status: "completed",
        conclusion: "success",
        title: batch.jobs.length === 0 ? "Nothing to deploy" : `${word} succeeded (${batch.jobs.length})`,
      };
    case "invalid":
      return { status: "completed", conclusion: "failure", title: "Configuration error" };
    case "cancelled":
    case "superseded":
      return { status: "completed", conclusion: "cancelled", title: `${word} ${batch.status}` };
    default:
      return {
        status: "completed",
        conclusion: "failure",
        title: `${word} failed: ${batch.jobs.filter((job) => job.status === "failure").length} failed, ${batch.jobs.filter((job) => job.status === "skipped").length} skipped`,
      };
  }
}

/** The table of a batch, cut (with a link to the rest) to stay within `limit` characters. */
export function batchTable(batch: ReportBatch, detailsUrl: string, limit: number): string {
  const head = [
    `**${batch.kind === "plan" ? "Plan" : "Apply"}** of \`${batch.headSha.slice(0, 7)}\` — ${batch.status}`,
    ...(batch.error ? ["", `> ${cell(batch.error)}`] : []),
    "",
  ];
  if (batch.jobs.length === 0)
    return [...head, batch.error ? "" : "No affected stack asks for a workflow on this event."].join("\n");
  const rows = batch.jobs.map((job) => {
    const link = job.runUrl ? `[run](${job.runUrl})` : "";
    return `| ${cell(job.stack)} | ${cell(job.component)} | ${cell(job.workflow)} | ${LABELS[job.status] ?? job.status} | ${link} | ${cell(job.reason ?? "")} |`;
  });
  const lines = [...head, "| Stack | Component | Workflow | State | Run | Why |", "|---|---|---|---|---|---|"];
  const more = (left: number) => `\n\n…and ${left} more: [see them all on Atmos Pro](${detailsUrl}).`;
  let length = lines.join("\n").length;
  for (let i = 0; i < rows.length; i++) {
    if (length + rows[i]!.length + 1 + more(rows.length - i).length > limit) {
      return lines.join("\n") + more(rows.length - i);
    }
    lines.push(rows[i]!);
    length += rows[i]!.length + 1;
  }
  return lines.join("\n");
}

/** The pull request comment: the marker, then each batch of the PR, newest first, within GitHub's limit. */
export function commentBody(batches: ReportBatch[], detailsUrl: string): string {
  const header = `${COMMENT_MARKER}\n### ${CHECK_RUN_NAME}\n\n[Open this pull request on Atmos Pro](${detailsUrl})\n`;
  let body = header;
  for (const batch of batches) {
    const room = GITHUB_BODY_LIMIT - body.length - 200;
    if (room < 500) break;
    body += `\n${batchTable(batch, detailsUrl, room)}\n`;
  }
  return body.slice(0, GITHUB_BODY_LIMIT);
}
