// GET /playbooks/:id/versions/:version/sop.html: the version's SOP document as standalone HTML
// (document control, procedure, RACI, the process map drawn as inline SVG), for the
// web app's playbook library, which shows it in a sandboxed frame. Read only; rendered on demand
// and kept per content hash (a published version never changes).
import { z } from "zod";
import { contentHashOf, modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { VersionParams } from "./playbook.types.ts";

/** Its own policy: the document's inline styles and nothing else; no scripts (the document has none), nothing from the network, sandboxed. */
const SOP_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; sandbox allow-popups allow-popups-to-escape-sandbox";
const CACHE_SIZE = 20;

export function getPlaybookSop(app: Api, deps: ApiDeps): void {
  const rendered = new Map<string, Promise<string>>();
  app.get(
    "/playbooks/:id/versions/:version/sop.html",
    {
      config: { access: "playbooks:read" },
      schema: {
        tags: ["playbooks"],
        operationId: "getPlaybookSop",
        summary: "The version's SOP document as standalone HTML, with its process map",
        params: VersionParams,
        produces: ["text/html"],
        response: { 200: z.string().describe("A standalone HTML document."), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const { id, version } = request.params;
      const hash = await contentHashOf(deps.db, id, version);
      if (hash === undefined) throw new HttpProblem("not_found", `playbook ${id} version ${version} is not published`);
      let html = rendered.get(hash);
      if (!html) {
        html = modelOf(deps, id, version).then(async (model) => {
          const { renderPlaybook } = await import("../../../render/render.ts");
          return String((await renderPlaybook(model, "html")).output);
        });
        html.catch(() => rendered.delete(hash));
        rendered.set(hash, html);
        if (rendered.size > CACHE_SIZE) rendered.delete(rendered.keys().next().value as string);
      }
      return reply
        .header("content-type", "text/html; charset=utf-8")
        .header("content-security-policy", SOP_CSP)
        .header("x-content-type-options", "nosniff")
        .header("etag", `"${hash}"`)
        .header("cache-control", "private, max-age=300")
        .send(await html);
    },
  );
}
