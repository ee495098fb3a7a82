// Admin: the organisation's values for the parameters playbooks declare ({{company_name}},
// {{support_email}} ...). Emails use them wherever a project was started without its own value;
// the portal branding's company name and support address fill the usual ones when left empty.
import { type FormEvent, useState } from "react";
import { parse } from "yaml";
import { ApiError, all, api } from "../../api/client.ts";
import { ErrorNotice, Field, Loading } from "../../components/ui.tsx";
import { humanize } from "../../lib/format.ts";
import { useResource } from "../../lib/use-resource.ts";
import { type Outcome, OutcomeNotice } from "./project/feedback.tsx";

interface Declared {
  readonly id: string;
  readonly description: string;
  readonly playbooks: string[];
  readonly fallback?: string;
}

async function load(signal: AbortSignal) {
  const [saved, playbooks] = await Promise.all([
    api.get("/settings/parameters", { signal }).then((r) => r.data.values),
    all((cursor) => api.get("/playbooks", { query: { limit: 100, ...(cursor ? { cursor } : {}) }, signal })),
  ]);
  const declared = new Map<string, Declared>();
  for (const p of playbooks) {
    const { data } = await api.get("/playbooks/{id}/versions/{version}", { path: { id: p.id, version: p.latestVersion }, signal });
    const doc = parse(data.source) as { parameters?: Record<string, { description?: string; default?: unknown }> };
    for (const [id, spec] of Object.entries(doc.parameters ?? {})) {
      const found = declared.get(id) ?? { id, description: spec?.description ?? "", playbooks: [] };
      found.playbooks.push(p.title);
      declared.set(id, found);
    }
  }
  return { saved, declared: [...declared.values()].sort((a, b) => a.id.localeCompare(b.id)) };
}

export function ParameterValuesSettings({ canWrite }: { canWrite: boolean }) {
  const data = useResource(load, []);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome>();
  if (data.error) return <ErrorNotice error={data.error} onRetry={() => void data.reload()} />;
  if (!data.data) return <Loading label="Loading the values used in emails" />;
  const { saved, declared } = data.data;
  const value = (id: string) => draft[id] ?? saved[id] ?? "";
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setOutcome(undefined);
    try {
      await api.put("/settings/parameters", { body: { values: draft } });
      setDraft({});
      setOutcome({ tone: "success", text: "Saved: emails use these values from now on.", where: "parameters" });
      await data.reload();
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fieldErrors());
      setOutcome({
        tone: "error",
        text: "Not saved: check the values marked below.",
        detail: e instanceof ApiError ? e.problem.detail : String(e),
        where: "parameters",
      });
    }
  };
  return (
    <section className="card" aria-labelledby="parameters-h">
      <h2 id="parameters-h">Values in emails</h2>
      <p className="muted small">
        What the playbooks' emails say for your organisation. A project started with its own value keeps it. Left empty, the company name
        and support address come from the portal branding above.
      </p>
      <form onSubmit={save} noValidate aria-label="Values in emails">
        {declared.map((d) => (
          <Field
            key={d.id}
            label={humanize(d.id)}
            hint={`${d.description ? `${d.description} ` : ""}Used by ${d.playbooks.join(", ")}.`}
            error={errors[d.id]}
          >
            {(p) => (
              <input {...p} value={value(d.id)} disabled={!canWrite} onChange={(e) => setDraft({ ...draft, [d.id]: e.target.value })} />
            )}
          </Field>
        ))}
        {canWrite ? (
          <button type="submit" className="primary" disabled={Object.keys(draft).length === 0}>
            Save values
          </button>
        ) : null}
        <OutcomeNotice outcome={outcome} />
      </form>
    </section>
  );
}
