// Clients: the companies being onboarded. A list with a filter box and paging, "New client"; a
// client's page with its details (editable, with the facts its playbook declares as a generated
// form), its contacts (add, invite to the portal, revoke and restore access, remove), its projects,
// and "Start onboarding". Every edit carries the version the person saw (If-Match).
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, all, api, describeError, type Schemas } from "../../api/client.ts";
import { FormInput } from "../../components/form-input.tsx";
import { Dialog, DialogActions, Empty, ErrorNotice, Field, HealthBadge, Loading, PageHeader, StatusBadge } from "../../components/ui.tsx";
import { formatDate } from "../../lib/format.ts";
import { playbookLabels } from "../../lib/playbook.ts";
import { type PlaybookInputs, readInputs, typedValues } from "../../lib/playbook-inputs.ts";
import { Link, navigate, useTitle } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";
import { useSession } from "../session.tsx";

type Client = Schemas["Client"];
type Contact = Schemas["Contact"];
type Playbook = Schemas["Playbook"];

const PAGE = 25;
const SEGMENTS = ["Enterprise", "Mid-market", "SMB", "Partner"];

/** A playbook version's declared inputs (facts, parameters), read once per version. */
const inputsCache = new Map<string, Promise<PlaybookInputs & { roles: { id: string; title: string; side: string }[] }>>();
export function playbookInputs(id: string, version: string) {
  const key = `${id}@${version}`;
  let found = inputsCache.get(key);
  if (!found) {
    found = api.get("/playbooks/{id}/versions/{version}", { path: { id, version } }).then(async ({ data }) => {
      const { parse } = await import("yaml");
      const doc = parse(data.source) as { roles?: Record<string, { title?: string; side?: string }> };
      const roles = Object.entries(doc.roles ?? {}).map(([rid, r]) => ({ id: rid, title: r.title ?? rid, side: r.side ?? "internal" }));
      return { ...readInputs(data.source), roles };
    });
    found.catch(() => inputsCache.delete(key));
    inputsCache.set(key, found);
  }
  return found;
}

export function usePlaybooks() {
  return useResource(
    (signal) => all((cursor) => api.get("/playbooks", { query: { limit: 100, ...(cursor ? { cursor } : {}) }, signal })),
    [],
  );
}

/** Readable errors for a problem's fields, keyed by the form's field names (facts by fact id). */
function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const e of error.problem.errors ?? []) {
    const parts = e.pointer.split("/").filter(Boolean);
    const key = parts[1] === "facts" || parts[1] === "params" ? `${parts[1]}.${parts[2] ?? ""}` : (parts.at(-1) ?? "");
    out[key] = e.detail;
  }
  return out;
}

/** What a person reads for a failed save: the field errors are shown at their fields. */
function summary(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 412)
      return "Someone else changed this client meanwhile. The page now shows their version: check it and save again.";
    if ((error.problem.errors ?? []).length > 0) return "Some fields need attention: see the messages next to them.";
    if (error.status === 403) return "Your access roles do not allow this.";
  }
  return describeError(error);
}

export function ClientsPage() {
  useTitle("Clients", "Onboard");
  const session = useSession();
  const [filter, setFilter] = useState("");
  const [q, setQ] = useState("");
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(filter.trim());
      setCursors([undefined]);
    }, 250);
    return () => clearTimeout(timer);
  }, [filter]);
  const cursor = cursors.at(-1);
  const page = useResource(
    async (signal) =>
      (await api.get("/clients", { query: { limit: PAGE, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) }, signal })).data,
    [q, cursor],
  );
  const items = page.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Clients"
        subtitle="The companies you onboard: their details, contacts and projects."
        actions={
          session.can("clients:write") ? (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New client
            </button>
          ) : null
        }
      />
      <section className="card" aria-labelledby="clients-h">
        <div className="card-header">
          <h2 id="clients-h">All clients</h2>
          <div className="filter-box">
            <Field label="Filter clients" hint="By name, domain or segment">
              {(p) => <input {...p} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />}
            </Field>
          </div>
        </div>
        <ErrorNotice error={page.error} onRetry={() => void page.reload()} />
        {page.loading && !page.data ? (
          <Loading label="Loading clients" />
        ) : items.length === 0 ? (
          <Empty title={q ? `No client matches “${q}”` : "No clients yet"}>
            {session.can("clients:write") ? <p>Add the first with “New client”.</p> : null}
          </Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Segment</th>
                  <th scope="col" className="hide-phone">
                    Domain
                  </th>
                  <th scope="col" className="hide-phone">
                    Time zone
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/app/clients/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                    </td>
                    <td>{c.segment ?? <span className="muted">—</span>}</td>
                    <td className="hide-phone">{c.domain ?? <span className="muted">—</span>}</td>
                    <td className="hide-phone">
                      {c.timeZone}
                      {c.country ? ` · ${c.country}` : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="Pages of clients">
          <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
          <span className="muted small">Page {cursors.length}</span>
          <button
            type="button"
            disabled={!page.data?.nextCursor}
            onClick={() => setCursors([...cursors, page.data?.nextCursor ?? undefined])}
          >
            Next page
          </button>
        </nav>
      </section>
      <Dialog open={creating} title="New client" onClose={() => setCreating(false)}>
        <ClientForm
          onCancel={() => setCreating(false)}
          onSaved={(client) => {
            setCreating(false);
            navigate(`/app/clients/${encodeURIComponent(client.id)}`);
          }}
        />
      </Dialog>
    </>
  );
}

const ZONES: readonly string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    return ["UTC", "Europe/Berlin", "Europe/London", "America/New_York"];
  }
})();

/** The client's details and facts; creates a client, or changes `client` at the version shown. */
export function ClientForm({ client, onSaved, onCancel }: { client?: Client; onSaved: (client: Client) => void; onCancel: () => void }) {
  const playbooks = usePlaybooks();
  const [form, setForm] = useState({
    name: client?.name ?? "",
    domain: client?.domain ?? "",
    timeZone: client?.timeZone ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"),
    country: client?.country ?? "",
    segment: client?.segment ?? "",
    playbookId: client?.playbookId ?? "",
    relationshipEndedOn: client?.relationshipEndedOn ?? "",
    relationshipEndReason: client?.relationshipEndReason ?? "",
  });
  const [facts, setFacts] = useState<Record<string, unknown>>({ ...(client?.facts ?? {}) });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const chosen: Playbook | undefined = (playbooks.data ?? []).find((p) => p.id === form.playbookId);
  const inputs = useResource(
    async () => (chosen ? await playbookInputs(chosen.id, chosen.latestVersion) : null),
    [chosen?.id, chosen?.latestVersion],
  );
  const factFields = inputs.data?.facts ?? [];
  const formRef = useRef<HTMLFormElement>(null);
  // The first field the server refused gets the focus (and scrolls into view), its message beside it.
  useEffect(() => {
    if (Object.keys(errors).length > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(undefined);
    const body = {
      name: form.name,
      timeZone: form.timeZone,
      ...(form.playbookId ? { playbookId: form.playbookId, facts: typedValues(factFields, facts) as Record<string, never> } : {}),
    };
    try {
      if (client) {
        const { data } = await api.patch("/clients/{id}", {
          path: { id: client.id },
          headers: { "if-match": `"${client.version}"` },
          body: {
            ...body,
            domain: form.domain.trim() || null,
            country: form.country.trim().toUpperCase() || null,
            segment: form.segment.trim() || null,
            relationshipEndedOn: form.relationshipEndedOn || null,
            relationshipEndReason: form.relationshipEndReason.trim() || null,
            ...(form.playbookId ? {} : { playbookId: null }),
          },
        });
        onSaved(data);
      } else {
        const { data } = await api.post("/clients", {
          headers: { "idempotency-key": crypto.randomUUID() },
          body: {
            ...body,
            ...(form.domain.trim() ? { domain: form.domain.trim() } : {}),
            ...(form.country.trim() ? { country: form.country.trim().toUpperCase() } : {}),
            ...(form.segment.trim() ? { segment: form.segment.trim() } : {}),
          },
        });
        onSaved(data);
      }
    } catch (failure) {
      setErrors(fieldErrorsOf(failure));
      setError(summary(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} onSubmit={submit} noValidate>
      <div className="form-grid">
        <Field label="Name" required error={errors.name}>
          {(p) => (
            <input {...p} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} autoComplete="organization" />
          )}
        </Field>
        <Field label="Domain" hint="The client's web domain, e.g. acme.example" error={errors.domain}>
          {(p) => <input {...p} value={form.domain} onChange={(e) => setForm({ ...form, domain: e.target.value })} />}
        </Field>
        <Field label="Time zone" required hint="Deadlines run on the client's business hours" error={errors.timeZone}>
          {(p) => (
            <select {...p} value={form.timeZone} onChange={(e) => setForm({ ...form, timeZone: e.target.value })}>
              {(ZONES.includes(form.timeZone) ? ZONES : [form.timeZone, ...ZONES]).map((z) => (
                <option key={z}>{z}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Country for holidays" hint="Two letters, e.g. DE: its public holidays are not working days" error={errors.country}>
          {(p) => (
            <input
              {...p}
              value={form.country}
              maxLength={2}
              autoComplete="country"
              onChange={(e) => setForm({ ...form, country: e.target.value.toUpperCase() })}
            />
          )}
        </Field>
        <Field label="Segment" error={errors.segment}>
          {(p) => (
            <>
              <input {...p} list="segments" value={form.segment} onChange={(e) => setForm({ ...form, segment: e.target.value })} />
              <datalist id="segments">
                {SEGMENTS.map((s) => (
                  <option key={s} value={s} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        {client ? (
          <>
            <Field label="Relationship ended on" hint="Record retention counts from this day" error={errors.relationshipEndedOn}>
              {(p) => (
                <input
                  {...p}
                  type="date"
                  value={form.relationshipEndedOn}
                  onChange={(e) => setForm({ ...form, relationshipEndedOn: e.target.value })}
                />
              )}
            </Field>
            <Field label="Why it ended" error={errors.relationshipEndReason}>
              {(p) => (
                <input
                  {...p}
                  value={form.relationshipEndReason}
                  disabled={!form.relationshipEndedOn}
                  onChange={(e) => setForm({ ...form, relationshipEndReason: e.target.value })}
                />
              )}
            </Field>
          </>
        ) : null}
        <Field label="Playbook" hint="Its declared client facts are asked below" error={errors.playbookId}>
          {(p) => (
            <select {...p} value={form.playbookId} onChange={(e) => setForm({ ...form, playbookId: e.target.value })}>
              <option value="">None yet</option>
              {(playbooks.data ?? []).map((pb) => (
                <option key={pb.id} value={pb.id}>
                  {playbookLabels(playbooks.data ?? []).get(pb.id)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {chosen ? (
        <fieldset className="facts-fieldset">
          <legend>Client facts for {chosen.title}</legend>
          {inputs.loading && !inputs.data ? <Loading lines={2} label="Loading the playbook's facts" /> : null}
          {inputs.data && factFields.length === 0 ? <p className="muted">This playbook declares no client facts.</p> : null}
          <div className="form-grid">
            {factFields.map((f) => (
              <FormInput
                key={f.id}
                field={f}
                value={facts[f.id] ?? f.defaultValue}
                error={errors[`facts.${f.id}`]}
                disabled={false}
                onChange={(v) => setFacts({ ...facts, [f.id]: v })}
              />
            ))}
          </div>
        </fieldset>
      ) : null}
      <DialogActions onCancel={onCancel} busy={busy} error={error} submit={busy ? "Saving…" : client ? "Save client" : "Create client"} />
    </form>
  );
}

export function ClientPage({ id }: { id: string }) {
  const session = useSession();
  const client = useResource(async (signal) => (await api.get("/clients/{id}", { path: { id }, signal })).data, [id]);
  const projects = useResource(
    (signal) => all((cursor) => api.get("/projects", { query: { clientId: id, limit: 100, ...(cursor ? { cursor } : {}) }, signal }), 500),
    [id],
  );
  const playbooks = usePlaybooks();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<string>();
  useTitle(client.data?.name ?? "Client", "Onboard");
  const data = client.data;
  const playbook = (playbooks.data ?? []).find((p) => p.id === data?.playbookId);
  const inputs = useResource(
    async () => (playbook ? await playbookInputs(playbook.id, playbook.latestVersion) : null),
    [playbook?.id, playbook?.latestVersion],
  );
  const labels = new Map((inputs.data?.facts ?? []).map((f) => [f.id, f.label]));
  const clientRoles = (inputs.data?.roles ?? []).filter((r) => r.side === "client");
  const canWrite = session.can("clients:write");

  if (client.error && !data) return <ErrorNotice error={client.error} onRetry={() => void client.reload()} />;
  if (!data)
    return (
      <div className="card">
        <Loading lines={6} label="Loading the client" />
      </div>
    );
  return (
    <>
      <PageHeader
        crumb={<Link to="/app/clients">← Clients</Link>}
        title={data.name}
        subtitle={[data.segment, data.domain, data.timeZone].filter(Boolean).join(" · ")}
        actions={
          <span className="row">
            {session.can("personal-data:read") ? (
              <ExportLinks path={`/clients/${encodeURIComponent(data.id)}/export`} subject={data.name} />
            ) : null}
            {session.can("projects:create") ? (
              <Link className="button primary" to={`/app/clients/${encodeURIComponent(data.id)}/start`}>
                Start onboarding
              </Link>
            ) : null}
          </span>
        }
      />
      <div className="stack">
        <section className="card" aria-labelledby="details-h">
          <div className="card-header">
            <h2 id="details-h">Details</h2>
            {canWrite && !editing ? (
              <button
                type="button"
                onClick={() => {
                  setSaved(undefined);
                  setEditing(true);
                }}
              >
                Edit details
              </button>
            ) : null}
          </div>
          {editing ? (
            <ClientForm
              key={data.version}
              client={data}
              onCancel={() => setEditing(false)}
              onSaved={async () => {
                setEditing(false);
                setSaved("Client saved.");
                await client.reload();
              }}
            />
          ) : (
            <>
              <dl className="facts">
                <div>
                  <dt>Name</dt>
                  <dd>{data.name}</dd>
                </div>
                <div>
                  <dt>Domain</dt>
                  <dd>{data.domain ?? "—"}</dd>
                </div>
                <div>
                  <dt>Segment</dt>
                  <dd>{data.segment ?? "—"}</dd>
                </div>
                <div>
                  <dt>Time zone</dt>
                  <dd>{data.timeZone}</dd>
                </div>
                <div>
                  <dt>Country for holidays</dt>
                  <dd>{data.country ?? "None"}</dd>
                </div>
                <div>
                  <dt>Playbook</dt>
                  <dd>{playbook?.title ?? "—"}</dd>
                </div>
                {data.relationshipEndedOn ? (
                  <div>
                    <dt>Relationship ended</dt>
                    <dd>
                      {data.relationshipEndedOn}
                      {data.relationshipEndReason ? `: ${data.relationshipEndReason}` : ""}
                    </dd>
                  </div>
                ) : null}
                {Object.entries(data.facts).map(([k, v]) => (
                  <div key={k}>
                    <dt>{labels.get(k) ?? k.replace(/_/g, " ")}</dt>
                    <dd>{typeof v === "boolean" ? (v ? "Yes" : "No") : Array.isArray(v) ? v.join(", ") || "—" : String(v)}</dd>
                  </div>
                ))}
              </dl>
              <div aria-live="polite">{saved ? <p className="notice success inline-notice">{saved}</p> : null}</div>
            </>
          )}
        </section>
        <Contacts clientId={data.id} canWrite={canWrite} canExport={session.can("personal-data:read")} clientRoles={clientRoles} />
        <section className="card" aria-labelledby="projects-h">
          <h2 id="projects-h">Projects</h2>
          <ErrorNotice error={projects.error} onRetry={() => void projects.reload()} />
          {projects.loading && !projects.data ? (
            <Loading lines={2} label="Loading projects" />
          ) : (projects.data ?? []).length === 0 ? (
            <Empty title="No onboarding yet">{session.can("projects:create") ? <p>Start one with “Start onboarding”.</p> : null}</Empty>
          ) : (
            <ul className="feed">
              {(projects.data ?? []).map((p) => (
                <li key={p.id}>
                  <div className="spread">
                    <Link to={`/app/projects/${encodeURIComponent(p.id)}`}>
                      {(playbooks.data ?? []).find((pb) => pb.id === p.playbook.id)?.title ?? "Onboarding"}
                    </Link>
                    <span className="row">
                      <StatusBadge status={p.status} /> <HealthBadge health={p.health} />
                    </span>
                  </div>
                  <div className="when">started {formatDate(p.createdAt)}</div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

/** "Export data: JSON · CSV": everything Onboard holds about the subject (GDPR Art. 15, 20), downloaded. */
function ExportLinks({ path, subject }: { path: string; subject: string }) {
  return (
    <span className="export-links small">
      Export data:{" "}
      <a href={`${path}?format=json`} download aria-label={`Export data of ${subject} as JSON`}>
        JSON
      </a>
      {" · "}
      <a href={`${path}?format=csv`} download aria-label={`Export data of ${subject} as CSV`}>
        CSV
      </a>
    </span>
  );
}

function Contacts({
  clientId,
  canWrite,
  canExport,
  clientRoles,
}: {
  clientId: string;
  canWrite: boolean;
  canExport: boolean;
  clientRoles: readonly { id: string; title: string }[];
}) {
  const contacts = useResource(
    async (signal) => (await api.get("/clients/{id}/contacts", { path: { id: clientId }, signal })).data,
    [clientId],
  );
  const [adding, setAdding] = useState(false);
  const [rowMessage, setRowMessage] = useState<{ id: string; tone: "success" | "error"; text: string }>();
  const [confirmRemove, setConfirmRemove] = useState<Contact | null>(null);
  const [busy, setBusy] = useState<string>();
  const titleOf = useMemo(() => new Map(clientRoles.map((r) => [r.id, r.title])), [clientRoles]);
  const roleName = (r: string) => titleOf.get(r) ?? r.replace(/_/g, " ");
  const list: Contact[] = contacts.data?.items ?? [];

  const run = async (contact: Contact, action: () => Promise<unknown>, done: string) => {
    setBusy(contact.id);
    setRowMessage(undefined);
    try {
      await action();
      setRowMessage({ id: contact.id, tone: "success", text: done });
      await contacts.reload();
    } catch (error) {
      setRowMessage({
        id: contact.id,
        tone: "error",
        text:
          error instanceof ApiError && error.status === 412
            ? "Someone else changed this contact: the list is reloaded."
            : describeError(error),
      });
      await contacts.reload();
    } finally {
      setBusy(undefined);
    }
  };
  const patch = (c: Contact, body: { active: boolean }) =>
    api.patch("/clients/{id}/contacts/{contactId}", {
      path: { id: clientId, contactId: c.id },
      headers: { "if-match": `"${c.version}"` },
      body,
    });

  return (
    <section className="card" aria-labelledby="contacts-h">
      <div className="card-header">
        <h2 id="contacts-h">Contacts</h2>
        {canWrite ? (
          <button type="button" onClick={() => setAdding(true)}>
            Add contact
          </button>
        ) : null}
      </div>
      <ErrorNotice error={contacts.error} onRetry={() => void contacts.reload()} />
      {contacts.loading && !contacts.data ? (
        <Loading lines={2} label="Loading contacts" />
      ) : list.length === 0 ? (
        <Empty title="No contacts yet">
          <p>Add the client's people with their roles: they sign in to the portal and receive the client's mail.</p>
        </Empty>
      ) : (
        <ul className="contact-list">
          {list.map((c) => (
            <li key={c.id} className="contact">
              <div className="contact-main">
                <strong>{c.name}</strong>
                {c.title ? <span className="muted"> · {c.title}</span> : null}
                <div className="small">{c.email}</div>
                <div className="row small">
                  {c.roles.map((r) => (
                    <span key={r} className="badge blue">
                      {roleName(r)}
                    </span>
                  ))}
                  {c.active ? <span className="badge green">Portal access</span> : <span className="badge">Access revoked</span>}
                </div>
                {canExport ? <ExportLinks path={`/contacts/${encodeURIComponent(c.id)}/export`} subject={c.name} /> : null}
              </div>
              {canWrite ? (
                <div className="row contact-actions">
                  {c.active ? (
                    <>
                      <button
                        type="button"
                        className="small"
                        disabled={busy === c.id}
                        aria-label={`Invite to portal: ${c.name}`}
                        onClick={() =>
                          void run(
                            c,
                            () => api.post("/clients/{id}/contacts/{contactId}/invite", { path: { id: clientId, contactId: c.id } }),
                            `Sign-in link sent to ${c.email}.`,
                          )
                        }
                      >
                        Invite to portal
                      </button>
                      <button
                        type="button"
                        className="small"
                        disabled={busy === c.id}
                        aria-label={`Deactivate ${c.name}`}
                        onClick={() => void run(c, () => patch(c, { active: false }), `${c.name} can no longer sign in to the portal.`)}
                      >
                        Deactivate
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="small"
                      disabled={busy === c.id}
                      aria-label={`Restore access for ${c.name}`}
                      onClick={() => void run(c, () => patch(c, { active: true }), `${c.name} may sign in to the portal again.`)}
                    >
                      Restore access
                    </button>
                  )}
                  <button
                    type="button"
                    className="small danger"
                    disabled={busy === c.id}
                    aria-label={`Remove ${c.name}`}
                    onClick={() => setConfirmRemove(c)}
                  >
                    Remove
                  </button>
                </div>
              ) : null}
              <div aria-live="polite" className="contact-message">
                {rowMessage?.id === c.id ? (
                  <p className={`notice ${rowMessage.tone} inline-notice`} role={rowMessage.tone === "error" ? "alert" : undefined}>
                    {rowMessage.text}
                  </p>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
      <Dialog open={adding} title="Add contact" onClose={() => setAdding(false)}>
        <ContactForm
          clientId={clientId}
          clientRoles={clientRoles}
          onCancel={() => setAdding(false)}
          onSaved={async (c) => {
            setAdding(false);
            setRowMessage({ id: c.id, tone: "success", text: `${c.name} added.` });
            await contacts.reload();
          }}
        />
      </Dialog>
      <Dialog open={confirmRemove !== null} title={`Remove ${confirmRemove?.name ?? ""}?`} onClose={() => setConfirmRemove(null)}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const c = confirmRemove;
            setConfirmRemove(null);
            if (c)
              void run(
                c,
                () => api.delete("/clients/{id}/contacts/{contactId}", { path: { id: clientId, contactId: c.id } }),
                `${c.name} removed.`,
              );
          }}
        >
          <p>
            They lose portal access at once and leave the client's list. Their name stays in the project history. This cannot be undone; add
            them again if needed.
          </p>
          <DialogActions onCancel={() => setConfirmRemove(null)} submit="Remove contact" />
        </form>
      </Dialog>
    </section>
  );
}

function ContactForm({
  clientId,
  clientRoles,
  onSaved,
  onCancel,
}: {
  clientId: string;
  clientRoles: readonly { id: string; title: string }[];
  onSaved: (c: Contact) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState({ name: "", email: "", title: "" });
  const [roles, setRoles] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(undefined);
    try {
      const { data } = await api.post("/clients/{id}/contacts", {
        path: { id: clientId },
        body: { name: form.name, email: form.email, roles, ...(form.title.trim() ? { title: form.title.trim() } : {}) },
      });
      onSaved(data);
    } catch (failure) {
      setErrors(fieldErrorsOf(failure));
      setError(summary(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      <Field label="Name" required error={errors.name}>
        {(p) => <input {...p} value={form.name} autoComplete="off" onChange={(e) => setForm({ ...form, name: e.target.value })} />}
      </Field>
      <Field label="Email" required error={errors.email}>
        {(p) => (
          <input {...p} type="email" value={form.email} autoComplete="off" onChange={(e) => setForm({ ...form, email: e.target.value })} />
        )}
      </Field>
      <Field label="Job title" error={errors.title}>
        {(p) => <input {...p} value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />}
      </Field>
      <fieldset className="roles-fieldset">
        <legend>Client roles</legend>
        {clientRoles.length === 0 ? (
          <p className="muted small">Choose the client's playbook in its details to pick the roles it defines.</p>
        ) : (
          clientRoles.map((r) => (
            <label key={r.id} className="check">
              <input
                type="checkbox"
                checked={roles.includes(r.id)}
                onChange={(e) => setRoles(e.target.checked ? [...roles, r.id] : roles.filter((x) => x !== r.id))}
              />
              {r.title}
            </label>
          ))
        )}
        {errors.roles ? <span className="error">{errors.roles}</span> : null}
      </fieldset>
      <DialogActions onCancel={onCancel} busy={busy} error={error} submit={busy ? "Adding…" : "Add contact"} />
    </form>
  );
}
