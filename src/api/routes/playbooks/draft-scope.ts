// POST /playbooks/drafts lives in its own scope: its body is the imported file itself (BPMN XML,
// Markdown or a Word document), read as bytes up to a limit of its own, larger than JSON's.
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";

export const DRAFT_TYPES: readonly string[] = [
  "application/xml",
  "text/xml",
  "application/bpmn+xml",
  "text/markdown",
  "text/x-markdown",
  "text/plain",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/octet-stream",
];

export const DRAFT_BODY_LIMIT = 10 * 1024 * 1024;

export function registerDraftScope(app: Api, deps: ApiDeps, routes: readonly ((scope: Api, deps: ApiDeps) => void)[]): void {
  app.register(async (scope) => {
    scope.addContentTypeParser([...DRAFT_TYPES], { parseAs: "buffer", bodyLimit: DRAFT_BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    for (const route of routes) route(scope as unknown as Api, deps);
  });
}
