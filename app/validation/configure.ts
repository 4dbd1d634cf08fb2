/**
 * arktype's global configuration, evaluated before arktype itself (see ./arktype.ts).
 * workerd forbids code generation (`new Function`), so we ask for the interpreted ("jitless")
 * mode up front instead of letting arktype probe for it on every isolate start.
 */
import { configure } from "arktype/config";

configure({ jitless: true });
