/** The schema words the dashboard's payloads share, built on the shared vocabulary (app/domain/vocabulary.ts). */
import { DEPLOYMENT_KINDS, DEPLOYMENT_STATUSES, INSTANCE_STATUSES, ROLES } from "../../domain/vocabulary";
import { type } from "../../validation";

export const role = type.enumerated(...ROLES);
export const instanceStatus = type.enumerated(...INSTANCE_STATUSES);
export const deploymentKind = type.enumerated(...DEPLOYMENT_KINDS);
export const deploymentStatus = type.enumerated(...DEPLOYMENT_STATUSES);
export const count = type("number.integer >= 0");
/** The instance counts per status, one key each. */
export const byStatus = type({ in_sync: count, drifted: count, error: count, unknown: count });
