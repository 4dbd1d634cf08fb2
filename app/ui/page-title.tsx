import type { ReactNode } from "react";

/** The heading of a dashboard or account page (one per page). */
export function PageTitle({ children }: { children: ReactNode }) {
  return <h1 className="text-2xl font-semibold text-slate-900">{children}</h1>;
}
