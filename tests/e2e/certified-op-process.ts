/**
 * The process the certified OpenID Provider (oidc-provider) runs in. Started by certified-op.ts with
 * an IPC channel, never by hand: it receives its configuration as the first message, listens on
 * 127.0.0.1, and reports back `ready` (with its port), a record of each request, and the claims of
 * each ID token it issues. It exits when the parent disconnects or sends SIGTERM.
 *
 * Its own process because of the clock: oidc-provider reads `Date.now()` for every `iat`, `exp` and
 * expiry check, and has no setting for it. This process runs on the test run's clock
 * (CLOCK_OFFSET_MS, docs/decisions/0009-one-clock-for-a-test-run.md): `Date` is replaced, before
 * oidc-provider is loaded, by one that reads the wall clock plus the run's offset — here only, so the
 * test runner's own timers and wrangler are untouched. The browser still lives on the wall clock, so
 * each cookie's absolute `expires` (computed on the run clock) is turned into the relative `max-age`
 * it stands for before the response leaves.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { KoaContextWithOIDC } from "oidc-provider";
import type { CertifiedProviderConfig, CertifiedProviderMessage, RecordedProviderRequest } from "./certified-op";

function send(message: CertifiedProviderMessage) {
  process.send?.(message);
}

/** From here on, `Date` in this process is the run's clock: the wall clock plus `offsetMs`. */
function followRunClock(offsetMs: number) {
  const WallDate = Date;
  const now = () => WallDate.now() + offsetMs;
  globalThis.Date = new Proxy(WallDate, {
    construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
    apply: () => new WallDate(now()).toString(),
    get: (target, property, receiver) => (property === "now" ? now : Reflect.get(target, property, receiver)),
  });
}

/** `expires=<run-clock date>` → `max-age=<seconds>`: the lifetime the provider meant, for a wall-clock browser. */
function relativeCookieLifetime(cookie: string, nowMs: number): string {
  let expiresAt: number | undefined;
  const stripped = cookie.replace(/;\s*expires=([^;]*)/gi, (_match, date: string) => {
    expiresAt = Date.parse(date);
    return "";
  });
  if (expiresAt === undefined || Number.isNaN(expiresAt)) return cookie;
  return `${stripped}; max-age=${Math.max(0, Math.round((expiresAt - nowMs) / 1000))}`;
}

function withRelativeCookieLifetimes(res: ServerResponse) {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    const cookies = res.getHeader("set-cookie");
    if (cookies !== undefined) {
      res.setHeader(
        "set-cookie",
        [cookies].flat().map((cookie) => relativeCookieLifetime(String(cookie), Date.now())),
      );
    }
    return writeHead(...args);
  }) as ServerResponse["writeHead"];
}

function decodeJwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

/** Any request's context: `oidc` is there only on the provider's own routes. */
type RequestContext = Omit<KoaContextWithOIDC, "oidc"> & { oidc?: KoaContextWithOIDC["oidc"] };

/** What a test may check about a request, without tokens or secrets. */
function recordOf(ctx: RequestContext): RecordedProviderRequest {
  const params = (ctx.oidc?.params ?? {}) as Record<string, unknown>;
  const authorization = ctx.get("authorization");
  const record: RecordedProviderRequest = {
    method: ctx.method,
    path: ctx.path,
    status: ctx.status,
    authorization: authorization ? authorization.split(" ")[0]! : null,
  };
  if (ctx.oidc?.route === "authorization") record.query = { ...(ctx.query as Record<string, string>) };
  if (ctx.oidc?.route === "token") {
    record.form = {
      grant_type: String(params.grant_type ?? ""),
      redirect_uri: String(params.redirect_uri ?? ""),
      code_verifier: params.code_verifier ? "[present]" : "[absent]",
    };
  }
  return record;
}

async function start(config: CertifiedProviderConfig) {
  followRunClock(config.offsetMs);
  // Loaded only now, so that nothing in it can have captured the wall clock.
  const { default: Provider } = await import("oidc-provider");

  // Listening first: the issuer names the port. Nobody knows the port before `ready`, so no request
  // arrives before the handler is attached below.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const { account } = config;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: config.clientId,
        client_secret: config.clientSecret,
        redirect_uris: [config.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        // What remix-auth-oauth2 (arctic) sends: HTTP Basic with the client id and secret.
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [config.signingKey] },
    cookies: {
      keys: config.cookieKeys,
      names: { session: "op_session", interaction: "op_interaction", resume: "op_interaction_resume" },
      long: { httpOnly: true, sameSite: "lax", signed: true },
      short: { httpOnly: true, sameSite: "lax", signed: true },
    },
    pkce: { methods: ["S256"], required: () => true },
    // The library's defaults, spelled out (it warns about each default it uses).
    ttl: { AccessToken: 3600, IdToken: 3600, Interaction: 3600, Session: 14 * 24 * 3600, Grant: 14 * 24 * 3600 },
    // OpenID Connect Core §5.4: with an access token issued, the scope claims come from UserInfo only.
    conformIdTokenClaims: true,
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
    },
    features: {
      // The library's own login page (any password; the login typed is the account id). Consent is
      // pre-granted below, so the login page is the only one the browser sees.
      devInteractions: { enabled: true },
      userinfo: { enabled: true },
    },
    async findAccount(_ctx, id) {
      if (id !== account.sub) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: account.sub,
          email: account.email,
          email_verified: true,
          name: account.name,
          preferred_username: account.preferredUsername,
        }),
      };
    },
    // Our app is a first-party client: its scopes are granted without a consent page.
    async loadExistingGrant(ctx) {
      const clientId = ctx.oidc.client!.clientId;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope("openid profile email");
      await grant.save();
      return grant;
    },
  });

  provider.use(async (ctx, next) => {
    await next();
    send({ type: "request", request: recordOf(ctx as RequestContext) });
  });
  provider.on("grant.success", (ctx) => {
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (typeof body?.id_token === "string") send({ type: "id_token", claims: decodeJwtPayload(body.id_token) });
  });
  provider.on("server_error", (_ctx, error) => send({ type: "server_error", message: String(error) }));

  const handle = provider.callback();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    withRelativeCookieLifetimes(res);
    handle(req, res);
  });
  send({ type: "ready", port });
}

process.once("message", (config: CertifiedProviderConfig) => {
  start(config).catch((error: unknown) => {
    send({ type: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  });
});
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
