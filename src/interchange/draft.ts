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
