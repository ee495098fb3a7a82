// The part of bpmn-moddle (whose package root ships no types) that the BPMN export, the import and
// their tests use.
declare module "bpmn-moddle" {
  export interface ModdleElement {
    readonly $type: string;
    id?: string;
    [key: string]: unknown;
  }
  export interface ParseWarning {
    readonly message: string;
    readonly element?: { readonly id?: string };
  }
  export interface ParseResult {
    readonly rootElement: ModdleElement;
    readonly warnings: readonly ParseWarning[];
    readonly elementsById: Readonly<Record<string, ModdleElement>>;
  }
  export class BpmnModdle {
    constructor(packages?: Record<string, object>);
    create(type: string, attrs?: Record<string, unknown>): ModdleElement;
    toXML(element: ModdleElement, options?: { format?: boolean }): Promise<{ xml: string }>;
    fromXML(xml: string, typeName?: string): Promise<ParseResult>;
  }
}
