// The outcome of what a person did on the project page, shown next to the control that caused it,
// in the words of the page: step titles, checklist texts, field labels and role titles instead of
// the ids and JSON pointers the server names. The server's own text is one click away ("Details").
import { ApiError } from "../../../api/client.ts";
import { StaleProject } from "../../../lib/commands.ts";

export interface Outcome {
  readonly tone: "error" | "success" | "info";
  readonly text: string;
  /** The server's technical account, behind "Details". */
  readonly detail?: string;
  /** Where it shows: a step id, "header", "conversation" ... */
  readonly where: string;
}

/** How the page names what the server names by id. */
export interface Words {
  step(id: string): string | undefined;
  item(step: string, key: string): string | undefined;
  field(key: string): string | undefined;
  role(id: string): string;
  track(id: string): string;
}

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

function reasonInWords(reason: string, step: string | undefined, words: Words): string {
  let m = /^checklist items not ticked: (.*)$/.exec(reason);
  if (m)
    return `tick the checklist first (${list(m[1] ?? "")
      .map((k) => (step ? (words.item(step, k) ?? "an item") : "an item"))
      .join("; ")})`;
  m = /^form "[^"]*" is missing required fields: (.*)$/.exec(reason);
  if (m)
    return `fill in and save the form first (${list(m[1] ?? "")
      .map((k) => words.field(k) ?? "a required field")
      .join(", ")})`;
  m = /^waiting for sign-off by ([^:]*)(:|$)/.exec(reason);
  if (m)
    return `it waits for the sign-off of ${list(m[1] ?? "")
      .map(words.role)
      .join(" and ")}`;
  m = /^training not passed \(pass mark (\d+)%\): (.*)$/.exec(reason);
  if (m)
    return `record a passed training first (pass mark ${m[1]}%: ${list(m[2] ?? "")
      .map(words.track)
      .join(", ")})`;
  if (/^items still open/.test(reason)) return "finish every item first";
  return "something it needs is missing";
}

/** What went wrong, said for a CSM; `detail` keeps the server's text for "Details". */
export function explain(error: unknown, words: Words, stepId?: string): { text: string; detail?: string } {
  if (error instanceof StaleProject) return { text: error.message };
  if (!(error instanceof ApiError)) {
    const detail = error instanceof Error ? error.message : String(error);
    return { text: "The server could not be reached. Check your connection and try again.", detail };
  }
  const p = error.problem as typeof error.problem & { reasons?: unknown; requestId?: string };
  const detail = `${p.title} (${error.status}): ${p.detail}${p.requestId ? ` · request ${p.requestId}` : ""}`;
  const stepTitle = stepId ? (words.step(stepId) ?? "This step") : "This step";
  const message = p.detail ?? "";
  if (Array.isArray(p.reasons) && p.reasons.length > 0) {
    const why = p.reasons.map((r) => reasonInWords(String(r), stepId, words));
    return { text: `“${stepTitle}” cannot be done yet: ${why.join("; ")}.`, detail };
  }
  if (/^no branch of .* applies yet/.test(message))
    return { text: "None of the answers applies yet: record what the decision is based on (checklist, form, training) first.", detail };
  let m = /the recorded data selects "([^"]*)", not "([^"]*)"/.exec(message);
  if (m) return { text: `The recorded information points to “${m[1]}”, not “${m[2]}”.`, detail };
  m = /^the condition still fails: (.*)$/.exec(message);
  if (m) return { text: `Still failing (${m[1]}): fix the data it reads first, then retry.`, detail };
  m = /^only (\S+) signs/.exec(message);
  if (m) return { text: `Only the ${words.role(m[1] ?? "")} signs this off.`, detail };
  if (/^your roles (do not own|cannot)/.test(message))
    return { text: "Only the people holding this step's roles can do that, and you hold none of them on this project.", detail };
  if (/^only the accountable role or CS operations/.test(message))
    return { text: "Only the step's accountable person or CS operations can do that.", detail };
  if (/needs a comment/.test(message)) return { text: "Say what has to change: a rejection needs a comment.", detail };
  if (error.status === 403) return { text: "You are not allowed to do that here.", detail };
  if (error.status === 404) return { text: "That is no longer there: the page now shows the latest state.", detail };
  const fields = error.fieldErrors();
  const named = Object.entries(fields).map(([key, text]) => `${words.field(key) ?? "A value"}: ${text}`);
  if (named.length > 0) return { text: `Check ${named.join("; ")}.`, detail };
  if (error.status === 409 || error.status === 422) {
    // The engine's state refusals: name steps by their titles, never by id.
    const said = message
      .replace(/step "([^"]+)"/g, (_all, id: string) => `“${words.step(id) ?? "this step"}”`)
      .replace(/"([^"]+)"/g, "“$1”");
    return { text: `That is not possible right now: ${said}.`, detail };
  }
  return { text: "That did not work. Try again; if it keeps failing, open Details and pass them on to your administrator.", detail };
}

export function OutcomeNotice({ outcome }: { outcome: Outcome | undefined }) {
  return (
    <div aria-live="polite">
      {outcome ? (
        <div className={`notice ${outcome.tone}`} role={outcome.tone === "error" ? "alert" : "status"} style={{ margin: "0.5rem 0" }}>
          {outcome.text}
          {outcome.detail ? (
            <details className="small" style={{ marginTop: "0.35rem" }}>
              <summary>Details</summary>
              <span className="muted" style={{ overflowWrap: "anywhere" }}>
                {outcome.detail}
              </span>
            </details>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
