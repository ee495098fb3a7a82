// Start onboarding: choose a published playbook, answer its client facts and parameters (forms
// generated from what the playbook declares), see the planned date of every step and of go-live
// on the client's business calendar (POST /projects/plan: nothing is written yet), then confirm.
// The new project opens on its Team tab, where its roles are assigned.
import { type FormEvent, useState } from "react";
import { ApiError, api, describeError, type Schemas } from "../../api/client.ts";
import { FormInput } from "../../components/form-input.tsx";
import { ErrorNotice, Field, Loading, PageHeader } from "../../components/ui.tsx";
import { formatDate } from "../../lib/format.ts";
import { playbookLabels, shownVersion } from "../../lib/playbook.ts";
import { missingValues, typedValues } from "../../lib/playbook-inputs.ts";
import { Link, navigate, useTitle } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";
import { playbookInputs, usePlaybooks } from "./clients.tsx";

type Plan = Schemas["ProjectPlan"];

function errorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const e of error.problem.errors ?? []) {
    const parts = e.pointer.split("/").filter(Boolean);
    out[parts[1] === "facts" || parts[1] === "params" ? `${parts[1]}.${parts[2] ?? ""}` : (parts.at(-1) ?? "")] = e.detail;
  }
  return out;
}

export function StartOnboarding({ clientId }: { clientId: string }) {
  const client = useResource(async (signal) => (await api.get("/clients/{id}", { path: { id: clientId }, signal })).data, [clientId]);
  const playbooks = usePlaybooks();
  useTitle(client.data ? `Start onboarding: ${client.data.name}` : "Start onboarding", "Onboard");
  const [picked, setPicked] = useState<string>();
  const playbookId = picked ?? client.data?.playbookId ?? playbooks.data?.[0]?.id ?? "";
  const playbook = (playbooks.data ?? []).find((p) => p.id === playbookId);
  const inputs = useResource(
    async () => (playbook ? await playbookInputs(playbook.id, playbook.latestVersion) : null),
    [playbook?.id, playbook?.latestVersion],
  );
  const [facts, setFacts] = useState<Record<string, unknown>>({});
  const [params, setParams] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [plan, setPlan] = useState<Plan>();
  const [busy, setBusy] = useState<"plan" | "start">();

  const data = client.data;
  const factFields = inputs.data?.facts ?? [];
  const paramFields = inputs.data?.params ?? [];
  const clientFacts = data && data.playbookId === playbookId ? data.facts : {};
  const factValue = (id: string, fallback: unknown) => (id in facts ? facts[id] : id in clientFacts ? clientFacts[id] : fallback);
  const body = () => {
    const merged: Record<string, unknown> = {};
    for (const f of factFields) merged[f.id] = factValue(f.id, f.defaultValue);
    const paramDraft: Record<string, unknown> = {};
    for (const p of paramFields) paramDraft[p.id] = p.id in params ? params[p.id] : p.defaultValue;
    return {
      playbook: { id: playbook?.id ?? "", version: playbook?.latestVersion ?? "" },
      clientId,
      facts: typedValues(factFields, merged) as Record<string, never>,
      params: typedValues(paramFields, paramDraft) as Record<string, never>,
      paramDraft,
    };
  };

  const planDates = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setPlan(undefined);
    const { paramDraft, ...request } = body();
    const local = Object.fromEntries(Object.entries(missingValues(paramFields, paramDraft)).map(([k, v]) => [`params.${k}`, v]));
    setErrors(local);
    if (Object.keys(local).length > 0) {
      setError("Some fields need attention: see the messages next to them.");
      return;
    }
    setBusy("plan");
    try {
      setPlan((await api.post("/projects/plan", { body: request })).data);
    } catch (failure) {
      setErrors(errorsOf(failure));
      setError(
        Object.keys(errorsOf(failure)).length ? "Some fields need attention: see the messages next to them." : describeError(failure),
      );
    } finally {
      setBusy(undefined);
    }
  };

  const start = async () => {
    setBusy("start");
    setError(undefined);
    const { paramDraft: _, ...request } = body();
    try {
      const { data: created } = await api.post("/projects", { headers: { "idempotency-key": crypto.randomUUID() }, body: request });
      navigate(`/app/projects/${encodeURIComponent(created.project.id)}?tab=team`);
    } catch (failure) {
      setErrors(errorsOf(failure));
      setError(describeError(failure));
      setBusy(undefined);
    }
  };

  if (client.error && !data) return <ErrorNotice error={client.error} onRetry={() => void client.reload()} />;
  if (!data || !playbooks.data)
    return (
      <div className="card">
        <Loading lines={6} label="Loading" />
      </div>
    );
  const applying = plan?.steps.filter((s) => s.applies) ?? [];
  const phases = [...new Map(applying.map((s) => [s.phaseId, s.phaseTitle])).entries()];
  const day = (iso: string | null | undefined) => (iso ? formatDate(iso, plan?.timeZone) : "—");

  return (
    <>
      <PageHeader
        crumb={<Link to={`/app/clients/${encodeURIComponent(clientId)}`}>← {data.name}</Link>}
        title="Start onboarding"
        subtitle={`For ${data.name}, on its business calendar (${data.timeZone}${data.country ? `, ${data.country} holidays` : ""}).`}
      />
      <form className="stack" onSubmit={planDates} noValidate>
        <section className="card" aria-labelledby="playbook-h">
          <h2 id="playbook-h">Which playbook</h2>
          <Field label="Playbook" hint="The latest published version is used; the project stays on it.">
            {(p) => (
              <select
                {...p}
                value={playbookId}
                onChange={(e) => {
                  setPicked(e.target.value);
                  setPlan(undefined);
                  setFacts({});
                  setParams({});
                  setErrors({});
                }}
              >
                {(playbooks.data ?? []).map((pb) => (
                  <option key={pb.id} value={pb.id}>
                    {playbookLabels(playbooks.data ?? []).get(pb.id)}
                    {shownVersion(pb.latestVersion) ? ` (version ${pb.latestVersion})` : ""}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </section>
        {inputs.loading && !inputs.data ? (
          <div className="card">
            <Loading lines={3} label="Loading the playbook's questions" />
          </div>
        ) : null}
        {factFields.length > 0 ? (
          <section className="card" aria-labelledby="facts-h">
            <h2 id="facts-h">Client facts</h2>
            <p className="muted small">
              They decide which parts of the playbook apply. Saved answers from the client's page are filled in.
            </p>
            <div className="form-grid">
              {factFields.map((f) => (
                <FormInput
                  key={f.id}
                  field={f}
                  value={factValue(f.id, f.defaultValue)}
                  error={errors[`facts.${f.id}`]}
                  disabled={false}
                  onChange={(v) => {
                    setFacts({ ...facts, [f.id]: v });
                    setPlan(undefined);
                  }}
                />
              ))}
            </div>
          </section>
        ) : null}
        {paramFields.length > 0 ? (
          <section className="card" aria-labelledby="params-h">
            <h2 id="params-h">Parameters</h2>
            <p className="muted small">What your company fills in for this playbook (names and addresses in the client's mail).</p>
            <div className="form-grid">
              {paramFields.map((f) => (
                <FormInput
                  key={f.id}
                  field={f}
                  value={f.id in params ? params[f.id] : f.defaultValue}
                  error={errors[`params.${f.id}`]}
                  disabled={false}
                  onChange={(v) => {
                    setParams({ ...params, [f.id]: v });
                    setPlan(undefined);
                  }}
                />
              ))}
            </div>
          </section>
        ) : null}
        <div className="row">
          <button type="submit" className={plan ? "" : "primary"} disabled={busy !== undefined || !playbook}>
            {busy === "plan" ? "Planning…" : "Show planned dates"}
          </button>
          {!plan ? <span className="muted small">You see every step's date before anything is created.</span> : null}
        </div>
        <div aria-live="polite">
          {error && !plan ? (
            <p className="notice error inline-notice" role="alert">
              {error}
            </p>
          ) : null}
        </div>
      </form>
      {plan ? (
        <section className="card plan" aria-labelledby="plan-h" style={{ marginTop: "1rem" }}>
          <div className="card-header">
            <h2 id="plan-h">Planned dates</h2>
            <span className="muted small">Dates on the client's calendar ({plan.timeZone})</span>
          </div>
          <dl className="facts">
            <div>
              <dt>Start</dt>
              <dd>{day(plan.startAt)}</dd>
            </div>
            <div>
              <dt>Planned go-live</dt>
              <dd>
                <strong>{plan.goLiveAt ? day(plan.goLiveAt) : "No go-live milestone"}</strong>
              </dd>
            </div>
            <div>
              <dt>Last step planned</dt>
              <dd>{day(plan.completeAt)}</dd>
            </div>
            <div>
              <dt>Steps</dt>
              <dd>
                {applying.length} of {plan.steps.length} apply
              </dd>
            </div>
          </dl>
          {applying.some((s) => s.startAt && s.dueAt && s.dueAt < s.startAt) ? (
            <p className="notice">
              Some steps are due before the steps they wait for are done: the playbook's deadlines are tighter than its order. They will
              start late; extend their deadlines on the timeline once the onboarding runs.
            </p>
          ) : null}
          {phases.map(([phaseId, title]) => (
            <div key={phaseId}>
              <h3 className="phase-title">{title}</h3>
              <div className="table-wrap fit">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Step</th>
                      <th scope="col" className="hide-phone">
                        Owner
                      </th>
                      <th scope="col" className="hide-phone">
                        Opens
                      </th>
                      <th scope="col">Due</th>
                    </tr>
                  </thead>
                  <tbody>
                    {applying
                      .filter((s) => s.phaseId === phaseId)
                      .map((s) => (
                        <tr key={s.id}>
                          <td>{s.title}</td>
                          <td className="hide-phone">{s.ownerTitle}</td>
                          <td className="nowrap hide-phone">{day(s.startAt)}</td>
                          <td className="nowrap">
                            {day(s.dueAt)}
                            {s.startAt && s.dueAt && s.dueAt < s.startAt ? (
                              // The playbook's deadline is tighter than what must come before: say so now.
                              <div className="small" style={{ color: "var(--red)" }}>
                                Due before it can open
                              </div>
                            ) : null}
                          </td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            </div>
          ))}
          <h3>Who would be assigned</h3>
          <ul className="feed">
            {plan.assignments.map((a) => (
              <li key={a.role}>
                {a.roleTitle}: {a.personName ?? <span className="muted">nobody yet (you choose on the project's Team tab)</span>}
              </li>
            ))}
          </ul>
          <div className="row" style={{ marginTop: "1rem" }}>
            <button type="button" className="primary" onClick={() => void start()} disabled={busy !== undefined}>
              {busy === "start" ? "Starting…" : "Confirm and start onboarding"}
            </button>
            <button type="button" onClick={() => setPlan(undefined)} disabled={busy !== undefined}>
              Change answers
            </button>
          </div>
          <div aria-live="polite">
            {error ? (
              <p className="notice error inline-notice" role="alert">
                {error}
              </p>
            ) : null}
          </div>
        </section>
      ) : null}
    </>
  );
}
