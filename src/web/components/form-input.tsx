// One input for a playbook form field, by its declared type, with its label, help, what it takes
// ("whole number between 1 and 500 users") and the server's error. Lists of options are checkboxes,
// a person is a name and an email, a table (records) is rows of its columns with add and remove.
import { useId } from "react";
import { describeSpec, type ValueSpec } from "../../playbook/values.ts";
import type { FormField } from "../lib/playbook.ts";
import { Field } from "./ui.tsx";

type ControlProps = { id: string; "aria-invalid"?: true; "aria-describedby"?: string; required?: boolean };

function specOfField(field: FormField): ValueSpec {
  return field.spec ?? { type: field.type as ValueSpec["type"], ...(field.options ? { options: field.options } : {}) };
}

/** What the hint says: the author's help, then what the field takes when that is more than text. */
function hintOf(field: FormField, spec: ValueSpec): string | undefined {
  // Only what the control does not already show: a range, a unit, how many items, a pattern in words.
  const noun = spec.type === "records" ? "row" : spec.type === "choices" ? "choice" : "item";
  const count = (n: number) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  const takes =
    spec.type === "string" || spec.type === "text"
      ? spec.pattern_hint && `Takes ${spec.pattern_hint}.`
      : (spec.type === "int" || spec.type === "double") && (spec.min !== undefined || spec.max !== undefined)
        ? `Takes a ${describeSpec(spec)}.`
        : spec.min_items !== undefined && spec.max_items !== undefined
          ? `${spec.min_items} to ${count(spec.max_items)}.`
          : spec.min_items !== undefined && spec.min_items > 0
            ? `At least ${count(spec.min_items)}.`
            : spec.max_items !== undefined
              ? `At most ${count(spec.max_items)}.`
              : undefined;
  const when = field.requiredWhen && !field.required ? "Required for some answers" : undefined;
  const parts = [field.help, takes, when].filter(Boolean);
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

function Scalar({
  spec,
  p,
  value,
  disabled,
  onChange,
}: {
  spec: ValueSpec;
  p: ControlProps;
  value: unknown;
  disabled: boolean;
  onChange: (value: unknown) => void;
}) {
  const text = value === undefined || value === null ? "" : String(value);
  switch (spec.type) {
    case "text":
      return <textarea {...p} value={text} disabled={disabled} maxLength={spec.max_length} onChange={(e) => onChange(e.target.value)} />;
    case "bool":
      return (
        <select
          {...p}
          value={value === true ? "yes" : value === false ? "no" : ""}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value === "yes")}
        >
          <option value="">Choose…</option>
          <option value="yes">Yes</option>
          <option value="no">No</option>
        </select>
      );
    case "choice":
      return (
        <select {...p} value={text} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
          <option value="">Choose…</option>
          {(spec.options ?? []).map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      );
    case "int":
    case "double":
      return (
        <span className="row" style={{ gap: "0.4rem", flexWrap: "nowrap" }}>
          <input
            {...p}
            type="number"
            inputMode={spec.type === "int" ? "numeric" : "decimal"}
            step={spec.type === "int" ? 1 : "any"}
            min={spec.min}
            max={spec.max}
            value={text}
            disabled={disabled}
            onChange={(e) => onChange(e.target.value === "" ? "" : Number(e.target.value))}
          />
          {spec.unit ? <span className="muted">{spec.unit}</span> : null}
        </span>
      );
    case "date":
      return <input {...p} type="date" value={text} disabled={disabled} onChange={(e) => onChange(e.target.value)} />;
    case "datetime":
      return (
        <input {...p} type="datetime-local" value={text.slice(0, 16)} disabled={disabled} onChange={(e) => onChange(e.target.value)} />
      );
    case "email":
      return <input {...p} type="email" autoComplete="email" value={text} disabled={disabled} onChange={(e) => onChange(e.target.value)} />;
    case "url":
      return (
        <input
          {...p}
          type="url"
          inputMode="url"
          placeholder="https://"
          value={text}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case "phone":
      return <input {...p} type="tel" autoComplete="tel" value={text} disabled={disabled} onChange={(e) => onChange(e.target.value)} />;
    case "list":
      return (
        <input
          {...p}
          value={Array.isArray(value) ? value.join(", ") : text}
          disabled={disabled}
          placeholder="Separate items with commas"
          onChange={(e) =>
            onChange(
              e.target.value
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean),
            )
          }
        />
      );
    default:
      return <input {...p} value={text} disabled={disabled} maxLength={spec.max_length} onChange={(e) => onChange(e.target.value)} />;
  }
}

/** A group of controls under one legend (options, a person, a table), with the field's hint and error. */
function Group({
  label,
  required,
  hint,
  error,
  children,
}: {
  label: string;
  required: boolean;
  hint: string | undefined;
  error: string | undefined;
  children: React.ReactNode;
}) {
  const id = useId();
  return (
    <fieldset
      className="field field-group"
      aria-describedby={[hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined}
    >
      <legend>
        {label}
        {required ? (
          <span className="required" aria-hidden="true">
            {" "}
            *
          </span>
        ) : null}
      </legend>
      {children}
      {hint ? (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      ) : null}
      {error ? (
        <span id={`${id}-error`} className="error" role="alert">
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}

function Choices({
  spec,
  label,
  value,
  disabled,
  onChange,
}: {
  spec: ValueSpec;
  label: string;
  value: unknown;
  disabled: boolean;
  onChange: (v: unknown) => void;
}) {
  const chosen = Array.isArray(value) ? value.map(String) : [];
  const id = useId();
  return (
    <div className="stack" style={{ gap: "0.25rem" }}>
      {(spec.options ?? []).map((option, i) => (
        <label key={option} htmlFor={`${id}-${i}`} className="row" style={{ gap: "0.4rem", fontWeight: 400 }}>
          <input
            id={`${id}-${i}`}
            type="checkbox"
            checked={chosen.includes(option)}
            disabled={disabled}
            aria-label={`${label}: ${option}`}
            onChange={(e) => onChange(e.target.checked ? [...chosen, option] : chosen.filter((c) => c !== option))}
          />
          {option}
        </label>
      ))}
    </div>
  );
}

function PersonInput({
  label,
  value,
  disabled,
  onChange,
}: {
  label: string;
  value: unknown;
  disabled: boolean;
  onChange: (v: unknown) => void;
}) {
  const person =
    value && typeof value === "object" ? (value as { name?: string; email?: string }) : { name: typeof value === "string" ? value : "" };
  const id = useId();
  return (
    <div className="form-grid">
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          aria-label={`${label}: name`}
          value={person.name ?? ""}
          disabled={disabled}
          onChange={(e) => onChange({ ...person, name: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-email`}>Email</label>
        <input
          id={`${id}-email`}
          type="email"
          aria-label={`${label}: email`}
          value={person.email ?? ""}
          disabled={disabled}
          onChange={(e) => onChange({ ...person, email: e.target.value })}
        />
      </div>
    </div>
  );
}

function RecordsInput({
  spec,
  label,
  value,
  disabled,
  onChange,
}: {
  spec: ValueSpec;
  label: string;
  value: unknown;
  disabled: boolean;
  onChange: (v: unknown) => void;
}) {
  const rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const columns = Object.entries(spec.fields ?? {});
  const full = spec.max_items !== undefined && rows.length >= spec.max_items;
  const set = (i: number, key: string, v: unknown) => onChange(rows.map((r, j) => (j === i ? { ...r, [key]: v } : r)));
  return (
    <div className="stack" style={{ gap: "0.5rem" }}>
      {rows.length === 0 ? <p className="muted small">No rows yet.</p> : null}
      {rows.map((row, i) => (
        // Rows have no identity of their own: their place is their key (removing one re-renders the rest).
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <fieldset key={i} className="card record-row" style={{ boxShadow: "none" }}>
          <legend className="small">
            {label} {i + 1}
          </legend>
          <div className="form-grid">
            {columns.map(([key, column]) => (
              <Field key={key} label={column.label} required={column.required} hint={undefined} error={undefined}>
                {(p) => <Scalar spec={column} p={p} value={row[key]} disabled={disabled} onChange={(v) => set(i, key, v)} />}
              </Field>
            ))}
          </div>
          {!disabled ? (
            <button type="button" className="small" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              Remove {label.toLowerCase()} {i + 1}
            </button>
          ) : null}
        </fieldset>
      ))}
      {!disabled && !full ? (
        <button type="button" className="small" onClick={() => onChange([...rows, {}])}>
          Add a row to {label.toLowerCase()}
        </button>
      ) : null}
    </div>
  );
}

export function FormInput({
  field,
  value,
  error,
  disabled,
  onChange,
}: {
  field: FormField;
  value: unknown;
  error: string | undefined;
  disabled: boolean;
  onChange: (value: unknown) => void;
}) {
  const spec = specOfField(field);
  const hint = hintOf(field, spec);
  // A list limited to options is chosen from them, like several-of.
  const pick = spec.type === "choices" || (spec.type === "list" && spec.options !== undefined);
  if (pick || spec.type === "person" || spec.type === "records") {
    return (
      <Group label={field.label} required={field.required} hint={hint} error={error}>
        {pick ? (
          <Choices spec={spec} label={field.label} value={value} disabled={disabled} onChange={onChange} />
        ) : spec.type === "person" ? (
          <PersonInput label={field.label} value={value} disabled={disabled} onChange={onChange} />
        ) : (
          <RecordsInput spec={spec} label={field.label} value={value} disabled={disabled} onChange={onChange} />
        )}
      </Group>
    );
  }
  return (
    <Field label={field.label} hint={hint} error={error} required={field.required}>
      {(p) => <Scalar spec={spec} p={p} value={value} disabled={disabled} onChange={onChange} />}
    </Field>
  );
}
