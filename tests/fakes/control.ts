/**
 * The fake providers' control endpoints (tests/fakes/server.ts), as the tests inside workerd
 * reach them. One fake serves the whole run, so tests/setup.ts resets it before each file: faults
 * one file sets never reach the next.
 */
import { inject } from "vitest";

export const fakes = () => inject("fakeProviders");

export async function control(path: "faults" | "identity" | "reset", body: unknown = {}): Promise<void> {
  const response = await fetch(`${fakes().controlUrl}/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`fake provider control ${path} answered ${response.status}`);
}
