/**
 * The atmos CLI's Pact contract and the small amount of reading the provider verification needs: the file itself, and a copy
 * without the interactions that are not ours to verify.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Our copy of the contract, kept in the repository so that a clone verifies against it on its own.
 * It is the file the CLI publishes, byte for byte; `PUBLISHED_PACT_FILE` is where the team's shared
 * folder (beside this repository, when present) keeps the published one, and the verification checks
 * the two are equal whenever that folder is there.
 */
export const PACT_FILE = fileURLToPath(new URL("./atmos-AtmosPro.json", import.meta.url));
export const PUBLISHED_PACT_FILE = fileURLToPath(
  new URL("../../../shared/contracts/atmos-AtmosPro.json", import.meta.url),
);

/** GitHub's endpoint (the CLI asking Actions for an OIDC token), not ours. */
export const NOT_OURS = new Set(["a request to retrieve a GitHub OIDC token"]);

export type PactInteraction = {
  description: string;
  providerState?: string;
  request: { method: string; path: string; query?: string; headers?: Record<string, string>; body?: unknown };
  response: {
    status: number;
    headers?: Record<string, string>;
    body?: unknown;
    matchingRules?: Record<string, { match: string; regex?: string }>;
  };
};
export type PactFile = {
  consumer: { name: string };
  provider: { name: string };
  interactions: PactInteraction[];
  metadata: Record<string, unknown>;
};

export function readPact(path = PACT_FILE): PactFile {
  return JSON.parse(readFileSync(path, "utf8")) as PactFile;
}

/**
 * Writes `pact` (after `edit`) to a fresh temporary directory and returns the file's path. The
 * verifier takes whole files only (its PACT_DESCRIPTION filter selects one description, it cannot
 * leave one out), so the interactions that are not ours are dropped from a copy.
 */
export function writePactCopy(
  pact: PactFile,
  edit: (interactions: PactInteraction[]) => PactInteraction[] = (all) => all,
): string {
  const copy: PactFile = {
    ...pact,
    interactions: edit(pact.interactions.filter((interaction) => !NOT_OURS.has(interaction.description))),
  };
  const dir = mkdtempSync(join(tmpdir(), "atmos-pact-"));
  const file = join(dir, `${pact.consumer.name}-${pact.provider.name}.json`);
  writeFileSync(file, JSON.stringify(copy, null, 2));
  return file;
}
