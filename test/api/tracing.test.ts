// Tracing with OTEL_EXPORTER_OTLP_ENDPOINT: a collector on loopback (a plain HTTP server here)
// receives what the OTLP/HTTP exporter sends, decoded from its JSON encoding: a span per request
// with its route and status, the command as its child, and the outbox delivery with the request's
// id. Without the variable no OpenTelemetry SDK module is even loaded (checked in a child process).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { edited } from "../support/fixtures.ts";
import { startTestServer, type TestServer, testBackends } from "./support/http.ts";
import { FACTS } from "./support/world.ts";

const BACKENDS = await testBackends();
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const ASSIGNED = edited([
  [["id"], "assigned"],
  [["roles", "csm", "assignment"], { strategies: ["least_loaded"] }],
]);

interface OtlpValue {
  readonly stringValue?: string;
  readonly intValue?: number | string;
  readonly boolValue?: boolean;
}
interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes: readonly { readonly key: string; readonly value: OtlpValue }[];
  readonly status?: { readonly code?: number };
}
interface OtlpRequest {
  readonly resourceSpans: readonly {
    readonly resource: { readonly attributes: OtlpSpan["attributes"] };
    readonly scopeSpans: readonly { readonly spans: readonly OtlpSpan[] }[];
  }[];
}

function attribute(span: OtlpSpan, key: string): string | number | boolean | undefined {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (value === undefined) return undefined;
  return value.stringValue ?? (value.intValue === undefined ? value.boolValue : Number(value.intValue));
}

/** An OTLP/HTTP collector: POST /v1/traces with JSON bodies. */
function collector() {
  const requests: OtlpRequest[] = [];
  const contentTypes: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/v1/traces") {
        contentTypes.push(req.headers["content-type"] ?? "");
        requests.push(JSON.parse(body) as OtlpRequest);
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const spans = () => requests.flatMap((r) => r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)));
  return { server, requests, contentTypes, spans };
}

for (const backend of BACKENDS) {
  describe(`tracing (${backend.name})`, { skip: backend.skip }, () => {
    const otlp = collector();
    let t: TestServer;
    before(async () => {
      await new Promise<void>((resolve) => otlp.server.listen(0, "127.0.0.1", resolve));
      const endpoint = `http://127.0.0.1:${(otlp.server.address() as AddressInfo).port}`;
      t = await startTestServer(backend, { OTEL_EXPORTER_OTLP_ENDPOINT: `${endpoint}/`, OTEL_SERVICE_NAME: "onboard-test", OUTBOX: "on" });
    });
    after(async () => {
      await t?.close();
      otlp.server.close();
    });

    test("spans for a request (route, status), its command as a child, and the delivery it queued, sent as OTLP/HTTP JSON", async () => {
      assert.equal((await t.admin.post("/playbooks", { source: ASSIGNED, file: "assigned.yaml" })).status, 201);
      assert.equal((await t.admin.post("/clients", { id: "initech", name: "Initech", timeZone: "UTC" })).status, 201);
      assert.equal((await t.anonymous.get("/projects/nobody-here")).status, 401);
      const started = await t.admin.post(
        "/projects",
        { id: "traced", playbook: { id: "assigned", version: "1.1" }, clientId: "initech", facts: FACTS },
        { "x-request-id": "trace-me-1" },
      );
      assert.equal(started.status, 201);
      // The delivery runs in the background: wait (bounded) until it is recorded, then stop the
      // server, which sends what the exporter still holds.
      for (let i = 0; i < 200; i++) {
        const row = await t.server.database.db.selectFrom("outbox").select("status").where("project_id", "=", "traced").executeTakeFirst();
        if (row?.status === "delivered") break;
        await delay(50);
      }
      await t.server.close();

      assert.ok(otlp.requests.length > 0, "the exporter sent something");
      assert.ok(otlp.contentTypes.every((c) => c.startsWith("application/json")));
      const service = otlp.requests[0]?.resourceSpans[0]?.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue;
      assert.equal(service, "onboard-test");
      const spans = otlp.spans();

      const refused = spans.find((s) => s.name === "GET /projects/:id");
      assert.ok(refused, spans.map((s) => s.name).join(", "));
      assert.equal(attribute(refused, "http.route"), "/projects/:id", "the route pattern, not the URL");
      assert.equal(attribute(refused, "http.response.status_code"), 401);

      const request = spans.find((s) => s.name === "POST /projects" && attribute(s, "onboard.request_id") === "trace-me-1");
      assert.ok(request);
      assert.equal(attribute(request, "http.route"), "/projects");
      assert.equal(attribute(request, "http.request.method"), "POST");
      assert.equal(attribute(request, "http.response.status_code"), 201);

      const command = spans.find((s) => s.name === "command start" && s.parentSpanId === request.spanId);
      assert.ok(command, "the command is a child of its request");
      assert.equal(command.traceId, request.traceId);

      const delivery = spans.find((s) => s.name === "outbox deliver assignment_needed");
      assert.ok(delivery);
      assert.equal(attribute(delivery, "onboard.request_id"), "trace-me-1");
      assert.equal(attribute(delivery, "onboard.project_id"), "traced");
    });
  });
}

describe("without OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  // A child process records every module it resolves, starts a server and stops it.
  const script = (endpoint: string | undefined) => `
    import { registerHooks } from "node:module";
    const loaded = [];
    registerHooks({ resolve(specifier, context, next) {
      const resolved = next(specifier, context);
      if (resolved.url.includes("/@opentelemetry/") && !resolved.url.includes("/@opentelemetry/api/")) loaded.push(resolved.url);
      return resolved;
    } });
    const { parseConfig } = await import("./src/api/config.ts");
    const { startServer } = await import("./src/api/server.ts");
    const { openDatabase } = await import("./src/store/database.ts");
    const database = await openDatabase({ kind: "pglite" });
    const config = parseConfig({ PORT: "0", LOG_LEVEL: "silent", SCHEDULER: "off", OUTBOX: "off", ONBOARD_ADMIN_PASSWORD: "a long enough password"${
      endpoint ? `, OTEL_EXPORTER_OTLP_ENDPOINT: "${endpoint}"` : ""
    } });
    const server = await startServer(config, { database });
    await server.close();
    await database.close();
    process.stdout.write(JSON.stringify(loaded.length));`;
  const loadedModules = (endpoint?: string) => {
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script(endpoint)], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(child.status, 0, child.stderr);
    return Number(child.stdout);
  };

  // prom-client loads @opentelemetry/api itself (for exemplars) wherever it is installed: the API
  // alone records nothing; the SDK, the exporter and their dependencies are what tracing adds.
  test("no OpenTelemetry SDK or exporter module is loaded; with it, they are", () => {
    assert.equal(loadedModules(), 0);
    assert.ok(loadedModules("http://127.0.0.1:9") > 0, "the check sees them when tracing is on");
  });
});
