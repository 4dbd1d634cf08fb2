/**
 * `npm run affected:send -- <workspace id> [head sha]`: what `atmos describe affected --upload` does in
 * a pull request's workflow, against the local Worker (`npm run dev`) and the loopback GitHub
 * (`npm run dev:github`): a GitHub Actions OIDC token for Codertocat/Hello-World (minted by the
 * loopback issuer), exchanged at /api/v1/auth/github-oidc, then an affected-stacks upload of two
 * stacks, `vpc` and `eks/cluster` which depends on it, whose `settings.pro` plans on each push and
 * applies after the merge. The head sha defaults to the one of GitHub's example pull request.
 */
import { affectedItem, ciToken, EXAMPLE_HEAD_SHA, EXAMPLE_REPOSITORY, uploadAsCli } from "./loopback";

const [workspaceId, headSha = EXAMPLE_HEAD_SHA] = process.argv.slice(2);
if (!workspaceId || !/^[0-9a-f]{40}$/.test(headSha)) {
  console.error(
    "Usage: npm run affected:send -- <workspace id> [head sha]   (the id is on the workspace's Settings page)",
  );
  process.exit(2);
}
const repository = `${EXAMPLE_REPOSITORY.owner}/${EXAMPLE_REPOSITORY.name}`;
const token = await ciToken(workspaceId, headSha);

const inputs = { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}" };
const plan = { workflows: { "atmos-terraform-plan.yaml": { inputs } } };
const pro = {
  pull_request: {
    opened: plan,
    synchronize: plan,
    reopened: plan,
    merged: { workflows: { "atmos-terraform-apply.yaml": { inputs } } },
  },
};
await uploadAsCli(
  "/api/v1/affected-stacks",
  token,
  {
    head_sha: headSha,
    base_sha: "0".repeat(40),
    repo_url: `https://github.com/${repository}`,
    repo_name: EXAMPLE_REPOSITORY.name,
    repo_owner: EXAMPLE_REPOSITORY.owner,
    repo_host: "github.com",
    stacks: [affectedItem("vpc", pro, [affectedItem("eks/cluster", pro)])],
  },
  `uploaded vpc → eks/cluster for ${headSha.slice(0, 7)}`,
);
