import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { useLoaderData } from "@remix-run/react";
import { findChangelogEntry } from "~/content/library.server";
import { formatDay } from "~/site/dates";
import { seoMeta } from "~/site/seo";
import { seo } from "~/site/seo.server";
import { EntryArticle } from "~/ui/entry-article";
import { changelogEntryPayload } from "~/content/payloads.server";
import { payload } from "~/validation/payload.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const entry = findChangelogEntry(params.slug ?? "");
  if (!entry)
    throw json(
      { message: "There is no changelog entry at this address. The changelog lists every entry." },
      { status: 404 },
    );
  return payload(
    changelogEntryPayload,
    {
      seo: seo(request, {
        title: `${entry.title} — Changelog`,
        description: entry.description,
        type: "article",
        publishedTime: entry.date,
      }),
      title: entry.title,
      date: entry.date,
      description: entry.description,
      html: entry.html,
    },
    context,
    { name: "changelog.$slug", headers: { "Cache-Control": "public, max-age=300" } },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => seoMeta(data?.seo);

export default function ChangelogEntry() {
  const entry = useLoaderData<typeof loader>();
  return (
    <EntryArticle
      back={{ to: "/changelog", label: "← All changes" }}
      title={entry.title}
      above={<time dateTime={entry.date}>{formatDay(entry.date)}</time>}
      html={entry.html}
    />
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
