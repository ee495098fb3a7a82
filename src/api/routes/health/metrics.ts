// GET /metrics: the server's Prometheus metrics (src/api/telemetry/metrics.ts). Not public: with
// METRICS_TOKEN set it asks for that bearer token; without, it answers only callers on this
// machine's loopback that no proxy forwarded (behind a proxy every caller would look local).
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { unauthenticated } from "../../auth/authenticate.ts";
import { digest, sameSecret } from "../../auth/secrets.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";

function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.replace(/^::ffff:/i, "");
  return plain === "::1" || /^127\.\d+\.\d+\.\d+$/.test(plain);
}

/** Why this request may not read the metrics; undefined: it may. */
export function metricsRefusal(request: FastifyRequest, deps: ApiDeps): HttpProblem | undefined {
  const token = deps.config.observability.metricsToken;
  if (token !== undefined) {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "")?.[1];
    if (given === undefined) return unauthenticated("GET /metrics needs this server's METRICS_TOKEN: send Authorization: Bearer <token>");
    // Digests are compared, so neither the token's length nor its bytes leak through timing.
    return sameSecret(digest(given), digest(token)) ? undefined : unauthenticated("the bearer token is not this server's METRICS_TOKEN");
  }
  if (deps.config.trustProxy)
    return new HttpProblem(
      "forbidden",
      "GET /metrics needs METRICS_TOKEN behind a proxy (TRUST_PROXY=on): every caller would look local; set METRICS_TOKEN and scrape with it",
    );
  if (
    !isLoopbackAddress(request.socket.remoteAddress) ||
    request.headers.forwarded !== undefined ||
    request.headers["x-forwarded-for"] !== undefined
  )
    return new HttpProblem(
      "forbidden",
      "GET /metrics answers only callers on this machine (loopback) while METRICS_TOKEN is unset: set METRICS_TOKEN to scrape from elsewhere",
    );
  return undefined;
}

export function metrics(app: Api, deps: ApiDeps): void {
  app.get(
    "/metrics",
    {
      // The route checks its own credential (METRICS_TOKEN, or loopback): no account has it.
      config: { access: "public" },
      schema: {
        tags: ["health"],
        operationId: "metrics",
        summary: "Prometheus metrics (METRICS_TOKEN as a bearer token; without it, loopback callers only)",
        response: { 200: z.string().describe("The Prometheus text exposition format."), ...problemResponses(401, 403, 503) },
      },
    },
    async (request, reply) => {
      const refusal = metricsRefusal(request, deps);
      if (refusal) throw refusal;
      const text = await deps.telemetry.metrics.exposition();
      return reply.header("content-type", deps.telemetry.metrics.contentType).header("cache-control", "no-store").send(text);
    },
  );
}
