import { Link, NavLink } from "@remix-run/react";
import type { ReactNode } from "react";
import { Logo } from "./logo";

const NAV = [
  { to: "/product", label: "Product" },
  { to: "/pricing", label: "Pricing" },
  { to: "/docs", label: "Docs" },
  { to: "/blog", label: "Blog" },
  { to: "/changelog", label: "Changelog" },
];

export function PublicHeader() {
  return (
    <header className="border-b border-slate-200 bg-white/90 backdrop-blur">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-4 px-4 py-3 sm:px-6">
        <Logo />
        <nav aria-label="Main" className="order-3 flex w-full gap-5 overflow-x-auto text-sm text-slate-600 sm:order-none sm:w-auto">
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
  return (
    <footer className="border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-col gap-4 px-4 py-8 text-sm text-slate-600 sm:flex-row sm:items-center sm:justify-between sm:px-6">
        <p>© {new Date().getUTCFullYear()} Atmos Pro. Ordered Terraform deployments for Atmos.</p>
        <nav aria-label="Footer" className="flex flex-wrap gap-4">
          <Link to="/docs" className="hover:text-slate-900">Docs</Link>
          <Link to="/pricing" className="hover:text-slate-900">Pricing</Link>
          <Link to="/changelog" className="hover:text-slate-900">Changelog</Link>
          <Link to="/status" className="hover:text-slate-900">Status</Link>
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
