// The web app, served from the same port as the API: the team's app under /app/, the client portal
// under /portal/, their hashed bundles under /assets/ (cached for a year: a new build has new names),
// and "/" sends a browser to /app/. Client-side routes fall back to their entry's index.html; the
// JSON API keeps the root (and /portal/api/), so an unknown API path stays a problem+json 404.
// The bundle is built by `npm run build:web` (run by `npm ci` through the prepare script) into
// dist/web; without it the pages say how to build it instead of failing obscurely.
import { existsSync, statSync } from "node:fs";
import { join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyReply } from "fastify";
import type { Api } from "./http.ts";
import { HttpProblem } from "./problems.ts";

export const WEB_ROOT = fileURLToPath(new URL("../../dist/web/", import.meta.url));

/** The pages' policy: our own scripts only; inline style attributes (React) and images from anywhere (a client's logo). */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join("; ");

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Onboard: web app not built</title>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5">
<h1>The web app is not built</h1><p>Run <code>npm run build:web</code> (or <code>npm ci</code>, which builds it) and reload.
The API is running: see <a href="/docs">/docs</a>.</p></body></html>`;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A file under the entry's folder, or undefined (also for paths that try to leave it). */
function fileUnder(folder: string, rest: string): string | undefined {
  if (rest === "" || rest.endsWith("/")) return undefined;
  const path = normalize(join(folder, decodeURIComponent(rest)));
  if (!path.startsWith(folder + sep)) return undefined;
  return isFile(path) ? path : undefined;
}

function sendIndex(reply: FastifyReply, entry: "app" | "portal", root: string) {
  const index = join(root, entry, "index.html");
  reply.header("content-security-policy", CSP).header("x-content-type-options", "nosniff").header("referrer-policy", "same-origin");
  if (!existsSync(index)) return reply.code(503).type("text/html; charset=utf-8").send(NOT_BUILT);
  return reply.header("cache-control", "no-cache").sendFile(`${entry}/index.html`, root, { cacheControl: false });
}

export async function registerStatic(app: Api, webRoot: string = WEB_ROOT): Promise<void> {
  const root = webRoot.endsWith(sep) ? webRoot : webRoot + sep;
  await app.register(fastifyStatic, { root, serve: false });
  const page = { config: { access: "public" as const }, schema: { hide: true } };

  app.get("/", page, async (_request, reply) => reply.redirect("/app/", 302));

  for (const entry of ["app", "portal"] as const) {
    const folder = join(root, entry);
    app.get(`/${entry}`, page, async (_request, reply) => reply.redirect(`/${entry}/`, 301));
    app.get(`/${entry}/*`, page, async (request, reply) => {
      const rest = (request.params as { "*": string })["*"];
      // The portal's JSON API lives beside its pages: a path there that no route took is an API 404.
      if (entry === "portal" && (rest === "api" || rest.startsWith("api/"))) {
        throw new HttpProblem("route_not_found", `no route ${request.method} ${request.url.split("?")[0]}`);
      }
      const file = fileUnder(folder, rest.split("?")[0] ?? "");
      if (file) return reply.header("cache-control", "no-cache").sendFile(file.slice(root.length), root, { cacheControl: false });
      return sendIndex(reply, entry, root);
    });
  }

  app.get("/assets/*", page, async (request, reply) => {
    const rest = (request.params as { "*": string })["*"];
    const file = fileUnder(join(root, "assets"), rest);
    if (!file) throw new HttpProblem("not_found", `no asset ${rest}`);
    return reply.sendFile(file.slice(root.length), root, { maxAge: 365 * 86_400_000, immutable: true });
  });
}
