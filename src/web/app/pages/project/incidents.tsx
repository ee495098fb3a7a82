// Incidents in words: a playbook condition that could not be evaluated for this project (a
// division by zero, a bad pattern, a fact the client was not given), what waits on it, the values
// it read and the error; CS operations retry once the data or the playbook version is fixed.
import type { Schemas } from "../../../api/client.ts";
import type { Command } from "../../../lib/commands.ts";
import { timeAgo } from "../../../lib/format.ts";

type Incident = Schemas["Incident"];

const WHAT: Record<Incident["kind"], string> = {
  step_condition: "whether this step applies",
  decision: "which way this decision goes",
  rule: "whether this playbook rule applies",
  cadence: "whether this recurring meeting runs",
};

function shown(value: unknown): string {
  if (value === null || value === undefined) return "not given";
  return typeof value === "string" ? `“${value}”` : JSON.stringify(value);
}

/** What waits, in the page's words: the step's title, the rule's or cadence's id as a last resort. */
export function incidentSubject(incident: Incident, stepTitle: (id: string) => string | undefined): string {
  if (incident.step) return stepTitle(incident.step) ?? incident.step;
  if (incident.rule) return `Rule ${incident.rule}`;
  return `Recurring meeting ${incident.cadence ?? ""}`.trim();
}

export function IncidentList(props: {
  readonly incidents: readonly Incident[];
  readonly stepTitle: (id: string) => string | undefined;
  /** A value's name in the page's words (a form field's label), when it has one. */
  readonly valueName?: (path: string) => string | undefined;
  readonly canRetry: boolean;
  /** Runs the retry; its outcome shows at `where` ("issues": beside the incident, not the page's top). */
  readonly act: (command: Command, done?: string, where?: string) => unknown;
}) {
  const open = props.incidents.filter((i) => !i.resolvedAt);
  if (open.length === 0) return null;
  return (
    <ul className="feed" aria-label="Conditions that could not be evaluated">
      {open.map((incident) => (
        <li key={incident.id}>
          <div className="spread">
            <strong>{incidentSubject(incident, props.stepTitle)} is waiting</strong>
            <span className="badge red">Incident</span>
          </div>
          <p>
            The playbook could not work out {WHAT[incident.kind]}: <code>{incident.expression}</code> failed with “{incident.error}”.
          </p>
          {Object.keys(incident.inputs).length > 0 ? (
            <p className="muted">
              It read{" "}
              {Object.entries(incident.inputs)
                .map(([path, value]) => `${props.valueName?.(path) ?? path} = ${shown(value)}`)
                .join(", ")}
              . Fix the data (or move the project to a corrected playbook version), then retry.
            </p>
          ) : null}
          <div className="when">opened {timeAgo(incident.openedAt)}</div>
          {props.canRetry ? (
            <button
              type="button"
              className="small"
              onClick={() => void props.act({ type: "retry_incident", incident: incident.id }, "The condition works again.", "issues")}
            >
              Retry
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
