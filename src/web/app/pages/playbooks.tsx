// The playbook library: every playbook with its versions; one version's rendered SOP (with its
// process map), its source, what changed between versions, and the upload of a new version whose
// lint findings are shown at their line.
import { type FormEvent, useState } from "react";
import { ApiError, all, api, describeError, type Schemas, send } from "../../api/client.ts";
import { Empty, ErrorNotice, Loading, PageHeader } from "../../components/ui.tsx";
import { useDownloads } from "../../lib/download.ts";
import { formatDate } from "../../lib/format.ts";
import { Link, navigate, setSearch, useLocation, useTitle } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";
import { useSession } from "../session.tsx";
import { PendingVersions } from "./playbook-approvals.tsx";

type Finding = Schemas["Finding"];
type ImportNote = Schemas["ImportNote"];

export function Playbooks() {
  useTitle("Playbooks", "Onboard");
  const session = useSession();
  const list = useResource(
    (signal) => all((cursor) => api.get("/playbooks", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal })),
    [],
  );
  const [uploading, setUploading] = useState(false);
  const [pendingKey, setPendingKey] = useState(0);
  const [notice, setNotice] = useState<string>();
  return (
    <>
      <PageHeader
        title="Playbooks"
        subtitle="Each playbook is the SOP: rendered for people and auditors, run for every client, measured against its KPIs."
        actions={
          session.can("playbooks:write") ? (
            <button type="button" className="primary" onClick={() => setUploading(!uploading)} aria-expanded={uploading}>
              Upload a version
            </button>
          ) : null
        }
      />
      {uploading ? (
        <Upload
          onDone={(id) => navigate(`/app/playbooks/${encodeURIComponent(id)}`)}
          onPending={(text) => {
            setUploading(false);
            setNotice(text);
            setPendingKey((k) => k + 1);
          }}
        />
      ) : null}
      {notice ? (
        <div className="notice success" role="status" style={{ marginBottom: "1rem" }}>
          {notice}
        </div>
      ) : null}
      <PendingVersions refreshKey={pendingKey} onDecided={() => void list.reload()} />
      <ErrorNotice error={list.error} onRetry={() => void list.reload()} />
      {list.loading && !list.data ? (
        <div className="card">
          <Loading />
        </div>
      ) : (list.data ?? []).length === 0 ? (
        <div className="card">
          <Empty title="No playbooks yet">Upload one, or start the server with its built-in playbooks.</Empty>
        </div>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Playbook</th>
                <th scope="col">Latest version</th>
                <th scope="col" className="hide-phone">
                  Versions
                </th>
                <th scope="col" className="hide-phone">
                  Published
                </th>
                <th scope="col" className="hide-phone">
                  Source
                </th>
              </tr>
            </thead>
            <tbody>
              {(list.data ?? []).map((p) => {
                const latest = p.versions.find((v) => v.version === p.latestVersion) ?? p.versions.at(-1);
                return (
                  <tr key={p.id}>
                    <td className="client-cell">
                      <Link to={`/app/playbooks/${encodeURIComponent(p.id)}`}>{p.title}</Link>
                      <div className="muted small mono">{p.id}</div>
                    </td>
                    <td>{p.latestVersion}</td>
                    <td className="hide-phone">{p.versions.length}</td>
                    <td className="hide-phone">{formatDate(latest?.publishedAt)}</td>
                    <td className="hide-phone">
                      {latest?.origin === "built_in" ? (
                        <span className="badge">Built in</span>
                      ) : (
                        <span className="badge blue">Uploaded</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function PlaybookPage({ id }: { id: string }) {
  const session = useSession();
  const { search } = useLocation();
  const found = useResource(
    async (signal) => {
      const items = await all((cursor) => api.get("/playbooks", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal }));
      return items.find((p) => p.id === id) ?? null;
    },
    [id],
  );
  const playbook = found.data;
  useTitle(playbook?.title ?? id, "Onboard");
  const version = search.get("version") ?? playbook?.latestVersion ?? "";
  const tab = search.get("tab") ?? "sop";
  if (found.error) return <ErrorNotice error={found.error} onRetry={() => void found.reload()} />;
  if (found.loading && !playbook)
    return (
      <div className="card">
        <Loading />
      </div>
    );
  if (!playbook)
    return (
      <div className="card">
        <Empty title={`No playbook "${id}"`}>
          <Link to="/app/playbooks">Back to the library</Link>
        </Empty>
      </div>
    );
  return (
    <>
      <PageHeader
        crumb={<Link to="/app/playbooks">← Playbooks</Link>}
        title={playbook.title}
        subtitle={<span className="mono">{playbook.id}</span>}
        actions={
          <div className="field" style={{ margin: 0 }}>
            <label htmlFor="pb-version">Version</label>
            <select id="pb-version" value={version} onChange={(e) => setSearch({ version: e.target.value })}>
              {[...playbook.versions].reverse().map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version} · {formatDate(v.publishedAt)}
                </option>
              ))}
            </select>
          </div>
        }
      />
      <div className="tabs" role="tablist" aria-label="Playbook views">
        {[
          ["sop", "SOP document"],
          ["source", "Source"],
          ["versions", "Versions and changes"],
        ].map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={tab === key}
            onClick={() => setSearch({ tab: key === "sop" ? undefined : key })}
          >
            {label}
          </button>
        ))}
      </div>
      {tab === "sop" ? (
        <section aria-label="SOP document">
          <div className="spread" style={{ marginBottom: "0.5rem" }}>
            <span className="muted small">The formal SOP, as rendered for people and auditors, with its process map.</span>
            <a className="button small" href={sopUrl(playbook.id, version)} target="_blank" rel="noreferrer">
              Open in a new tab
            </a>
          </div>
          <Downloads id={playbook.id} version={version} />
          <iframe
            className="sop-frame"
            title={`SOP document: ${playbook.title} version ${version}`}
            src={sopUrl(playbook.id, version)}
            sandbox="allow-popups allow-popups-to-escape-sandbox"
          />
        </section>
      ) : tab === "source" ? (
        <SourceView id={playbook.id} version={version} canLint={session.can("playbooks:write")} />
      ) : (
        <Versions playbook={playbook} />
      )}
    </>
  );
}

const EXPORTS = [
  ["docx", "Word"],
  ["pdf", "PDF"],
  ["md", "Markdown"],
  ["bpmn", "BPMN 2.0 (Camunda Modeler, bpmn.io)"],
] as const;

/**
 * The version as files: the SOP in Word, PDF and Markdown, and its process as a BPMN model. Fetched,
 * not linked, so a refusal (no Chromium for PDF: 503) shows as a notice rather than a saved file.
 */
function Downloads({ id, version }: { id: string; version: string }) {
  const { busy, error, note, download: fetchFile } = useDownloads<(typeof EXPORTS)[number][0]>((headers) => headers.get("x-onboard-note"));
  const download = (format: (typeof EXPORTS)[number][0]) =>
    fetchFile(
      format,
      `/playbooks/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}/export?format=${format}`,
      `${id}-${version}.${format}`,
    );
  return (
    <div style={{ marginBottom: "0.5rem" }}>
      <fieldset className="row" style={{ gap: "0.4rem", flexWrap: "wrap", border: 0, padding: 0, margin: 0 }}>
        <legend className="muted small" style={{ float: "left", marginRight: "0.4rem" }}>
          Download:
        </legend>
        {EXPORTS.map(([format, label]) => (
          <button key={format} type="button" className="small" disabled={busy !== undefined} onClick={() => void download(format)}>
            {busy === format ? "Preparing…" : label}
          </button>
        ))}
      </fieldset>
      <ErrorNotice error={error} />
      {note ? (
        <p className="muted small" role="status">
          {note}
        </p>
      ) : null}
    </div>
  );
}

function sopUrl(id: string, version: string): string {
  return `/playbooks/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}/sop.html`;
}

function SourceView({ id, version, canLint }: { id: string; version: string; canLint: boolean }) {
  const source = useResource(
    async (signal) => (await api.get("/playbooks/{id}/versions/{version}", { path: { id, version }, signal })).data,
    [id, version],
  );
  const [findings, setFindings] = useState<Finding[]>();
  const [error, setError] = useState<unknown>();
  const lint = async () => {
    if (!source.data) return;
    setError(undefined);
    try {
      // Publishing the same text again changes nothing and answers with its findings.
      const { data } = await api.post("/playbooks", { body: { source: source.data.source, file: source.data.file ?? `${id}.yaml` } });
      setFindings(data.findings);
    } catch (e) {
      if (e instanceof ApiError) setFindings((e.problem.findings as Finding[] | undefined) ?? []);
      setError(e);
    }
  };
  if (source.error) return <ErrorNotice error={source.error} />;
  if (!source.data)
    return (
      <div className="card">
        <Loading />
      </div>
    );
  return (
    <section className="card" aria-labelledby="src-h">
      <div className="card-header">
        <h2 id="src-h">
          {source.data.file ?? `${id}.yaml`} <span className="muted small">sha256 {source.data.contentHash.slice(0, 12)}</span>
        </h2>
        {canLint ? (
          <button type="button" onClick={() => void lint()}>
            Run the linter
          </button>
        ) : null}
      </div>
      <ErrorNotice error={error} />
      {/* The version's own findings (draft profile) until the linter is run again. */}
      <FindingsSummary findings={findings ?? source.data.findings} />
      <CodeView text={source.data.source} findings={findings ?? source.data.findings} />
    </section>
  );
}

function FindingsSummary({ findings }: { findings: readonly Finding[] }) {
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  return (
    <div className={`notice ${errors ? "error" : warnings ? "info" : "success"}`} role="status" style={{ marginBottom: "0.75rem" }}>
      {findings.length === 0
        ? "The linter found nothing to fix."
        : `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}, ${findings.length - errors - warnings} note${findings.length - errors - warnings === 1 ? "" : "s"}: shown at their line below.`}
    </div>
  );
}

/** Source with line numbers; each finding under its line, with its fix. */
function CodeView({ text, findings }: { text: string; findings: readonly Finding[] }) {
  const byLine = new Map<number, Finding[]>();
  for (const f of findings) byLine.set(f.line, [...(byLine.get(f.line) ?? []), f]);
  const lines = text.split("\n");
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section className="code" tabIndex={0} aria-label="Playbook source">
      <ol>
        {lines.map((line, i) => {
          const here = byLine.get(i + 1);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines are identified by their number
            <li key={i} className={here ? "has-error" : undefined} id={here ? `line-${i + 1}` : undefined}>
              {line || " "}
              {here?.map((f) => (
                <span
                  key={`${f.rule}-${f.column}`}
                  className="line-error"
                  style={f.severity === "error" ? undefined : { color: "var(--amber)" }}
                >
                  {f.severity === "error" ? "Error" : f.severity === "warning" ? "Warning" : "Note"} (col {f.column}, {f.rule}): {f.message}
                  {f.fix ? ` Fix: ${f.fix}` : ""}
                </span>
              ))}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function Versions({ playbook }: { playbook: Schemas["Playbook"] }) {
  const versions = playbook.versions;
  const [from, setFrom] = useState(versions.at(-2)?.version ?? versions[0]?.version ?? "");
  const [to, setTo] = useState(versions.at(-1)?.version ?? "");
  const diff = useResource(
    async (signal) =>
      from && to && from !== to
        ? (await api.get("/playbooks/{id}/diff", { path: { id: playbook.id }, query: { from, to }, signal })).data
        : null,
    [playbook.id, from, to],
  );
  return (
    <div className="stack">
      <section className="card" aria-labelledby="versions-h">
        <h2 id="versions-h">Versions</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Title</th>
                <th scope="col">Published</th>
                <th scope="col" className="hide-phone">
                  By
                </th>
                <th scope="col" className="hide-phone">
                  Commit
                </th>
              </tr>
            </thead>
            <tbody>
              {[...versions].reverse().map((v) => (
                <tr key={v.version}>
                  <td>{v.version}</td>
                  <td>{v.title}</td>
                  <td>{formatDate(v.publishedAt)}</td>
                  <td className="hide-phone">{v.origin === "built_in" ? "Built in" : (v.uploadedBy ?? "—")}</td>
                  <td className="hide-phone">
                    {v.commit ? (
                      <>
                        <code title={v.commit}>{v.commit.slice(0, 12)}</code>
                        {v.commitAuthor ? ` by ${v.commitAuthor}` : ""}
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-labelledby="diff-h">
        <h2 id="diff-h">What changed</h2>
        {versions.length < 2 ? (
          <p className="muted">Only one version is published: upload another to compare.</p>
        ) : (
          <>
            <div className="filters">
              <VersionSelect id="diff-from" label="From" value={from} onChange={setFrom} versions={versions} />
              <VersionSelect id="diff-to" label="To" value={to} onChange={setTo} versions={versions} />
            </div>
            <ErrorNotice error={diff.error} />
            {diff.data ? (
              <DiffView diff={diff.data} />
            ) : diff.loading ? (
              <Loading />
            ) : (
              <p className="muted">Choose two different versions.</p>
            )}
          </>
        )}
      </section>
    </div>
  );
}

function VersionSelect({
  id,
  label,
  value,
  onChange,
  versions,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  versions: Schemas["PlaybookVersion"][];
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {versions.map((v) => (
          <option key={v.version}>{v.version}</option>
        ))}
      </select>
    </div>
  );
}

export function DiffView({ diff }: { diff: Schemas["PlaybookDiff"] }) {
  const nothing = !diff.addedSteps.length && !diff.removedSteps.length && !diff.changedSteps.length && !diff.other.length;
  if (nothing) return <p>No differences in steps, phases, roles, KPIs or rules.</p>;
  return (
    <div className="stack">
      {diff.addedSteps.length ? (
        <div>
          <h3>Steps added</h3>
          <ul>
            {diff.addedSteps.map((s) => (
              <li key={s.id} className="diff-add">
                + {s.number} {s.title}{" "}
                <span className="muted">
                  ({s.owner}, {s.deadline})
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {diff.removedSteps.length ? (
        <div>
          <h3>Steps removed</h3>
          <ul>
            {diff.removedSteps.map((s) => (
              <li key={s.id} className="diff-del">
                − {s.number} {s.title}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {diff.changedSteps.length ? (
        <div>
          <h3>Steps changed</h3>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Field</th>
                  <th scope="col">Before</th>
                  <th scope="col">After</th>
                </tr>
              </thead>
              <tbody>
                {diff.changedSteps.flatMap((s) =>
                  s.changes.map((c) => (
                    <tr key={`${s.id}-${c.field}`}>
                      <td>
                        {s.number} {s.title}
                      </td>
                      <td>{c.field}</td>
                      <td className="diff-del">{c.before}</td>
                      <td className="diff-add">{c.after}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
      {diff.other.length ? (
        <div>
          <h3>Other changes</h3>
          <ul>
            {diff.other.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div>
        <h3>Revision history entry</h3>
        <pre className="code" style={{ padding: "0.75rem" }}>
          {diff.revision}
        </pre>
      </div>
    </div>
  );
}

const YAML_FILE = /\.ya?ml$/i;
const IMPORTED_FILE = /\.(bpmn2?|xml|md|markdown|docx)$/i;

function Upload({ onDone, onPending }: { onDone: (id: string) => void; onPending: (text: string) => void }) {
  const [text, setText] = useState("");
  const [file, setFile] = useState("playbook.yaml");
  const [findings, setFindings] = useState<Finding[]>();
  const [imported, setImported] = useState<{ from: string; notes: readonly ImportNote[] }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<"importing" | "publishing">();
  // A BPMN model or a written SOP becomes a draft here: its YAML fills the editor, with what the
  // importer guessed and what lint says the document did not say; the author completes and publishes.
  const importFile = async (chosen: File) => {
    setBusy("importing");
    setError(undefined);
    setFindings(undefined);
    setImported(undefined);
    try {
      const { data } = await send<Schemas["PlaybookDraft"]>("POST", "/playbooks/drafts", {
        query: { file: chosen.name },
        raw: chosen,
        contentType: "application/octet-stream",
      });
      setFile(data.file);
      setText(data.source);
      setImported({ from: chosen.name, notes: data.notes });
      setFindings(data.findings);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(undefined);
    }
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy("publishing");
    setError(undefined);
    setFindings(undefined);
    try {
      const { data } = await api.post("/playbooks", { body: { source: text, file } });
      setFindings(data.findings);
      // Four-eyes: the version waits for another person's approval instead of being published.
      if (data.status === "pending") onPending(`${data.id} ${data.version} awaits another person's approval before it is published.`);
      else onDone(data.id);
    } catch (e) {
      if (e instanceof ApiError && Array.isArray(e.problem.findings)) setFindings(e.problem.findings as Finding[]);
      setError(describeError(e));
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <section className="card" aria-labelledby="upload-h" style={{ marginBottom: "1rem" }}>
      <h2 id="upload-h">Upload a new version</h2>
      <p className="muted">
        The playbook is loaded and linted first; with errors nothing is published and each error is shown at its line. A BPMN model (Camunda
        Modeler, bpmn.io) or an SOP written in Markdown or Word is turned into a draft to review here first.
      </p>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="up-file">Playbook (.yaml), BPMN model (.bpmn) or SOP document (.md, .docx)</label>
          <input
            id="up-file"
            type="file"
            accept=".yaml,.yml,application/yaml,text/yaml,.bpmn,.bpmn2,.xml,.md,.markdown,.docx"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              if (IMPORTED_FILE.test(f.name) && !YAML_FILE.test(f.name)) await importFile(f);
              else {
                setImported(undefined);
                setFile(f.name);
                setText(await f.text());
              }
            }}
          />
        </div>
        {imported ? <ImportNotes from={imported.from} notes={imported.notes} /> : null}
        <div className="field">
          <label htmlFor="up-text">{imported ? `Draft from ${imported.from} (edit it before publishing)` : "Or paste the YAML"}</label>
          <textarea
            id="up-text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            style={{ minHeight: imported ? "20rem" : "10rem", fontFamily: "var(--mono)" }}
          />
        </div>
        <div className="row" style={{ gap: "0.5rem" }}>
          <button type="submit" className="primary" disabled={busy !== undefined || !text.trim()}>
            {busy === "publishing" ? "Checking…" : busy === "importing" ? "Importing…" : "Lint and publish"}
          </button>
          {imported && text ? (
            <button type="button" onClick={() => saveText(text, file)}>
              Download the draft
            </button>
          ) : null}
        </div>
      </form>
      {error ? (
        <div className="notice error" role="alert" style={{ margin: "1rem 0" }}>
          {error}
        </div>
      ) : null}
      {findings && findings.length > 0 ? (
        <div style={{ marginTop: "1rem" }}>
          <FindingsSummary findings={findings} />
          <CodeView text={text} findings={findings} />
        </div>
      ) : null}
    </section>
  );
}

/** Saves text as a file the browser downloads (the draft, to finish in an editor or commit to a repository). */
function saveText(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Where a note points: a line of the imported file (a Word note names its paragraph itself), and what it is about. */
function whereOf(note: ImportNote, from: string): string {
  const word = /\(Word paragraph \d+\)$/.test(note.message);
  const parts = [word ? undefined : `line ${note.line} of ${from}`, note.element].filter((p) => p !== undefined);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

/** What the importer guessed or could not translate, each at its place in the imported file. */
function ImportNotes({ from, notes }: { from: string; notes: readonly ImportNote[] }) {
  const warnings = notes.filter((n) => n.severity === "warning").length;
  return (
    <section
      className={`notice ${warnings ? "info" : "success"}`}
      aria-label={`Import notes for ${from}`}
      style={{ marginBottom: "0.75rem" }}
    >
      <p style={{ margin: 0 }}>
        {notes.length === 0
          ? `${from} was read in full: check the draft below, then publish it.`
          : `${from} was turned into a draft. ${warnings} thing${warnings === 1 ? "" : "s"} to check, ${notes.length - warnings} guess${notes.length - warnings === 1 ? "" : "es"}:`}
      </p>
      {notes.length > 0 ? (
        <ul className="small" style={{ margin: "0.5rem 0 0" }}>
          {notes.map((n, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: notes have no id of their own and never reorder
            <li key={i}>
              {n.severity === "warning" ? "Check" : "Guessed"}
              {whereOf(n, from)}: {n.message}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
