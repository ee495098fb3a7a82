// A project's conversation and files: comments (internal, or shared with the client in the portal)
// and attachments, uploaded as the file itself and downloaded through the API.
import { type FormEvent, useState } from "react";
import { ApiError, api, describeError, send } from "../../api/client.ts";
import { Field } from "../../components/ui.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { useResource } from "../../lib/use-resource.ts";

export function Conversation({ projectId, canWrite }: { projectId: string; canWrite: boolean }) {
  const comments = useResource(
    async (signal) => (await api.get("/projects/{id}/comments", { path: { id: projectId }, signal })).data.items,
    [projectId],
  );
  const files = useResource(
    async (signal) => (await api.get("/projects/{id}/attachments", { path: { id: projectId }, signal })).data.items,
    [projectId],
  );
  const [body, setBody] = useState("");
  const [shared, setShared] = useState(false);
  const [error, setError] = useState<string>();
  const [fileError, setFileError] = useState<string>();
  const [uploading, setUploading] = useState(false);

  const post = async (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return setError("Write something first.");
    setError(undefined);
    try {
      await api.post("/projects/{id}/comments", {
        path: { id: projectId },
        body: { body: body.trim(), visibility: shared ? "client" : "internal" },
      });
      setBody("");
      await comments.reload();
    } catch (e) {
      setError(e instanceof ApiError ? (e.fieldErrors().body ?? describeError(e)) : describeError(e));
    }
  };

  const upload = async (file: File | undefined) => {
    if (!file) return;
    setUploading(true);
    setFileError(undefined);
    try {
      await send("POST", "/projects/{id}/attachments", {
        path: { id: projectId },
        query: { fileName: file.name, visibility: shared ? "client" : "internal" },
        raw: file,
      });
      await files.reload();
    } catch (e) {
      setFileError(describeError(e));
    } finally {
      setUploading(false);
    }
  };

  return (
    <section className="card" aria-labelledby="conversation-h">
      <h2 id="conversation-h">Conversation and files</h2>
      {(comments.data ?? []).length === 0 ? <p className="muted">No comments yet.</p> : null}
      {(comments.data ?? []).map((c) => (
        <div key={c.id} className="comment">
          <div className="small spread">
            <span>
              <strong>{c.author}</strong> <span className="muted">· {formatDateTime(c.createdAt)}</span>
            </span>
            {c.fromClient ? (
              <span className="badge blue">Client</span>
            ) : c.visibility === "client" ? (
              <span className="badge">Shared with client</span>
            ) : null}
          </div>
          <div style={{ whiteSpace: "pre-wrap" }}>{c.body}</div>
        </div>
      ))}
      {canWrite ? (
        <form onSubmit={post} noValidate style={{ marginTop: "0.75rem" }}>
          <Field label="Comment" error={error}>
            {(p) => <textarea {...p} value={body} onChange={(e) => setBody(e.target.value)} />}
          </Field>
          <label className="check small" style={{ marginBottom: "0.5rem" }}>
            <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
            The client sees it in the portal (comments and files)
          </label>
          <button type="submit" className="primary small">
            Post
          </button>
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
              {Math.max(1, Math.round(f.size / 1024))} KB · {formatDateTime(f.createdAt)}
              {f.visibility === "client" ? " · shared with client" : ""}
            </span>
          </li>
        ))}
      </ul>
      {canWrite ? (
        <div className="field" style={{ marginTop: "0.5rem" }}>
          <label htmlFor={`upload-${projectId}`}>{uploading ? "Uploading…" : "Attach a file"}</label>
          <input id={`upload-${projectId}`} type="file" disabled={uploading} onChange={(e) => void upload(e.target.files?.[0])} />
          {fileError ? (
            <span className="error" role="alert">
              {fileError}
            </span>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
