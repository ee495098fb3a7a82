// GDPR access and portability (issue #17) over real HTTP on both backends: a contact answers a
// playbook's personal fields in the portal, comments, uploads a file, is mailed a sign-in link and a
// survey, answers it and is notified; the team lists the client's people in a table. The contact's
// export then holds every record the register lists for a contact and every personal field of the
// playbook, and nothing of the client's other contact; the CSV is read back by Python's csv module.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { dispatchOutbox } from "../../src/store/index.ts";
import { edited } from "../support/fixtures.ts";
import { Caller, cookieHeader, type Json, startTestServer, type TestServer, testBackends, testMailDir } from "./support/http.ts";
import { FACTS } from "./support/world.ts";

const BACKENDS = await testBackends();
const REF = { id: "personal_minimal", version: "1.1" };
const ANNA = { name: "Anna Example", email: "anna@acme.example" };
const BORIS = { name: "Boris Other", email: "boris@acme.example" };

const SOURCE = edited([
  [["id"], "personal_minimal"],
  [
    ["forms", "contact_details"],
    {
      title: "Your details",
      fields: {
        full_name: { label: "Full name", type: "string", personal: true, required: true },
        work_email: { label: "Work email", type: "email" },
        mobile: { label: "Mobile", type: "phone" },
        date_of_birth: { label: "Date of birth", type: "date", personal: true, purpose: "Identity check" },
        team_size: { label: "Team size", type: "int" },
      },
    },
  ],
  [
    ["forms", "stakeholders"],
    {
      title: "Stakeholders",
      fields: {
        people: {
          label: "The client's people",
          type: "records",
          fields: { name: { label: "Name", type: "string", personal: true }, email: { label: "Email", type: "email" } },
        },
        sponsor_note: { label: "Who sponsors it", type: "text", personal: true },
      },
    },
  ],
  [
    ["phases", 0, "steps"],
    [
      {
        id: "stakeholder_map",
        title: "Map the stakeholders",
        owner: "csm",
        form: "stakeholders",
        due: "2 business days",
        expected_result: "The CSM knows who is who.",
      },
      {
        id: "your_details",
        title: "Tell us about you",
        owner: "client_primary",
        form: "contact_details",
        visible_to_client: true,
        due: "3 business days",
        expected_result: "We know how to reach you.",
      },
      {
        id: "kickoff_call",
        title: "Kickoff call",
        kind: "meeting",
        owner: "csm",
        due: "5 business days",
        expected_result: "Success plan agreed.",
      },
    ],
  ],
  [
    ["surveys"],
    {
      csat: {
        title: "Satisfaction",
        kind: "csat",
        to: ["client_primary"],
        send: "Day 60",
        questions: [{ id: "score", text: "How satisfied are you?", type: "csat" }],
      },
    },
  ],
  [
    ["rules", 1],
    {
      id: "thank_client",
      title: "Thank the client for their details",
      category: "automation",
      on: "form.submitted",
      when: 'event.form == "contact_details"',
      actions: [
        { notify: { to: ["client_primary"], message: "Thank you for your details", channel: "in_app" } },
        { send_survey: { survey: "csat" } },
      ],
    },
  ],
  [["retention"], [{ keep: "2 years", after: "relationship_end" }]],
]);

/** The token of the newest link of `kind` mailed to `email` (quoted-printable undone). */
async function linkIn(dir: string, email: string, kind: "sign-in" | "survey"): Promise<string> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".eml")).sort();
  const files = (await Promise.all(names.map((n) => readFile(join(dir, n), "utf8")))).filter((m) => m.includes(email)).reverse();
  for (const file of files) {
    const text = file.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    const match = new RegExp(`/portal/${kind}#token=([A-Za-z0-9_.-]+)`).exec(text);
    if (match?.[1]) return match[1];
  }
  throw new Error(`no ${kind} link to ${email} in ${dir}`);
}

async function command(caller: Caller, path: string, body: Json): Promise<Json> {
  const current = await caller.get(path.replace(/\/commands$/, ""));
  assert.equal(current.status, 200, JSON.stringify(current.body));
  const response = await caller.request("POST", path, { body, headers: { "if-match": current.headers.get("etag") ?? "" } });
  assert.equal(response.status, 200, `${JSON.stringify(body)}: ${JSON.stringify(response.body)}`);
  return response.body;
}

/** Rows of a CSV as Python's csv module reads them (the BOM stripped by utf-8-sig). */
function parsedByPython(csv: string): string[][] {
  const script =
    "import csv, io, json, sys\nprint(json.dumps(list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode('utf-8-sig'), newline='')))))";
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", script], { input: Buffer.from(csv, "utf8") }).toString("utf8"));
}

for (const backend of BACKENDS) {
  describe(`personal data exports on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let mailDir: string;
    const ids: Record<string, string> = {};
    const clock = () => new Date().toISOString();
    const deliver = () => dispatchOutbox(t.fresh.database, clock(), { handlers: t.server.outboxHandlers, batchSize: 1000 });

    before(async () => {
      mailDir = testMailDir();
      t = await startTestServer(backend, { MAIL_DIR: mailDir, MAGIC_LINK_RATE_LIMIT: "100", SURVEY_SECRET: "s".repeat(40) });
      assert.equal((await t.admin.post("/playbooks", { source: SOURCE, file: "personal.yaml" })).status, 201);
      assert.equal(
        (await t.admin.post("/clients", { id: "acme", name: "Acme GmbH", timeZone: "Europe/Berlin", country: "DE" })).status,
        201,
      );
      for (const person of [ANNA, BORIS]) {
        const created = await t.admin.post("/clients/acme/contacts", { ...person, title: "Head of Ops", roles: ["client_primary"] });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        ids[person.email] = created.body.id;
      }
      assert.equal((await t.admin.post("/projects", { id: "p1", playbook: REF, clientId: "acme", facts: FACTS })).status, 201);
      const p = "/projects/p1/commands";
      // The team's table names both contacts; a row each.
      await command(t.admin, p, {
        type: "submit_form",
        step: "stakeholder_map",
        values: { people: [ANNA, BORIS], sponsor_note: `${BORIS.name} sponsors it` },
      });
      await command(t.admin, p, { type: "complete_step", step: "stakeholder_map" });

      // Anna signs in to the portal (a mail to her), answers her details, comments and sends a file.
      assert.equal((await t.anonymous.post("/portal/api/magic-links", { email: ANNA.email })).status, 202);
      assert.equal((await t.anonymous.post("/portal/api/magic-links", { email: BORIS.email })).status, 202);
      await t.deliverSignInLinks();
      const session = await t.anonymous.post("/portal/api/sessions", { token: await linkIn(mailDir, ANNA.email, "sign-in") });
      assert.equal(session.status, 200, JSON.stringify(session.body));
      const anna = new Caller(t.url, { cookie: cookieHeader(session), csrfToken: session.body.csrfToken });
      await command(anna, "/portal/api/projects/p1/commands", {
        type: "submit_form",
        step: "your_details",
        values: { full_name: ANNA.name, work_email: ANNA.email, mobile: "+49 30 1234567", date_of_birth: "1990-04-01", team_size: 12 },
      });
      await command(anna, "/portal/api/projects/p1/commands", { type: "complete_step", step: "your_details" });
      const comment = await anna.post("/portal/api/projects/p1/comments", {
        body: '=HYPERLINK("http://evil") my plan, "quoted"\nnext line',
      });
      assert.equal(comment.status, 201, JSON.stringify(comment.body));
      const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(200, 0x20), Buffer.from("\n%%EOF\n")]);
      const upload = await fetch(`${t.url}/portal/api/projects/p1/attachments?fileName=${encodeURIComponent("Annas Pass.pdf")}`, {
        method: "POST",
        body: pdf,
        headers: {
          "content-type": "application/pdf",
          cookie: anna.credentials.cookie ?? "",
          "x-csrf-token": anna.credentials.csrfToken ?? "",
        },
      });
      assert.equal(upload.status, 201, await upload.text());
      // The rule's in-app notification and the survey go out; Anna answers the survey.
      const delivered = await deliver();
      assert.equal(delivered.failed + delivered.retried, 0, JSON.stringify(delivered));
      const surveyToken = await linkIn(mailDir, ANNA.email, "survey");
      const answered = await t.anonymous.post(`/surveys/${encodeURIComponent(surveyToken)}`, { score: 4, comment: "Smooth start" });
      assert.equal(answered.status, 201, JSON.stringify(answered.body));
      // Boris comments too: his words must not reach Anna's export.
      const bSession = await t.anonymous.post("/portal/api/sessions", { token: await linkIn(mailDir, BORIS.email, "sign-in") });
      const boris = new Caller(t.url, { cookie: cookieHeader(bSession), csrfToken: bSession.body.csrfToken });
      assert.equal((await boris.post("/portal/api/projects/p1/comments", { body: "Boris's private remark" })).status, 201);
    });
    after(() => t?.close());

    test("a contact's export holds every record and personal field the register lists, and nothing of the other contact", async () => {
      const register = await t.admin.get("/gdpr/register");
      assert.equal(register.status, 200, JSON.stringify(register.body));
      // Anna asked for her data: the request itself is part of what is held about her.
      const asked = await t.admin.post("/data-requests", {
        kind: "access",
        subject: { kind: "contact", id: ids[ANNA.email] },
        channel: "email",
      });
      assert.equal(asked.status, 201, JSON.stringify(asked.body));
      const exported = await t.admin.get(`/contacts/${ids[ANNA.email]}/export?format=json`);
      assert.equal(exported.status, 200, JSON.stringify(exported.body));
      assert.match(exported.headers.get("content-disposition") ?? "", /^attachment; filename="onboard-contact-.+\.json"$/);
      const body = exported.body;
      assert.equal(body.contact.email, ANNA.email);
      for (const record of register.body.records.filter((r: Json) => r.subject === "contact")) {
        const section = body[record.contactExportSection];
        assert.ok(section !== undefined, `${record.id}: the export has no section ${record.contactExportSection}`);
        if (Array.isArray(section)) assert.ok(section.length > 0, `${record.id}: ${record.contactExportSection} is empty`);
      }
      // What Art. 15(1) says the copy comes with: each record's purpose, basis and retention, where it is in the export.
      assert.deepEqual(
        body.about.records.map((r: Json) => r.section),
        register.body.records.filter((r: Json) => r.subject === "contact").map((r: Json) => r.contactExportSection),
      );
      assert.ok(body.about.records.every((r: Json) => r.purpose && r.legalBasis && r.retention));
      assert.match(body.about.rights, /Art\. 77/);
      assert.deepEqual(
        body.dataRequests.map((r: Json) => [r.kind, r.status, r.channel]),
        [["access", "open", "email"]],
      );
      const listed = register.body.playbooks.find((p: Json) => p.id === REF.id);
      assert.deepEqual(
        listed.fields.map((f: Json) => `${f.form}.${f.field}`),
        [
          "contact_details.full_name",
          "contact_details.work_email",
          "contact_details.mobile",
          "contact_details.date_of_birth",
          "stakeholders.people",
          "stakeholders.sponsor_note",
        ],
      );
      assert.deepEqual(listed.fields.find((f: Json) => f.field === "date_of_birth").retention, [
        "2 years after the business relationship ends, then erased",
      ]);
      const answered = new Map(body.formAnswers.map((a: Json) => [`${a.form}.${a.field}`, a.value]));
      for (const f of listed.fields.filter((x: Json) => x.field !== "sponsor_note"))
        assert.ok(answered.has(`${f.form}.${f.field}`), `${f.form}.${f.field} is not exported`);
      // Her own non-personal answer, and only her row of the team's table.
      assert.equal(answered.get("contact_details.team_size"), 12);
      assert.deepEqual(answered.get("stakeholders.people"), [ANNA]);
      assert.ok(!answered.has("stakeholders.sponsor_note"), "the note names Boris only");
      assert.equal(body.mail.length >= 2, true, "the sign-in and survey mail");
      assert.ok(body.mail.every((m: Json) => m.to.every((to: string) => to.includes(ANNA.email))));
      assert.ok(body.signIns.some((s: Json) => s.kind === "link" && s.usedAt !== null));
      assert.equal(body.surveyAnswers[0].score, 4);
      assert.equal(body.notifications[0].message.includes("Thank you"), true);
      assert.equal(body.files[0].fileName, "Annas Pass.pdf");
      const download = await t.admin.get(body.files[0].download);
      assert.equal(download.status, 200);
      const text = JSON.stringify(body);
      for (const leak of [BORIS.email, BORIS.name, "Boris's private remark", ids[BORIS.email] ?? "?"])
        assert.ok(!text.includes(leak), `Anna's export holds ${leak}`);
      assert.ok(!/token|hash/i.test(Object.keys(body.signIns[0] ?? {}).join(",")), "no secrets of the sign-ins");
    });

    test("the CSV is one long table a real parser reads back, formulas neutralised", async () => {
      const csv = await t.admin.get(`/contacts/${ids[ANNA.email]}/export?format=csv`);
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type") ?? "", /^text\/csv; charset=utf-8/);
      assert.match(csv.headers.get("content-disposition") ?? "", /filename="onboard-contact-.+\.csv"/);
      const raw = Buffer.from(
        await (
          await fetch(`${t.url}/contacts/${ids[ANNA.email]}/export?format=csv`, { headers: { cookie: t.admin.credentials.cookie ?? "" } })
        ).arrayBuffer(),
      );
      assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 with a byte-order mark");
      const rows = parsedByPython(raw.toString("utf8"));
      assert.deepEqual(rows[0], ["record", "id", "project", "field", "value", "at"]);
      assert.ok(rows.slice(1).every((r) => r.length === 6));
      const body = rows.find((r) => r[0] === "comment" && r[3] === "body");
      assert.equal(body?.[4], '\'=HYPERLINK("http://evil") my plan, "quoted"\nnext line');
      assert.ok(rows.some((r) => r[0] === "form_answer" && r[3] === "contact_details.date_of_birth" && r[4] === "1990-04-01"));
      assert.ok(rows.some((r) => r[0] === "form_answer" && r[3] === "contact_details.mobile" && r[4] === "'+49 30 1234567"));
      assert.ok(!raw.toString("utf8").includes(BORIS.email));
    });

    test("a client's export holds its record, both contacts, the project, every answer and what happened", async () => {
      const exported = await t.admin.get("/clients/acme/export");
      assert.equal(exported.status, 200, JSON.stringify(exported.body));
      const body = exported.body;
      assert.equal(body.client.name, "Acme GmbH");
      assert.deepEqual(body.contacts.map((c: Json) => c.email).sort(), [ANNA.email, BORIS.email]);
      assert.deepEqual(
        body.projects.map((p: Json) => p.id),
        ["p1"],
      );
      assert.ok(body.formAnswers.some((a: Json) => a.field === "sponsor_note"));
      assert.ok(body.events.some((e: Json) => e.type === "form.submitted" && e.step === "your_details"));
      assert.equal(body.comments.length, 2);
      const csv = await t.admin.get("/clients/acme/export?format=csv");
      assert.equal(csv.status, 200);
      const rows = parsedByPython(csv.body.startsWith("\uFEFF") ? csv.body : `\uFEFF${csv.body}`);
      assert.ok(rows.some((r) => r[0] === "client" && r[3] === "name" && r[4] === "Acme GmbH"));
      assert.equal((await t.admin.get("/clients/nobody/export")).status, 404);
      assert.equal((await t.admin.get("/contacts/nobody/export?format=csv")).status, 404);
      assert.equal((await t.admin.get("/contacts/x/export?format=xml")).status, 400);
    });

    test("only admins export or read the register", async () => {
      const ops = await t.user("ops-1", ["cs_ops"]);
      for (const path of ["/gdpr/register", `/contacts/${ids[ANNA.email]}/export`, "/clients/acme/export"])
        assert.equal((await ops.get(path)).status, 403, path);
    });
  });
}
