// The register of personal data (GDPR Art. 30), for admins: what Onboard holds about the client
// contacts and the team, why, on what legal basis, where and for how long; then, per published
// playbook, the form fields it marks personal, with their purpose and retention. A contact's or a
// client's data is exported from the client's page (Export data).
import { api, type Schemas } from "../../api/client.ts";
import { Empty, ErrorNotice, Loading } from "../../components/ui.tsx";
import { useResource } from "../../lib/use-resource.ts";

type Register = Schemas["PersonalDataRegister"];

const SUBJECT_WORDS: Record<Register["records"][number]["subject"], string> = {
  contact: "Client contacts",
  team_member: "The team",
};

export function PersonalDataRegister() {
  const register = useResource(async (signal) => (await api.get("/gdpr/register", { signal })).data, []);
  const data = register.data;
  return (
    <>
      <section className="card" aria-labelledby="register-h">
        <div className="card-header">
          <h2 id="register-h">Personal data Onboard holds</h2>
        </div>
        <p className="muted small">
          The register of processing (GDPR Art. 30). A contact's or a client's data is exported, as JSON or CSV, from the client's page
          (Export data).
        </p>
        <ErrorNotice error={register.error} onRetry={() => void register.reload()} />
        {register.loading && !data ? (
          <Loading />
        ) : data ? (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls sideways on a phone, so the keyboard must reach it (WCAG 2.1.1, axe scrollable-region-focusable)
          <section className="table-wrap" tabIndex={0} aria-label="Onboard's records of personal data">
            <table>
              <thead>
                <tr>
                  <th scope="col">Record</th>
                  <th scope="col">Whose</th>
                  <th scope="col">Personal data</th>
                  <th scope="col">Purpose and legal basis</th>
                  <th scope="col">Stored in</th>
                  <th scope="col">Retention</th>
                </tr>
              </thead>
              <tbody>
                {data.records.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <strong>{r.title}</strong>
                    </td>
                    <td>{SUBJECT_WORDS[r.subject]}</td>
                    <td>
                      {r.fields.join(", ")}
                      <div className="small muted">{r.category}</div>
                    </td>
                    <td>
                      {r.purpose}
                      <div className="small muted">{r.legalBasis}</div>
                    </td>
                    <td className="small">{r.storedIn.join(", ")}</td>
                    <td className="small">{r.retention}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}
      </section>
      {data?.playbooks.map((p) => (
        <section key={p.id} className="card" aria-labelledby={`register-${p.id}-h`}>
          <div className="card-header">
            <h2 id={`register-${p.id}-h`}>
              {p.title} <span className="small muted">v{p.version}</span>
            </h2>
          </div>
          {p.fields.length === 0 ? (
            <Empty title="No personal fields">This playbook's forms collect no personal data.</Empty>
          ) : (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls sideways on a phone, so the keyboard must reach it (WCAG 2.1.1, axe scrollable-region-focusable)
            <section className="table-wrap" tabIndex={0} aria-label={`Personal fields of ${p.title}`}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Form</th>
                    <th scope="col">Field</th>
                    <th scope="col">Purpose</th>
                    <th scope="col">Retention</th>
                  </tr>
                </thead>
                <tbody>
                  {p.fields.map((f) => (
                    <tr key={`${f.form}.${f.field}`}>
                      <td>{f.formTitle}</td>
                      <td>
                        <strong>{f.label}</strong>
                        {f.columns.length > 0 ? <span className="small muted"> ({f.columns.join(", ")})</span> : null}
                      </td>
                      <td>{f.purpose}</td>
                      <td className="small">{f.retention.length > 0 ? f.retention.join("; ") : "Not set by the playbook"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </section>
      ))}
    </>
  );
}
