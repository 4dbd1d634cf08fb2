/** Dates as the public pages show them, always in UTC, without relying on the runtime's locale data. */
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** "22 September 2026" for a YYYY-MM-DD date or a Date. */
export function formatDay(value: string | Date): string {
  const date = typeof value === "string" ? new Date(`${value.slice(0, 10)}T00:00:00Z`) : value;
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** "22 Sep" for the status history labels. */
export function formatShortDay(value: string): string {
  const date = new Date(`${value}T00:00:00Z`);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]!.slice(0, 3)}`;
}

/** "22 September 2026, 14:05 UTC". */
export function formatUtc(value: string | Date): string {
  const date = typeof value === "string" ? new Date(value) : value;
  const hh = String(date.getUTCHours()).padStart(2, "0");
  const mm = String(date.getUTCMinutes()).padStart(2, "0");
  return `${formatDay(date)}, ${hh}:${mm} UTC`;
}

/** YYYY-MM-DD of a moment, in UTC. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
