/** The docs search index (built with the content by scripts/build-content.ts), fetched by the search dialog. */
import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { docsSearchIndex } from "~/content/library.server";
import { searchIndexPayload } from "~/content/payloads.server";
import { payload } from "~/validation/payload.server";

export async function loader({ context }: LoaderFunctionArgs) {
  return payload(searchIndexPayload, { entries: docsSearchIndex() }, context, {
    name: "docs.search-index",
    headers: { "Cache-Control": "public, max-age=300" },
  });
}
