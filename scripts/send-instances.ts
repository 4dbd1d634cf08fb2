/**
 * `npm run instances:send -- <workspace id>`: what `atmos list instances --upload` does in the nightly
 * inventory workflow, against the local Worker (`npm run dev`) and the loopback GitHub (`npm run
 * dev:github`): the CI token exchange, then an inventory of Codertocat/Hello-World with `vpc` and
 * `eks/cluster` in plat-ue2-dev, both with drift detection on (`atmos-terraform-plan.yaml` detects).
 */
import { ciToken, EXAMPLE_HEAD_SHA, EXAMPLE_REPOSITORY, uploadAsCli } from "./loopback";

const [workspaceId] = process.argv.slice(2);
if (!workspaceId) {
  console.error("Usage: npm run instances:send -- <workspace id>   (the id is on the workspace's Settings page)");
  process.exit(2);
}
const token = await ciToken(workspaceId, EXAMPLE_HEAD_SHA);
const inputs = { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}" };
const instance = (component: string) => ({
  component,
  stack: "plat-ue2-dev",
  component_type: "terraform",
  settings: {
    pro: {
      enabled: true,
      drift_detection: { enabled: true, detect: { workflows: { "atmos-terraform-plan.yaml": { inputs } } } },
    },
  },
  vars: null,
  env: null,
  backend: null,
  metadata: null,
});
await uploadAsCli(
  "/api/v1/instances",
  token,
  {
    repo_url: `https://github.com/${EXAMPLE_REPOSITORY.owner}/${EXAMPLE_REPOSITORY.name}`,
    repo_name: EXAMPLE_REPOSITORY.name,
    repo_owner: EXAMPLE_REPOSITORY.owner,
    repo_host: "github.com",
    instances: [instance("vpc"), instance("eks/cluster")],
  },
  "uploaded the inventory: vpc and eks/cluster, drift detection on",
);
