// The document control: what the document's table or lines say, completed where they are silent
// (the file name as ID, version 0.1, the import's date, a review a year on), each gap a finding.
import { basename, extname } from "node:path";
import type { Findings, Roles } from "./draft-parts.ts";
import type { DocumentControlValues } from "./front-matter.ts";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function yearLater(date: string): string {
  const [y, m, d] = date.split("-");
  return `${Number(y) + 1}-${m}-${d === "29" && m === "02" ? "28" : d}`;
}

export interface DocumentYaml {
  readonly id: string;
  readonly title: string;
  readonly version: string;
  readonly status: "draft";
  readonly owner: string;
  readonly effective: string;
  readonly review: string;
}

export function documentYaml(
  control: DocumentControlValues["values"],
  title: string,
  fileName: string,
  today: string,
  roles: Roles,
  findings: Findings,
): DocumentYaml {
  const name = basename(fileName, extname(fileName));
  const value = (key: string) => control.get(key)?.value;
  const id = value("id") ?? name.toUpperCase();
  if (!value("id")) findings.add(1, "warning", `the document gives no document ID; "${id}" (the file name) is used`, "document.id");
  const version = value("version") ?? "0.1";
  if (!value("version")) findings.add(1, "info", 'the document gives no version; "0.1" is used', "document.version");
  const firstRole = [...roles.byTitle.values()][0];
  const owner = value("owner") ?? firstRole?.title ?? "Not stated";
  if (!value("owner")) findings.add(1, "warning", `the document names no owner; "${owner}" is used`, "document.owner");
  const dateOf = (key: "effective" | "review", fallback: string, what: string): string => {
    const written = value(key) ?? (key === "effective" ? value("updated") : undefined);
    const date = written && /\d{4}-\d{2}-\d{2}/.exec(written)?.[0];
    if (date && DATE.test(date)) return date;
    findings.add(
      control.get(key)?.line ?? (key === "effective" ? control.get("updated")?.line : undefined) ?? 1,
      "warning",
      written
        ? `the ${what} "${written}" is not a YYYY-MM-DD date; ${fallback} is used`
        : `the document gives no ${what}; ${fallback} is used`,
      `document.${key}`,
    );
    return fallback;
  };
  const effective = dateOf("effective", today, "effective date");
  const review = dateOf("review", yearLater(effective), "review date");
  return { id, title: value("title") ?? (title || name), version, status: "draft", owner, effective, review };
}
