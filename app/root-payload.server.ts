/**
 * The root loader's payload schema. Kept out of app/root.tsx so that no schema is built at module
 * scope in the browser: the root module is in every page's bundle, and arktype's start-up alone
 * cost public pages seconds of main-thread time on a throttled phone (Lighthouse).
 */
import { type } from "~/validation";

export const rootPayload = type({ requestId: "string" });
