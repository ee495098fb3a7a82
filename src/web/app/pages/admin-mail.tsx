// The mail log, for admins: what Onboard sent, who it went to, the subject, how it left, when.
// Opening one shows its text as recorded (sign-in and survey links redacted: only their addressees
// ever see them), or its HTML in a sandboxed frame (no scripts, no forms, no navigation, no remote
// content), never in the app's own document.
import { useEffect, useState } from "react";
import { api, type Schemas } from "../../api/client.ts";
import { Dialog, Empty, ErrorNotice, Loading } from "../../components/ui.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { useResource } from "../../lib/use-resource.ts";

type Summary = Schemas["MailSummary"];

/** The policy inside the frame: inline styles and embedded images only, so opening a mail fetches nothing. */
const FRAME_CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`;

function recipients(mail: Summary): string {
  return mail.to.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(", ");
}

function Status({ mail }: { mail: Summary }) {
  if (mail.transport === "smtp") return <span className="badge green">{mail.sentAt ? "Sent by SMTP" : "Not sent yet"}</span>;
  if (mail.transport === "folder")
    return <span className="badge amber">{mail.sentAt ? "Written to the mail folder" : "Not written yet"}</span>;
  return <span className="badge amber">Kept in the app (before 0.2)</span>;
}

export function MailLog() {
  const [pages, setPages] = useState<Summary[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const first = useResource(async (signal) => (await api.get("/mail", { query: { limit: 50 }, signal })).data, []);
  useEffect(() => {
    if (!first.data) return;
    setPages([first.data.items]);
    setCursor(first.data.nextCursor);
  }, [first.data]);
  const [open, setOpen] = useState<string | null>(null);

  const loadMore = async () => {
    if (!cursor) return;
    setMore({ busy: true });
    try {
      const { data } = await api.get("/mail", { query: { limit: 50, cursor } });
      setPages((p) => [...p, data.items]);
      setCursor(data.nextCursor);
      setMore({ busy: false });
    } catch (error) {
      setMore({ busy: false, error });
    }
  };
  const items = pages.flat();
  return (
    <section className="card" aria-labelledby="mail-h">
      <div className="card-header">
        <h2 id="mail-h">Mail</h2>
        <button type="button" className="small" onClick={() => void first.reload()}>
          Refresh
        </button>
      </div>
      <p className="muted small">
        What Onboard sent to clients and the team, newest first. Sign-in and survey links show as [redacted]: only the person they were sent
        to can use them. Without an SMTP server (SMTP_URL), mail is written as .eml files to the server's mail folder (MAIL_DIR).
      </p>
      <ErrorNotice error={first.error} onRetry={() => void first.reload()} />
      {first.loading && !first.data ? (
        <Loading />
      ) : items.length === 0 && !first.error ? (
        <Empty title="No mail yet">Welcome emails, reminders, surveys and invitations appear here once they go out.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Status</th>
                <th scope="col">Time</th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id}>
                  <td>{recipients(m)}</td>
                  <td>
                    <button type="button" className="link" onClick={() => setOpen(m.id)}>
                      {m.subject || "(no subject)"}
                    </button>
                    {m.attachments.length ? (
                      <span className="small muted"> · {m.attachments.map((a) => a.filename).join(", ")}</span>
                    ) : null}
                  </td>
                  <td>
                    <Status mail={m} />
                  </td>
                  <td>{formatDateTime(m.sentAt ?? m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorNotice error={more.error} />
      {cursor ? (
        <button type="button" onClick={() => void loadMore()} disabled={more.busy} style={{ marginTop: "0.75rem" }}>
          {more.busy ? "Loading…" : "Show older mail"}
        </button>
      ) : null}
      <MailDialog id={open} onClose={() => setOpen(null)} />
    </section>
  );
}

function MailDialog({ id, onClose }: { id: string | null; onClose: () => void }) {
  const mail = useResource(async (signal) => (id ? (await api.get("/mail/{id}", { path: { id }, signal })).data : undefined), [id]);
  const [view, setView] = useState<"html" | "text">("html");
  const m = id && mail.data?.id === id ? mail.data : undefined;
  const showHtml = view === "html" && Boolean(m?.html);
  return (
    <Dialog open={id !== null} title={m?.subject || "Message"} onClose={onClose}>
      <ErrorNotice error={mail.error} onRetry={() => void mail.reload()} />
      {!m ? (
        mail.error ? null : (
          <Loading lines={3} label="Loading the message" />
        )
      ) : (
        <>
          <dl className="mail-meta small">
            <dt>From</dt>
            <dd>{m.from.name ? `${m.from.name} <${m.from.address}>` : m.from.address}</dd>
            <dt>To</dt>
            <dd>{recipients(m)}</dd>
            <dt>Status</dt>
            <dd>
              <Status mail={m} /> {formatDateTime(m.sentAt ?? m.createdAt)}
            </dd>
            {m.attachments.length ? (
              <>
                <dt>Attachments</dt>
                <dd>{m.attachments.map((a) => `${a.filename} (${a.contentType})`).join(", ")}</dd>
              </>
            ) : null}
          </dl>
          {m.html ? (
            <div className="row" style={{ margin: "0.5rem 0" }}>
              <span className="small muted">Show as</span>
              <button type="button" className="small" aria-pressed={view === "html"} onClick={() => setView("html")}>
                HTML
              </button>
              <button type="button" className="small" aria-pressed={view === "text"} onClick={() => setView("text")}>
                Text
              </button>
            </div>
          ) : null}
          {showHtml ? (
            <iframe
              className="mail-frame"
              title={`The message “${m.subject}” as HTML`}
              sandbox=""
              referrerPolicy="no-referrer"
              srcDoc={FRAME_CSP + (m.html ?? "")}
            />
          ) : (
            <pre className="mail-text">{m.text}</pre>
          )}
        </>
      )}
      <div className="row" style={{ justifyContent: "flex-end", marginTop: "0.75rem" }}>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
