// Tracing through OpenTelemetry, exported as OTLP/HTTP (JSON) to <endpoint>/v1/traces in batches.
// Loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set (tracing.ts). No global provider or context
// manager is registered: several servers may run in one process (tests), so the parent of a span
// is this module's own AsyncLocalStorage, and each server has its own provider.
import { AsyncLocalStorage } from "node:async_hooks";
import { type Attributes, type Span as OtelSpan, ROOT_CONTEXT, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { Span, SpanAttributes, Tracing } from "./tracing.ts";

function attributesOf(attributes: SpanAttributes): Attributes {
  const defined: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) defined[key] = value;
  return defined;
}

export function otlpTracing(endpoint: string, serviceName: string): Tracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }) })],
  });
  const tracer = provider.getTracer("onboard");
  const current = new AsyncLocalStorage<OtelSpan>();

  const start = (name: string, attributes: SpanAttributes): Span => {
    const parent = current.getStore();
    const span = tracer.startSpan(
      name,
      { attributes: attributesOf(attributes) },
      parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT,
    );
    return {
      inside: (work) => current.run(span, work),
      set: (more) => span.setAttributes(attributesOf(more)),
      end: (error) => {
        if (error !== undefined) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          if (error instanceof Error) span.recordException(error);
        }
        span.end();
      },
    };
  };

  return {
    enabled: true,
    start,
    async span(name, attributes, work) {
      const span = start(name, attributes);
      try {
        const result = await span.inside(work);
        span.end();
        return result;
      } catch (error) {
        span.end(error);
        throw error;
      }
    },
    shutdown: () => provider.shutdown(),
  };
}
