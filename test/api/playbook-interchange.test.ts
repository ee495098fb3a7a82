// Procedures in and out through the API, as the web app's playbook library uses them: a published
// version leaves as a BPMN model and as its SOP in Word and Markdown; a BPMN model or a Word or
// Markdown SOP comes in as a draft (nothing stored) that uploads as a new playbook. Only the
// embedded database: the routes read one published version and store nothing of their own.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BpmnModdle } from "bpmn-moddle";
import { loadPlaybook } from "../../src/playbook/load.ts";
import { type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const [BACKEND] = await testBackends();

/** The titles of a playbook's steps, in order (the steps a procedure call expands into included). */
function titlesOf(source: string): string[] {
  const loaded = loadPlaybook("playbook.yaml", source);
  assert.ok(loaded.model, JSON.stringify(loaded.diagnostics.slice(0, 3)));
  // As the SOP prints them: an author's own leading number ("1.1 Kickoff") is the SOP's numbering there.
  return loaded.model.order.map((entry) => entry.step.title.replace(/^\d+(?:\.\d+)*\.?\s+/, ""));
}

describe("playbooks in and out as files", { skip: BACKEND?.skip }, () => {
  let t: TestServer;
  let id = "";
  let version = "";
  let stepTitles: string[] = [];
  before(async () => {
    if (!BACKEND) throw new Error("no backend");
    t = await startTestServer(BACKEND);
    const list = await t.admin.get("/playbooks?limit=200");
    const builtIn = (list.body.items as Json[]).find((p) => p.id === "onb_001") ?? list.body.items[0];
    id = builtIn.id;
    version = builtIn.latestVersion;
    const source = await t.admin.get(`/playbooks/${id}/versions/${version}`);
    stepTitles = titlesOf(String(source.body.source));
  });
  after(() => t?.close());

  const exportOf = async (format: string) => {
    const response = await fetch(`${t.url}/playbooks/${id}/versions/${version}/export?format=${format}`, {
      headers: { cookie: t.admin.credentials.cookie ?? "" },
    });
    return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
  };

  test("a version downloads as a BPMN model that bpmn-moddle reads without a warning", async () => {
    const { response, bytes } = await exportOf("bpmn");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/bpmn\+xml/);
    assert.equal(response.headers.get("content-disposition"), `attachment; filename="${id}-${version}.bpmn"`);
    const { warnings, rootElement } = await new BpmnModdle().fromXML(new TextDecoder().decode(bytes));
    assert.deepEqual(warnings, []);
    const kinds = new Set(((rootElement.rootElements ?? []) as { $type: string }[]).map((e) => e.$type));
    assert.ok(kinds.has("bpmn:Process"), [...kinds].join(", "));
    assert.ok(((rootElement.diagrams ?? []) as unknown[]).length > 0, "it carries its diagram (BPMN DI)");
  });

  test("its SOP downloads in Word and Markdown; an unknown version is a 404 problem", async () => {
    const word = await exportOf("docx");
    assert.equal(word.response.status, 200);
    assert.deepEqual([...word.bytes.slice(0, 4)], [0x50, 0x4b, 0x03, 0x04], "a .docx is a ZIP archive");
    const markdown = await exportOf("md");
    assert.equal(markdown.response.status, 200);
    assert.match(new TextDecoder().decode(markdown.bytes), /^# /m);
    const missing = await t.admin.get(`/playbooks/${id}/versions/0.0.0-none/export?format=bpmn`);
    assert.equal(missing.status, 404);
    const badFormat = await t.admin.get(`/playbooks/${id}/versions/${version}/export?format=vsdx`);
    assert.equal(badFormat.status, 400);
    assert.equal(badFormat.body.errors[0].pointer, "/query/format");
  });

  for (const format of ["bpmn", "docx", "md"] as const) {
    test(`its ${format} file comes back in as a draft that keeps its steps, and the draft publishes`, async () => {
      const { bytes } = await exportOf(format);
      const file = `exported.${format}`;
      const draft = await t.admin.request("POST", `/playbooks/drafts?file=${file}`, {
        raw: bytes,
        headers: { "content-type": "application/octet-stream" },
      });
      assert.equal(draft.status, 200, JSON.stringify(draft.body).slice(0, 500));
      assert.equal(draft.body.format, format === "docx" ? "word" : format === "md" ? "markdown" : "bpmn");
      // A draft that keeps the id of the playbook it came from (the SOP's document ID): said first, with the way out.
      const draftId = /^id: (.+)$/m.exec(String(draft.body.source))?.[1];
      if (draftId === id) {
        assert.equal(draft.body.notes[0]?.element, "id");
        assert.match(draft.body.notes[0]?.message, /is already the playbook .*: change id: to publish it as a playbook of its own/);
      } else assert.notEqual(draft.body.notes[0]?.element, "id");
      if (format !== "bpmn") assert.equal(draftId, id, "a written SOP's document ID gives the draft its id");
      assert.equal(
        draft.body.findings.filter((f: Json) => f.severity === "error").length,
        0,
        JSON.stringify(draft.body.findings.slice(0, 3)),
      );
      // Every step of the original is a step of the draft, under its title.
      const draftTitles = new Set(titlesOf(String(draft.body.source)));
      const missing = stepTitles.filter((title) => !draftTitles.has(title));
      assert.deepEqual(missing, [], `steps lost on the way through ${format}`);
      // Published under an id of its own (the draft of an existing playbook would be a new version of it).
      const renamed = String(draft.body.source).replace(/^id: .+$/m, `id: imported_${format}`);
      const published = await t.admin.post("/playbooks", { source: renamed, file: draft.body.file });
      assert.ok([201, 200].includes(published.status), JSON.stringify(published.body).slice(0, 800));
    });
  }

  test("what cannot be read is refused with what it is and what to do", async () => {
    const oldWord = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    const doc = await t.admin.request("POST", "/playbooks/drafts?file=sop.docx", {
      raw: oldWord,
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(doc.status, 422);
    assert.match(doc.body.detail, /Word 97-2003.*save it as \.docx/);
    const pdf = await t.admin.request("POST", "/playbooks/drafts?file=sop.pdf", {
      raw: "%PDF-1.7",
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(pdf.status, 400);
    assert.equal(pdf.body.errors[0].pointer, "/query/file");
    const notBpmn = await t.admin.request("POST", "/playbooks/drafts?file=model.bpmn", {
      raw: "<note><to>Tove</to></note>",
      headers: { "content-type": "application/xml" },
    });
    assert.equal(notBpmn.status, 422, JSON.stringify(notBpmn.body));
    const huge = await t.admin.request("POST", "/playbooks/drafts?file=sop.md", {
      raw: "# SOP\n".repeat(2_000_000),
      headers: { "content-type": "text/markdown" },
    });
    assert.equal(huge.status, 413);
  });

  test("a read-only account may download but not import", async () => {
    const viewer = await t.user("exec-interchange", ["executive_readonly"]);
    const bpmn = await viewer.get(`/playbooks/${id}/versions/${version}/export?format=bpmn`);
    assert.equal(bpmn.status, 200);
    const draft = await viewer.request("POST", "/playbooks/drafts?file=sop.md", {
      raw: "# SOP\n\n1. Do it\n",
      headers: { "content-type": "text/markdown" },
    });
    assert.equal(draft.status, 403);
  });
});
