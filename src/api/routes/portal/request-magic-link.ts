// POST /portal/api/magic-links: email a sign-in link to a client contact. The request only queues
// it (auth/contact-sessions.ts): the answer is the same, and takes as long, whether or not the
// address belongs to a contact. Limited per address of the caller, and per contact
// (MAGIC_LINKS_PER_HOUR, counted when the link is made) so nobody can flood a client's inbox.
import { requestSignInLink } from "../../auth/contact-sessions.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { MagicLinkAccepted, MagicLinkBody } from "./portal.types.ts";

export function requestMagicLink(app: Api, deps: ApiDeps): void {
  app.post(
    "/portal/api/magic-links",
    {
      config: { access: "public", rateLimit: { max: deps.config.magicLinkRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["portal"],
        operationId: "requestMagicLink",
        summary: "Email a client contact a sign-in link",
        body: MagicLinkBody,
        response: { 202: MagicLinkAccepted, ...problemResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await requestSignInLink(deps.db, request.body.email, deps.clock());
      deps.outboxQueued();
      return reply.code(202).send({ sent: true });
    },
  );
}
