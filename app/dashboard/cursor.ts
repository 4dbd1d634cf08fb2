/** Opaque keyset cursors: base64url JSON of the last row's sort values. Malformed → first page. */
export function encodeCursor(values: Array<string | number | null>): string {
  return btoa(unescape(encodeURIComponent(JSON.stringify(values)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(cursor: string | null | undefined, length: number): Array<string | number> | null {
  if (!cursor || cursor.length > 2048) return null;
  try {
    const json = decodeURIComponent(escape(atob(cursor.replace(/-/g, "+").replace(/_/g, "/"))));
    const values: unknown = JSON.parse(json);
    if (!Array.isArray(values) || values.length !== length) return null;
    if (!values.every((value) => typeof value === "string" || (typeof value === "number" && Number.isFinite(value)))) return null;
    return values as Array<string | number>;
  } catch {
    return null;
  }
}
