/**
 * A row's timestamp for a panel, as ISO 8601. A stored value that is not a time (drizzle turns it
 * into an Invalid Date) comes out as its own text instead of throwing, and every panel schema
 * ("string.date.iso") refuses that text: the one panel shows its error and the page still renders.
 */
export function isoTime(value: Date): string {
  return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
}

export function isoTimeOrNull(value: Date | null | undefined): string | null {
  return value == null ? null : isoTime(value);
}
