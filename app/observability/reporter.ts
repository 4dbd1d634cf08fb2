/**
 * Every unexpected error ends here: one structured, redacted log line with its context, and
 * Sentry when `SENTRY_DSN` is set (the SDK is a no-op without a client). Never secrets: the
 * context is ids only, and the logger redacts by key and shape on top of that.
 */
import { captureException } from "@sentry/cloudflare";
import type { Logger } from "./logger";

export type ErrorContext = {
  route?: string;
  userId?: string;
  workspaceId?: string;
  [key: string]: unknown;
};

export function describeError(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack?.split("\n").slice(0, 8).join("\n") };
  }
  return { name: typeof error, message: "A non-Error value was thrown" };
}

export function reportError(logger: Logger, error: unknown, context: ErrorContext = {}): void {
  logger.error("unexpected_error", { ...context, error: describeError(error) });
  try {
    captureException(error, { tags: { requestId: logger.requestId, route: context.route }, extra: { ...context } });
  } catch {
    // The reporter never throws: losing a Sentry event must not turn into a second error.
  }
}
