/** `/docs/search-index.json`: checked by the route that serves it and again by the browser that reads it. */
import { type } from "~/validation";
import { DOC_SECTIONS } from "./types";

export const searchIndexPayload = type({
  entries: type({
    slug: "string",
    anchor: "string",
    page: "string",
    section: type.enumerated(...DOC_SECTIONS),
    heading: "string",
    text: "string",
  }).array(),
});
