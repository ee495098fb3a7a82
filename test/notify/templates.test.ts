// Templates: the playbooks' {{placeholders}} rendered by a sandboxed LiquidJS, values built from a
// project, HTML escaped, unknown placeholders refused, no file system, limits.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { startProject } from "../../src/engine/index.ts";
import { checkTemplate, renderMessage } from "../../src/notify/templates.ts";
import { NOT_YET, templateVariables } from "../../src/notify/variables.ts";
import { builtIn } from "../support/built-in.ts";

const NOW = "2026-03-02T08:00:00.000Z"; // Monday 09:00 in Berlin

describe("templates", async () => {
  const onb = await builtIn("onb-001");
  const playbook = onb.loaded();
  const { loadPlaybookFile } = await import("../../src/playbook/load.ts");
  const model = (await loadPlaybookFile(onb.file)).model;
  assert.ok(model);
  const started = startProject(
    model,
    {
      projectId: "p1",
      client: { id: "globex", name: "Globex <Ltd> & Co", timeZone: "Europe/Berlin", country: "DE" },
      facts: { account_type: "smb", project_duration_weeks: 8 },
      params: { company_name: "Acmé" },
    },
    NOW,
  );
  const variables = templateVariables({
    playbook,
    state: { ...started.state, assignments: { csm: "u-csm" } },
    client: { name: "Globex <Ltd> & Co", timeZone: "Europe/Berlin", country: "DE" },
    roles: { csm: { name: "Zoë Müller", address: "zoe@acme.example" } },
    recipient: { name: "Jürgen Groß", address: "juergen@globex.example" },
    projectUrl: "https://onboard.example.com/app/projects/p1",
  });

  test("the welcome email of ONB-001 renders: parameters, client, roles, meeting; dates in the client's zone", async () => {
    const template = playbook.templates["ONB-001-WELCOME"];
    assert.ok(template?.body);
    const out = await renderMessage({ id: "ONB-001-WELCOME", kind: "email", subject: template.subject, body: template.body }, variables);
    assert.equal(out.subject, "Welcome to Acmé - Onboarding Kickoff Scheduled");
    assert.match(out.text, /^Dear Globex <Ltd> & Co,/);
    assert.match(out.text, /partner with Acmé!/);
    assert.match(out.text, /Best regards,\nZoë Müller/);
    assert.match(out.text, new RegExp(`- Date: ${NOT_YET}`), "no meeting planned yet");
    // The HTML part escapes the values (and the literal text) and keeps the paragraphs.
    assert.match(out.html, /<p>Dear Globex &lt;Ltd&gt; &amp; Co,<\/p>/);
    assert.doesNotMatch(out.html, /<Ltd>/);
  });

  test("every built-in playbook's templates render for a started project", async () => {
    for (const id of ["ONB-001-IMPLEMENTATION-PLAN", "ONB-001-90-DAY-REVIEW"]) {
      const t = playbook.templates[id];
      assert.ok(t?.body, id);
      const out = await renderMessage({ id, kind: t.kind, subject: t.subject, body: t.body }, variables);
      assert.ok(out.text.includes("Globex <Ltd> & Co"), id);
      assert.ok(!out.text.includes("{{"), id);
    }
    const plan = playbook.templates["ONB-001-IMPLEMENTATION-PLAN"];
    const out = await renderMessage({ id: "plan", kind: "document", body: plan?.body ?? "" }, variables);
    assert.match(out.text, /\*\*Project Duration\*\*: 8 weeks/);
    assert.match(out.text, /\*\*Start\*\*|Go-Live Target\*\*: /);
  });

  test("project dates are written in the client's time zone", () => {
    const project = variables.project as Record<string, string>;
    assert.equal(project.start_date, "Monday, 2 March 2026");
    assert.equal((variables.client as Record<string, string>).time_zone, "Europe/Berlin");
    assert.equal((variables.contact as Record<string, string>).first_name, "Jürgen");
  });

  test("strict variables: a placeholder without a value is an error naming it, never an empty hole", async () => {
    await assert.rejects(
      renderMessage({ id: "T", kind: "email", subject: "Hi", body: "Dear {{ client.nickname }}" }, variables),
      (e: Error & { details?: Record<string, unknown> }) => e.details?.placeholder === "client.nickname" && e.details?.field === "body",
    );
    await assert.rejects(
      renderMessage({ id: "T", kind: "email", subject: "Hi {{nope}}", body: "x" }, variables),
      /subject uses \{\{nope\}\}/,
    );
  });

  test("the sandbox: no files, no prototype properties, unknown filters refused, limits", async () => {
    await assert.rejects(
      renderMessage({ id: "T", kind: "email", body: "{% include 'etc/passwd' %}" }, variables),
      /cannot be rendered|not valid/,
    );
    await assert.rejects(renderMessage({ id: "T", kind: "email", body: "{% render '/etc/passwd' %}" }, variables));
    await assert.rejects(renderMessage({ id: "T", kind: "email", body: "{{ client.constructor }}" }, variables), /client\.constructor/);
    await assert.rejects(
      renderMessage({ id: "T", kind: "email", body: "{{ client.name | shell }}" }, variables),
      /not valid Liquid|undefined filter/,
    );
    await assert.rejects(renderMessage({ id: "T", kind: "email", body: "x".repeat(70_000) }, variables), /longer than/);
    await assert.rejects(
      renderMessage({ id: "T", kind: "email", body: "{% for i in (1..100000000) %}{{ client.name }}{% endfor %}" }, variables),
      /cannot be rendered|more than|too large/,
    );
    // Filters and control flow are still there for authors.
    const out = await renderMessage(
      { id: "T", kind: "email", body: "{{ client.name | upcase }}{% if facts.data_migration %} migrating{% endif %}" },
      variables,
    );
    assert.equal(out.text, "GLOBEX <LTD> & CO");
  });

  test("include, render and layout are refused by the check (tag and line) and by the engine (never a file lookup)", async () => {
    const problems = checkTemplate(
      { id: "T", subject: "{% layout 'base' %}", body: "Dear {{ client.name }},\n\n{% include 'signature' %}\n{% render 'footer' %}" },
      playbook,
    );
    assert.deepEqual(
      problems.map((p) => [p.field, p.tag, p.line]),
      [
        ["subject", "layout", 1],
        ["body", "include", 3],
        ["body", "render", 4],
      ],
    );
    assert.match(problems[1]?.message ?? "", /\{% include %\} on line 3 of the body/);
    // Rendered anyway (a template saved before this check existed): a parse error naming the tag, not ENOENT.
    for (const body of ["{% include 'x' %}", "{% render 'x' %}", "{% layout 'x' %}", "{% liquid\n include 'x' %}"]) {
      await assert.rejects(renderMessage({ id: "T", kind: "email", body }, variables), (e: Error) => {
        assert.match(e.message, /not valid Liquid: \{% (include|render|layout) %\} is not allowed/);
        assert.doesNotMatch(e.message, /ENOENT|lookup/);
        return true;
      });
    }
  });

  test("a render that runs past its time budget is stopped with a message saying so", async () => {
    await assert.rejects(
      renderMessage(
        { id: "T", kind: "email", body: "{% for i in (1..2000) %}{% for j in (1..2000) %}{{ client.name }}{% endfor %}{% endfor %}" },
        variables,
        { renderMs: 50 },
      ),
      (e: Error & { details?: Record<string, unknown> }) => /took too long to render/.test(e.message) && e.details?.limit === "time",
    );
  });

  test("checking a user's template: each unknown placeholder is named with its field", () => {
    assert.deepEqual(
      checkTemplate(
        { id: "T", subject: "Hi {{ client.name }}", body: "{{ roles.csm.name }} {{ company_name }} {{ meeting.date }}" },
        playbook,
      ),
      [],
    );
    const problems = checkTemplate(
      { id: "T", subject: "Hi {{ client.nam }}", body: "{{ roles.ceo.name }} {% if facts.user_count > 5 %}x{% endif %}" },
      playbook,
    );
    assert.deepEqual(
      problems.map((p) => [p.field, p.placeholder]),
      [
        ["subject", "client.nam"],
        ["body", "roles.ceo.name"],
        ["body", "facts.user_count"],
      ],
    );
    assert.equal(checkTemplate({ id: "T", body: "{% if %}" }, playbook)[0]?.field, "body");
  });
});
