/**
 * What Sentry may see: every event is scrubbed before it leaves the Worker, as a log line is (the
 * same redaction by key and by shape, ./redact.ts). The SDK filters the Authorization and Cookie
 * headers itself, but not the rest of the request it attaches: the URL and query string (an OAuth
 * `code` and `state`, an invitation link's token in the path), the body (the GitHub Actions OIDC
 * token of a token exchange, a form's state), nor our own tags and extra (the route is the path).
 */
import { isSecretKey, redact, REDACTED } from "./redact";

/** `a=1&code=xyz` → `a=1&code=[redacted]`: by parameter name, on top of the shapes redact() knows. */
function scrubQuery(query: string): string {
  return query
    .split("&")
    .map((pair) => {
      const at = pair.indexOf("=");
      if (at < 0) return pair;
      let name = pair.slice(0, at);
      try {
        name = decodeURIComponent(name.replace(/\+/g, " "));
      } catch {
        // Keep the raw name.
      }
      return isSecretKey(name) ? `${pair.slice(0, at)}=${REDACTED}` : pair;
    })
    .join("&");
}

/** The query scrubbed by name; the fragment (never sent to a server, but it may hold a token) dropped. */
function scrubUrl(url: string): string {
  const hash = url.indexOf("#");
  const base = hash < 0 ? url : url.slice(0, hash);
  const query = base.indexOf("?");
  return query < 0 ? base : `${base.slice(0, query + 1)}${scrubQuery(base.slice(query + 1))}`;
}

/**
 * `beforeSend` (and `beforeSendTransaction`): a redacted copy of the event. The request body is
 * dropped whole: ours carry tokens, form states and customer data, none of which an error report needs.
 */
export function scrubSentryEvent<T extends object>(event: T): T {
  const out = redact(event) as Record<string, unknown>;
  const request = out.request;
  if (request && typeof request === "object" && !Array.isArray(request)) {
    const r = request as Record<string, unknown>;
    if (typeof r.url === "string") r.url = scrubUrl(r.url);
    if (typeof r.query_string === "string") r.query_string = scrubQuery(r.query_string.replace(/^\?/, ""));
    if (r.data !== undefined) r.data = REDACTED;
    delete r.cookies;
  }
  return out as T;
}
