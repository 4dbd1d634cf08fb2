/**
 * Which workflows an affected item asks for, from its `settings.pro` (passed through by the atmos CLI
 * uninterpreted): `settings.pro.<event>.<activity>.workflows` maps a workflow file to `{inputs}`.
 * Input values are Go-template-like strings; Atmos Pro renders `{{ .atmos_component }}` and
 * `{{ .atmos_stack }}` and nothing else — an input naming anything else (`{{ .vars.stage }}`) is a
 * configuration error, shown to the user, never dispatched as a literal template. Pure.
 */

/** An item as the product names it: "eks/cluster in plat-ue2-prod". */
export const describeItem = (item: { stack: string; component: string }) => `${item.component} in ${item.stack}`;

/** Where workflows are named: an event of a pull request, merge queue or release, or drift detection (detect, remediate). */
export type WorkflowEvent = "pull_request" | "merge_group" | "release" | "drift_detection";

export type RequestedWorkflow = { file: string; inputs: Record<string, string> };
export type WorkflowProblem = { file: string; message: string };
export type WorkflowsForItem = { workflows: RequestedWorkflow[]; problems: WorkflowProblem[] };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A workflow file name GitHub accepts in `/actions/workflows/{file}/dispatches`. */
const WORKFLOW_FILE = /^[A-Za-z0-9._-]{1,200}\.ya?ml$/;
const TEMPLATE = /\{\{-?\s*(.*?)\s*-?\}\}/g;
const RENDERABLE: Record<string, (item: { stack: string; component: string }) => string> = {
  ".atmos_component": (item) => item.component,
  ".atmos_stack": (item) => item.stack,
};

/** The `workflows` map for an event and activity, with a merge group's fallback to a pull request's synchronize. */
function workflowsMap(settingsPro: unknown, event: WorkflowEvent, activity: string): Record<string, unknown> | null {
  if (!isObject(settingsPro)) return null;
  const section = (name: string, act: string) => {
    const byEvent = settingsPro[name];
    const byActivity = isObject(byEvent) ? byEvent[act] : undefined;
    const workflows = isObject(byActivity) ? byActivity.workflows : undefined;
    return isObject(workflows) ? workflows : null;
  };
  const own = section(event, activity);
  if (own || event !== "merge_group") return own;
  return section("pull_request", "synchronize");
}

/** Renders one input value, or says why it cannot be rendered. */
export function renderInput(
  value: string,
  item: { stack: string; component: string },
): { ok: true; value: string } | { ok: false; expression: string } {
  let unknown: string | null = null;
  const rendered = value.replace(TEMPLATE, (whole, expression: string) => {
    const render = RENDERABLE[expression];
    if (render) return render(item);
    unknown ??= whole;
    return whole;
  });
  return unknown === null ? { ok: true, value: rendered } : { ok: false, expression: unknown };
}

/** The workflows to dispatch for one item, every input rendered to a string; entries that are not objects are skipped. */
export function workflowsFor(
  item: { stack: string; component: string; settingsPro: unknown },
  event: WorkflowEvent,
  activity: string,
): WorkflowsForItem {
  const map = workflowsMap(item.settingsPro, event, activity);
  const result: WorkflowsForItem = { workflows: [], problems: [] };
  if (!map) return result;
  for (const [file, definition] of Object.entries(map)) {
    if (!isObject(definition)) continue;
    if (!WORKFLOW_FILE.test(file)) {
      result.problems.push({
        file,
        message: `"${file.slice(0, 200)}" is not a workflow file name (a .yaml or .yml file)`,
      });
      continue;
    }
    const inputs: Record<string, string> = {};
    let problem: string | null = null;
    const given = isObject(definition.inputs) ? definition.inputs : {};
    for (const [name, raw] of Object.entries(given)) {
      if (name === "atmos_pro_run_id" || name === "sha") continue;
      if (raw === null || isObject(raw) || Array.isArray(raw)) {
        problem ??= `input "${name}" must be a string, a number or a boolean`;
        continue;
      }
      const rendered = renderInput(String(raw), item);
      if (!rendered.ok) {
        problem ??= `input "${name}" uses ${rendered.expression}, which Atmos Pro cannot render (only {{ .atmos_component }} and {{ .atmos_stack }})`;
        continue;
      }
      inputs[name] = rendered.value;
    }
    if (problem) result.problems.push({ file, message: problem });
    else result.workflows.push({ file, inputs });
  }
  return result;
}
