// Telemetry of the work that happens outside request handlers' own code: each command (counted
// and traced, under the request that sent it), each outbox delivery (traced, counted by kind and
// outcome, and logged with the id of the request whose command queued it).
import type { FastifyBaseLogger } from "fastify";
import type { CommandObserver, DeliveryAttempt, EffectHandler, EffectHandlers, OutboxEffect } from "../../store/index.ts";
import type { Metrics } from "./metrics.ts";
import type { Telemetry } from "./telemetry.ts";
import type { Tracing } from "./tracing.ts";

export function commandObserver({ metrics, tracing }: Telemetry): CommandObserver {
  return async (command, execute) => {
    try {
      const result = await tracing.span(`command ${command}`, { "onboard.command": command }, execute);
      // A replay committed nothing new.
      if (!result.replayed) metrics.command(command, result.events.length);
      return result;
    } catch (error) {
      metrics.commandFailed(command);
      throw error;
    }
  };
}

/** Each handler's work in a span of its own (a delivery runs long after its request's trace ended). */
export function tracedHandlers(handlers: EffectHandlers, tracing: Tracing): EffectHandlers {
  if (!tracing.enabled) return handlers;
  const traced: Record<string, EffectHandler<OutboxEffect["kind"]>> = {};
  for (const [kind, handler] of Object.entries(handlers) as [string, EffectHandler<OutboxEffect["kind"]>][])
    traced[kind] = (effect, delivery) =>
      tracing.span(
        `outbox deliver ${kind}`,
        {
          "onboard.effect_kind": kind,
          "onboard.delivery_key": delivery.key,
          "onboard.attempt": delivery.attempt,
          "onboard.request_id": delivery.requestId,
          "onboard.project_id": delivery.projectId,
        },
        () => handler(effect, delivery),
      );
  return traced as EffectHandlers;
}

/** Count and log every outbox attempt; `reqId` is the key request log lines use, so one search finds both. */
export function deliveryObserver(log: FastifyBaseLogger, metrics: Metrics): (attempt: DeliveryAttempt) => void {
  return (attempt) => {
    metrics.delivered(attempt);
    const fields = {
      reqId: attempt.requestId,
      kind: attempt.kind,
      deliveryKey: attempt.key,
      projectId: attempt.projectId,
      attempt: attempt.attempt,
      outcome: attempt.outcome,
    };
    if (attempt.outcome === "delivered") log.info(fields, `outbox delivery ${attempt.kind}`);
    else log.warn({ ...fields, error: attempt.error }, `outbox delivery ${attempt.kind} ${attempt.outcome}`);
  };
}
