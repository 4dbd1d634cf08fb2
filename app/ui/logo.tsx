import { Link } from "@remix-run/react";

export function Logo({ to = "/" }: { to?: string }) {
  return (
    <Link to={to} className="flex items-center gap-2 font-semibold text-slate-900">
      <svg aria-hidden="true" viewBox="0 0 32 32" className="h-7 w-7">
        <rect width="32" height="32" rx="8" fill="#4f46e5" />
        <path d="M9 22l7-13 7 13h-4l-3-6-3 6z" fill="#fff" />
      </svg>
      <span>Atmos Pro</span>
    </Link>
  );
}
