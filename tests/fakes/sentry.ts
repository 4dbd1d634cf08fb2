/**
 * A fake Sentry ingest endpoint for tests (Node, started once per run by tests/fakes/global-setup.ts):
 * it accepts whatever a Sentry SDK sends to `POST /api/<project>/envelope/` (and the older
 * `/api/<project>/store/`), answers 200 and records each request exactly as it arrived — URL,
 * headers and body — so a test can look for secrets in everything the SDK sent.
 *
 *   const sentry = inject("fakeSentry");        // { dsn, controlUrl }
 *   SENTRY_DSN = sentry.dsn                     // http://public@127.0.0.1:<port>/1
 *   GET  {controlUrl}/envelopes                 // RecordedEnvelope[] since the last reset
 *   POST {controlUrl}/reset                     // forget them
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync, inflateSync } from "node:zlib";

export type FakeSentryInfo = {
  /** A DSN pointing at this endpoint (public key "public", project 1). */
  dsn: string;
  controlUrl: string;
};

/** One request the SDK made to the ingest endpoint, as received (the body decompressed if it was). */
export type RecordedEnvelope = {
  method: string;
  /** Path and query, e.g. "/api/1/envelope/?sentry_version=7&sentry_key=public". */
  url: string;
  headers: Record<string, string>;
  body: string;
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function decode(raw: Buffer, encoding: string | undefined): string {
  if (encoding === "gzip") return gunzipSync(raw).toString("utf8");
  if (encoding === "deflate") return inflateSync(raw).toString("utf8");
  return raw.toString("utf8");
}

export async function startFakeSentry(): Promise<FakeSentryInfo & { close(): Promise<void> }> {
  const received: RecordedEnvelope[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    readBody(req)
      .then((raw) => {
        if (req.method === "GET" && url === "/__control/envelopes") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(received));
          return;
        }
        if (req.method === "POST" && url === "/__control/reset") {
          received.length = 0;
          res.writeHead(204);
          res.end();
          return;
        }
        if (req.method === "POST" && /^\/api\/[^/]+\/(envelope|store)\/?(\?|$)/.test(url)) {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(req.headers))
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
          received.push({ method: req.method, url, headers, body: decode(raw, req.headers["content-encoding"]) });
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ id: "00000000000000000000000000000000" }));
          return;
        }
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "not_found" }));
      })
      .catch((error: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: String(error) }));
      });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    });
    return closed;
  };

  return { dsn: `http://public@127.0.0.1:${port}/1`, controlUrl: `${base}/__control`, close };
}
