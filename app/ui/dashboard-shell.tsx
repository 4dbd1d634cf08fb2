import { Form, Link, NavLink, useNavigate } from "@remix-run/react";
import type { ReactNode } from "react";
import { Logo } from "./logo";

type Workspace = { id: string; name: string; slug: string; role: string };
type User = { name: string; login: string | null; email: string | null };

export function DashboardShell(props: {
  user: User;
  workspace: Workspace;
  workspaces: Workspace[];
  children: ReactNode;
}) {
  const { user, workspace, workspaces, children } = props;
  const navigate = useNavigate();
  const base = `/dashboard/${workspace.slug}`;
  const canReadAudit = workspace.role === "owner" || workspace.role === "admin";
  const nav = [
    { to: base, label: "Overview", end: true },
    { to: `${base}/repositories`, label: "Repositories", end: false },
    { to: `${base}/pull-requests`, label: "Pull requests", end: false },
    { to: `${base}/deployments`, label: "Deployments", end: false },
    { to: `${base}/locks`, label: "Locks", end: false },
    { to: `${base}/drift`, label: "Drift", end: false },
    { to: `${base}/members`, label: "Members", end: false },
    ...(canReadAudit ? [{ to: `${base}/audit`, label: "Audit log", end: false }] : []),
    { to: `${base}/settings`, label: "Settings", end: false },
  ];

  return (
    <div className="min-h-screen lg:grid lg:grid-cols-[16rem_1fr]">
      <aside className="border-b border-slate-200 bg-white lg:min-h-screen lg:border-b-0 lg:border-r">
        <div className="flex items-center justify-between px-4 py-4">
          <Logo to={base} />
        </div>
        <div className="px-4 pb-4">
          <label
            htmlFor="workspace-switcher"
            className="block text-xs font-medium uppercase tracking-wide text-slate-500"
          >
            Workspace
          </label>
          <select
            id="workspace-switcher"
            className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
            value={workspace.slug}
            onChange={(event) => navigate(`/dashboard/${event.currentTarget.value}`)}
          >
            {workspaces.map((item) => (
              <option key={item.id} value={item.slug}>
                {item.name}
              </option>
            ))}
          </select>
        </div>
        <nav aria-label="Workspace" className="flex gap-1 overflow-x-auto px-2 pb-3 lg:flex-col">
          {nav.map((item) => (
            <NavLink
              key={item.to}
              to={item.to}
              end={item.end}
              className={({ isActive }) =>
                `rounded-md px-3 py-2 text-sm font-medium ${isActive ? "bg-indigo-50 text-indigo-700" : "text-slate-700 hover:bg-slate-100"}`
              }
            >
              {item.label}
            </NavLink>
          ))}
        </nav>
      </aside>
      <div className="flex min-w-0 flex-col">
        <header className="flex items-center justify-between gap-4 border-b border-slate-200 bg-white px-4 py-3 sm:px-6">
          <p className="truncate text-sm text-slate-600">
            <span className="font-medium text-slate-900">{workspace.name}</span> · {workspace.role}
          </p>
          <details className="relative">
            <summary className="cursor-pointer list-none rounded-md px-2 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100">
              {user.name}
            </summary>
            <div className="absolute right-0 z-10 mt-2 w-56 rounded-md border border-slate-200 bg-white p-2 text-sm shadow-lg">
              <p className="truncate px-2 py-1 text-slate-500">{user.login ? `@${user.login}` : user.email}</p>
              <Link to="/workspaces/new" className="block rounded px-2 py-1 text-slate-700 hover:bg-slate-100">
                Create workspace
              </Link>
              <Link to="/" className="block rounded px-2 py-1 text-slate-700 hover:bg-slate-100">
                Home
              </Link>
              <Form method="post" action="/logout">
                <button type="submit" className="w-full rounded px-2 py-1 text-left text-slate-700 hover:bg-slate-100">
                  Sign out
                </button>
              </Form>
              <Form method="post" action="/logout">
                <input type="hidden" name="scope" value="everywhere" />
                <button type="submit" className="w-full rounded px-2 py-1 text-left text-slate-700 hover:bg-slate-100">
                  Sign out everywhere
                </button>
              </Form>
            </div>
          </details>
        </header>
        <main id="main" className="flex-1 px-4 py-6 sm:px-6">
          {children}
        </main>
      </div>
    </div>
  );
}
