import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { blogFeed } from "~/site/feeds.server";
import { atomResponse } from "~/site/xml.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return atomResponse(blogFeed(new URL(request.url).origin));
}
