/**
 * An affected-stacks upload's graph as stored: its items and dependency edges. The dashboard's pull
 * requests page reads it, and dispatching deployments in waves will.
 */
import { asc, inArray, type SQLWrapper } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { affectedStackEdges, affectedStackItems } from "../../../db/schema";
import type { FlatEdge } from "../deployment-waves";

export type UploadGraph = {
  items: Array<typeof affectedStackItems.$inferSelect>;
  edges: FlatEdge[];
};

/**
 * The two statements that read an upload's graph, for a caller's batch. `upload` is the upload's id,
 * or a query selecting it (so a page can read the graph in the same round trip that finds the upload).
 */
export function uploadGraphQueries(db: Database, upload: string | SQLWrapper) {
  const ids = typeof upload === "string" ? [upload] : upload;
  return [
    db
      .select()
      .from(affectedStackItems)
      .where(inArray(affectedStackItems.uploadId, ids))
      .orderBy(asc(affectedStackItems.stack), asc(affectedStackItems.component)),
    db
      .select({ itemId: affectedStackEdges.itemId, dependentItemId: affectedStackEdges.dependentItemId })
      .from(affectedStackEdges)
      .where(inArray(affectedStackEdges.uploadId, ids))
      .orderBy(asc(affectedStackEdges.itemId), asc(affectedStackEdges.dependentItemId)),
  ] as const;
}

export async function loadUploadGraph(db: Database, uploadId: string): Promise<UploadGraph> {
  const [items, edges] = await db.batch(uploadGraphQueries(db, uploadId));
  return { items, edges };
}
