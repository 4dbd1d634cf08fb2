/** The docs' frame: the sidebar of every page, by section (Learn, Configure, Reference). */
import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { docsNavigation } from "~/content/library.server";
import { PublicLayout } from "~/ui/public-layout";
import { docsLayoutPayload } from "~/content/payloads.server";
import { payload } from "~/validation/payload.server";

export async function loader({ context }: LoaderFunctionArgs) {
  return payload(docsLayoutPayload, { sections: docsNavigation() }, context, {
    name: "docs",
    headers: { "Cache-Control": "public, max-age=300" },
  });
}

export default function DocsLayout() {
  const { sections } = useLoaderData<typeof loader>();
  return (
    <PublicLayout>
      <div className="mx-auto flex max-w-6xl flex-col gap-8 px-4 py-10 sm:px-6 lg:flex-row">
        <nav aria-label="Docs" className="shrink-0 lg:sticky lg:top-6 lg:w-56 lg:self-start">
          <NavLink
            to="/docs"
            end
            className={({ isActive }) =>
              `text-sm font-semibold ${isActive ? "text-indigo-700" : "text-slate-900 hover:text-indigo-700"}`
            }
          >
            Documentation
          </NavLink>
          <div className="mt-4 grid grid-cols-2 gap-6 sm:grid-cols-3 lg:grid-cols-1">
            {sections.map((group) => (
              <div key={group.section}>
                <p
                  id={`docs-nav-${group.section}`}
                  className="text-xs font-semibold uppercase tracking-wide text-slate-600"
                >
                  {group.section}
                </p>
                <ul aria-labelledby={`docs-nav-${group.section}`} className="mt-2 space-y-1 text-sm">
                  {group.pages.map((page) => (
                    <li key={page.slug}>
                      <NavLink
                        to={`/docs/${page.slug}`}
                        prefetch="intent"
                        className={({ isActive }) =>
                          `block rounded px-2 py-1 ${isActive ? "bg-indigo-50 font-medium text-indigo-800" : "text-slate-700 hover:bg-slate-100 hover:text-slate-900"}`
                        }
                      >
                        {page.title}
                      </NavLink>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </div>
        </nav>
        <div className="min-w-0 flex-1">
          <Outlet />
        </div>
      </div>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
