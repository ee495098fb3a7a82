// The part of bpmn-moddle (whose package root ships no types) that source.ts uses.
declare module "bpmn-moddle" {
  interface ParseWarning {
    readonly message: string;
    readonly element?: { readonly id?: string };
  }
  interface ParseResult {
    readonly rootElement: unknown;
    readonly warnings: readonly ParseWarning[];
  }
  export class BpmnModdle {
    constructor(packages?: Record<string, object>);
    fromXML(xml: string): Promise<ParseResult>;
  }
}
