// Admin, integrations and look: the portal's branding (with a live preview), outbound webhook
// subscriptions with their delivery log, and the deliveries received from the CRMs (admin-deliveries.tsx).
import { type FormEvent, useState } from "react";
import { ApiError, api, describeError, type Schemas } from "../../api/client.ts";
import { Empty, ErrorNotice, Field, Loading } from "../../components/ui.tsx";
import { humanize } from "../../lib/format.ts";
import { useResource } from "../../lib/use-resource.ts";
import { InboundDeliveries } from "./admin-deliveries.tsx";

type Branding = Schemas["Branding"];
const EVENT_TYPES = [
  "project.started",
  "project.on_hold",
  "project.cancelled",
  "project.go_live",
  "project.completed",
  "step.completed",
  "step.overdue",
  "gate.approved",
  "gate.rejected",
  "survey.answered",
] as const;
type EventType = (typeof EVENT_TYPES)[number];

export function BrandingSettings({ canWrite }: { canWrite: boolean }) {
  const current = useResource(async (signal) => (await api.get("/settings/branding", { signal })).data, []);
  const [draft, setDraft] = useState<Branding | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string }>();
  const form = draft ?? current.data;
  if (current.error) return <ErrorNotice error={current.error} />;
  if (!form) return <Loading />;
  const set = (patch: Partial<Branding>) => setDraft({ ...form, ...patch });
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setMessage(undefined);
    try {
      await api.put("/settings/branding", { body: form });
      setMessage({ tone: "success", text: "Saved: the portal shows it from the next page a client opens." });
      setDraft(null);
      await current.reload();
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fieldErrors());
      setMessage({ tone: "error", text: describeError(e) });
    }
  };
  return (
    <section className="card" aria-labelledby="branding-h">
      <h2 id="branding-h">Client portal branding</h2>
      <div className="grid-2">
        <form onSubmit={save} noValidate>
          <Field label="Company name shown to clients" error={errors.vendorName} required>
            {(p) => <input {...p} value={form.vendorName} disabled={!canWrite} onChange={(e) => set({ vendorName: e.target.value })} />}
          </Field>
          <Field
            label="Primary colour"
            hint="Header and buttons; text on it turns white or black for contrast."
            error={errors.primaryColor}
          >
            {(p) => (
              <div className="row">
                <input
                  {...p}
                  type="color"
                  value={form.primaryColor}
                  disabled={!canWrite}
                  onChange={(e) => set({ primaryColor: e.target.value })}
                  style={{ width: 56, padding: 2 }}
                />
                <code>{form.primaryColor}</code>
              </div>
            )}
          </Field>
          <Field label="Logo URL" hint="https://… (optional)" error={errors.logoUrl}>
            {(p) => (
              <input
                {...p}
                type="url"
                value={form.logoUrl ?? ""}
                disabled={!canWrite}
                onChange={(e) => set({ logoUrl: e.target.value || null })}
              />
            )}
          </Field>
          <Field label="Support email" hint="Shown at the foot of the portal (optional)" error={errors.supportEmail}>
            {(p) => (
              <input
                {...p}
                type="email"
                value={form.supportEmail ?? ""}
                disabled={!canWrite}
                onChange={(e) => set({ supportEmail: e.target.value || null })}
              />
            )}
          </Field>
          {message ? (
            <div
              className={`notice ${message.tone}`}
              role={message.tone === "error" ? "alert" : "status"}
              style={{ marginBottom: "0.75rem" }}
            >
              {message.text}
            </div>
          ) : null}
          {canWrite ? (
            <button type="submit" className="primary" disabled={!draft}>
              Save branding
            </button>
          ) : null}
        </form>
        <figure aria-label="Preview" style={{ margin: 0 }}>
          <div className="small muted" style={{ marginBottom: "0.4rem" }}>
            Preview
          </div>
          <div style={{ border: "1px solid var(--border)", borderRadius: 8, overflow: "hidden" }}>
            <div style={{ background: form.primaryColor, color: readableOn(form.primaryColor), padding: "0.8rem 1rem", fontWeight: 700 }}>
              {form.logoUrl ? <img src={form.logoUrl} alt="" style={{ height: 24, verticalAlign: "middle", marginRight: 8 }} /> : null}
              {form.vendorName}
            </div>
            <div style={{ padding: "1rem", background: "var(--bg)" }}>
              <strong>Your onboarding</strong>
              <div className="portal-progress" style={{ margin: "0.5rem 0", height: 8, background: "#e5e7eb", borderRadius: 999 }}>
                <span style={{ display: "block", width: "40%", height: "100%", background: form.primaryColor, borderRadius: 999 }} />
              </div>
              <span
                style={{
                  display: "inline-block",
                  background: form.primaryColor,
                  color: readableOn(form.primaryColor),
                  padding: "0.35rem 0.8rem",
                  borderRadius: 6,
                  fontWeight: 600,
                }}
              >
                Approve
              </span>
            </div>
          </div>
        </figure>
      </div>
    </section>
  );
}

function readableOn(hex: string): string {
  const c = (i: number) => {
    const v = Number.parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * c(0) + 0.7152 * c(1) + 0.0722 * c(2);
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#ffffff" : "#111827";
}

export function Webhooks({ canWrite }: { canWrite: boolean }) {
  const subscriptions = useResource(async (signal) => (await api.get("/webhook-subscriptions", { signal })).data.items, []);
  const [open, setOpen] = useState<string>();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<EventType[]>(["project.started", "project.go_live"]);
  const [secret, setSecret] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(undefined);
    try {
      const { data } = await api.post("/webhook-subscriptions", { body: { url, description, eventTypes: events } });
      setSecret(data.secret);
      setUrl("");
      setDescription("");
      await subscriptions.reload();
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fieldErrors());
      setError(e);
    }
  };
  const toggle = async (s: Schemas["WebhookSubscription"]) => {
    try {
      await api.patch("/webhook-subscriptions/{id}", { path: { id: s.id }, body: { enabled: !s.enabled } });
      await subscriptions.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="stack">
      <section className="card" aria-labelledby="subs-h">
        <h2 id="subs-h">Outbound webhooks</h2>
        <p className="muted">Onboard tells your systems what happens, signed with Standard Webhooks signatures.</p>
        <ErrorNotice error={subscriptions.error ?? error} />
        {subscriptions.loading && !subscriptions.data ? (
          <Loading />
        ) : (subscriptions.data ?? []).length === 0 ? (
          <Empty title="No subscriptions" />
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col" className="hide-phone">
                    Events
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {(subscriptions.data ?? []).map((s) => (
                  <tr key={s.id}>
                    <td>
                      <div className="mono small" style={{ wordBreak: "break-all" }}>
                        {s.url}
                      </div>
                      <div className="muted small">{s.description}</div>
                      {open === s.id ? <DeliveryLog id={s.id} /> : null}
                    </td>
                    <td className="hide-phone small">{s.eventTypes.join(", ")}</td>
                    <td>
                      {s.enabled ? <span className="badge green">Enabled</span> : <span className="badge red">Disabled</span>}
                      {s.disabledReason ? <div className="small muted">{s.disabledReason}</div> : null}
                      {s.consecutiveFailures > 0 ? (
                        <div className="small" style={{ color: "var(--red)" }}>
                          {s.consecutiveFailures} failures in a row
                        </div>
                      ) : null}
                    </td>
                    <td>
                      <div className="row" style={{ gap: "0.4rem" }}>
                        <button
                          type="button"
                          className="small"
                          aria-expanded={open === s.id}
                          onClick={() => setOpen(open === s.id ? undefined : s.id)}
                        >
                          Deliveries
                        </button>
                        {canWrite ? (
                          <button type="button" className="small" onClick={() => void toggle(s)}>
                            {s.enabled ? "Disable" : "Enable"}
                          </button>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {canWrite ? (
          <form onSubmit={create} noValidate style={{ marginTop: "1rem" }}>
            <h3>New subscription</h3>
            <Field label="Endpoint URL" error={errors.url} required>
              {(p) => (
                <input
                  {...p}
                  type="url"
                  value={url}
                  onChange={(e) => setUrl(e.target.value)}
                  placeholder="https://example.com/hooks/onboard"
                  style={{ width: "100%" }}
                />
              )}
            </Field>
            <Field label="Description" error={errors.description}>
              {(p) => <input {...p} value={description} onChange={(e) => setDescription(e.target.value)} style={{ width: "100%" }} />}
            </Field>
            <fieldset style={{ border: 0, padding: 0, margin: "0 0 1rem" }}>
              <legend style={{ fontWeight: 550, marginBottom: "0.3rem" }}>Events</legend>
              <div className="row" style={{ gap: "0.4rem 1rem" }}>
                {EVENT_TYPES.map((type) => (
                  <label key={type} className="row small" style={{ fontWeight: 400, gap: "0.35rem" }}>
                    <input
                      type="checkbox"
                      checked={events.includes(type)}
                      onChange={(e) => setEvents(e.target.checked ? [...events, type] : events.filter((x) => x !== type))}
                    />
                    {type}
                  </label>
                ))}
              </div>
              {errors.eventTypes ? <span className="error">{errors.eventTypes}</span> : null}
            </fieldset>
            <button type="submit" className="primary">
              Subscribe
            </button>
            {secret ? (
              <div className="notice success" role="status" style={{ marginTop: "0.75rem" }}>
                Signing secret, shown once: <code style={{ userSelect: "all", wordBreak: "break-all" }}>{secret}</code>
              </div>
            ) : null}
          </form>
        ) : null}
      </section>
      <InboundDeliveries canWrite={canWrite} />
    </div>
  );
}

function DeliveryLog({ id }: { id: string }) {
  const log = useResource(
    async (signal) => (await api.get("/webhook-subscriptions/{id}/messages", { path: { id }, signal })).data.items,
    [id],
  );
  if (log.error) return <ErrorNotice error={log.error} />;
  if (!log.data) return <Loading lines={2} />;
  if (log.data.length === 0) return <p className="small muted">Nothing sent yet.</p>;
  return (
    <ul className="feed small" style={{ marginTop: "0.5rem" }}>
      {log.data.slice(0, 20).map((m) => (
        <li key={m.id}>
          <span className={`badge ${m.status === "delivered" ? "green" : m.status === "failed" ? "red" : ""}`}>{humanize(m.status)}</span>{" "}
          {m.eventType} · {m.projectId} · {m.attempts.length} attempt{m.attempts.length === 1 ? "" : "s"}
          {m.attempts.at(-1)?.error ? <span style={{ color: "var(--red)" }}> · {m.attempts.at(-1)?.error}</span> : null}
        </li>
      ))}
    </ul>
  );
}
