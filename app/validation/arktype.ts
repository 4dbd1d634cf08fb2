/**
 * The only module that imports "arktype" at runtime: the configuration import above it is
 * evaluated first, so every schema in the app is built with the Workers settings.
 * Schemas import `type` from here (or from "~/validation"), never from "arktype" directly.
 */
import "./configure";

export { type, ArkErrors } from "arktype";
export type { Type } from "arktype";
