// The Fastify application: zod schemas for validation and the OpenAPI 3.1 document, problem+json
// for every failure, cookies, the login rate limit, the authorization checks, then the endpoints.
import { readFileSync } from "node:fs";
import fastifyCookie from "@fastify/cookie";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { SESSION_COOKIE } from "./auth/authenticate.ts";
import { installAuthorization, type RouteRule } from "./auth/authorization.ts";
import { YAML_TYPES } from "./content-types.ts";
import type { ApiDeps } from "./deps.ts";
import type { Api } from "./http.ts";
import { clientErrorResponse, HttpProblem, problemHandler } from "./problems.ts";
import { registerRoutes } from "./routes/index.ts";
import { registerStatic } from "./static.ts";
import { installRequestTelemetry } from "./telemetry/http-hooks.ts";
import { requestIdOf } from "./telemetry/request-id.ts";
import { decodeBody, installWellFormedChecks } from "./well-formed.ts";

const PACKAGE = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

export interface BuiltApp {
  readonly app: Api;
  /** Every route as Fastify registered it, with its access rule. */
  readonly routes: readonly RouteRule[];
}

/** A survey link's token is its credential and travels in the path: logs keep the route, not the token. */
export function redactUrlForLog(url: string): string {
  return url.replace(/^(\/surveys\/)[^/?#]+/, "$1[redacted]");
}

function requestForLog(request: { method: string; url: string; hostname?: string; ip?: string }) {
  return { method: request.method, url: redactUrlForLog(request.url), host: request.hostname, remoteAddress: request.ip };
}

export interface AppOptions {
  /** Where the JSON log lines go instead of standard output (tests read them). */
  readonly logStream?: { write(line: string): void };
}

export async function buildApp(deps: ApiDeps, options: AppOptions = {}): Promise<BuiltApp> {
  const { config } = deps;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      serializers: { req: requestForLog },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    trustProxy: config.trustProxy,
    exposeHeadRoutes: false,
    bodyLimit: 2 * 1024 * 1024,
    // Keep-alive connections that sit idle are closed at shutdown; requests in flight finish.
    forceCloseConnections: "idle",
    return503OnClosing: true,
    // Fastify would take X-Request-Id as it comes; requestIdOf keeps only a well-formed one.
    requestIdHeader: false,
    genReqId: requestIdOf,
    // A URL the router cannot decode ('%FF') is a problem+json 400 like every other refusal.
    frameworkErrors: (error, request, reply) => problemHandler(error, request, reply),
    // So is a request Node's HTTP parser refuses (a NUL in a header, oversized headers).
    clientErrorHandler: (error, socket) => {
      if ((error as { code?: string }).code === "ECONNRESET" || socket.destroyed) return;
      if (socket.writable) socket.write(clientErrorResponse(error as { code?: string }));
      socket.destroy(error);
    },
  }).withTypeProvider<ZodTypeProvider>();

  installRequestTelemetry(app, deps.telemetry);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemHandler);
  app.setNotFoundHandler((request, reply) =>
    problemHandler(new HttpProblem("route_not_found", `no route ${request.method} ${request.url.split("?")[0]}`), request, reply),
  );
  // JSON and YAML are decoded strictly as UTF-8: bytes that are not are a 400, not U+FFFD in the data.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    const text = decodeBody(body as Buffer);
    if (typeof text === "string") parseJson(request, text, done);
    else done(text, undefined);
  });
  app.addContentTypeParser(YAML_TYPES, { parseAs: "buffer" }, (_request, body, done) => {
    const text = decodeBody(body as Buffer);
    if (typeof text === "string") done(null, { source: text });
    else done(text, undefined);
  });

  await app.register(fastifyCookie);
  // Before authentication reads a cookie or a handler a field: no NUL, no lone surrogate, no abyss.
  installWellFormedChecks(app);
  await app.register(fastifyRateLimit, {
    global: false,
    // The limiter's refusal goes through the problem+json error handler like every other error.
    errorResponseBuilder: (_request, context) =>
      Object.assign(new HttpProblem("rate_limited", `too many attempts: try again in ${context.after}`), { statusCode: 429 }),
  });
  const routes = installAuthorization(app, deps);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Onboard API",
        version: PACKAGE.version,
        description:
          "Client onboarding where the playbook is the SOP. Errors are RFC 9457 problem+json. Lists are paginated with opaque " +
          "cursors. Commands on a project need If-Match with its ETag. POSTs that create something honour Idempotency-Key.",
      },
      components: {
        securitySchemes: {
          session: {
            type: "apiKey",
            in: "cookie",
            name: SESSION_COOKIE,
            description: "Set by POST /auth/login. Writes also need the X-CSRF-Token header.",
          },
          token: { type: "http", scheme: "bearer", description: "An API token (onb_...) from POST /tokens." },
          portal: {
            type: "apiKey",
            in: "cookie",
            name: "onboard_portal",
            description: "A client contact's portal session, set by POST /portal/api/sessions. Writes also need X-CSRF-Token.",
          },
        },
      },
      tags: [
        { name: "health", description: "Liveness and readiness" },
        { name: "auth", description: "Sign in and out, the current account" },
        { name: "tokens", description: "API tokens for scripts" },
        { name: "users", description: "The team's accounts and their access roles" },
        { name: "people", description: "The assignment directory" },
        { name: "playbooks", description: "Playbook versions: built in and uploaded" },
        { name: "clients", description: "Clients" },
        { name: "projects", description: "Onboarding projects, their commands, timeline and audit trail" },
        { name: "audit", description: "Signed checkpoints of the global audit log" },
        { name: "tasks", description: "My tasks across projects" },
        { name: "portal", description: "The client portal: a contact's magic-link sign-in and their own company's onboarding" },
        { name: "webhooks", description: "Deals from the CRMs in; Onboard's events out (Standard Webhooks)" },
        { name: "settings", description: "Instance settings such as the portal's branding" },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });

  registerRoutes(app, deps);
  await registerStatic(app);
  app.get(
    "/openapi.json",
    {
      config: { access: "public" },
      schema: { tags: ["health"], summary: "This API's OpenAPI 3.1 document", operationId: "getOpenApi" },
    },
    async () => app.swagger(),
  );

  await app.ready();
  return { app, routes };
}
