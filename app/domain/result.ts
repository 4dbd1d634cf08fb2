/**
 * The one shape of an expected failure. A domain function that can refuse returns
 * `{ ok: true, … } | Refusal<Reason>`: a reason in the product's words, which each edge maps with one
 * table (the API to a status and an error tag, a form action to an ActionResult and a status, a loader
 * to a thrown Response), and a sentence for the person reading it. No HTTP status in the domain.
 * Unexpected failures are thrown and reach the one reporter.
 */
export type Refusal<Reason extends string> = { ok: false; reason: Reason; message: string };

export function refuse<Reason extends string>(reason: Reason, message: string): Refusal<Reason> {
  return { ok: false, reason, message };
}
