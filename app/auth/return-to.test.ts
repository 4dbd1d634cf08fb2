import { describe, expect, it } from "vitest";
import { DEFAULT_RETURN_TO, safeReturnTo } from "./return-to";

describe("safeReturnTo", () => {
  it.each([
    ["/dashboard/acme", "/dashboard/acme"],
    ["/dashboard/acme?tab=locks#top", "/dashboard/acme?tab=locks#top"],
    ["/", "/"],
  ])("keeps the same-origin path %s", (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it.each([
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "/javascript:alert(1)",
    "%2F%2Fevil.example",
    "/%2Fevil.example",
    "/%5Cevil.example",
    "%252F%252Fevil.example",
    "/%252F%252Fevil.example",
    "java%0Ascript:alert(1)",
    "/%09/evil.example",
    "/\t/evil.example",
    "dashboard",
    "",
    "/%E0%A4%A",
  ])("refuses %s", (input) => {
    expect(safeReturnTo(input)).toBe(DEFAULT_RETURN_TO);
  });

  it("refuses non-strings", () => {
    expect(safeReturnTo(null)).toBe(DEFAULT_RETURN_TO);
    expect(safeReturnTo(["/x"])).toBe(DEFAULT_RETURN_TO);
  });
});
