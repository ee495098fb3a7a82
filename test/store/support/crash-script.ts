// The crash test's script: a playbook with a critical-issue escalation timer that repeats every
// 4 hours, and a fixed sequence of commands (issues opened and resolved, ticks every hour) whose
// outcome without any crash is known from the pure engine.
import { type Actor, type Command, execute, SYSTEM, startProject } from "../../../src/engine/index.ts";
import { loadPlaybook } from "../../../src/playbook/load.ts";
import { MINIMAL } from "../../support/fixtures.ts";

export const CRASH_PROJECT = "crash-project";
const T0 = Date.parse("2026-03-02T14:00:00.000Z");
const CSM: Actor = { id: "csm-1", kind: "user", roles: ["csm"] };

export function crashPlaybook(): string {
  return MINIMAL.replace(
    "rules:\n",
    `rules:
  - id: critical
    title: Critical issue unresolved > 2h
    category: escalation
    on: issue.opened
    when: event.severity == "critical"
    after: 2h
    until: issue.resolved
    repeat_every: 4h
    actions:
      - escalate: { to: ae, reason: critical issue open }
`,
  );
}

export function crashStart() {
  return {
    now: new Date(T0).toISOString(),
    input: {
      projectId: CRASH_PROJECT,
      client: { id: "crash-client", name: "Initech", timeZone: "America/New_York", country: "US" },
      facts: { user_count: 10, data_migration: false },
    },
  };
}

/** The script, with the ids the engine mints for each issue found by running it once, purely. */
export function crashScript(): { command: Command; actor: Actor; now: string }[] {
  const model = loadPlaybook("crash.yaml", crashPlaybook()).model;
  if (!model) throw new Error("the crash playbook does not load");
  const start = startProject(model, crashStart().input, crashStart().now);
  let state = start.state;
  const script: { command: Command; actor: Actor; now: string }[] = [];
  const send = (command: Command, actor: Actor, now: string) => {
    const out = execute(start.ctx, state, command, actor, now);
    state = out.state;
    script.push({ command, actor, now });
    return out.events;
  };
  let open: string | undefined;
  for (let hour = 1; hour <= 60; hour++) {
    const now = new Date(T0 + hour * 3_600_000).toISOString();
    if (hour % 10 === 1) {
      const opened = send({ type: "open_issue", severity: "critical", title: `Outage ${hour}` }, CSM, now).find(
        (e) => e.type === "issue.opened",
      );
      open = opened?.type === "issue.opened" ? opened.issue.id : undefined;
    } else if (hour % 10 === 8 && open) {
      send({ type: "resolve_issue", issue: open }, CSM, now);
    }
    send({ type: "tick" }, SYSTEM, now);
  }
  return script;
}
