// POST /portal/api/magic-links: email a sign-in link to a client contact. The answer is the same
// whether or not the address belongs to a contact. Limited per address of the caller, and per
// contact (MAGIC_LINKS_PER_HOUR) so nobody can flood a client's inbox.
import { issueMagicLinks, MAGIC_LINK_MINUTES } from "../../auth/contact-sessions.ts";
import { getBranding } from "../../data/settings.ts";
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
      const now = deps.clock();
      const links = await issueMagicLinks(deps.db, request.body.email, now);
      const base = deps.config.publicUrl ?? `${request.protocol}://${request.host}`;
      const branding = await getBranding(deps.db);
      for (const link of links) {
        const url = `${base}/portal/sign-in#token=${link.token}`;
        await deps.mailer.send({
          to: [{ name: link.name, address: link.email }],
          subject: `Your sign-in link for ${branding.vendorName}`,
          text:
            `Hello ${link.name},\n\nOpen this link to see your onboarding with ${branding.vendorName}:\n\n${url}\n\n` +
            `It works once, for ${MAGIC_LINK_MINUTES} minutes. If you did not ask for it, ignore this email.\n`,
          html:
            `<p>Hello ${escapeHtml(link.name)},</p><p>Open this link to see your onboarding with ${escapeHtml(branding.vendorName)}:</p>` +
            `<p><a href="${escapeHtml(url)}">Sign in to your onboarding portal</a></p>` +
            `<p>It works once, for ${MAGIC_LINK_MINUTES} minutes. If you did not ask for it, ignore this email.</p>`,
          key: `magic-link:${link.contactId}:${now}`,
        });
      }
      request.log.info({ links: links.length }, "magic links requested");
      return reply.code(202).send({ sent: true });
    },
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
