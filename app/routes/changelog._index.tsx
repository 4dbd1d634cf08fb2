import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { allChangelog } from "~/content/library.server";
import { formatDay } from "~/site/dates";
import { seoMeta } from "~/site/seo";
import { seo } from "~/site/seo.server";
import { Prose } from "~/ui/prose";
import { PublicLayout } from "~/ui/public-layout";
import { changelogPayload } from "~/content/payloads.server";
import { payload } from "~/validation/payload.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return payload(
    changelogPayload,
    {
      seo: seo(request, {
        title: "Changelog",
        description:
          "What changed in Atmos Pro, newest first: features, fixes and anything self-hosters need to do when upgrading.",
      }),
      entries: allChangelog().map(({ slug, title, date, html }) => ({ slug, title, date, html })),
    },
    context,
    { name: "changelog._index" },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  ...seoMeta(data?.seo),
  {
    tagName: "link",
    rel: "alternate",
    type: "application/atom+xml",
    title: "Atmos Pro changelog",
    href: "/changelog/feed.xml",
  },
];

export default function Changelog() {
  const { entries } = useLoaderData<typeof loader>();
  return (
    <PublicLayout>
      <div className="mx-auto max-w-3xl px-4 py-16 sm:px-6">
        <h1 className="text-4xl font-bold tracking-tight text-slate-900">Changelog</h1>
        <p className="mt-3 text-lg text-slate-600">
          What changed, newest first. Subscribe with the{" "}
          <a href="/changelog/feed.xml" className="font-medium text-indigo-700 underline underline-offset-2">
            Atom feed
          </a>
          .
        </p>
        <ol className="mt-10 space-y-14">
          {entries.map((entry) => (
            <li key={entry.slug} className="border-l-2 border-slate-200 pl-6">
              <article>
                <p className="text-sm text-slate-600">
                  <time dateTime={entry.date}>{formatDay(entry.date)}</time>
                </p>
                <h2 className="mt-1 text-2xl font-semibold text-slate-900">
                  <Link to={`/changelog/${entry.slug}`} className="hover:text-indigo-700">
                    {entry.title}
                  </Link>
                </h2>
                <Prose html={entry.html} className="mt-4" />
              </article>
            </li>
          ))}
        </ol>
      </div>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
