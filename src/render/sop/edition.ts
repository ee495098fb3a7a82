// Which edition of the SOP is being rendered: the generic procedure (parameters at their
// defaults, every conditional part shown with its condition), or one client's edition (its
// parameters and facts, conditional parts resolved, dates on its business calendar).
import type { Playbook } from "../../playbook/schema.ts";
import type { PlaceholderValue } from "../placeholders.ts";

export interface PlannedDates {
  readonly opensAt?: string;
  readonly dueAt?: string;
  readonly targetAt?: string;
}

export interface ClientInfo {
  readonly name: string;
  readonly timeZone: string;
  readonly country?: string;
  readonly region?: string;
  /** The planned start of the onboarding, YYYY-MM-DD. */
  readonly start: string;
}

export interface Edition {
  readonly client?: ClientInfo;
  /** Values for `{{placeholders}}`: parameters, and for a client its name, facts and planned dates. */
  readonly values: Readonly<Record<string, PlaceholderValue | undefined>>;
  /** Resolves a CEL condition for this client; undefined in the generic edition (shown as a condition). */
  readonly holds?: (condition: string) => boolean;
  /** Steps that do not apply to this client. */
  readonly excludedSteps: ReadonlySet<string>;
  /** Planned instants per step (ISO), computed by the engine on the client's business calendar. */
  readonly schedule?: ReadonlyMap<string, PlannedDates>;
  /** Planned phase windows as local dates (YYYY-MM-DD). */
  readonly phaseDates?: ReadonlyMap<string, { readonly from: string; readonly to?: string }>;
  readonly plannedGoLive?: string;
  readonly plannedCompletion?: string;
}

/** The generic edition: parameter defaults, nothing resolved. */
export function genericEdition(playbook: Playbook): Edition {
  const values: Record<string, PlaceholderValue> = {};
  for (const [id, parameter] of Object.entries(playbook.parameters)) {
    if (parameter.default !== undefined) values[id] = parameter.default;
  }
  return { values, excludedSteps: new Set() };
}
