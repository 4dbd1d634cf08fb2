import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { findChangelogEntry } from "~/content/library.server";
import { formatDay } from "~/site/dates";
import { seoMeta } from "~/site/seo";
import { seo } from "~/site/seo.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { Prose } from "~/ui/prose";
import { PublicLayout } from "~/ui/public-layout";
import { changelogEntryPayload } from "~/content/payloads.server";
import { payload } from "~/validation/payload.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const entry = findChangelogEntry(params.slug ?? "");
  if (!entry) throw json({ message: "There is no changelog entry at this address. The changelog lists every entry." }, { status: 404 });
  return payload(
    changelogEntryPayload,
    {
      seo: seo(request, { title: `${entry.title} — Changelog`, description: entry.description, type: "article", publishedTime: entry.date }),
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
    <PublicLayout>
      <article className="mx-auto max-w-3xl px-4 py-16 sm:px-6">
        <p className="text-sm">
          <Link to="/changelog" className="font-medium text-indigo-700 hover:text-indigo-900">← All changes</Link>
        </p>
        <p className="mt-4 text-sm text-slate-600">
          <time dateTime={entry.date}>{formatDay(entry.date)}</time>
        </p>
        <h1 className="mt-1 text-4xl font-bold tracking-tight text-slate-900">{entry.title}</h1>
        <Prose html={entry.html} className="mt-6" />
      </article>
    </PublicLayout>
  );
}

export function ErrorBoundary() {
  return (
    <PublicLayout>
      <RouteErrorBoundary />
    </PublicLayout>
  );
}
