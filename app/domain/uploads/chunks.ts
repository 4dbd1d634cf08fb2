/** How a chunk of a batched upload is kept until its batch is complete. */
import { gunzipFromBase64, gzipToBase64 } from "../../encoding";
import type { StackItem } from "./payloads";

/** D1: a string value is at most 2,000,000 bytes; a stored (compressed, base64) chunk must fit. */
export const MAX_STORED_CHUNK_CHARS = 1_900_000;

/** Chunk bodies are stored gzip-compressed (base64, "gz:" prefix): a 3 MiB chunk must fit D1's 2 MB value limit. */
export async function encodeChunk(stacks: readonly StackItem[]): Promise<string> {
  return `gz:${await gzipToBase64(JSON.stringify(stacks))}`;
}

export async function decodeChunk(stored: string): Promise<StackItem[]> {
  if (!stored.startsWith("gz:")) return JSON.parse(stored) as StackItem[];
  // Our own stored data, validated by the DTO when it arrived.
  return JSON.parse(new TextDecoder().decode(await gunzipFromBase64(stored.slice(3)))) as StackItem[];
}
