// What an importer hands back: a draft playbook as YAML text, and what it could not translate.
export interface ImportFinding {
  readonly line: number;
  readonly element?: string;
  readonly severity: "warning" | "info";
  readonly message: string;
}
export interface DraftImport {
  readonly yaml: string;
  readonly findings: readonly ImportFinding[];
}
