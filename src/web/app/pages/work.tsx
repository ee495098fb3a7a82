// My work: my tasks across projects, overdue first, completed in one click; sign-offs waiting for me.
import { useState } from "react";
import { all, api, describeError, type Schemas } from "../../api/client.ts";
import { ActionMessage, Empty, ErrorNotice, Loading, PageHeader } from "../../components/ui.tsx";
import { runOnLatest, StaleProject } from "../../lib/commands.ts";
import { dueLabel, formatDateTime, humanize } from "../../lib/format.ts";
import { Link, useTitle } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";

type Task = Schemas["Task"];

function order(a: Task, b: Task): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  return (a.dueAt ?? "9999").localeCompare(b.dueAt ?? "9999");
}

export function MyWork() {
  useTitle("My work", "Onboard");
  const tasks = useResource(
    async (signal) =>
      (await all((cursor) => api.get("/tasks", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal }))).sort(order),
    [],
  );
  const [done, setDone] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState<string>();
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string }>();

  const items = tasks.data ?? [];
  // Gates whose sign-off by one of my roles is still missing (a gate I signed is not waiting for me).
  const approvals = items.filter((t) => t.kind === "step" && t.signOff.length > 0);
  const overdue = items.filter((t) => t.overdue).length;

  const complete = async (task: Task) => {
    setBusy(task.id);
    setMessage(undefined);
    try {
      await runOnLatest(
        task.projectId,
        task.kind === "task" && task.taskId
          ? { type: "complete_task", task: task.taskId }
          : { type: "complete_step", step: task.stepId ?? "" },
      );
      setDone(new Set([...done, task.id]));
      setMessage({ tone: "success", text: `Done: ${task.title} (${task.clientName}).` });
      await tasks.reload();
    } catch (error) {
      setMessage({ tone: "error", text: error instanceof StaleProject ? error.message : `${task.title}: ${describeError(error)}` });
      await tasks.reload();
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <PageHeader
        title="My work"
        subtitle={tasks.data ? `${items.length} open · ${overdue} overdue` : "Your tasks across every onboarding"}
        actions={
          <button type="button" onClick={() => void tasks.reload()} disabled={tasks.loading}>
            Refresh
          </button>
        }
      />
      <ActionMessage message={message} />
      <ErrorNotice error={tasks.error} onRetry={() => void tasks.reload()} />
      <div className="stack">
        {approvals.length > 0 ? (
          <section className="card" aria-labelledby="approvals-h">
            <h2 id="approvals-h">Sign-offs waiting for you</h2>
            <ul className="task-list">
              {approvals.map((t) => (
                <li key={t.id} className="task">
                  <span className="badge amber">Sign-off</span>
                  <div>
                    <div className="task-title">{t.title}</div>
                    <div className="task-meta">
                      {t.clientName} · {dueLabel(t.dueAt)}
                    </div>
                  </div>
                  <Link
                    className="button"
                    to={`/app/projects/${encodeURIComponent(t.projectId)}?step=${encodeURIComponent(t.stepId ?? "")}`}
                  >
                    Review
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <section className="card" aria-labelledby="tasks-h" style={{ padding: 0 }}>
          <div className="card-header" style={{ padding: "1rem 1.25rem 0" }}>
            <h2 id="tasks-h">Tasks</h2>
          </div>
          {tasks.loading && !tasks.data ? (
            <div style={{ padding: "1rem 1.25rem" }}>
              <Loading label="Loading your tasks" />
            </div>
          ) : items.length === 0 ? (
            <Empty title="Nothing is waiting for you">
              <p>Steps you own or are responsible for on a project appear here when they open.</p>
            </Empty>
          ) : (
            <ul className="task-list">
              {items.map((t) => (
                <li key={t.id} className={`task${t.overdue ? " overdue" : ""}${done.has(t.id) ? " done" : ""}`}>
                  <span className={`badge ${t.overdue ? "red" : t.status === "in_progress" ? "blue" : ""}`}>
                    {t.overdue ? "Overdue" : humanize(t.status)}
                  </span>
                  <div>
                    <div className="task-title">{t.title}</div>
                    <div className="task-meta">
                      <Link
                        to={`/app/projects/${encodeURIComponent(t.projectId)}${t.stepId ? `?step=${encodeURIComponent(t.stepId)}` : ""}`}
                      >
                        {t.clientName}
                      </Link>{" "}
                      · as {t.roles.map(humanize).join(", ")} ·{" "}
                      <span style={t.overdue ? { color: "var(--red)", fontWeight: 600 } : undefined}>{dueLabel(t.dueAt)}</span>
                      {t.dueAt ? <span className="hide-phone"> ({formatDateTime(t.dueAt)})</span> : null}
                    </div>
                  </div>
                  <button
                    type="button"
                    className="primary small"
                    onClick={() => void complete(t)}
                    disabled={busy !== undefined || done.has(t.id)}
                    aria-label={`Complete: ${t.title} for ${t.clientName}`}
                  >
                    {busy === t.id ? "Completing…" : "Complete"}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
