// Per request: its id goes back in X-Request-Id, everything the request does runs inside it (so
// the command path finds its id for the outbox rows, and new spans find their parent), it gets a
// span, and its duration is observed under its route pattern (never the raw URL: one series per
// route, not per project id).
import { AsyncResource } from "node:async_hooks";
import type { FastifyRequest } from "fastify";
import { runInRequest } from "../../store/index.ts";
import type { Api } from "../http.ts";
import { REQUEST_ID_HEADER } from "./request-id.ts";
import type { Telemetry } from "./telemetry.ts";
import type { Span } from "./tracing.ts";

interface RequestScope {
  readonly span: Span;
  /** The async context the request started in, re-entered after its body was read. */
  readonly resource: AsyncResource;
}

/** Requests that reach no route are one series. */
const UNMATCHED = "unmatched";

/** Install first, so every later hook and the handler run inside the request. */
export function installRequestTelemetry(app: Api, telemetry: Telemetry): void {
  const scopes = new WeakMap<FastifyRequest, RequestScope>();
  app.addHook("onRequest", (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    const route = request.routeOptions.url ?? UNMATCHED;
    const span = telemetry.tracing.start(`${request.method} ${route}`, {
      "http.request.method": request.method,
      "http.route": route,
      "onboard.request_id": request.id,
    });
    span.inside(() =>
      runInRequest({ requestId: request.id }, () => {
        scopes.set(request, { span, resource: new AsyncResource("onboard.request") });
        done();
      }),
    );
  });
  // Reading the body continues on the socket's events, outside the context entered above.
  app.addHook("preValidation", (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope) scope.resource.runInAsyncScope(done);
    else done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    telemetry.metrics.request(request.routeOptions.url ?? UNMATCHED, request.method, reply.statusCode, reply.elapsedTime / 1000);
    const scope = scopes.get(request);
    if (scope) {
      scope.span.set({ "http.response.status_code": reply.statusCode });
      scope.span.end(reply.statusCode >= 500 ? new Error(`answered ${reply.statusCode}`) : undefined);
      scope.resource.emitDestroy();
    }
    done();
  });
}
