/**
 * Opaque keyset cursors for the dashboard's paged lists: base64url JSON of the last row's sort
 * values. Anything that is not one of ours (malformed, wrong length, wrong types) → null, the first page.
 */
import { textFromBase64Url, toBase64Url } from "../encoding";

export function encodeCursor(values: Array<string | number | null>): string {
  return toBase64Url(JSON.stringify(values));
}

export function decodeCursor(cursor: string | null | undefined, length: number): Array<string | number> | null {
  if (!cursor || cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const values: unknown = JSON.parse(textFromBase64Url(cursor));
    if (!Array.isArray(values) || values.length !== length) return null;
    if (!values.every((value) => typeof value === "string" || (typeof value === "number" && Number.isFinite(value))))
      return null;
    return values as Array<string | number>;
  } catch {
    return null;
  }
}
