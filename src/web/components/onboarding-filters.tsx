// The filters the KPI and Process pages share: a playbook and the period the onboardings started
// in, kept in the URL. Days are whole UTC days, as the KPIs count them.
import { setSearch } from "../lib/router.tsx";

/** A date input's day as the first instant of that day (UTC), or undefined. */
export function dayStart(day: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T00:00:00.000Z` : undefined;
}

export function OnboardingFilters({
  idPrefix,
  playbooks,
  playbook,
  from,
  to,
  anyPlaybook,
}: {
  idPrefix: string;
  playbooks: readonly { readonly id: string; readonly title: string }[];
  playbook: string;
  from: string;
  to: string;
  /** The label of "no playbook chosen" (absent: one must be chosen). */
  anyPlaybook?: string;
}) {
  return (
    <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor={`${idPrefix}-playbook`}>Playbook</label>
        <select id={`${idPrefix}-playbook`} value={playbook} onChange={(e) => setSearch({ playbook: e.target.value })}>
          {anyPlaybook !== undefined ? <option value="">{anyPlaybook}</option> : null}
          {playbooks.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-from`}>Started from</label>
        <input id={`${idPrefix}-from`} type="date" value={from} onChange={(e) => setSearch({ from: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-to`}>Started before</label>
        <input id={`${idPrefix}-to`} type="date" value={to} onChange={(e) => setSearch({ to: e.target.value })} />
      </div>
    </form>
  );
}
