import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { assertSameOrigin } from "~/auth/origin.server";
import { loadDrift } from "~/dashboard/drift.server";
import { requireMember } from "~/dashboard/membership.server";
import { panel } from "~/dashboard/panel.server";
import { driftPayload, driftRunsPanel, driftStatusPanel, schedulesPanel } from "~/dashboard/payloads/drift.server";
import { driftAbilities, driftAction, driftPermission } from "~/forms/drift.server";
import { readForm } from "~/forms/form.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { buttonDanger, buttonPrimary, buttonSecondary, Field, FormMessage, textLink } from "~/ui/forms";
import { Cell, ColumnHeader, EmptyState, formatTime, Panel, StatusBadge, TableScroll } from "~/ui/panel";
import { payload } from "~/validation/payload.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Drift · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const member = await requireMember(request, context, params.workspace);
  const drift = await loadDrift(context.db, member.workspace.id);
  return payload(
    driftPayload,
    {
      ...driftAbilities(member),
      choices: drift.repositories.map((repo) => ({ id: repo.id, repository: repo.repository })),
      schedules: panel(schedulesPanel, { schedules: drift.schedules }, context, "drift.schedules"),
      status: panel(driftStatusPanel, { repositories: drift.repositories }, context, "drift.status"),
      runs: panel(driftRunsPanel, { runs: drift.runs }, context, "drift.runs"),
    },
    context,
    { name: "dashboard.drift" },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const fields = await readForm(request);
  const member = await requireMember(request, context, params.workspace, driftPermission(fields));
  return driftAction(context, member, fields);
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Schedule = Extract<Data["schedules"], { ok: true }>["data"]["schedules"][number];
type Result = ReturnType<typeof useActionData<typeof action>>;

const TIME_ZONES = [
  "UTC",
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Los_Angeles",
  "Europe/London",
  "Europe/Berlin",
  "Europe/Paris",
  "Asia/Kolkata",
  "Asia/Singapore",
  "Asia/Tokyo",
  "Australia/Sydney",
];

function ScheduleForm({
  schedule,
  choices,
  errors,
}: {
  schedule?: Schedule;
  choices: Data["choices"];
  errors?: Record<string, string>;
}) {
  const prefix = schedule ? `schedule-${schedule.id}` : "schedule-new";
  return (
    <Form method="post" className="grid gap-3 sm:grid-cols-2">
      <input type="hidden" name="intent" value={schedule ? "update" : "create"} />
      {schedule ? <input type="hidden" name="scheduleId" value={schedule.id} /> : null}
      <Field
        id={`${prefix}-name`}
        label="Name"
        name="name"
        required
        maxLength={100}
        defaultValue={schedule?.name ?? ""}
        placeholder="Nightly drift detection"
        error={errors?.name}
      />
      <div>
        <label htmlFor={`${prefix}-repository`} className="block text-sm font-medium text-slate-700">
          Repository
        </label>
        <select
          id={`${prefix}-repository`}
          name="repositoryId"
          defaultValue={schedule?.repositoryId ?? ""}
          aria-invalid={errors?.repositoryId ? true : undefined}
          aria-describedby={errors?.repositoryId ? `${prefix}-repository-error` : undefined}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-2"
        >
          <option value="">All repositories</option>
          {choices.map((choice) => (
            <option key={choice.id} value={choice.id}>
              {choice.repository}
            </option>
          ))}
        </select>
        {errors?.repositoryId ? (
          <p id={`${prefix}-repository-error`} className="mt-1 text-sm text-rose-700">
            {errors.repositoryId}
          </p>
        ) : null}
      </div>
      <Field
        id={`${prefix}-cron`}
        label="Cron expression"
        name="cron"
        required
        defaultValue={schedule?.cron ?? "0 3 * * *"}
        hint="Five fields: minute hour day-of-month month day-of-week, or @daily, @hourly, @weekly."
        error={errors?.cron}
        className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-slate-900 shadow-sm"
      />
      <Field
        id={`${prefix}-timezone`}
        label="Time zone"
        name="timezone"
        required
        list="drift-time-zones"
        defaultValue={schedule?.timezone ?? "UTC"}
        hint="An IANA time zone; the expression is read in it, daylight saving included."
        error={errors?.timezone}
      />
      <div className="flex items-center gap-2 sm:col-span-2">
        <input
          id={`${prefix}-remediate`}
          type="checkbox"
          name="remediate"
          defaultChecked={schedule?.remediate ?? false}
          className="h-4 w-4 rounded border-slate-300"
        />
        <label htmlFor={`${prefix}-remediate`} className="text-sm text-slate-700">
          Remediate drifted instances automatically (dispatches their <code>drift_detection.remediate</code> workflows,
          once per run)
        </label>
      </div>
      <div className="sm:col-span-2">
        <button type="submit" className={buttonPrimary}>
          {schedule ? "Save schedule" : "Create schedule"}
        </button>
      </div>
    </Form>
  );
}

function ScheduleRow({
  schedule,
  canManage,
  canRun,
  choices,
  result,
}: {
  schedule: Schedule;
  canManage: boolean;
  canRun: boolean;
  choices: Data["choices"];
  result: Result;
}) {
  const answer = result?.intent === `update:${schedule.id}` ? result : undefined;
  return (
    <li className="space-y-2 py-3 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <p className="font-medium text-slate-900">
            {schedule.name}
            {schedule.enabled ? null : <span className="ml-2 rounded bg-slate-100 px-1.5 text-slate-700">paused</span>}
          </p>
          <p className="text-slate-600">
            {schedule.scope} · <code>{schedule.cron}</code> ({schedule.timezone})
            {schedule.remediate ? " · remediates automatically" : ""}
          </p>
          <p className="text-slate-600">
            Last run {formatTime(schedule.lastRunAt)} · next run{" "}
            {schedule.enabled ? formatTime(schedule.nextRunAt) : "— (paused)"}
          </p>
        </div>
        <div className="flex gap-2">
          {canRun ? (
            <Form method="post">
              <input type="hidden" name="intent" value="run" />
              <input type="hidden" name="scheduleId" value={schedule.id} />
              <button type="submit" className={buttonSecondary}>
                Run now<span className="sr-only"> {schedule.name}</span>
              </button>
            </Form>
          ) : null}
          {canManage ? (
            <Form method="post">
              <input type="hidden" name="intent" value={schedule.enabled ? "pause" : "resume"} />
              <input type="hidden" name="scheduleId" value={schedule.id} />
              <button type="submit" className={buttonSecondary}>
                {schedule.enabled ? "Pause" : "Resume"}
                <span className="sr-only"> {schedule.name}</span>
              </button>
            </Form>
          ) : null}
          {canManage ? (
            <Form method="post">
              <input type="hidden" name="intent" value="delete" />
              <input type="hidden" name="scheduleId" value={schedule.id} />
              <button type="submit" className={buttonDanger}>
                Delete<span className="sr-only"> {schedule.name}</span>
              </button>
            </Form>
          ) : null}
        </div>
      </div>
      {canManage ? (
        <details open={answer ? true : undefined} className="rounded-md border border-slate-200 p-3">
          <summary className="cursor-pointer text-slate-700">
            Edit<span className="sr-only"> {schedule.name}</span>
          </summary>
          <div className="mt-3 space-y-3">
            {answer?.message ? (
              <FormMessage tone={answer.ok ? "success" : "error"}>{answer.message}</FormMessage>
            ) : null}
            <ScheduleForm
              schedule={schedule}
              choices={choices}
              errors={answer && !answer.ok ? answer.fieldErrors : undefined}
            />
          </div>
        </details>
      ) : null}
    </li>
  );
}

export default function Drift() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const topMessage = result?.message && !result.intent.startsWith("update:") ? result : undefined;
  return (
    <div className="space-y-6">
      <PageTitle>Drift</PageTitle>
      <p className="max-w-2xl text-sm text-slate-600">
        A schedule dispatches the <code>drift_detection.detect</code> workflows of every instance with drift detection
        on. Each detect reports with <code>--upload-status</code>: exit code 0 is in sync, 2 is drifted.
      </p>
      <datalist id="drift-time-zones">
        {TIME_ZONES.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
      {topMessage ? <FormMessage tone={topMessage.ok ? "success" : "error"}>{topMessage.message}</FormMessage> : null}
      <Panel title="Schedules" slot={data.schedules}>
        {(list) =>
          list.schedules.length === 0 ? (
            <EmptyState title="No drift schedules">Add a schedule to run your detect workflows regularly.</EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100">
              {list.schedules.map((schedule) => (
                <ScheduleRow
                  key={schedule.id}
                  schedule={schedule}
                  canManage={data.canManage}
                  canRun={data.canRun}
                  choices={data.choices}
                  result={result}
                />
              ))}
            </ul>
          )
        }
      </Panel>
      {data.canManage ? (
        <section aria-labelledby="new-schedule" className="rounded-xl border border-slate-200 bg-white p-4">
          <h2 id="new-schedule" className="mb-3 text-sm font-semibold text-slate-900">
            New schedule
          </h2>
          <ScheduleForm
            choices={data.choices}
            errors={result?.intent === "create" && !result.ok ? result.fieldErrors : undefined}
          />
        </section>
      ) : null}
      <Panel title="Drift status by repository" slot={data.status}>
        {(status) =>
          status.repositories.length === 0 ? (
            <EmptyState title="No repositories yet">Import a repository on the Repositories page.</EmptyState>
          ) : (
            <TableScroll label="Drift status by repository">
              <table className="min-w-full text-left text-sm">
                <thead className="text-slate-600">
                  <tr>
                    <ColumnHeader>Repository</ColumnHeader>
                    <ColumnHeader>Drift detection on</ColumnHeader>
                    <ColumnHeader>In sync</ColumnHeader>
                    <ColumnHeader>Drifted</ColumnHeader>
                    <ColumnHeader>Error</ColumnHeader>
                    <ColumnHeader>Unknown</ColumnHeader>
                    <ColumnHeader last>
                      <span className="sr-only">Check now</span>
                    </ColumnHeader>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {status.repositories.map((repo) => (
                    <tr key={repo.repository}>
                      <td className="py-2 pr-4 font-medium text-slate-900">{repo.repository}</td>
                      <Cell>{repo.driftEnabled}</Cell>
                      <Cell>{repo.in_sync}</Cell>
                      <Cell>{repo.drifted}</Cell>
                      <Cell>{repo.error}</Cell>
                      <Cell>{repo.unknown}</Cell>
                      <Cell last>
                        {data.canRun && repo.driftEnabled > 0 ? (
                          <Form method="post">
                            <input type="hidden" name="intent" value="check" />
                            <input type="hidden" name="repositoryId" value={repo.id} />
                            <button type="submit" className={buttonSecondary}>
                              Check for drift now<span className="sr-only"> in {repo.repository}</span>
                            </button>
                          </Form>
                        ) : null}
                      </Cell>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )
        }
      </Panel>
      <Panel title="Drift runs" slot={data.runs}>
        {(history) =>
          history.runs.length === 0 ? (
            <EmptyState title="No drift runs yet">
              Runs appear here when a schedule comes due or someone checks for drift now.
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {history.runs.map((run) => (
                <li key={run.id} className="py-3">
                  <details>
                    <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1">
                      <StatusBadge status={run.status} />
                      <span className="font-medium text-slate-900">{run.repository}</span>
                      <span className="text-slate-600">
                        {run.cause === "schedule" ? `Schedule "${run.requestedBy}"` : `Checked by ${run.requestedBy}`} ·{" "}
                        {formatTime(run.createdAt)}
                      </span>
                      <span className="text-slate-600">
                        {run.checks} checked · {run.inSync} in sync · {run.drifted} drifted · {run.errors} errors
                        {run.skipped > 0 ? ` · ${run.skipped} skipped` : ""}
                        {run.remediations > 0 ? ` · ${run.remediations} remediated` : ""}
                      </span>
                    </summary>
                    {run.jobs.length === 0 ? (
                      <p className="mt-2 text-slate-600">No jobs recorded for this run.</p>
                    ) : (
                      <ul className="mt-2 space-y-1 pl-4">
                        {run.jobs.map((job) => (
                          <li key={job.id} className="flex flex-wrap items-center gap-2">
                            <StatusBadge status={job.status} />
                            <span className="text-slate-900">
                              {job.kind} · {job.instance}
                            </span>
                            <code className="text-slate-600">{job.workflow}</code>
                            {job.githubRunUrl ? (
                              <a className={textLink} href={job.githubRunUrl}>
                                run<span className="sr-only"> of {job.instance}</span>
                              </a>
                            ) : null}
                            {job.reason ? <span className="text-slate-600">— {job.reason}</span> : null}
                          </li>
                        ))}
                      </ul>
                    )}
                  </details>
                </li>
              ))}
            </ul>
          )
        }
      </Panel>
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
