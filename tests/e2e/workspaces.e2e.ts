/**
 * A workspace's team in a real browser, as two people click through it: the seeded owner creates a
 * workspace and invites a second person by login; that person signs in with the dev provider (a new
 * demo user with that login), accepts the invitation and lands in the workspace; the owner makes them
 * an admin (their members page then offers "Invite someone") and removes them (the workspace is then
 * a 404 for them). The workspace is deleted at the end through its settings page.
 */
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { SEED } from "../../db/seed";
import {
  chromiumForFile,
  DEMO_USER_BUTTON,
  DESKTOP,
  expectNoConsoleErrors,
  isVisible,
  screenshot,
  url,
  waitForHydration,
} from "./harness";

const chromium = chromiumForFile();
const openPage = (signedIn: boolean) => chromium.openPage(DESKTOP, { signedIn });

async function visit(page: Page, path: string, ready = "#workspace-switcher"): Promise<number | undefined> {
  const response = await page.goto(url(path));
  await waitForHydration(page, ready);
  return response?.status();
}

/** The members page's row for `name`: the list item that carries their name. */
const memberRow = (page: Page, name: string) =>
  page.locator("section[aria-labelledby='members-heading'] li").filter({ hasText: name });

test(
  "create a workspace, invite a second user, they accept, become admin, and are removed",
  { timeout: 240_000 },
  async () => {
    const owner = await openPage(true);
    const suffix = Date.now().toString(36);
    const workspaceName = `E2E Team ${suffix}`;
    const inviteeLogin = `e2e-invitee-${suffix}`;
    const inviteeName = `Ivy Invitee ${suffix}`;

    // The owner creates the workspace.
    expect(await visit(owner.page, "/workspaces/new", "main form button")).toBe(200);
    await owner.page.getByLabel("Workspace name").fill(workspaceName);
    await owner.page.getByRole("button", { name: "Create workspace" }).click();
    await owner.page.waitForURL((address) => /^\/dashboard\/e2e-team-[a-z0-9-]+$/.test(address.pathname));
    const slug = new URL(owner.page.url()).pathname.split("/")[2]!;
    const members = `/dashboard/${slug}/members`;

    try {
      // … and invites the second person by their login, as a member.
      expect(await visit(owner.page, members)).toBe(200);
      const inviteForm = owner.page.locator("section[aria-labelledby='invite-heading'] form").first();
      await inviteForm.getByLabel("GitHub login or email").fill(inviteeLogin);
      await inviteForm.getByLabel("Role").selectOption("member");
      await inviteForm.getByRole("button", { name: "Create invitation" }).click();
      const linkText = (await owner.page.getByTestId("invite-link").textContent())?.trim() ?? "";
      expect(linkText).toMatch(
        new RegExp(`^${url("/invitations/").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}[A-Za-z0-9_-]{43}$`),
      );
      expect(await owner.page.locator("main").textContent()).toContain(`Invitation created for ${inviteeLogin}.`);
      await screenshot(owner, "team-invitation-created");

      // The invitee opens the link signed out: sign-in first, with a new demo user of that login.
      const invitee = await openPage(false);
      await invitee.page.goto(linkText);
      await invitee.page.waitForURL((address) => address.pathname === "/login");
      await waitForHydration(invitee.page, "main form button");
      await invitee.page.getByRole("button", { name: DEMO_USER_BUTTON, exact: true }).click();
      await invitee.page.waitForURL((address) => address.pathname === "/auth/dev/authorize");
      await waitForHydration(invitee.page, "main form button");
      const create = invitee.page.getByRole("form", { name: "Create a demo user" });
      await create.getByLabel("Login").fill(inviteeLogin);
      await create.getByLabel("Name").fill(inviteeName);
      await create.getByRole("button", { name: "Create and sign in" }).click();
      // Back on the invitation (its returnTo), which names the workspace and the role.
      await invitee.page.waitForURL((address) => address.pathname === new URL(linkText).pathname);
      // The sign-in ends in a full page load (the callback sets the session cookie): the URL can change
      // while the demo sign-in page is still displayed, whose form would pass for the invitation's.
      await invitee.page.getByRole("heading", { level: 1, name: `Join ${workspaceName}` }).waitFor();
      await waitForHydration(invitee.page, "main form button");
      expect(await invitee.page.getByRole("heading", { level: 1 }).textContent()).toBe(`Join ${workspaceName}`);
      await screenshot(invitee, "team-invitation-accept");
      await invitee.page.getByRole("button", { name: `Accept and join ${workspaceName}` }).click();
      await invitee.page.waitForURL((address) => address.pathname === `/dashboard/${slug}`);
      await waitForHydration(invitee.page, "#workspace-switcher");
      expect(await invitee.page.getByRole("combobox", { name: "Workspace" }).inputValue()).toBe(slug);
      // As a member, the members page lists the team but offers no invitation form.
      expect(await visit(invitee.page, members)).toBe(200);
      expect(await memberRow(invitee.page, inviteeName).textContent()).toContain(`${inviteeName} (you)`);
      expect(await isVisible(invitee.page.getByRole("heading", { name: "Invite someone" }))).toBe(false);

      // The owner sees them and makes them an admin.
      expect(await visit(owner.page, members)).toBe(200);
      const row = memberRow(owner.page, inviteeName);
      expect(await row.textContent()).toContain(inviteeName);
      await owner.page.getByLabel(`Role of ${inviteeName}`).selectOption("admin");
      await owner.page.getByRole("button", { name: `Change role of ${inviteeName}` }).click();
      await owner.page.getByText("Role changed.").waitFor();
      // Saved: a fresh load of the page shows the new role.
      expect(await visit(owner.page, members)).toBe(200);
      expect(await owner.page.getByLabel(`Role of ${inviteeName}`).inputValue()).toBe("admin");

      // The new admin's members page now offers the invitation form.
      expect(await visit(invitee.page, members)).toBe(200);
      expect(await isVisible(invitee.page.getByRole("heading", { name: "Invite someone" }))).toBe(true);

      // The owner removes them.
      await owner.page.getByRole("button", { name: `Remove ${inviteeName}` }).click();
      await owner.page.getByText("Member removed.").waitFor();
      // The message shows with the revalidated list (never above a row that is still there), and a
      // fresh load agrees.
      expect(await memberRow(owner.page, inviteeName).count()).toBe(0);
      expect(await visit(owner.page, members)).toBe(200);
      expect(await memberRow(owner.page, inviteeName).count()).toBe(0);
      await screenshot(owner, "team-member-removed");

      // For the removed person the workspace is gone: a 404 page, nothing of it shown.
      const gone = await invitee.page.goto(url(`/dashboard/${slug}`));
      expect(gone?.status()).toBe(404);
      expect(await invitee.page.locator("body").textContent()).not.toContain(workspaceName);

      expectNoConsoleErrors(owner.errors);
      expectNoConsoleErrors(invitee.errors, (error) => /status of 404/.test(error.text));
    } finally {
      // Leave the e2e database as the seed made it: delete the workspace, and make the seeded
      // workspace the owner's last one again (/dashboard opens it).
      await visit(owner.page, `/dashboard/${slug}/settings`);
      await owner.page.getByLabel(`Type ${slug} to confirm`).fill(slug);
      await owner.page.getByRole("button", { name: "Delete this workspace" }).click();
      await owner.page.waitForURL((address) => address.pathname === `/dashboard/${SEED.workspaceSlug}`);
    }
  },
);
