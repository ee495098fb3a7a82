// A project's team panel: each internal role of the playbook with who holds it, and a choice of
// everyone in the directory with their current load (open projects, open steps) to assign or
// reassign it. Each change is an ownership transfer in the audit trail, listed below the roles.
import { type FormEvent, useState } from "react";
import { ApiError, api, describeError, type Schemas } from "../../api/client.ts";
import { ErrorNotice, Field, Loading } from "../../components/ui.tsx";
import { formatDateTime, plural } from "../../lib/format.ts";
import { useResource } from "../../lib/use-resource.ts";
import { useSession } from "../session.tsx";

type TeamRole = Schemas["TeamRole"];

function loadText(c: Schemas["TeamCandidate"]): string {
  return `${plural(c.openProjects, "open project")}, ${plural(c.openSteps, "open step")}`;
}

export function ProjectTeam({ projectId, onChanged }: { projectId: string; onChanged?: () => void }) {
  const session = useSession();
  const team = useResource(async (signal) => (await api.get("/projects/{id}/team", { path: { id: projectId }, signal })).data, [projectId]);
  const canAssign = session.can("projects:assign");
  const data = team.data;
  return (
    <section className="card" aria-labelledby="project-team-h" style={{ marginBottom: "1rem" }}>
      <div className="card-header">
        <h2 id="project-team-h">Assign the team</h2>
        <span className="muted small">Load is each person's open projects and open steps today.</span>
      </div>
      <ErrorNotice error={team.error} onRetry={() => void team.reload()} />
      {!data ? (
        <Loading lines={3} label="Loading the team" />
      ) : (
        <>
          {data.roles.some((r) => !r.assignee) ? (
            <p className="notice info inline-notice" style={{ marginBottom: "0.75rem" }}>
              {plural(data.roles.filter((r) => !r.assignee).length, "role")} still without a person: choose someone for each below. Their
              steps and reminders go to whoever holds the role.
            </p>
          ) : null}
          <ul className="team-roles">
            {data.roles.map((role) => (
              <RoleRow
                key={role.role}
                projectId={projectId}
                version={data.version}
                role={role}
                canAssign={canAssign}
                onDone={async () => {
                  await team.reload();
                  onChanged?.();
                }}
              />
            ))}
          </ul>
          <h3 className="team-history-h">Ownership changes</h3>
          {data.transfers.length === 0 ? (
            <p className="muted">Nobody has been assigned yet.</p>
          ) : (
            <ul className="feed">
              {data.transfers.map((t) => (
                <li key={t.seq}>
                  <div>
                    {t.from ? (
                      <>
                        {t.roleTitle}: ownership transferred from <strong>{t.from.name}</strong> to <strong>{t.to.name}</strong>
                      </>
                    ) : (
                      <>
                        <strong>{t.to.name}</strong> assigned as {t.roleTitle}
                      </>
                    )}
                  </div>
                  <div className="when">
                    by {t.by.name} · {formatDateTime(t.at)}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function RoleRow({
  projectId,
  version,
  role,
  canAssign,
  onDone,
}: {
  projectId: string;
  version: number;
  role: TeamRole;
  canAssign: boolean;
  onDone: () => Promise<void>;
}) {
  const [choice, setChoice] = useState(role.assignee?.id ?? "");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string }>();
  const chosen = role.candidates.find((c) => c.id === choice);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setMessage(undefined);
    try {
      await api.put("/projects/{id}/team/{role}", {
        path: { id: projectId, role: role.role },
        headers: { "if-match": `"${version}"` },
        body: { person: chosen.id },
      });
      setMessage({
        tone: "success",
        text: role.assignee ? `${role.title} moved from ${role.assignee.name} to ${chosen.name}.` : `${chosen.name} is now ${role.title}.`,
      });
      await onDone();
    } catch (error) {
      setMessage({
        tone: "error",
        text:
          error instanceof ApiError && error.status === 412
            ? "The project changed meanwhile: the team is reloaded, choose again."
            : describeError(error),
      });
      await onDone();
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="team-role">
      <div className="team-role-head">
        <strong>{role.title}</strong>
        <span className={role.assignee ? "" : "badge amber"}>{role.assignee ? role.assignee.name : "Unassigned"}</span>
      </div>
      {canAssign ? (
        <form className="team-role-form" onSubmit={submit}>
          <Field label={`Person for ${role.title}`}>
            {(p) => (
              <select {...p} value={choice} onChange={(e) => setChoice(e.target.value)}>
                <option value="">Choose a person…</option>
                {role.candidates.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({loadText(c)}){c.canFill ? "" : " · other roles"}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" className="primary small" disabled={busy || !chosen || chosen.id === role.assignee?.id}>
            {busy ? "Saving…" : role.assignee ? "Reassign" : "Assign"}
          </button>
        </form>
      ) : null}
      <div aria-live="polite">
        {message ? (
          <p className={`notice ${message.tone} inline-notice`} role={message.tone === "error" ? "alert" : undefined}>
            {message.text}
          </p>
        ) : null}
      </div>
    </li>
  );
}
