/**
 * Small helpers every fake provider shares (tests/fakes/server.ts and the provider modules beside
 * it): reading a request body, answering JSON/HTML/text, holding an answer (a "timeout" fault),
 * reading a bearer credential, constant-time comparison and random tokens.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Ctx } from "./server";

/** How long a "timeout" fault holds its response. */
export const HOLD_MS = 15_000;

const MAX_BODY_BYTES = 1024 * 1024;

export const clone = <T>(value: T): T => structuredClone(value);

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(html) });
  res.end(html);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = "text/plain; charset=utf-8",
): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function randomAlnum(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** Answers after HOLD_MS (a provider that hangs), unless the server closes first. */
export function hold(ctx: Ctx, res: ServerResponse, answer: () => void): void {
  if (ctx.closing) {
    res.destroy();
    return;
  }
  const timer = setTimeout(() => {
    ctx.held.delete(timer);
    if (!res.destroyed) answer();
  }, HOLD_MS);
  ctx.held.add(timer);
  res.on("close", () => {
    clearTimeout(timer);
    ctx.held.delete(timer);
  });
}

export function bearerToken(req: IncomingMessage, schemes: RegExp): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = schemes.exec(header);
  return match?.[1] ?? null;
}
