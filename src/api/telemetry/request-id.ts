// Every request's id: the caller's X-Request-Id when it is a plain token (a proxy's or a client's
// id, so their logs and ours join up), else a new UUID. Anything else is replaced rather than
// trusted: the id lands in every log line, the outbox and outbound webhooks' headers.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const REQUEST_ID_HEADER = "x-request-id";

const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}$/;

export function requestIdOf(request: Pick<IncomingMessage, "headers">): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === "string" && WELL_FORMED.test(given) ? given : randomUUID();
}
