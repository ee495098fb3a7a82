// Administration: accounts and their access roles, the assignment directory (playbook roles,
// territories, capacity), API tokens; each part shown to those allowed to see it.
import { type FormEvent, useState } from "react";
import { ApiError, all, api, describeError, type Schemas } from "../../api/client.ts";
import { Dialog, DialogActions, Empty, ErrorNotice, Field, Loading, PageHeader } from "../../components/ui.tsx";
import { formatDate, humanize } from "../../lib/format.ts";
import { navigate, useLocation, useTitle } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";
import { useSession } from "../session.tsx";
import { ControlsReport, FourEyesSettings } from "./admin-controls.tsx";
import { CrmConnections } from "./admin-crm.tsx";
import { DataRequests } from "./admin-data-requests.tsx";
import { InboundDeliveries } from "./admin-deliveries.tsx";
import { BrandingSettings, Webhooks } from "./admin-integrations.tsx";
import { MailLog } from "./admin-mail.tsx";
import { ParameterValuesSettings } from "./admin-parameters.tsx";
import { PersonalDataRegister } from "./admin-personal-data.tsx";

/** A person's access roles ("service" marks a service account, made below, never ticked here). */
type PersonRole = Exclude<Schemas["AccessRole"], "service">;
const ACCESS_ROLES: PersonRole[] = ["admin", "cs_ops", "csm", "implementation", "support", "account_executive", "executive_readonly"];

export function Admin() {
  useTitle("Admin", "Onboard");
  const session = useSession();
  const { pathname } = useLocation();
  const tabs = [
    { key: "users", label: "Users and roles", show: session.can("users:read") },
    { key: "people", label: "People and capacity", show: session.can("people:read") },
    { key: "tokens", label: "API tokens", show: true },
    { key: "crm", label: "CRM connections", show: session.can("integrations:read") },
    { key: "webhooks", label: "Webhooks", show: session.can("integrations:read") },
    { key: "branding", label: "Portal branding", show: session.can("settings:write") },
    { key: "mail", label: "Mail", show: session.can("mail:read") },
    { key: "data-requests", label: "Data requests", show: session.can("privacy:read") },
    { key: "personal-data", label: "Personal data", show: session.can("personal-data:read") },
    { key: "controls", label: "Controls report", show: session.can("controls:read") },
  ].filter((t) => t.show);
  const current = pathname.split("/")[3] ?? tabs[0]?.key ?? "tokens";
  return (
    <>
      <PageHeader
        title="Admin"
        subtitle="Accounts, the assignment directory, API access, integrations, the portal's look and the mail sent."
      />
      <nav className="tabs" aria-label="Admin sections">
        {tabs.map((t) => (
          <a
            key={t.key}
            href={`/app/admin/${t.key}`}
            aria-current={current === t.key ? "page" : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(`/app/admin/${t.key}`);
            }}
          >
            {t.label}
          </a>
        ))}
      </nav>
      {current === "users" && session.can("users:read") ? <Users canWrite={session.can("users:write")} /> : null}
      {current === "people" ? <People canWrite={session.can("people:write")} canAdd={session.can("users:write")} /> : null}
      {current === "tokens" ? <Tokens /> : null}
      {current === "crm" && session.can("integrations:read") ? <CrmConnections canWrite={session.can("integrations:write")} /> : null}
      {current === "crm" && session.can("integrations:read") ? <InboundDeliveries canWrite={session.can("integrations:write")} /> : null}
      {current === "webhooks" && session.can("integrations:read") ? <Webhooks canWrite={session.can("integrations:write")} /> : null}
      {current === "branding" && session.can("settings:write") ? <BrandingSettings canWrite /> : null}
      {current === "branding" && session.can("settings:write") ? <ParameterValuesSettings canWrite /> : null}
      {current === "mail" && session.can("mail:read") ? <MailLog /> : null}
      {current === "data-requests" && session.can("privacy:read") ? <DataRequests canWrite={session.can("privacy:write")} /> : null}
      {current === "personal-data" && session.can("personal-data:read") ? <PersonalDataRegister /> : null}
      {current === "controls" && session.can("controls:read") ? (
        <div className="stack">
          <FourEyesSettings />
          <ControlsReport />
        </div>
      ) : null}
    </>
  );
}

function Users({ canWrite }: { canWrite: boolean }) {
  const users = useResource(
    (signal) => all((cursor) => api.get("/users", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal })),
    [],
  );
  const [editing, setEditing] = useState<Schemas["User"] | "new" | null>(null);
  return (
    <section className="card" aria-labelledby="users-h">
      <div className="card-header">
        <h2 id="users-h">Users</h2>
        {canWrite ? (
          <button type="button" className="primary" onClick={() => setEditing("new")}>
            Add a user
          </button>
        ) : null}
      </div>
      <ErrorNotice error={users.error} onRetry={() => void users.reload()} />
      {users.loading && !users.data ? (
        <Loading />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Access roles</th>
                <th scope="col">Status</th>
                {canWrite ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {(users.data ?? []).map((u) => (
                <tr key={u.id}>
                  <td>{u.name}</td>
                  <td>{u.email}</td>
                  <td>
                    {u.kind === "service" ? (
                      <span className="badge">Service account (automation)</span>
                    ) : (
                      u.roles.map(humanize).join(", ") || <span className="muted">none</span>
                    )}
                  </td>
                  <td>{u.active ? <span className="badge green">Active</span> : <span className="badge">Deactivated</span>}</td>
                  {canWrite ? (
                    <td>
                      <button type="button" className="small" onClick={() => setEditing(u)} aria-label={`Edit ${u.name}`}>
                        Edit
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <UserDialog user={editing} onClose={() => setEditing(null)} onSaved={() => void users.reload()} />
      {canWrite ? <ServiceAccountForm onCreated={() => void users.reload()} /> : null}
    </section>
  );
}

/**
 * A service account: an automation (a risk engine, an onboarding system) that completes the steps
 * of the playbook roles it is assigned, through its API token, named "(automation)" in the audit trail.
 */
function ServiceAccountForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(undefined);
    try {
      const { data } = await api.post("/service-accounts", { body: { name: name.trim() } });
      setCreated({ name: data.user.name, token: data.token ?? "" });
      setName("");
      onCreated();
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fieldErrors());
      setError(describeError(e));
    }
  };
  return (
    <form onSubmit={submit} noValidate style={{ marginTop: "1rem" }} aria-labelledby="service-h">
      <h3 id="service-h">Add a service account</h3>
      <p className="small muted">
        An automation that completes steps in the playbook roles you assign it (in the People directory or a project's team), through its
        API token. It never signs in and never gives a sign-off; the audit trail names it as an automation.
      </p>
      <Field label="Name" hint="As the audit trail shows it, e.g. Risk Engine." error={errors.name} required>
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <button type="submit">Create service account</button>
      {error ? <p className="error">{error}</p> : null}
      {created ? (
        <div className="notice" role="status">
          <strong>{created.name}</strong>: copy its API token now, it is not shown again.
          <pre className="small" style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
            {created.token}
          </pre>
        </div>
      ) : null}
    </form>
  );
}

function UserDialog({ user, onClose, onSaved }: { user: Schemas["User"] | "new" | null; onClose: () => void; onSaved: () => void }) {
  const isNew = user === "new";
  const existing = user && user !== "new" ? user : undefined;
  const [form, setForm] = useState({ name: "", email: "", password: "", roles: [] as PersonRole[], active: true });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [loadedFor, setLoadedFor] = useState<string | null>(null);
  const key = existing?.id ?? (isNew ? "new" : null);
  if (key !== loadedFor) {
    setLoadedFor(key);
    setForm({
      name: existing?.name ?? "",
      email: existing?.email ?? "",
      password: "",
      roles: (existing?.roles ?? []).filter((r): r is PersonRole => r !== "service"),
      active: existing?.active ?? true,
    });
    setErrors({});
    setError(undefined);
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(undefined);
    try {
      if (isNew) await api.post("/users", { body: { name: form.name, email: form.email, password: form.password, roles: form.roles } });
      else if (existing)
        await api.patch("/users/{id}", {
          path: { id: existing.id },
          // A service account keeps its one role and has no password: only its name and whether it is active change.
          body:
            existing.kind === "service"
              ? { name: form.name, active: form.active }
              : { name: form.name, roles: form.roles, active: form.active, ...(form.password ? { password: form.password } : {}) },
        });
      onSaved();
      onClose();
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fieldErrors());
      setError(describeError(e));
    }
  };
  return (
    <Dialog open={user !== null} title={isNew ? "Add a user" : `Edit ${existing?.name ?? ""}`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field label="Name" error={errors.name} required>
          {(p) => <input {...p} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        {isNew ? (
          <Field label="Email" error={errors.email} required>
            {(p) => <input {...p} type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />}
          </Field>
        ) : null}
        <Field
          label={isNew ? "Password" : "New password"}
          hint={isNew ? "At least 12 characters." : "Leave empty to keep it. Setting one signs the account out."}
          error={errors.password}
          required={isNew}
        >
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
            />
          )}
        </Field>
        <fieldset style={{ border: 0, padding: 0, margin: "0 0 1rem" }}>
          <legend style={{ fontWeight: 550, marginBottom: "0.3rem" }}>Access roles</legend>
          {ACCESS_ROLES.map((role) => (
            <label key={role} className="row" style={{ fontWeight: 400, gap: "0.5rem" }}>
              <input
                type="checkbox"
                checked={form.roles.includes(role)}
                onChange={(e) =>
                  setForm({ ...form, roles: e.target.checked ? [...form.roles, role] : form.roles.filter((r) => r !== role) })
                }
              />
              {humanize(role)}
            </label>
          ))}
          {errors.roles ? <span className="error">{errors.roles}</span> : null}
        </fieldset>
        {!isNew ? (
          <label className="row" style={{ fontWeight: 400, gap: "0.5rem", marginBottom: "1rem" }}>
            <input type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} />
            Active (unticking signs the account out everywhere and stops its tokens)
          </label>
        ) : null}
        <DialogActions onCancel={onClose} submit="Save" error={error} />
      </form>
    </Dialog>
  );
}

function People({ canWrite, canAdd }: { canWrite: boolean; canAdd: boolean }) {
  const people = useResource(
    (signal) => all((cursor) => api.get("/people", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal })),
    [],
  );
  const [editing, setEditing] = useState<Schemas["Person"] | null>(null);
  // People are accounts (one directory): adding a person makes their account; they can then be assigned.
  const [adding, setAdding] = useState(false);
  return (
    <section className="card" aria-labelledby="people-h">
      <div className="card-header">
        <h2 id="people-h">People</h2>
        <span className="muted small">
          Everyone with an account, the playbook roles they fill, where, and how many projects they can hold.
        </span>
        {canAdd ? (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add a person
          </button>
        ) : (
          <span className="muted small">An admin adds people (with their account) here.</span>
        )}
      </div>
      <ErrorNotice error={people.error} onRetry={() => void people.reload()} />
      {people.loading && !people.data ? (
        <Loading />
      ) : (people.data ?? []).length === 0 ? (
        <Empty title="Nobody in the directory yet">Add people so projects can assign their roles automatically.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Playbook roles</th>
                <th scope="col" className="hide-phone">
                  Territory and segment
                </th>
                <th scope="col">Load</th>
                {canWrite ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {(people.data ?? []).map((p) => (
                <tr key={p.id}>
                  <td>
                    {p.name}
                    {!p.active ? <span className="badge"> Inactive</span> : null}
                  </td>
                  <td>{p.roles.map(humanize).join(", ")}</td>
                  <td className="hide-phone">
                    {Object.entries(p.attributes)
                      .map(([k, v]) => `${humanize(k)}: ${Array.isArray(v) ? v.join(", ") : v}`)
                      .join(" · ") || <span className="muted">—</span>}
                  </td>
                  <td>
                    <div className="nowrap">
                      {p.activeProjects} / {p.capacity ?? "∞"}
                    </div>
                    {p.capacity ? (
                      <div className={`progress${p.activeProjects >= p.capacity ? " late" : ""}`} aria-hidden="true">
                        <span style={{ width: `${Math.min(100, (p.activeProjects / p.capacity) * 100)}%` }} />
                      </div>
                    ) : null}
                  </td>
                  {canWrite ? (
                    <td>
                      <button type="button" className="small" onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>
                        Edit
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PersonDialog person={editing} onClose={() => setEditing(null)} onSaved={() => void people.reload()} />
      <UserDialog user={adding ? "new" : null} onClose={() => setAdding(false)} onSaved={() => void people.reload()} />
    </section>
  );
}

function PersonDialog({ person, onClose, onSaved }: { person: Schemas["Person"] | null; onClose: () => void; onSaved: () => void }) {
  const [form, setForm] = useState({ name: "", roles: "", territory: "", segment: "", capacity: "", active: true });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [loadedFor, setLoadedFor] = useState<string | null>(null);
  if ((person?.id ?? null) !== loadedFor) {
    setLoadedFor(person?.id ?? null);
    const attr = (k: string) => {
      const v = person?.attributes[k];
      return Array.isArray(v) ? v.join(", ") : (v ?? "");
    };
    setForm({
      name: person?.name ?? "",
      roles: person?.roles.join(", ") ?? "",
      territory: attr("territory"),
      segment: attr("segment"),
      capacity: person?.capacity === null || person?.capacity === undefined ? "" : String(person.capacity),
      active: person?.active ?? true,
    });
    setErrors({});
    setError(undefined);
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!person) return;
    const attributes: Record<string, string | string[]> = Object.fromEntries(Object.entries(person.attributes));
    const list = (s: string) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);
    for (const key of ["territory", "segment"] as const) {
      const values = list(form[key]);
      if (values.length === 0) delete attributes[key];
      else attributes[key] = values.length === 1 ? (values[0] ?? "") : values;
    }
    try {
      await api.put("/people/{id}", {
        path: { id: person.id },
        body: {
          name: form.name,
          roles: list(form.roles),
          attributes,
          capacity: form.capacity === "" ? null : Number(form.capacity),
          active: form.active,
        },
      });
      onSaved();
      onClose();
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fieldErrors());
      setError(describeError(e));
    }
  };
  return (
    <Dialog open={person !== null} title={`Edit ${person?.name ?? ""}`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field label="Name" error={errors.name} required>
          {(p) => <input {...p} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        <Field label="Playbook roles" hint="Comma separated, e.g. csm, implementation_specialist" error={errors.roles}>
          {(p) => <input {...p} value={form.roles} onChange={(e) => setForm({ ...form, roles: e.target.value })} />}
        </Field>
        <Field label="Territories" hint="Comma separated, e.g. EMEA, DACH" error={errors.territory}>
          {(p) => <input {...p} value={form.territory} onChange={(e) => setForm({ ...form, territory: e.target.value })} />}
        </Field>
        <Field label="Segments" hint="Comma separated, e.g. enterprise" error={errors.segment}>
          {(p) => <input {...p} value={form.segment} onChange={(e) => setForm({ ...form, segment: e.target.value })} />}
        </Field>
        <Field label="Capacity (active projects)" hint="Empty: the role's default capacity." error={errors.capacity}>
          {(p) => (
            <input {...p} type="number" min={0} value={form.capacity} onChange={(e) => setForm({ ...form, capacity: e.target.value })} />
          )}
        </Field>
        <label className="row" style={{ fontWeight: 400, gap: "0.5rem", marginBottom: "1rem" }}>
          <input type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} />
          Takes new assignments
        </label>
        <DialogActions onCancel={onClose} submit="Save" error={error} />
      </form>
    </Dialog>
  );
}

function Tokens() {
  const tokens = useResource(
    (signal) => all((cursor) => api.get("/tokens", { query: { limit: 200, ...(cursor ? { cursor } : {}) }, signal })),
    [],
  );
  const [name, setName] = useState("");
  const [scope, setScope] = useState<"read" | "write">("read");
  const [days, setDays] = useState("90");
  const [created, setCreated] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(undefined);
    try {
      const { data } = await api.post("/tokens", { body: { name, scope, ...(days ? { expiresInDays: Number(days) } : {}) } });
      setCreated(data.token);
      setName("");
      await tokens.reload();
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fieldErrors());
      setError(e);
    }
  };
  const revoke = async (id: string) => {
    try {
      await api.delete("/tokens/{id}", { path: { id } });
      await tokens.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="stack">
      <section className="card" aria-labelledby="new-token-h">
        <h2 id="new-token-h">New API token</h2>
        <form onSubmit={create} className="filters" noValidate>
          <Field label="What it is for" error={errors.name} required>
            {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} placeholder="CRM sync" />}
          </Field>
          <Field label="Access">
            {(p) => (
              <select {...p} value={scope} onChange={(e) => setScope(e.target.value as "read" | "write")}>
                <option value="read">Read only</option>
                <option value="write">Read and write</option>
              </select>
            )}
          </Field>
          <Field label="Expires after (days)" error={errors.expiresInDays}>
            {(p) => <input {...p} type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} />}
          </Field>
          <button type="submit" className="primary">
            Create token
          </button>
        </form>
        {created ? (
          <div className="notice success" role="status">
            Copy it now, it is shown only once: <code style={{ userSelect: "all", wordBreak: "break-all" }}>{created}</code>
          </div>
        ) : null}
        <ErrorNotice error={error} />
      </section>
      <section className="card" aria-labelledby="tokens-h">
        <h2 id="tokens-h">Your tokens</h2>
        {(tokens.data ?? []).length === 0 ? (
          <Empty title="No tokens">Scripts and integrations use a token instead of your password.</Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Access</th>
                  <th scope="col" className="hide-phone">
                    Created
                  </th>
                  <th scope="col">Expires</th>
                  <th scope="col" className="hide-phone">
                    Last used
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {(tokens.data ?? []).map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>{t.scope === "read" ? "Read only" : "Read and write"}</td>
                    <td className="hide-phone">{formatDate(t.createdAt)}</td>
                    <td>{t.expiresAt ? formatDate(t.expiresAt) : "Never"}</td>
                    <td className="hide-phone">{t.lastUsedAt ? formatDate(t.lastUsedAt) : "Never"}</td>
                    <td>
                      {t.revokedAt ? (
                        <span className="badge">Revoked</span>
                      ) : (
                        <button type="button" className="small danger" onClick={() => void revoke(t.id)} aria-label={`Revoke ${t.name}`}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
