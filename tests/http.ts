/** Requests to the built Worker, as a browser on localhost would send them. */
import { SELF } from "cloudflare:test";

export const ORIGIN = "http://localhost";

export function get(path: string, init: RequestInit = {}) {
  return SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", ...init });
}
