// The evidence package from the project page (issue #17): a CSM opens a project's audit trail,
// (a built-in playbook, the client's sign-off given in the portal through a magic link) and
// clicks "Evidence package", and a signed ZIP arrives that verifies offline with the server's
// vkey; the page stays free of serious axe violations.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { unzipSync } from "fflate";
import type { Browser } from "playwright-core";
import { verifyPackage } from "../../src/compliance/verify-package.ts";
import { parseVkey } from "../../src/store/signed-note.ts";
import { cookieHeader } from "../api/support/http.ts";
import {
  axeViolations,
  Caller,
  HAVE_CHROMIUM,
  launchBrowser,
  must,
  openPage,
  PASSWORD,
  settled,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

let web: WebServer;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-evidence-web-"));
  const keyFile = join(dir, "audit.pem");
  writeFileSync(keyFile, generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }));
  web = await startWebServer({ AUDIT_SIGNING_KEY: keyFile, AUDIT_LOG_ORIGIN: "onboard.test/web-evidence" });
  const { admin } = web;
  await must(
    admin.post("/users", { id: "casey", email: "casey@example.com", name: "Casey Quinn", roles: ["csm"], password: PASSWORD }),
    "csm",
  );
  await must(admin.post("/clients", { id: "fjord", name: "Fjord Logistics", timeZone: "Europe/Oslo", country: "NO" }), "client");
  await must(
    admin.post("/projects", {
      id: "fjord-onb",
      clientId: "fjord",
      playbook: { id: "ops_sop_020", version: "1.1" },
      facts: { territory: "emea", complex_integrations: false, data_migration: false },
    }),
    "project",
  );
  // The built-in playbook up to the success plan, which the client signs in the portal (a magic link).
  await must(
    admin.post("/clients/fjord/contacts", { name: "Ida Berg", email: "ida@fjord.example", roles: ["client_primary_contact"] }),
    "contact",
  );
  const command = async (caller: Caller, path: string, body: unknown) => {
    const current = await caller.get(path.replace(/\/commands$/, ""));
    await must(caller.request("POST", path, { body, headers: { "if-match": current.headers.get("etag") ?? "" } }), JSON.stringify(body));
  };
  await command(admin, "/projects/fjord-onb/commands", {
    type: "submit_form",
    step: "sales_to_cs_handoff",
    values: { key_stakeholders: "Ida (COO)", business_objectives: "Faster invoicing" },
  });
  for (const step of ["sales_to_cs_handoff", "csm_assignment", "schedule_kickoff_call", "kickoff_call"]) {
    const timeline = await admin.get("/projects/fjord-onb/timeline");
    const status = timeline.body.phases
      .flatMap((ph: { steps: { id: string; status: string }[] }) => ph.steps)
      .find((x: { id: string }) => x.id === step)?.status;
    if (status !== "done") await command(admin, "/projects/fjord-onb/commands", { type: "complete_step", step });
  }
  await must(new Caller(web.url).post("/portal/api/magic-links", { email: "ida@fjord.example" }), "magic link");
  await web.deliverSignInLinks();
  const signedIn = await new Caller(web.url).post("/portal/api/sessions", { token: web.mailer.tokenFor("ida@fjord.example") });
  const ida = new Caller(web.url, { cookie: cookieHeader(signedIn), csrfToken: signedIn.body.csrfToken });
  await command(ida, "/portal/api/projects/fjord-onb/commands", { type: "approve", step: "success_plan", role: "client_primary_contact" });
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

describe("the evidence package in the team app", () => {
  test("a CSM clicks Evidence package on the audit trail and gets a signed ZIP that verifies with the vkey", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, {
      viewport: { width: 1440, height: 900 },
      locale: "en-GB",
      timezoneId: "Europe/London",
      errors: pageErrors,
    });
    await signIn(page, web.url, "casey@example.com", PASSWORD);
    await page.goto(`${web.url}/app/projects/fjord-onb?tab=audit`);
    await page.getByRole("heading", { name: "Audit trail" }).waitFor();
    await settled(page);
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 120_000 }),
      page.getByRole("button", { name: "Evidence package" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "evidence-fjord-onb.zip");
    const path = await download.path();
    const zip = readFileSync(path);
    const vkey = web.server.audit.kind === "off" ? "" : web.server.audit.key.vkey;
    const result = verifyPackage(zip, parseVkey(vkey));
    assert.deepEqual(
      result.checks.filter((c) => !c.ok).map((c) => c.message),
      [],
    );
    assert.equal(result.intact, true);
    assert.equal(result.header?.subject, "fjord-onb");
    const summary = JSON.parse(Buffer.from(unzipSync(zip)["summary.json"] as Uint8Array).toString("utf8"));
    assert.deepEqual(
      summary.approvals.map((a: { step: string; authenticatedBy: string }) => [a.step, a.authenticatedBy]),
      [["success_plan", "magic link to ida@fjord.example"]],
    );
    await page.getByRole("button", { name: "Evidence package" }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(pageErrors, []);
  });
});
