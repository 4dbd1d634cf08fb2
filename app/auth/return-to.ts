/**
 * `returnTo` survives the sign-in round trip but only as a same-origin relative path.
 * Refused: protocol-relative (`//x`), backslash tricks (`/\x`), absolute URLs, `javascript:` and
 * every percent-encoded variant of those, control characters. Anything refused becomes the default.
 */
export const DEFAULT_RETURN_TO = "/dashboard";

export function safeReturnTo(value: unknown, fallback = DEFAULT_RETURN_TO): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return fallback;

  // Decode repeatedly so encoded (and double-encoded) forms are judged as what they become.
  let decoded = value;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return fallback;
    }
    if (next === decoded) break;
    decoded = next;
  }
  for (const candidate of [value, decoded]) {
    if (!candidate.startsWith("/")) return fallback;
    if (candidate.startsWith("//") || candidate.startsWith("/\\")) return fallback;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f\\]/.test(candidate)) return fallback;
    if (/^\/*[a-z][a-z0-9+.-]*:/i.test(candidate.replace(/^\/+/, ""))) return fallback;
  }

  // Finally let the URL parser agree that it stays on our origin.
  const base = "https://return-to.invalid";
  const url = new URL(value, base);
  if (url.origin !== base) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
