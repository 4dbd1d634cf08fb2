import { describe, expect, it } from "vitest";
import { scrubSentryEvent } from "./sentry";

describe("scrubSentryEvent (Sentry's beforeSend)", () => {
  it("scrubs the request's URL and query string by parameter name, keeps the rest, drops the body and the fragment", () => {
    const event = {
      request: {
        method: "GET",
        url: "https://atmos.example/auth/oidc/callback?page=2&code=abc&id%5Ftoken=xyz&State=s1#frag",
        query_string: "?page=2&code=abc&id%5Ftoken=xyz&State=s1",
        data: "login=ada&state=s1",
        cookies: { atmos_signin: "flow-cookie-value" },
        headers: { "user-agent": "Mozilla/5.0", cookie: "atmos_signin=flow-cookie-value" },
      },
      tags: { route: "/auth/oidc/callback", requestId: "req-1" },
    };
    const out = scrubSentryEvent(event);
    expect(out.request).toEqual({
      method: "GET",
      url: "https://atmos.example/auth/oidc/callback?page=2&code=[redacted]&id%5Ftoken=[redacted]&State=[redacted]",
      query_string: "page=2&code=[redacted]&id%5Ftoken=[redacted]&State=[redacted]",
      data: "[redacted]",
      headers: { "user-agent": "Mozilla/5.0", cookie: "[redacted]" },
    });
    expect(out.tags).toEqual({ route: "/auth/oidc/callback", requestId: "req-1" });
    // A copy: the SDK's own event is left as it was.
    expect(event.request.data).toBe("login=ada&state=s1");
  });

  it("redacts secrets by shape anywhere else in the event: messages, breadcrumbs, extra", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl";
    const out = scrubSentryEvent({
      message: `failed with Bearer ${jwt}`,
      breadcrumbs: [
        {
          category: "fetch",
          data: { url: "https://github.example/login/oauth/access_token?client_secret=shh-123456&code=c0de" },
        },
      ],
      extra: { clientSecret: "shh-123456", route: "/dashboard/acme" },
    });
    const text = JSON.stringify(out);
    expect(text).not.toContain(jwt);
    expect(text).not.toContain("shh-123456");
    expect(text).not.toContain("c0de");
    expect(out.extra).toEqual({ clientSecret: "[redacted]", route: "/dashboard/acme" });
  });
});
