/**
 * The root loader's payload schema. Kept out of app/root.tsx so that no schema is built at module
 * scope in the browser: the root module is in every page's bundle, and arktype's start-up alone
 * cost public pages seconds of main-thread time on a throttled phone (Lighthouse).
 */
import { type } from "~/validation";

/** `year` is the copyright year of the footer, from the request's clock (not the browser's). */
export const rootPayload = type({ requestId: "string", year: "number.integer" });
export type RootPayload = typeof rootPayload.infer;
