/**
 * The footer's check of `GET /api/status` in the browser: a successful envelope whose `data` has
 * the indicator and its sentence. Hand-written, not arktype (see search-guard.ts for why); a test
 * keeps its verdicts equal to `statusEnvelope` (api-schema.server.ts) on the same fixtures.
 */
import { COMPONENT_STATES, type ComponentState } from "./model";

export type StatusIndicatorData = { indicator: ComponentState; description: string };

export function readStatusEnvelope(value: unknown): StatusIndicatorData | null {
  if (typeof value !== "object" || value === null) return null;
  const body = value as Record<string, unknown>;
  if (body.success !== true || typeof body.data !== "object" || body.data === null) return null;
  const data = body.data as Record<string, unknown>;
  if (!(COMPONENT_STATES as readonly unknown[]).includes(data.indicator) || typeof data.description !== "string")
    return null;
  if (!Array.isArray(data.components) || !Array.isArray(data.incidents) || typeof data.updatedAt !== "string")
    return null;
  return { indicator: data.indicator as ComponentState, description: data.description };
}
