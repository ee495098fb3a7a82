// CSV for exports a person opens in a spreadsheet: RFC 4180 (CRLF rows, fields quoted when they
// hold a quote, comma or line break, quotes doubled) and safe against formula injection (OWASP):
// a cell that begins with = + - @ TAB or CR gets a leading apostrophe, so Excel, LibreOffice and
// Google Sheets show it as text instead of running it. UTF-8 with a byte-order mark, because Excel
// reads a CSV without one in the machine's legacy code page and garbles every accent.

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised against formulas, then quoted as RFC 4180 requires. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const BYTE_ORDER_MARK = "\uFEFF";

/** A whole file: the header row, then the rows, each ended by CRLF, after the byte-order mark. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [header, ...rows].map((row) => `${row.map(csvCell).join(",")}\r\n`);
  return BYTE_ORDER_MARK + lines.join("");
}
