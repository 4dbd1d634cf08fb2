/** A complete, dependency-free HTML error page for failures that happen before or outside Remix. */
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function errorDocument(page: {
  status: number;
  title: string;
  body: string;
  requestId: string;
  details?: string[];
}): Response {
  const details = page.details?.length
    ? `<ul>${page.details.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>`
    : "";
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(page.title)} · Atmos Pro</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f8fafc;color:#0f172a}
main{max-width:36rem;padding:2rem;background:#fff;border:1px solid #e2e8f0;border-radius:12px}h1{font-size:1.25rem;margin:0 0 .5rem}
code{background:#f1f5f9;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><main><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.body)}</p>${details}
<p>Request id: <code>${escapeHtml(page.requestId)}</code></p></main></body></html>`;
  return new Response(html, {
    status: page.status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}
