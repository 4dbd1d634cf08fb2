/**
 * Redaction for log lines: by key (anything named like a credential) and by shape (values that
 * look like tokens, JWTs, private keys, cookies or Authorization headers wherever they appear).
 */

const SECRET_KEY =
  /(pass(word)?|secret|token|authorization|cookie|session|credential|api[-_]?key|private[-_]?key|client[-_]?secret|^code$|code[-_]?verifier|^state$|nonce|dsn|signature)/i;

const SECRET_SHAPES: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, // JWT / JWS
  /\b(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})/g, // GitHub tokens
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(__Host-|__Secure-)?[A-Za-z0-9_-]*session[A-Za-z0-9_-]*=[^;\s]+/gi, // cookie pairs
  /([?&](code|state|token|access_token|id_token|client_secret)=)[^&\s#]+/gi,
  /(\/invitations\/)[A-Za-z0-9_-]{16,}/g, // single-use invitation links
];

export const REDACTED = "[redacted]";

export function redactString(value: string): string {
  let out = value;
  for (const shape of SECRET_SHAPES) {
    out = out.replace(shape, (match, ...groups) => {
      // Keep a query parameter's name so the line still says what was there.
      const prefix = typeof groups[0] === "string" && groups[0].endsWith("=") ? groups[0] : "";
      return prefix ? `${prefix}${REDACTED}` : REDACTED;
    });
  }
  return out;
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A deep copy of `value` with secrets replaced; cycles and depth are bounded. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8) return "[depth]";
  if (seen.has(value)) return "[cycle]";
  seen.add(value);
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message) };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) && item !== null && item !== undefined ? REDACTED : redact(item, depth + 1, seen);
  }
  return out;
}
