// The upload routes live in their own scope whose body parser takes the accepted file types as
// raw bytes, up to the size limit (413 beyond it; 415 for other types).
import { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES } from "../../data/attachments.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";

export function registerUploadScope(app: Api, deps: ApiDeps, routes: readonly ((scope: Api, deps: ApiDeps) => void)[]): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(
      Object.keys(ATTACHMENT_TYPES),
      { parseAs: "buffer", bodyLimit: MAX_ATTACHMENT_BYTES },
      (_request, body, done) => done(null, body),
    );
    for (const route of routes) route(scope as unknown as Api, deps);
  });
}
