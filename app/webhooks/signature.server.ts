/**
 * GitHub's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`.
 * Checked with Web Crypto's `verify` (constant time) against every configured secret, so a secret can
 * be rotated without dropping a delivery: add the new one, change it on GitHub, remove the old one.
 */
import { fromHex, toHex } from "../encoding";

const HEADER = /^sha256=([0-9a-f]{64})$/;
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keys.set(secret, key);
  }
  return key;
}

/** True when the header is a well-formed sha256 signature of `body` by one of `secrets`. */
export async function verifyWebhookSignature(
  secrets: readonly string[],
  header: string | null,
  body: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const match = header ? HEADER.exec(header.trim().toLowerCase()) : null;
  if (!match) return false;
  const signature = fromHex(match[1]!)!;
  for (const secret of secrets) {
    if (await crypto.subtle.verify("HMAC", await hmacKey(secret), signature, body)) return true;
  }
  return false;
}

/** The header GitHub would send for `body` signed with `secret` (tests and the local sender use it). */
export async function signWebhook(secret: string, body: Uint8Array<ArrayBuffer> | string): Promise<string> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), bytes));
  return `sha256=${toHex(mac)}`;
}
