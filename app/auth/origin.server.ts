import { json } from "@remix-run/cloudflare";

/**
 * Forms change state only with POST from our own pages: a cross-site Origin (or, lacking one, a
 * cross-site Referer) is refused with 403 and nothing changes.
 */
export function assertSameOrigin(request: Request): void {
  const origin = new URL(request.url).origin;
  const sent = request.headers.get("Origin") ?? refererOrigin(request.headers.get("Referer"));
  if (sent !== null && sent !== origin) {
    throw json({ message: "This form was submitted from another site, so we ignored it." }, { status: 403 });
  }
}

function refererOrigin(referer: string | null): string | null {
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return "invalid";
  }
}
