/**
 * Reading an API request body: JSON only (415 otherwise), at most 5 MiB (413 — the CLI chunks at
 * 4 MiB), valid JSON (400), then checked by the endpoint's DTO schema (400 naming the fields).
 */
import { spokenPath, validate, type Issue } from "../validation";
import type { Type } from "../validation/arktype";
import { readBodyBytes } from "../worker/read-body";
import { ApiError } from "./envelope";

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export async function readJsonBody(
  request: Request,
  maxBytes = MAX_BODY_BYTES,
): Promise<{ raw: string; json: unknown }> {
  const contentType = request.headers.get("Content-Type") ?? "";
  if (!/^application\/json\b/i.test(contentType.trim())) {
    throw new ApiError(415, "UnsupportedMediaType", "Send the body as JSON with Content-Type: application/json.");
  }
  if (!request.body)
    throw new ApiError(400, "ValidationError", "The request has no body.", {
      data: { validationErrors: ["body: required"] },
    });
  const read = await readBodyBytes(request, maxBytes);
  if (!read.ok) throw tooLarge(maxBytes);
  const bytes = read.bytes;
  let raw: string;
  try {
    raw = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, "ValidationError", "The body is not valid UTF-8.", {
      data: { validationErrors: ["body: must be UTF-8 JSON"] },
    });
  }
  try {
    return { raw, json: JSON.parse(raw) };
  } catch {
    throw new ApiError(400, "ValidationError", "The body is not valid JSON.", {
      data: { validationErrors: ["body: must be valid JSON"] },
    });
  }
}

function tooLarge(maxBytes: number) {
  return new ApiError(
    413,
    "PayloadTooLarge",
    `The body is larger than ${Math.floor(maxBytes / 1024 / 1024)} MiB. Split it into chunks (batch_id, batch_index, batch_total).`,
  );
}

/** Messages that name the field, e.g. "stacks[3].component must be a string (was number)". */
export function validationMessages(issues: Issue[]): string[] {
  return issues
    .map((issue) =>
      issue.message.startsWith(spokenPath(issue.path)) || issue.path === "(root)"
        ? issue.message
        : `${issue.path}: ${issue.message}`,
    )
    .slice(0, 50);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function checkBody<S extends Type<any, any>>(
  schema: S,
  json: unknown,
  errorTag = "ValidationError",
): S["infer"] {
  const result = validate(schema, json);
  if (!result.ok) {
    const messages = validationMessages(result.issues);
    throw new ApiError(400, errorTag, `The request body is invalid: ${messages[0] ?? "unknown problem"}`, {
      data: { validationErrors: messages },
    });
  }
  return result.value;
}
