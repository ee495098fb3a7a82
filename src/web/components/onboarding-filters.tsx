// The filters the KPI and Process pages share: a playbook and the period the onboardings started
// in and, where the page asks for them, the client's segment and the CSM, kept in the URL. Days are
// whole UTC days, as the KPIs count them. FilterSelect is the portfolio's filter drop-down too.
import { useRef } from "react";
import type { Choices } from "../lib/portfolio.ts";
import { setSearch } from "../lib/router.tsx";

/** A date input's day as the first instant of that day (UTC), or undefined. */
export function dayStart(day: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T00:00:00.000Z` : undefined;
}

/**
 * A filter's drop-down: "all" (the empty value) and the choices. A value the choices do not hold
 * (a shared link to a CSM with no onboarding here, or choices still loading) is shown as itself
 * rather than as "all", so the drop-down never hides a filter that is on.
 */
export function FilterSelect({
  id,
  label,
  value,
  onChange,
  options,
  all = "All",
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: Choices;
  all?: string;
}) {
  const shown = value && !options.some(([v]) => v === value) ? [...options, [value, value] as const] : options;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{all}</option>
        {shown.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export function OnboardingFilters({
  idPrefix,
  playbooks,
  playbook,
  from,
  to,
  anyPlaybook,
  people,
}: {
  idPrefix: string;
  playbooks: readonly { readonly id: string; readonly title: string }[];
  playbook: string;
  from: string;
  to: string;
  /** The label of "no playbook chosen" (absent: one must be chosen). */
  anyPlaybook?: string;
  /** The segment and CSM filters, with their choices (undefined while they load); absent: not shown. */
  people?: {
    readonly segment: string;
    readonly csm: string;
    readonly choices: { readonly segments: Choices; readonly csms: Choices } | undefined;
  };
}) {
  const first = useRef<HTMLSelectElement>(null);
  // What "Clear filters" resets: everything but a playbook the page cannot do without.
  const clearable = {
    ...(anyPlaybook !== undefined ? { playbook } : {}),
    from,
    to,
    ...(people ? { segment: people.segment, csm: people.csm } : {}),
  };
  const filtered = Object.values(clearable).some(Boolean);
  const clear = () => {
    setSearch(Object.fromEntries(Object.keys(clearable).map((k) => [k, undefined])));
    // The button goes with the filters: the keyboard carries on from the first filter, not the page's top.
    first.current?.focus();
  };
  return (
    <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor={`${idPrefix}-playbook`}>Playbook</label>
        <select ref={first} id={`${idPrefix}-playbook`} value={playbook} onChange={(e) => setSearch({ playbook: e.target.value })}>
          {anyPlaybook !== undefined ? <option value="">{anyPlaybook}</option> : null}
          {playbooks.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
      </div>
      {people ? (
        <>
          <FilterSelect
            id={`${idPrefix}-segment`}
            label="Segment"
            all="All segments"
            value={people.segment}
            onChange={(v) => setSearch({ segment: v })}
            options={people.choices?.segments ?? []}
          />
          <FilterSelect
            id={`${idPrefix}-csm`}
            label="CSM"
            all="All CSMs"
            value={people.csm}
            onChange={(v) => setSearch({ csm: v })}
            options={people.choices?.csms ?? []}
          />
        </>
      ) : null}
      <div className="field">
        <label htmlFor={`${idPrefix}-from`}>Started from</label>
        <input id={`${idPrefix}-from`} type="date" value={from} onChange={(e) => setSearch({ from: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-to`}>Started before</label>
        <input id={`${idPrefix}-to`} type="date" value={to} onChange={(e) => setSearch({ to: e.target.value })} />
      </div>
      {filtered ? (
        <button type="button" onClick={clear}>
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
