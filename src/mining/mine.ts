// The insights of one playbook's projects, read from the event log a batch of projects at a time
// (source.ts) and added up as they come (insights.ts): memory holds the totals, never the log.
// Each project is replayed against its own playbook version; titles, phases and the order of the
// report come from the latest version.
import type { Kysely } from "kysely";
import type { Instant } from "../engine/types.ts";
import { latestPlaybook } from "../metrics/projection.ts";
import type { Schema } from "../store/schema.ts";
import { type Insights, InsightsBuilder } from "./insights.ts";
import { casesOf, type LogFilter } from "./source.ts";
import { traceOf } from "./trace.ts";

/** Undefined when the playbook is unknown. */
export async function mineInsights(
  db: Kysely<Schema>,
  filter: LogFilter & { readonly playbook: string },
  now: Instant,
): Promise<Insights | undefined> {
  const latest = await latestPlaybook(db, filter.playbook);
  if (!latest) return undefined;
  const builder = new InsightsBuilder(latest);
  for await (const c of casesOf(db, filter)) builder.add(traceOf(c, now));
  return builder.result();
}
