/**
 * The footer's live status: "Checking status…" until `GET /api/status` answers, then "All systems
 * operational" or what is degraded; "Status unavailable" when the request fails or the answer is
 * not what we expect. Refreshed on every navigation (redirects after a form included) and once a
 * minute while the page is open.
 */
import { Link, useLocation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { readStatusEnvelope } from "~/status-page/api-guard";
import { STATE_FILL, type ComponentState } from "~/status-page/model";

type Indicator =
  | { kind: "checking" }
  | { kind: "unavailable" }
  | { kind: "known"; state: ComponentState; description: string };

const REFRESH_MS = 60_000;
const TIMEOUT_MS = 8_000;

async function readStatus(signal: AbortSignal): Promise<Indicator> {
  try {
    const response = await fetch("/api/status", { headers: { Accept: "application/json" }, signal });
    if (!response.ok) return { kind: "unavailable" };
    const data = readStatusEnvelope(await response.json());
    return data ? { kind: "known", state: data.indicator, description: data.description } : { kind: "unavailable" };
  } catch {
    return { kind: "unavailable" };
  }
}

export function StatusIndicator() {
  const [indicator, setIndicator] = useState<Indicator>({ kind: "checking" });
  const { key } = useLocation();

  useEffect(() => {
    let live = true;
    let controller: AbortController | null = null;
    const refresh = async () => {
      controller?.abort();
      controller = new AbortController();
      const timer = setTimeout(() => controller?.abort(), TIMEOUT_MS);
      const next = await readStatus(controller.signal);
      clearTimeout(timer);
      if (live) setIndicator(next);
    };
    void refresh();
    const interval = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      live = false;
      clearInterval(interval);
      controller?.abort();
    };
  }, [key]);

  const text =
    indicator.kind === "checking"
      ? "Checking status…"
      : indicator.kind === "unavailable"
        ? "Status unavailable"
        : indicator.description;
  const fill = indicator.kind === "known" ? STATE_FILL[indicator.state] : "bg-slate-300";

  return (
    <p role="status" aria-live="polite" data-status={indicator.kind === "known" ? indicator.state : indicator.kind}>
      <Link to="/status" className="inline-flex items-center gap-2 hover:text-slate-900">
        <span aria-hidden="true" className={`inline-block h-2.5 w-2.5 rounded-full ${fill}`} />
        <span>{text}</span>
      </Link>
    </p>
  );
}
