// One door for every form a procedure arrives in: a BPMN model (Camunda 7, Camunda 8 or plain) or a
// written SOP (Markdown or Word). The reader is chosen by the file's name and must agree with its
// bytes, so a renamed file is refused with what it really is rather than read as something else.
import { BpmnImportError, importBpmn } from "./bpmn-import/index.ts";
import type { DraftImport } from "./draft.ts";
import { importSop } from "./sop-import/index.ts";

export type ImportFormat = "bpmn" | "markdown" | "word";

const EXTENSIONS: Readonly<Record<string, ImportFormat>> = {
  ".bpmn": "bpmn",
  ".bpmn2": "bpmn",
  ".xml": "bpmn",
  ".md": "markdown",
  ".markdown": "markdown",
  ".docx": "word",
};

export const IMPORT_EXTENSIONS: readonly string[] = Object.keys(EXTENSIONS);

/** A file that is not one of the formats, or not what its name says: the message says which and what to do. */
export class ImportRefused extends Error {
  readonly reason: "unsupported" | "unreadable";
  constructor(reason: "unsupported" | "unreadable", message: string) {
    super(message);
    this.reason = reason;
  }
}

export function importFormatOf(fileName: string): ImportFormat | undefined {
  const dot = fileName.lastIndexOf(".");
  return dot < 0 ? undefined : EXTENSIONS[fileName.slice(dot).toLowerCase()];
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0]; // Word 97-2003 (.doc), often renamed

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

function utf8(fileName: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    throw new ImportRefused("unreadable", `${fileName} is not UTF-8 text: save it as UTF-8 and import it again`);
  }
}

/** `today`: the date a draft's document control gets where the file gives none (time is an input). */
export async function importDocument(
  fileName: string,
  bytes: Uint8Array,
  today: string,
): Promise<DraftImport & { readonly format: ImportFormat }> {
  const format = importFormatOf(fileName);
  if (format === undefined)
    throw new ImportRefused(
      "unsupported",
      `${fileName}: Onboard imports BPMN models (${[".bpmn", ".xml"].join(", ")}) and SOP documents (.md, .docx); for a .doc, PDF or Google Doc, save or download it as .docx first`,
    );
  if (bytes.length === 0) throw new ImportRefused("unreadable", `${fileName} is empty`);
  if (format === "word") {
    if (startsWith(bytes, OLE))
      throw new ImportRefused(
        "unreadable",
        `${fileName} is a Word 97-2003 document: open it in Word and save it as .docx, then import that`,
      );
    if (!startsWith(bytes, ZIP)) throw new ImportRefused("unreadable", `${fileName} is not a Word document (.docx files are ZIP archives)`);
    return { format, ...(await importSop(fileName, bytes, { today })) };
  }
  if (startsWith(bytes, ZIP) || startsWith(bytes, OLE))
    throw new ImportRefused("unreadable", `${fileName} is a binary file, not ${format === "bpmn" ? "BPMN XML" : "Markdown text"}`);
  const text = utf8(fileName, bytes);
  if (format === "markdown") return { format, ...(await importSop(fileName, bytes, { today })) };
  try {
    return { format, ...(await importBpmn(text, { fileName, today })) };
  } catch (error) {
    if (error instanceof BpmnImportError) throw new ImportRefused("unreadable", `${fileName}: ${error.message}`);
    throw error;
  }
}
