// POST /webhooks/deals/pipedrive: Pipedrive's deal webhook (v1 "updated.deal"), authenticated by
// the basic auth credentials set on the webhook (Pipedrive does not sign bodies). Pipedrive marks a
// won deal by its status, so a project starts when an update turns status into "won".
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { recordDelivery } from "../../webhooks/deliveries.ts";
import { deliveryRequestId, notConfigured, rawBodyOf, rejectMalformed } from "../../webhooks/scope.ts";
import { verifyBasic } from "../../webhooks/signatures.ts";
import { startsOnStage, startWonDeal, unprocessable } from "../../webhooks/start-deal.ts";
import { DeliveryResult, PipedriveBody, PipedriveHeaders } from "./webhook.types.ts";

const PIPEDRIVE = "pipedrive";

export function pipedriveDealWebhook(app: Api, deps: ApiDeps): void {
  const settings = deps.config.webhooks;
  app.post(
    "/webhooks/deals/pipedrive",
    {
      config: { access: "public", checksOwnBody: true, rateLimit: { max: deps.config.webhookRateLimit, timeWindow: "1 minute" } },
      attachValidation: true,
      schema: {
        tags: ["webhooks"],
        operationId: "pipedriveDealWebhook",
        summary: "Pipedrive deal updates: a deal turning won starts a project once per deal",
        description:
          "Basic auth with PIPEDRIVE_WEBHOOK_USER / PIPEDRIVE_WEBHOOK_PASSWORD (503 while unset or while CRM_DEFAULT_PLAYBOOK " +
          "is unset). 201: the project started; 200: a duplicate, or not a deal turning won (recorded as ignored).",
        headers: PipedriveHeaders,
        body: PipedriveBody,
        response: { 200: DeliveryResult, 201: DeliveryResult, ...problemResponses(401, 422, 503) },
      },
      preValidation: async (request) => {
        const credentials = settings.pipedrive;
        if (credentials === undefined) throw notConfigured("Pipedrive", "PIPEDRIVE_WEBHOOK_USER and PIPEDRIVE_WEBHOOK_PASSWORD");
        if (settings.defaultPlaybook === undefined) throw notConfigured("Pipedrive", "CRM_DEFAULT_PLAYBOOK");
        verifyBasic(credentials, request.headers.authorization);
      },
    },
    async (request, reply) => {
      await rejectMalformed(request, deps, PIPEDRIVE);
      const playbook = settings.defaultPlaybook;
      if (playbook === undefined) throw new HttpProblem("unavailable", "CRM_DEFAULT_PLAYBOOK is not set");
      const { meta, event, current, previous } = request.body;
      const raw = rawBodyOf(request).toString("utf8");
      const requestId = deliveryRequestId(request);
      const object = meta?.object ?? event?.split(".")[1];
      const action = meta?.action ?? event?.split(".")[0];
      const dealId = current && object === "deal" ? String(current.id) : null;
      const ignore = async (reason: string) => {
        const deliveryId = await recordDelivery(
          deps.db,
          { endpoint: PIPEDRIVE, source: PIPEDRIVE, outcome: "ignored", reason, dealId, projectId: null, requestId, body: raw },
          deps.clock(),
        );
        return reply.code(200).send({ deliveryId, outcome: "ignored", dealId, projectId: null, reason });
      };
      if (object !== "deal" || (action !== "updated" && action !== "change")) {
        return ignore(`${event ?? `${action}.${object}`} is not a deal update`);
      }
      if (!current) {
        const problem = unprocessable("/body/current", "a deal update must carry the deal in current");
        await recordDelivery(
          deps.db,
          {
            endpoint: PIPEDRIVE,
            source: PIPEDRIVE,
            outcome: "rejected",
            reason: problem.message,
            dealId,
            projectId: null,
            requestId,
            body: raw,
          },
          deps.clock(),
        );
        throw problem;
      }
      const won = current.status === "won";
      const stage = current.stage_id === undefined ? undefined : String(current.stage_id);
      const stageChanged = stage !== undefined && (previous?.stage_id === undefined || String(previous.stage_id) !== stage);
      // A deal moving into a stage the playbook starts on (starts_on: crm_stages, Pipedrive stage ids) starts it before won.
      const startsEarly = !won && stageChanged && stage !== undefined && (await startsOnStage(deps, playbook, stage));
      if (!won && !startsEarly)
        return ignore(`status "${current.status ?? "(none)"}" is not won${stage ? `, nor stage ${stage} one the playbook starts on` : ""}`);
      if (won && previous?.status === "won") return ignore("the deal was already won before this update");
      const id = String(current.id);
      const result = await startWonDeal(deps, {
        endpoint: PIPEDRIVE,
        requestId,
        body: raw,
        deal: { source: PIPEDRIVE, dealId: id, stage: won ? "won" : (stage ?? ""), amount: current.value ?? 0, won },
        client: {
          id: `pipedrive-deal-${id}`,
          name: (current.org_name || current.title || `Pipedrive deal ${id}`).slice(0, 200),
          timeZone: settings.defaultTimeZone,
        },
        playbook,
        facts: {},
        playbookPointer: "/config/CRM_DEFAULT_PLAYBOOK",
      });
      if ("problem" in result) throw result.problem;
      if (result.projectId) reply.header("location", `/projects/${encodeURIComponent(result.projectId)}`);
      return reply.code(result.outcome === "accepted" ? 201 : 200).send(result);
    },
  );
}
