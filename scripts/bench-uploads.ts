/**
 * Upload figures: a 4 MiB affected-stacks upload (one body, and the same as 1 MiB chunks arriving
 * out of order) and a 10,000-instance inventory, against a local D1 through workerd
 * (getPlatformProxy). Prints wall time and D1 statements; asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { receiveAffectedStacks } from "../app/domain/uploads/affected-stacks.server";
import { affectedStacksBody, instancesBody } from "../app/domain/uploads/payloads";
import { receiveInstances } from "../app/domain/uploads/instances.server";
import { validate } from "../app/validation";
import { createDatabase } from "../db/client";
import { seed, SEED } from "../db/seed";
import { buildAffectedStacksPayload, buildInstancesBody, chunkAffectedStacks } from "../tests/api/fixtures";
import { quietEnv, withLocalD1, wranglerBin } from "./local-d1";

const dir = ".bench/uploads";
rmSync(dir, { recursive: true, force: true });
execFileSync(wranglerBin(), ["d1", "migrations", "apply", "DB", "--local", "--persist-to", dir], {
  stdio: "ignore",
  env: quietEnv({ CI: "true" }),
});
await withLocalD1(dir, async (d1) => {
  const db = createDatabase(d1);
  await seed(db);

  function parse<T>(schema: Parameters<typeof validate>[0], value: unknown): T {
    const result = validate(schema, value);
    if (!result.ok) throw new Error(`fixture does not satisfy its DTO: ${result.issues[0]?.path}`);
    return result.value as T;
  }

  const rows: Array<[string, string, string, string]> = [];
  const input = {
    workspaceId: SEED.workspaceId,
    repositoryId: SEED.repositoryId,
    pullRequest: 42,
    headRef: "feature/bench",
  };

  // One 4 MiB body.
  const body = buildAffectedStacksPayload(4 * 1024 * 1024);
  const raw = JSON.stringify(body);
  let started = performance.now();
  const single = await receiveAffectedStacks(db, {
    ...input,
    body: parse(affectedStacksBody, body),
    rawBody: raw,
    now: new Date(),
  });
  rows.push([
    "affected stacks, 4 MiB in one body",
    `${(performance.now() - started).toFixed(0)} ms`,
    String(single.statements),
    single.ok ? `${single.items} items, ${single.edges} edges` : `refused: ${single.reason}`,
  ]);

  // The same, as 1 MiB chunks arriving in reverse order.
  const chunks = chunkAffectedStacks({ ...body, head_sha: "0".repeat(40) }, 1024 * 1024).reverse();
  started = performance.now();
  let statements = 0;
  let last: Awaited<ReturnType<typeof receiveAffectedStacks>> | null = null;
  for (const chunk of chunks) {
    last = await receiveAffectedStacks(db, {
      ...input,
      body: parse(affectedStacksBody, chunk),
      rawBody: JSON.stringify(chunk),
      now: new Date(),
    });
    statements += last.statements;
  }
  rows.push([
    `affected stacks, 4 MiB as ${chunks.length} chunks (reversed)`,
    `${(performance.now() - started).toFixed(0)} ms`,
    String(statements),
    last?.ok ? `${last.items} items, ${last.edges} edges` : last ? `refused: ${last.reason}` : "",
  ]);

  // A 10,000-instance inventory.
  const inventory = buildInstancesBody(
    Array.from({ length: 10_000 }, (_, i) => ({
      stack: `tenant-${Math.floor(i / 50)}-ue2-prod`,
      component: `component-${i % 50}`,
      drift: i % 2 === 0,
    })),
  );
  started = performance.now();
  const uploaded = await receiveInstances(db, {
    workspaceId: SEED.workspaceId,
    repositoryId: SEED.repositoryId,
    body: parse(instancesBody, inventory),
    now: new Date(),
  });
  rows.push([
    "instances inventory, 10,000",
    `${(performance.now() - started).toFixed(0)} ms`,
    String(uploaded.statements),
    uploaded.ok ? `${uploaded.upserted} upserted, ${uploaded.removed} removed` : `refused: ${uploaded.reason}`,
  ]);

  console.log(`\nUploads (local D1 through workerd; ${(raw.length / 1024 / 1024).toFixed(2)} MiB body)\n`);
  console.log(["what", "wall time", "D1 statements", "stored"].join(" | "));
  console.log("---|---|---|---");
  for (const row of rows) console.log(row.join(" | "));
});
rmSync(dir, { recursive: true, force: true });
