// Document control an auditor can trust: dates in order, the version matches the revision history.
import type { LintRule } from "../rule.ts";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (Number.isNaN(x) || Number.isNaN(y)) return 0;
    if (x !== y) return x - y;
  }
  return 0;
}

export const documentDates: LintRule = {
  id: "document/dates",
  severity: "error",
  kind: "quality",
  description: "Document control dates exist and agree: effective before review, history in order, version matches.",
  *check({ playbook }) {
    const doc = playbook.document;
    // A {{parameter}} date is checked with its default: that is what the document prints unless adopted.
    const resolve = (text: string | undefined): string | undefined => {
      const match = text === undefined ? null : /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(text);
      if (!match?.[1]) return text;
      const fallback = playbook.parameters[match[1]]?.default;
      return typeof fallback === "string" ? fallback : undefined;
    };
    const dated = (raw: string | undefined) => {
      const text = resolve(raw);
      return text !== undefined && ISO_DATE.test(text) && validDate(text) ? text : undefined;
    };
    for (const [key, value] of [
      ["effective", doc.effective],
      ["review", doc.review],
      ["last_review", doc.last_review],
    ] as const) {
      if (value !== undefined && ISO_DATE.test(value) && !validDate(value)) {
        yield { path: ["document", key], message: `${value} is not a calendar date`, fix: "write a real date, YYYY-MM-DD" };
      }
    }
    const effective = dated(doc.effective);
    const review = dated(doc.review);
    if (effective && review && review <= effective) {
      yield {
        path: ["document", "review"],
        message: `the review date ${review} is not after the effective date ${effective}`,
        fix: "set the next review after the effective date",
      };
    }
    const revisions = doc.revisions;
    for (let i = 1; i < revisions.length; i++) {
      const prev = revisions[i - 1];
      const cur = revisions[i];
      if (!prev || !cur) continue;
      if (compareVersions(prev.version, cur.version) >= 0 && compareVersions(cur.version, prev.version) !== 0) {
        yield {
          path: ["document", "revisions", i, "version"],
          message: `revision ${cur.version} is listed after ${prev.version}`,
          fix: "list revisions oldest first, one entry per version",
        };
      }
      const pd = dated(prev.date);
      const cd = dated(cur.date);
      if (pd && cd && cd < pd) {
        yield {
          path: ["document", "revisions", i, "date"],
          message: `revision ${cur.version} (${cd}) is dated before revision ${prev.version} (${pd})`,
          fix: "list revisions oldest first, with their real dates",
        };
      }
    }
    if (revisions.length === 0) {
      yield {
        path: ["document"],
        severity: "warning",
        message: "the document has no revision history",
        fix: "add document.revisions with at least the initial release",
      };
      return;
    }
    const latest = revisions.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
    if (!doc.version.includes("{{") && compareVersions(latest.version, doc.version) !== 0) {
      yield {
        path: ["document", "version"],
        message: `the document is version ${doc.version} but its newest revision is ${latest.version}`,
        fix: "add a revision entry for this version or correct document.version",
      };
    }
    const latestDate = dated(latest.date);
    if (effective && latestDate && effective < latestDate) {
      yield {
        path: ["document", "effective"],
        message: `version ${latest.version} is effective ${effective}, before it was written (${latestDate})`,
        fix: `set document.effective to ${latestDate} or later`,
      };
    }
  },
};
