// CSV exports (issue #17): RFC 4180 quoting, formula injection neutralised (= + - @ TAB CR), UTF-8
// with a byte-order mark; read back by a real CSV parser (Python's csv module).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { BYTE_ORDER_MARK, csvCell, toCsv } from "../../src/compliance/csv.ts";
import { answerRows, exportCsv, exportFileName, exportRows, mentions, subjectsPart } from "../../src/compliance/export.ts";

function parsedByPython(csv: string): string[][] {
  const script =
    "import csv, io, json, sys\nprint(json.dumps(list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode('utf-8-sig'), newline='')))))";
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", script], { input: Buffer.from(csv, "utf8") }).toString("utf8"));
}

test("a cell that starts with = + - @ TAB or CR gets a leading apostrophe; others are left alone", () => {
  assert.equal(csvCell("=SUM(A1:A9)"), "'=SUM(A1:A9)");
  assert.equal(csvCell("+49 30 123"), "'+49 30 123");
  assert.equal(csvCell("-2+3"), "'-2+3");
  assert.equal(csvCell("@cmd"), "'@cmd");
  assert.equal(csvCell("\t=1"), "'\t=1");
  assert.equal(csvCell("\r=1"), '"\'\r=1"');
  assert.equal(csvCell("a=b"), "a=b");
  assert.equal(csvCell(""), "");
  assert.equal(csvCell("Zoë"), "Zoë");
});

test("quotes, commas and line breaks are quoted as RFC 4180 says, rows end with CRLF after a byte-order mark", () => {
  assert.equal(csvCell('say "hi", then'), '"say ""hi"", then"');
  assert.equal(csvCell("two\nlines"), '"two\nlines"');
  const csv = toCsv(["a", "b"], [["1", "x,y"]]);
  assert.equal(csv, `${BYTE_ORDER_MARK}a,b\r\n1,"x,y"\r\n`);
});

test("Python's csv module reads every hostile cell back as the text with its apostrophe", () => {
  const hostile = ["=1+1", "+1", "-1", "@SUM(1)", "\tTAB", "\rCR", 'q"uote', "com,ma", "line\nbreak", "crlf\r\nx", "Zoë 🙂", "plain"];
  const rows = parsedByPython(
    toCsv(
      ["value"],
      hostile.map((v) => [v]),
    ),
  );
  assert.deepEqual(
    rows.slice(1).map((r) => r[0]),
    hostile.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)),
  );
});

test("an export's records become one long table: record, id, project, field, value, at", () => {
  const rows = [
    ...exportRows("comment", [{ id: "c1", projectId: "p1", body: "=1", createdAt: "2026-01-01T00:00:00.000Z" }], {
      id: "id",
      at: "createdAt",
    }),
    ...answerRows([
      {
        projectId: "p1",
        form: "f",
        field: "people",
        label: "People",
        personal: true,
        value: [{ name: "A" }],
        step: "s",
        item: null,
        submittedAt: "2026-01-02T00:00:00.000Z",
        submittedBy: "c9",
      },
    ]),
  ];
  assert.deepEqual(parsedByPython(exportCsv(rows)), [
    ["record", "id", "project", "field", "value", "at"],
    ["comment", "c1", "p1", "body", "'=1", "2026-01-01T00:00:00.000Z"],
    ["comment", "c1", "p1", "createdAt", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
    ["form_answer", "s", "p1", "f.people", '[{"name":"A"}]', "2026-01-02T00:00:00.000Z"],
  ]);
  assert.equal(exportFileName("contact", 'a/b"c', "2026-12-07", "csv"), "onboard-contact-a_b_c-2026-12-07.csv");
});

test("an answer is about a person when it holds their email or their full name as words", () => {
  const ann = { name: "Ann Lee", email: "ann@x.example" };
  const bo = { name: "Bo Park", email: "bo@x.example" };
  assert.ok(mentions("Call ANN@x.example", ann));
  assert.ok(mentions("Sponsor: Ann Lee (CFO)", ann));
  assert.ok(!mentions("Annette Leeway", ann));
  assert.ok(mentions({ name: "Ann Lee" }, ann));
  assert.deepEqual(subjectsPart([{ name: "Ann Lee" }, { name: "Bo Park" }], ann, [bo], false), [{ name: "Ann Lee" }]);
  assert.equal(subjectsPart("Bo Park sponsors", ann, [bo], true), undefined, "her own answer about Bo is withheld");
  assert.equal(subjectsPart("+49 30 1", ann, [bo], true), "+49 30 1", "her own answer about no one else is hers");
  assert.equal(subjectsPart("+49 30 1", ann, [bo], false), undefined, "someone else's answer that does not name her is not hers");
});
