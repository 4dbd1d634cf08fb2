/** The GitHub App manifest we ship (public/github-app-manifest.json) asks for what the product uses, no more. */
import { describe, expect, it } from "vitest";
import manifest from "../../public/github-app-manifest.json";
import { HANDLERS } from "~/webhooks/events.server";
import { WEBHOOK_PATH } from "~/webhooks/receive.server";

/** GitHub always delivers these to an App: they cannot (and need not) be subscribed to. */
const ALWAYS_DELIVERED = ["installation", "installation_repositories"];

describe("the GitHub App manifest", () => {
  it("asks for exactly the permissions the product uses", () => {
    expect(manifest.default_permissions).toEqual({
      actions: "write",
      checks: "write",
      contents: "write",
      pull_requests: "write",
      metadata: "read",
    });
  });

  it("subscribes to every event we act on, and to those the next features need", () => {
    const handled = Object.keys(HANDLERS).filter((event) => !ALWAYS_DELIVERED.includes(event));
    for (const event of handled) expect(manifest.default_events).toContain(event);
    expect([...manifest.default_events].sort()).toEqual(
      ["check_run", "merge_group", "pull_request", "release", "repository", "workflow_job", "workflow_run"].sort(),
    );
  });

  it("sends people back through /github/setup after they install or configure it", () => {
    expect(new URL(manifest.setup_url).pathname).toBe("/github/setup");
    expect(manifest.setup_on_update).toBe(true);
  });

  it("sends webhooks to our endpoint, as JSON to an active hook", () => {
    expect(new URL(manifest.hook_attributes.url).pathname).toBe(WEBHOOK_PATH);
    expect(manifest.hook_attributes.active).toBe(true);
  });
});
