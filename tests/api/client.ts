/** Calls the API as the atmos CLI does: JSON, a User-Agent, the bearer token from the exchange. */
import { SELF } from "cloudflare:test";
import { expect } from "vitest";
import { fakes } from "../fakes/control";
import { ORIGIN } from "../http";
import { SEED } from "../../db/seed";

export type Envelope = {
  request: string;
  status: number;
  success: boolean;
  errorTag?: string;
  errorMessage?: string;
  error?: string;
  context?: Record<string, unknown>;
  traceId?: string;
  data?: Record<string, unknown> & { validationErrors?: string[] };
};

export async function api(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: BodyInit; headers?: Record<string, string> } = {},
) {
  const headers = new Headers({ "User-Agent": "atmos/1.190.0 (linux; amd64)", ...options.headers });
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  if (options.body !== undefined && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  const response = await SELF.fetch(`${ORIGIN}${path}`, {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const envelope = (await response.json()) as Envelope;
  expect(envelope.status).toBe(response.status);
  expect(typeof envelope.request).toBe("string");
  return { response, envelope };
}

/** A GitHub Actions OIDC token from the local fake issuer. */
export async function actionsToken(
  claims: Record<string, unknown> = {},
  options: { sign?: "main" | "rogue"; kid?: string } = {},
): Promise<string> {
  const response = await fetch(`${fakes().controlUrl}/actions-token`, {
    method: "POST",
    body: JSON.stringify({ claims, ...options }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

/** Exchanges a fresh Actions token for an API token for the seeded acme/infra. */
export async function apiToken(claims: Record<string, unknown> = {}): Promise<string> {
  const { envelope } = await api("POST", "/api/v1/auth/github-oidc", {
    body: { token: await actionsToken(claims), workspaceId: SEED.workspaceId },
  });
  expect(envelope.success, JSON.stringify(envelope)).toBe(true);
  return envelope.data!.token as string;
}
