import { Link, NavLink, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import type { RootPayload } from "~/root-payload.server";
import { DocsSearch } from "./docs-search";
import { RouteErrorBoundary } from "./error-panel";
import { Logo } from "./logo";
import { StatusIndicator } from "./status-indicator";

const NAV = [
  { to: "/product", label: "Product" },
  { to: "/pricing", label: "Pricing" },
  { to: "/docs", label: "Docs" },
  { to: "/blog", label: "Blog" },
  { to: "/changelog", label: "Changelog" },
];

const FOOTER_LINKS = [
  { to: "/product", label: "Product" },
  { to: "/docs", label: "Docs" },
  { to: "/pricing", label: "Pricing" },
  { to: "/blog", label: "Blog" },
  { to: "/changelog", label: "Changelog" },
  { to: "/status", label: "Status" },
];

export function PublicHeader() {
  return (
    <header className="border-b border-slate-200 bg-white/90 backdrop-blur">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-4 px-4 py-3 sm:px-6">
        <Logo />
        <nav
          aria-label="Main"
          className="order-3 flex w-full gap-5 overflow-x-auto text-sm text-slate-600 lg:order-none lg:w-auto"
        >
          {NAV.map((item) => (
            <NavLink
              key={item.to}
              to={item.to}
              prefetch="intent"
              className={({ isActive }) => (isActive ? "font-medium text-slate-900" : "hover:text-slate-900")}
            >
              {item.label}
            </NavLink>
          ))}
        </nav>
        <div className="flex items-center gap-3 text-sm">
          <DocsSearch />
          <Link to="/login" className="font-medium text-slate-700 hover:text-slate-900">
            Sign in
          </Link>
          <Link
            to="/workspaces/new"
            className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white shadow-sm hover:bg-indigo-500"
          >
            Create Workspace
          </Link>
        </div>
      </div>
    </header>
  );
}

export function PublicFooter() {
  // The year comes from the server's clock, so the server's and the browser's render agree.
  const year = useRouteLoaderData<RootPayload>("root")?.year;
  return (
    <footer className="border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-col gap-4 px-4 py-8 text-sm text-slate-600 sm:px-6 md:flex-row md:items-center md:justify-between">
        <div className="space-y-2">
          <p>©{year ? ` ${year}` : ""} Atmos Pro. Ordered Terraform deployments for Atmos.</p>
          <StatusIndicator />
        </div>
        <nav aria-label="Footer" className="flex flex-wrap gap-x-4 gap-y-2">
          {FOOTER_LINKS.map((item) => (
            <Link key={item.to} to={item.to} className="hover:text-slate-900">
              {item.label}
            </Link>
          ))}
        </nav>
      </div>
    </footer>
  );
}

export function PublicLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <PublicHeader />
      <main id="main" className="flex-1">
        {children}
      </main>
      <PublicFooter />
    </div>
  );
}

/** The ErrorBoundary of a public page: the route's error, inside the public header and footer. */
export function PublicErrorBoundary() {
  return (
    <PublicLayout>
      <RouteErrorBoundary />
    </PublicLayout>
  );
}
