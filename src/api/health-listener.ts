// A worker's window for its operator: GET /metrics and the health probes on a port of their own,
// and nothing else (a worker has no API). Each request goes through the server's own routes
// (app.inject), so the metrics' access rules (METRICS_TOKEN, or loopback) and the readiness checks
// are the same as on `onboard serve`; the caller's address is passed on for the loopback check.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Api } from "./http.ts";

const PATHS = new Set(["/metrics", "/health/live", "/health/ready"]);

export interface HealthListener {
  readonly url: string;
  close(): Promise<void>;
}

async function answer(app: Api, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? "/").split("?")[0] ?? "/";
  if (request.method !== "GET" || !PATHS.has(path)) {
    response.writeHead(404, { "content-type": "application/problem+json" });
    response.end(
      JSON.stringify({
        type: "about:blank",
        title: "Not Found",
        status: 404,
        detail: `a worker answers only GET ${[...PATHS].join(", ")}: the API is on the servers (onboard serve)`,
      }),
    );
    return;
  }
  const injected = await app.inject({
    method: "GET",
    url: request.url ?? path,
    headers: request.headers,
    remoteAddress: request.socket.remoteAddress ?? "",
  });
  const headers = Object.fromEntries(
    Object.entries(injected.headers).filter(([name]) => !["connection", "transfer-encoding", "keep-alive"].includes(name)),
  );
  response.writeHead(injected.statusCode, headers as Record<string, string | string[]>);
  response.end(injected.rawPayload);
}

export async function listenForHealth(app: Api, host: string, port: number): Promise<HealthListener> {
  const server: Server = createServer((request, response) => {
    answer(app, request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
