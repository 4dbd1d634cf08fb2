import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { docsNavigation } from "~/content/library.server";
import type { DocSection } from "~/content/types";
import { seoMeta } from "~/site/seo";
import { seo } from "~/site/seo.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { docsIndexPayload } from "~/content/payloads.server";
import { payload } from "~/validation/payload.server";

const SECTION_INTROS: Record<DocSection, string> = {
  Learn: "What Atmos Pro does and how, from the first workflow to locks.",
  Configure: "Permissions, sign-in, and running it on your own Cloudflare account.",
  Reference: "The API and every stack setting Atmos Pro reads.",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  return payload(
    docsIndexPayload,
    {
      seo: seo(request, {
        title: "Documentation",
        description:
          "Learn how Atmos Pro works, configure permissions, sign-in and self-hosting, and look up the API and stack settings.",
      }),
      sections: docsNavigation(),
    },
    context,
    { name: "docs._index" },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => seoMeta(data?.seo);

export default function DocsIndex() {
  const { sections } = useLoaderData<typeof loader>();
  return (
    <article>
      <h1 className="text-3xl font-bold tracking-tight text-slate-900">Documentation</h1>
      <p className="mt-3 max-w-2xl text-lg text-slate-600">
        Start with the{" "}
        <Link to="/docs/quick-start" className="font-medium text-indigo-700 underline underline-offset-2">
          quick start
        </Link>
        , or search with ⌘K (Ctrl+K).
      </p>
      {sections.map((group) => (
        <section key={group.section} aria-labelledby={`section-${group.section}`} className="mt-10">
          <h2 id={`section-${group.section}`} className="text-xl font-semibold text-slate-900">
            {group.section}
          </h2>
          <p className="mt-1 text-slate-600">{SECTION_INTROS[group.section]}</p>
          <ul className="mt-4 grid gap-4 sm:grid-cols-2">
            {group.pages.map((page) => (
              <li key={page.slug} className="rounded-xl border border-slate-200 bg-white p-5">
                <h3 className="font-semibold text-slate-900">
                  <Link to={`/docs/${page.slug}`} className="hover:text-indigo-700">
                    {page.title}
                  </Link>
                </h3>
                <p className="mt-1 text-sm text-slate-600">{page.description}</p>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </article>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
