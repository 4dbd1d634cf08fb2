import { json } from "@remix-run/cloudflare";

/** Every address nothing else matched: a friendly 404 inside the public layout. */
export function loader() {
  throw json(
    { message: "We could not find that page. It may have moved, or the address may be mistyped." },
    { status: 404 },
  );
}

export default function NotFound() {
  return null;
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
