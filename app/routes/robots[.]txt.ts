/**
 * robots.txt, served by the Worker so that its Sitemap line names the host it is served from
 * (production, a preview deployment, or a self-hosted install) rather than a fixed domain.
 */
import type { LoaderFunctionArgs } from "@remix-run/cloudflare";

export function robotsTxt(origin: string): string {
  return [
    "User-agent: *",
    "Allow: /",
    "Disallow: /dashboard",
    "Disallow: /api/",
    "Disallow: /status/operator",
    "",
    `Sitemap: ${origin}/sitemap.xml`,
    "",
  ].join("\n");
}

export async function loader({ request }: LoaderFunctionArgs) {
  return new Response(robotsTxt(new URL(request.url).origin), {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=3600" },
  });
}
