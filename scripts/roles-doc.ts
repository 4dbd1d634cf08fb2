/** Prints the permission matrix as the markdown table in docs/roles.md (kept equal by a test). */
import { rolesMarkdownTable } from "../app/domain/roles-doc";

console.log(rolesMarkdownTable());
