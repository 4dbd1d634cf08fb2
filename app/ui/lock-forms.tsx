import { Form } from "@remix-run/react";
import { LOCK_TTLS } from "~/domain/lock-durations";
import { buttonPrimary, buttonSecondary } from "./forms";

export function LockForm({
  lockKey,
  showKey = false,
  error,
}: {
  lockKey?: string;
  showKey?: boolean;
  error?: Record<string, string>;
}) {
  return (
    <Form method="post" className="grid gap-3 sm:grid-cols-[1fr_10rem_auto] sm:items-end">
      <input type="hidden" name="intent" value="lock" />
      {showKey ? (
        <div className="sm:col-span-3">
          <label htmlFor="lock-key" className="block text-sm font-medium text-slate-700">
            Key (owner/repo/stack/component)
          </label>
          <input
            id="lock-key"
            name="key"
            required
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"
            aria-invalid={error?.key ? true : undefined}
          />
          {error?.key ? <p className="mt-1 text-sm text-rose-700">Use owner/repo/stack/component.</p> : null}
        </div>
      ) : (
        <input type="hidden" name="key" value={lockKey} />
      )}
      <div>
        <label htmlFor="lock-message" className="block text-sm font-medium text-slate-700">
          Message
        </label>
        <input
          id="lock-message"
          name="message"
          maxLength={500}
          placeholder="Why is it locked?"
          className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"
        />
      </div>
      <div>
        <label htmlFor="lock-ttl" className="block text-sm font-medium text-slate-700">
          For
        </label>
        <select
          id="lock-ttl"
          name="ttl"
          defaultValue="3600"
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-2"
        >
          {LOCK_TTLS.map((ttl) => (
            <option key={ttl.seconds} value={ttl.seconds}>
              {ttl.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className={buttonPrimary}>
        Lock
      </button>
    </Form>
  );
}

export function UnlockButton({ lockKey, label = "Unlock" }: { lockKey: string; label?: string }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="unlock" />
      <input type="hidden" name="key" value={lockKey} />
      <button type="submit" className={buttonSecondary}>
        {label}
        <span className="sr-only"> {lockKey}</span>
      </button>
    </Form>
  );
}
