/**
 * The permission matrix: one table in code, mirrored in docs/roles.md (a test keeps them equal).
 * Owner: everything. Admin: repositories, permissions, schedules, locks, members other than owners.
 * Member: read everything; lock/unlock; run a drift check now.
 */
export const ROLES = ["owner", "admin", "member"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  "workspace.read": ["owner", "admin", "member"],
  "workspace.update": ["owner"],
  "workspace.delete": ["owner"],
  "members.invite": ["owner", "admin"],
  "members.manage": ["owner", "admin"],
  "members.manage_owners": ["owner"],
  "repositories.manage": ["owner", "admin"],
  "permissions.manage": ["owner", "admin"],
  "schedules.manage": ["owner", "admin"],
  "locks.manage": ["owner", "admin", "member"],
  "drift.run": ["owner", "admin", "member"],
  "audit.read": ["owner", "admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const PERMISSION_LABELS: Record<Permission, string> = {
  "workspace.read": "See the workspace: repositories, instances, deployments, locks, drift",
  "workspace.update": "Rename the workspace, change its slug, require single sign-on",
  "workspace.delete": "Delete the workspace",
  "members.invite": "Invite people",
  "members.manage": "Change roles and remove members (admins: not owners)",
  "members.manage_owners": "Make, demote and remove owners",
  "repositories.manage": "Import and remove repositories",
  "permissions.manage": "Edit repository permissions",
  "schedules.manage": "Edit drift schedules",
  "locks.manage": "Lock and unlock stacks",
  "drift.run": "Run a drift check now",
  "audit.read": "Read the audit log",
};

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Which roles `actor` may grant or take away. Only owners touch owners. */
export function assignableRoles(actor: Role): Role[] {
  if (actor === "owner") return ["owner", "admin", "member"];
  if (actor === "admin") return ["admin", "member"];
  return [];
}
