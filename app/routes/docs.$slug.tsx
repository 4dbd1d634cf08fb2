import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { findDoc } from "~/content/library.server";
import { seoMeta } from "~/site/seo";
import { seo } from "~/site/seo.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { Prose } from "~/ui/prose";
import { docPayload } from "~/content/payloads.server";
import { payload } from "~/validation/payload.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const found = findDoc(params.slug ?? "");
  if (!found)
    throw json({ message: "There is no docs page at this address. The sidebar lists every page." }, { status: 404 });
  const { doc, previous, next } = found;
  return payload(
    docPayload,
    {
      seo: seo(request, { title: `${doc.title} — Docs`, description: doc.description, type: "article" }),
      title: doc.title,
      section: doc.section,
      description: doc.description,
      html: doc.html,
      headings: doc.headings.filter((heading) => heading.depth === 2),
      previous,
      next,
    },
    context,
    { name: "docs.$slug", headers: { "Cache-Control": "public, max-age=300" } },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => seoMeta(data?.seo);

export default function DocPage() {
  const doc = useLoaderData<typeof loader>();
  return (
    <div className="flex gap-10">
      <article className="min-w-0 max-w-3xl flex-1">
        <p className="text-sm font-semibold text-indigo-700">{doc.section}</p>
        <h1 className="mt-1 text-3xl font-bold tracking-tight text-slate-900">{doc.title}</h1>
        <p className="mt-3 text-lg text-slate-600">{doc.description}</p>
        <Prose html={doc.html} className="mt-8" />
        <nav
          aria-label="Previous and next page"
          className="mt-14 grid gap-4 border-t border-slate-200 pt-6 sm:grid-cols-2"
        >
          {doc.previous ? (
            <Link
              to={`/docs/${doc.previous.slug}`}
              className="rounded-lg border border-slate-200 p-4 hover:border-indigo-300"
            >
              <span className="block text-xs text-slate-600">Previous</span>
              <span className="font-medium text-slate-900">{doc.previous.title}</span>
            </Link>
          ) : (
            <span />
          )}
          {doc.next ? (
            <Link
              to={`/docs/${doc.next.slug}`}
              className="rounded-lg border border-slate-200 p-4 text-right hover:border-indigo-300"
            >
              <span className="block text-xs text-slate-600">Next</span>
              <span className="font-medium text-slate-900">{doc.next.title}</span>
            </Link>
          ) : null}
        </nav>
      </article>
      {doc.headings.length > 1 ? (
        <nav aria-label="On this page" className="hidden w-48 shrink-0 xl:block">
          <div className="sticky top-6">
            <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-600">On this page</h2>
            <ul className="mt-3 space-y-2 text-sm">
              {doc.headings.map((heading) => (
                <li key={heading.id}>
                  <a href={`#${heading.id}`} className="text-slate-700 hover:text-indigo-700">
                    {heading.text}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        </nav>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
