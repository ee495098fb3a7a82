// A project's conversation and files: comments and attachments, each internal unless the person
// chooses, for that one item, that the client sees it in the portal. The choice resets after each
// post; a file uploads only when its Upload button is pressed, after the choice. Sharing is
// reversible (share / make internal), and one's own comment or file can be deleted within 15
// minutes. Every outcome shows next to the item or form it concerns.
import { type FormEvent, useId, useState } from "react";
import { ApiError, api, type Schemas, send } from "../../api/client.ts";
import { Field } from "../../components/ui.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { useResource } from "../../lib/use-resource.ts";
import { useSession } from "../session.tsx";
import { type Outcome, OutcomeNotice } from "./project/feedback.tsx";

const GRACE_MS = 15 * 60_000;
type Visibility = "internal" | "client";

/** What the server said, in words for the person (the technical text behind Details). */
function said(error: unknown, what: "comment" | "file"): { text: string; detail?: string } {
  if (!(error instanceof ApiError)) return { text: "The server could not be reached. Try again.", detail: String(error) };
  const detail = `${error.problem.title} (${error.status}): ${error.problem.detail}`;
  if (error.status === 409 && /within 15 minutes/.test(error.problem.detail))
    return { text: `This ${what} is older than 15 minutes and can no longer be deleted.`, detail };
  if (error.status === 409) return { text: `The client sent this ${what}: it stays shared.`, detail };
  if (error.status === 403) return { text: `Only the person who added this ${what} can delete it.`, detail };
  if (error.status === 404) return { text: `This ${what} is no longer there.`, detail };
  if (error.status === 413) return { text: "The file is too large (10 MB at most), or the client's storage is full.", detail };
  if (error.status === 400 && /content-type/.test(JSON.stringify(error.problem)))
    return { text: "This kind of file is not accepted: send a PDF, image, text, CSV, ZIP or Office document.", detail };
  return { text: "That did not work. Try again; if it keeps failing, open Details.", detail };
}

/** The per-item choice: internal (default) or shared with the client. */
function WhoSees({ value, onChange, legend }: { value: Visibility; onChange: (v: Visibility) => void; legend: string }) {
  const name = useId();
  return (
    <fieldset className="who-sees" style={{ border: 0, padding: 0, margin: "0 0 0.5rem" }}>
      <legend className="small" style={{ fontWeight: 650 }}>
        {legend}
      </legend>
      <label className="check small">
        <input type="radio" name={name} checked={value === "internal"} onChange={() => onChange("internal")} />
        The team only
      </label>
      <label className="check small">
        <input type="radio" name={name} checked={value === "client"} onChange={() => onChange("client")} />
        The team and the client (in the portal)
      </label>
    </fieldset>
  );
}

export function Conversation({ projectId, canWrite }: { projectId: string; canWrite: boolean }) {
  const session = useSession();
  const comments = useResource(
    async (signal) => (await api.get("/projects/{id}/comments", { path: { id: projectId }, signal })).data.items,
    [projectId],
  );
  const files = useResource(
    async (signal) => (await api.get("/projects/{id}/attachments", { path: { id: projectId }, signal })).data.items,
    [projectId],
  );
  const [body, setBody] = useState("");
  const [commentTo, setCommentTo] = useState<Visibility>("internal");
  const [error, setError] = useState<string>();
  const [file, setFile] = useState<File>();
  const [fileTo, setFileTo] = useState<Visibility>("internal");
  const [fileInputKey, setFileInputKey] = useState(0);
  const [uploading, setUploading] = useState(false);
  /** The outcome of the last action, shown by the item or form it concerns ("comment-form", "file-form", or an item's id). */
  const [outcome, setOutcome] = useState<Outcome>();
  const uploadId = useId();

  const post = async (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return setError("Write something first.");
    setError(undefined);
    setOutcome(undefined);
    try {
      await api.post("/projects/{id}/comments", { path: { id: projectId }, body: { body: body.trim(), visibility: commentTo } });
      setBody("");
      setOutcome({
        tone: "success",
        text: commentTo === "client" ? "Posted. The client sees it in the portal." : "Posted for the team only.",
        where: "comment-form",
      });
      // The next comment starts internal again: sharing is chosen for each item.
      setCommentTo("internal");
      await comments.reload();
    } catch (e) {
      if (e instanceof ApiError && e.fieldErrors().body) setError(`Comment: ${e.fieldErrors().body}`);
      else setOutcome({ tone: "error", ...said(e, "comment"), where: "comment-form" });
    }
  };

  const upload = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return setOutcome({ tone: "error", text: "Choose a file first.", where: "file-form" });
    setUploading(true);
    setOutcome(undefined);
    try {
      await send("POST", "/projects/{id}/attachments", {
        path: { id: projectId },
        query: { fileName: file.name, visibility: fileTo },
        raw: file,
      });
      setOutcome({
        tone: "success",
        text: fileTo === "client" ? `${file.name} uploaded. The client sees it in the portal.` : `${file.name} uploaded for the team only.`,
        where: "file-form",
      });
      setFile(undefined);
      setFileTo("internal");
      setFileInputKey((k) => k + 1);
      await files.reload();
    } catch (e) {
      setOutcome({ tone: "error", ...said(e, "file"), where: "file-form" });
    } finally {
      setUploading(false);
    }
  };

  const share = async (kind: "comment" | "file", id: string, visibility: Visibility, name: string) => {
    setOutcome(undefined);
    try {
      if (kind === "comment")
        await api.put("/projects/{id}/comments/{comment}/visibility", { path: { id: projectId, comment: id }, body: { visibility } });
      else
        await api.put("/projects/{id}/attachments/{attachment}/visibility", {
          path: { id: projectId, attachment: id },
          body: { visibility },
        });
      // The notice says it is done once the list shows it done.
      await (kind === "comment" ? comments.reload() : files.reload());
      setOutcome({
        tone: "success",
        text:
          visibility === "client"
            ? `${name} is now shared with the client.`
            : `${name} is now for the team only: the client no longer sees it.`,
        where: id,
      });
    } catch (e) {
      setOutcome({ tone: "error", ...said(e, kind), where: id });
    }
  };

  const remove = async (kind: "comment" | "file", id: string, name: string) => {
    setOutcome(undefined);
    try {
      if (kind === "comment") await api.delete("/projects/{id}/comments/{comment}", { path: { id: projectId, comment: id } });
      else await api.delete("/projects/{id}/attachments/{attachment}", { path: { id: projectId, attachment: id } });
      // Reload first: "deleted" shown while the list still held it read as a delete that did not happen.
      await (kind === "comment" ? comments.reload() : files.reload());
      setOutcome({ tone: "success", text: `${name} deleted.`, where: kind === "comment" ? "comment-form" : "file-form" });
    } catch (e) {
      setOutcome({ tone: "error", ...said(e, kind), where: id });
    }
  };

  const fresh = (createdAt: string) => Date.now() - Date.parse(createdAt) < GRACE_MS;
  const at = (where: string) => (outcome?.where === where ? outcome : undefined);

  return (
    <section className="card" aria-labelledby="conversation-h">
      <h2 id="conversation-h">Conversation and files</h2>
      {(comments.data ?? []).length === 0 ? <p className="muted">No comments yet.</p> : null}
      {(comments.data ?? []).map((c: Schemas["Comment"]) => (
        <div key={c.id} className="comment">
          <div className="small spread">
            <span>
              <strong>{c.author}</strong> <span className="muted">· {formatDateTime(c.createdAt)}</span>
            </span>
            {c.fromClient ? (
              <span className="badge blue">Client</span>
            ) : c.visibility === "client" ? (
              <span className="badge">Shared with client</span>
            ) : (
              <span className="badge">Team only</span>
            )}
          </div>
          <div style={{ whiteSpace: "pre-wrap" }}>{c.body}</div>
          {canWrite && !c.fromClient ? (
            <div className="row small" style={{ marginTop: "0.25rem" }}>
              <button
                type="button"
                className="link small"
                onClick={() => void share("comment", c.id, c.visibility === "client" ? "internal" : "client", "The comment")}
              >
                {c.visibility === "client" ? "Make internal" : "Share with client"}
              </button>
              {c.authorId === session.user.id && fresh(c.createdAt) ? (
                <button type="button" className="link small" onClick={() => void remove("comment", c.id, "Your comment")}>
                  Delete
                </button>
              ) : null}
            </div>
          ) : null}
          <OutcomeNotice outcome={at(c.id)} />
        </div>
      ))}
      {canWrite ? (
        <form onSubmit={post} noValidate style={{ marginTop: "0.75rem" }} aria-label="New comment">
          <Field label="Comment" error={error}>
            {(p) => <textarea {...p} value={body} onChange={(e) => setBody(e.target.value)} />}
          </Field>
          <WhoSees legend="Who sees this comment" value={commentTo} onChange={setCommentTo} />
          <button type="submit" className="primary small">
            {commentTo === "client" ? "Post to the client" : "Post for the team"}
          </button>
          <OutcomeNotice outcome={at("comment-form")} />
        </form>
      ) : null}
      <h3 style={{ marginTop: "1.25rem" }}>Files</h3>
      {(files.data ?? []).length === 0 ? <p className="muted small">No files attached.</p> : null}
      <ul className="feed">
        {(files.data ?? []).map((f) => (
          <li key={f.id}>
            <a href={`/attachments/${encodeURIComponent(f.id)}`} download={f.fileName}>
              {f.fileName}
            </a>{" "}
            <span className="when">
              {Math.max(1, Math.round(f.size / 1024))} KB · {formatDateTime(f.createdAt)} ·{" "}
              {f.uploadedBy.kind === "contact" ? "from the client" : f.visibility === "client" ? "shared with client" : "team only"}
            </span>
            {canWrite && f.uploadedBy.kind === "user" ? (
              <div className="row small">
                <button
                  type="button"
                  className="link small"
                  onClick={() => void share("file", f.id, f.visibility === "client" ? "internal" : "client", f.fileName)}
                >
                  {f.visibility === "client" ? "Make internal" : "Share with client"}
                </button>
                {f.uploadedBy.id === session.user.id && fresh(f.createdAt) ? (
                  <button type="button" className="link small" onClick={() => void remove("file", f.id, f.fileName)}>
                    Delete
                  </button>
                ) : null}
              </div>
            ) : null}
            <OutcomeNotice outcome={at(f.id)} />
          </li>
        ))}
      </ul>
      {canWrite ? (
        <form onSubmit={upload} noValidate style={{ marginTop: "0.5rem" }} aria-label="Attach a file">
          <div className="field">
            <label htmlFor={uploadId}>Attach a file</label>
            <input
              key={fileInputKey}
              id={uploadId}
              type="file"
              disabled={uploading}
              onChange={(e) => {
                setFile(e.target.files?.[0]);
                setOutcome(undefined);
              }}
            />
          </div>
          <WhoSees legend="Who sees this file" value={fileTo} onChange={setFileTo} />
          <button type="submit" className="small" disabled={uploading || !file}>
            {uploading ? "Uploading…" : "Upload"}
          </button>
          <OutcomeNotice outcome={at("file-form")} />
        </form>
      ) : null}
    </section>
  );
}
