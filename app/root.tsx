import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import stylesheet from "~/tailwind.css";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { payload } from "~/validation/payload.server";
import { rootPayload } from "./root-payload.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [
  { title: "Atmos Pro — ordered Terraform deployments for Atmos on GitHub Actions" },
  {
    name: "description",
    content:
      "Atmos Pro dispatches your Atmos plan and apply workflows in dependency order, detects drift, and keeps an audit log.",
  },
];

export async function loader({ context }: LoaderFunctionArgs) {
  return payload(rootPayload, { requestId: context.requestId, year: context.now().getUTCFullYear() }, context, {
    name: "root",
  });
}

export function Layout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className="h-full">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="min-h-full bg-slate-50 font-sans text-slate-900 antialiased">
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  // The root loader may itself have failed: read the request id defensively.
  useRouteLoaderData("root");
  return <RouteErrorBoundary />;
}
