/**
 * The byte and text encodings the app needs, one copy each: base64url (jose's, the library we
 * already trust with JWTs), standard base64 for stored bytes, random tokens and SHA-256 hex digests
 * (Web Crypto). Works the same in workerd, in the browser and in Node.
 */
import { base64url } from "jose";

/** base64url without padding, of bytes or of a string's UTF-8. */
export function toBase64Url(value: Uint8Array | string): string {
  return base64url.encode(value);
}

/** The bytes a base64url string encodes (padding optional); throws on anything else. */
export function fromBase64Url(value: string): Uint8Array {
  return base64url.decode(value);
}

/** The UTF-8 text a base64url string encodes; throws on malformed base64url or UTF-8. */
export function textFromBase64Url(value: string): string {
  return new TextDecoder("utf-8", { fatal: true }).decode(fromBase64Url(value));
}

/** Standard base64 (with padding) of bytes, in slices so a large buffer does not overflow the call stack. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The bytes of a standard base64 string; throws on anything else. */
export function fromBase64(value: string): Uint8Array<ArrayBuffer> {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A random token: `bytes` random bytes, base64url. */
export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The SHA-256 of a string's UTF-8, as lowercase hex. */
export async function sha256Hex(input: string | ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    typeof input === "string" ? new TextEncoder().encode(input) : input,
  );
  return toHex(new Uint8Array(digest));
}

/** Standard base64, padded or not, as GitHub's blob API takes it (padded); null when it is not base64. */
export function paddedBase64(value: string): string | null {
  const bare = value.replace(/={1,2}$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(bare) || bare.length % 4 === 1) return null;
  const padded = bare + "=".repeat((4 - (bare.length % 4)) % 4);
  return value === bare || value === padded ? padded : null;
}

/** Bytes → gzip → base64: how large values are kept in D1 (a string value is at most 2,000,000 bytes). */
export async function gzipToBase64(bytes: Uint8Array<ArrayBuffer> | string): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return toBase64(new Uint8Array(await new Response(stream).arrayBuffer()));
}

export async function gunzipFromBase64(value: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([fromBase64(value)]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Lowercase hex, two digits a byte. */
export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Hex (an even number of digits) → bytes; null when it is not hex. */
export function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
