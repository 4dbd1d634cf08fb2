/** How long a lock taken from the dashboard lasts: the choices the form offers and the action accepts (browser-safe). */
export const LOCK_TTLS = [
  { seconds: 1800, label: "30 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 4 * 3600, label: "4 hours" },
  { seconds: 24 * 3600, label: "1 day" },
  { seconds: 7 * 24 * 3600, label: "1 week" },
] as const;
