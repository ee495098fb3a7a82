// One input for a playbook form field, by its type, with its label, help and server-side error.
import type { FormField } from "../lib/playbook.ts";
import { Field } from "./ui.tsx";

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
  const text = value === undefined || value === null ? "" : String(value);
  return (
    <Field label={field.label} hint={field.help} error={error} required={field.required}>
      {(p) => {
        switch (field.type) {
          case "text":
            return <textarea {...p} value={text} disabled={disabled} onChange={(e) => onChange(e.target.value)} />;
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
                {(field.options ?? []).map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            );
          case "int":
          case "double":
            return (
              <input
                {...p}
                type="number"
                step={field.type === "int" ? 1 : "any"}
                value={text}
                disabled={disabled}
                onChange={(e) => onChange(e.target.value === "" ? "" : Number(e.target.value))}
              />
            );
          case "date":
            return <input {...p} type="date" value={text} disabled={disabled} onChange={(e) => onChange(e.target.value)} />;
          case "email":
            return <input {...p} type="email" value={text} disabled={disabled} onChange={(e) => onChange(e.target.value)} />;
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
            return <input {...p} value={text} disabled={disabled} onChange={(e) => onChange(e.target.value)} />;
        }
      }}
    </Field>
  );
}
