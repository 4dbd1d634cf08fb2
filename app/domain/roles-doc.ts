import { PERMISSION_LABELS, PERMISSIONS, ROLES, type Permission } from "./roles";

/** The permission matrix as a markdown table: docs/roles.md carries exactly this (a test checks). */
export function rolesMarkdownTable(): string {
  const header = `| Permission | ${ROLES.map((role) => role[0]!.toUpperCase() + role.slice(1)).join(" | ")} |`;
  const rule = `|---|${ROLES.map(() => ":-:").join("|")}|`;
  const rows = (Object.keys(PERMISSIONS) as Permission[]).map(
    (permission) =>
      `| ${PERMISSION_LABELS[permission]} (\`${permission}\`) | ${ROLES.map((role) => ((PERMISSIONS[permission] as readonly string[]).includes(role) ? "✓" : "—")).join(" | ")} |`,
  );
  return [header, rule, ...rows].join("\n");
}
