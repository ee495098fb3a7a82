// The upload routes live in their own scope whose body parser hands the handler the request itself,
// unread, for the accepted file types (415 for others): the handler checks who may upload where
// before reading a byte, then streams the body into the file store (data/attachments.ts), which
// enforces the size limit (413) and the type's signature as the bytes arrive.
import type { IncomingMessage } from "node:http";
import { ATTACHMENT_TYPES } from "../../data/attachments.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";

export function registerUploadScope(app: Api, deps: ApiDeps, routes: readonly ((scope: Api, deps: ApiDeps) => void)[]): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(Object.keys(ATTACHMENT_TYPES), (_request: unknown, payload: IncomingMessage, done) => done(null, payload));
    // A refusal sent before the whole file arrived (too large, over quota, not what its type says,
    // not allowed): close the connection after it, as Fastify does for its own body errors, rather
    // than leave the client's remaining bytes unread on a kept-alive connection.
    scope.addHook("onSend", async (request, reply) => {
      if (!request.raw.complete) reply.header("connection", "close");
    });
    for (const route of routes) route(scope as unknown as Api, deps);
  });
}

/** The request's Content-Length, when it sent a valid one. */
export function declaredLength(headers: { readonly "content-length"?: string | undefined }): number | undefined {
  const text = headers["content-length"];
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}
