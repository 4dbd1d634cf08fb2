import { json } from "@remix-run/cloudflare";
import { PublicLayout } from "~/ui/public-layout";
import { RouteErrorBoundary } from "~/ui/error-panel";

/** Every address nothing else matched: a friendly 404 inside the public layout. */
export function loader() {
  throw json({ message: "We could not find that page. It may have moved, or the address may be mistyped." }, { status: 404 });
}

export default function NotFound() {
  return null;
}

export function ErrorBoundary() {
  return (
    <PublicLayout>
      <RouteErrorBoundary />
    </PublicLayout>
  );
}
