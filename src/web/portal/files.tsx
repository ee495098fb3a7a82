// Files on the client's project page: what the team shared (download links) and an upload control.
// The body of the upload is the file itself, sent with its type and ?fileName=; the server accepts
// the types below up to 10 MB and checks that a file looks like its type.
import { type FormEvent, useId, useRef, useState } from "react";
import { ApiError, client, describeError, send } from "../api/client.ts";
import { Loading } from "../components/ui.tsx";
import { formatDateTime } from "../lib/format.ts";
import { useResource } from "../lib/use-resource.ts";

/** Mirrors ATTACHMENT_TYPES and MAX_ATTACHMENT_BYTES of src/api/data/attachments.ts. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const TYPES_BY_EXTENSION: Record<string, string> = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  txt: "text/plain",
  csv: "text/csv",
  zip: "application/zip",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};
const ACCEPTED_TYPES = new Set(Object.values(TYPES_BY_EXTENSION));
const ACCEPT = Object.keys(TYPES_BY_EXTENSION)
  .map((e) => `.${e}`)
  .join(",");
const ACCEPTED_LABEL = "PDF, PNG, JPEG, GIF, WebP, TXT, CSV, ZIP, Word, Excel or PowerPoint (.docx, .xlsx, .pptx)";

/** The type to send: by extension first (browsers disagree on CSV), else what the browser says. */
export function uploadType(file: { name: string; type: string }): string | undefined {
  const extension = file.name.split(".").at(-1)?.toLowerCase() ?? "";
  const type = TYPES_BY_EXTENSION[extension] ?? file.type.split(";")[0]?.trim().toLowerCase() ?? "";
  return ACCEPTED_TYPES.has(type) ? type : undefined;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const transport = { csrfCookie: "onboard_portal_csrf", notifySignedOut: false };
const portal = client(transport);

export function Files({ projectId }: { projectId: string }) {
  const files = useResource(
    async (signal) => (await portal.get("/portal/api/projects/{id}/attachments", { path: { id: projectId }, signal })).data,
    [projectId],
  );
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [file, setFile] = useState<File>();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);

  const choose = (chosen: File | undefined) => {
    setDone(undefined);
    setFile(chosen);
    if (!chosen) return setError(undefined);
    if (!uploadType(chosen)) return setError(`${chosen.name} is not a type we accept. Send ${ACCEPTED_LABEL}.`);
    if (chosen.size > MAX_UPLOAD_BYTES) return setError(`${chosen.name} is ${formatSize(chosen.size)}: files can be up to 10 MB.`);
    if (chosen.size === 0) return setError(`${chosen.name} is empty.`);
    setError(undefined);
  };

  const upload = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return setError("Choose a file first.");
    const contentType = uploadType(file);
    if (!contentType || error) return;
    setBusy(true);
    setDone(undefined);
    try {
      await send(
        "POST",
        "/portal/api/projects/{id}/attachments",
        { path: { id: projectId }, query: { fileName: file.name }, raw: file, contentType },
        transport,
      );
      setDone(`Sent: ${file.name}.`);
      setFile(undefined);
      if (input.current) input.current.value = "";
      await files.reload();
    } catch (e) {
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      setError(fields["content-type"] ?? fields.body ?? fields.fileName ?? describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const items = files.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="files-h">
      <h2 id="files-h">Files</h2>
      {files.error ? (
        <div className="notice error" role="alert">
          The files could not be loaded: {describeError(files.error)}{" "}
          <button type="button" className="link" onClick={() => void files.reload()}>
            Try again
          </button>
        </div>
      ) : files.loading && !files.data ? (
        <Loading lines={2} label="Loading the files" />
      ) : items.length === 0 ? (
        <p className="muted">No files shared yet.</p>
      ) : (
        <ul className="portal-files" aria-label="Shared files">
          {items.map((a) => (
            <li key={a.id}>
              <a
                href={`/portal/api/projects/${encodeURIComponent(projectId)}/attachments/${encodeURIComponent(a.id)}`}
                download={a.fileName}
              >
                {a.fileName}
              </a>{" "}
              <span className="small muted">
                {formatSize(a.size)} · {formatDateTime(a.createdAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={upload} noValidate style={{ marginTop: "0.75rem" }}>
        <div className="field">
          <label htmlFor={inputId}>Send the team a file</label>
          <input
            ref={input}
            id={inputId}
            type="file"
            accept={ACCEPT}
            aria-describedby={`${inputId}-hint${error ? ` ${inputId}-error` : ""}`}
            {...(error ? { "aria-invalid": true } : {})}
            onChange={(e) => choose(e.target.files?.[0])}
          />
          <span id={`${inputId}-hint`} className="hint">
            {ACCEPTED_LABEL}; up to 10 MB.
          </span>
          {error ? (
            <span id={`${inputId}-error`} className="error" role="alert">
              {error}
            </span>
          ) : null}
        </div>
        <div className="row">
          <button type="submit" className="primary" disabled={busy || !file || Boolean(error)}>
            {busy ? "Uploading…" : "Upload"}
          </button>
          <span aria-live="polite" className="small">
            {done}
          </span>
        </div>
      </form>
    </section>
  );
}
