// What a server observes itself with: its metrics registry and its tracer, made once at start and
// handed to the app, the command path, the scheduler and the dispatchers.
import type { Database } from "../../store/index.ts";
import type { ObservabilityConfig } from "../config.ts";
import { Metrics } from "./metrics.ts";
import { startTracing, type Tracing } from "./tracing.ts";

export interface Telemetry {
  readonly metrics: Metrics;
  readonly tracing: Tracing;
}

export async function startTelemetry(config: ObservabilityConfig, database: Database): Promise<Telemetry> {
  return { metrics: new Metrics(database), tracing: await startTracing(config) };
}
