import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { sitemapXml } from "~/site/feeds.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const xml = await sitemapXml(new URL(request.url).origin, context);
  return new Response(xml, {
    headers: { "Content-Type": "application/xml; charset=utf-8", "Cache-Control": "public, max-age=900" },
  });
}
