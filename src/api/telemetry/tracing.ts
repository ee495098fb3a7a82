// Tracing as the server uses it: spans for requests, commands and deliveries, each a child of the
// request span it runs under. Without OTEL_EXPORTER_OTLP_ENDPOINT nothing is recorded and no
// OpenTelemetry module is loaded (otlp-tracing.ts is imported only when tracing is on), so a
// server that does not trace neither pays for them at start nor per request.
import type { ObservabilityConfig } from "../config.ts";

export type SpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Span {
  /** Run `work` (and what it starts) with this span as the parent of new spans. */
  inside<T>(work: () => T): T;
  /** Add attributes before the end (a route's status). */
  set(attributes: SpanAttributes): void;
  /** End the span; an error marks it failed. */
  end(error?: unknown): void;
}

export interface Tracing {
  readonly enabled: boolean;
  /** A span under the current one (the request's, if any). */
  start(name: string, attributes: SpanAttributes): Span;
  /** `work` in a span of its own, ended when it settles. */
  span<T>(name: string, attributes: SpanAttributes, work: () => Promise<T>): Promise<T>;
  /** Send what is buffered and stop. */
  shutdown(): Promise<void>;
}

const NO_SPAN: Span = {
  inside: (work) => work(),
  set: () => {},
  end: () => {},
};

export const NO_TRACING: Tracing = {
  enabled: false,
  start: () => NO_SPAN,
  span: (_name, _attributes, work) => work(),
  shutdown: async () => {},
};

export async function startTracing(config: ObservabilityConfig): Promise<Tracing> {
  if (config.otlpEndpoint === undefined) return NO_TRACING;
  const { otlpTracing } = await import("./otlp-tracing.ts");
  return otlpTracing(config.otlpEndpoint, config.serviceName);
}
