// GET /schema/playbook.schema.json: the playbook language's JSON Schema for editors (a
// `# yaml-language-server: $schema=<server>/schema/playbook.schema.json` line) and CI. Public: it
// describes the language, not anyone's data. The same bytes `onboard schema` writes; they change
// only with a release, so caches may keep them an hour and revalidate with the ETag.
import { createHash } from "node:crypto";
import { z } from "zod";
import { PLAYBOOK_SCHEMA_PATH, playbookJsonSchema } from "../../../playbook/schema.ts";
import type { Api } from "../../http.ts";

export function getPlaybookSchema(app: Api): void {
  const text = `${JSON.stringify(playbookJsonSchema(), null, 2)}\n`;
  const etag = `"${createHash("sha256").update(text).digest("base64url").slice(0, 27)}"`;
  app.get(
    PLAYBOOK_SCHEMA_PATH,
    {
      config: { access: "public" },
      schema: {
        tags: ["playbooks"],
        operationId: "getPlaybookSchema",
        summary: "The playbook language's JSON Schema (for editors); public, cacheable, with an ETag",
        response: {
          200: z.record(z.string(), z.unknown()).describe("A JSON Schema (draft 2020-12) whose $id is this path."),
          304: z.null().describe("Not modified: the If-None-Match ETag is current."),
        },
      },
    },
    async (request, reply) => {
      reply.header("etag", etag).header("cache-control", "public, max-age=3600, must-revalidate");
      const known = request.headers["if-none-match"]?.split(",").map((tag) => tag.trim().replace(/^W\//, ""));
      if (known?.includes(etag) || known?.includes("*")) return reply.code(304).send(null);
      // Already serialized (the same text `onboard schema` writes): a JSON content type with a string
      // payload is sent as it is.
      return reply.type("application/schema+json; charset=utf-8").send(text as unknown as Record<string, unknown>);
    },
  );
}
