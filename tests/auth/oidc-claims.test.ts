/**
 * How the OIDC profile is made from the ID token and the UserInfo answer: UserInfo fills what the ID
 * token lacks, the ID token wins where both speak, `email` and `email_verified` travel as a pair, and
 * an email is verified only when the provider says `email_verified: true`.
 */
import { describe, expect, it } from "vitest";
import { fillFromUserinfo, oidcProfile, type DiscoveryDocument } from "~/auth/providers/oidc.server";

const document = { issuer: "https://idp.example" } as DiscoveryDocument;

describe("OIDC profile claims", () => {
  it("UserInfo fills what the ID token lacks; the ID token wins where both speak", () => {
    const filled = fillFromUserinfo(
      { sub: "s1", name: "From ID token" },
      { sub: "s1", name: "From UserInfo", preferred_username: "ada", email: "ada@idp.example", email_verified: true },
    );
    expect(oidcProfile(document, filled)).toMatchObject({
      name: "From ID token",
      login: "ada",
      email: "ada@idp.example",
      emailVerified: true,
    });
  });

  it("a UserInfo email_verified never vouches for a different ID token email", () => {
    const filled = fillFromUserinfo(
      { sub: "s1", email: "typed@idp.example" },
      { sub: "s1", email: "real@idp.example", email_verified: true },
    );
    expect(oidcProfile(document, filled)).toMatchObject({ email: "typed@idp.example", emailVerified: false });
  });

  it("a UserInfo email_verified for the same address counts", () => {
    const filled = fillFromUserinfo(
      { sub: "s1", email: "ada@idp.example" },
      { sub: "s1", email: "ada@idp.example", email_verified: true },
    );
    expect(oidcProfile(document, filled)).toMatchObject({ email: "ada@idp.example", emailVerified: true });
  });

  it("an ID token email_verified: false is not overruled by UserInfo", () => {
    const filled = fillFromUserinfo(
      { sub: "s1", email: "ada@idp.example", email_verified: false },
      { sub: "s1", email: "ada@idp.example", email_verified: true },
    );
    expect(oidcProfile(document, filled).emailVerified).toBe(false);
  });

  it("absent email_verified is unverified; the name falls back to the username, then the subject, never the email", () => {
    expect(oidcProfile(document, { sub: "s1", email: "ada@idp.example" })).toMatchObject({
      emailVerified: false,
      name: "s1",
      login: null,
    });
    expect(oidcProfile(document, { sub: "s1", email: "ada@idp.example", preferred_username: "ada" })).toMatchObject({
      name: "ada",
    });
    expect(oidcProfile(document, { sub: "s1", email_verified: true })).toMatchObject({
      email: null,
      emailVerified: false,
    });
  });
});
