import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { changelogFeed } from "~/site/feeds.server";
import { atomResponse } from "~/site/xml.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return atomResponse(changelogFeed(new URL(request.url).origin));
}
