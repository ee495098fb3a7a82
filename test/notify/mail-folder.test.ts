// Mail without SMTP: a real .eml per message in the mail folder (read back with mailparser, as a
// mail program would), and the mail log's copy with every declared secret redacted.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { sql } from "kysely";
import { simpleParser } from "mailparser";
import { emlFileName, mailFolderChannel } from "../../src/notify/mail-folder.ts";
import { mailStore } from "../../src/notify/mail-store.ts";
import { REDACTED_SECRET, RecordingMailer, redactSecrets } from "../../src/notify/mailer.ts";
import { notifyDb } from "../../src/notify/tables.ts";
import { openDatabase } from "../../src/store/database.ts";
import { loadMigrations, migrate } from "../../src/store/migrate.ts";

const TOKEN = "tok_2f8Qx-9_zzAbCdEfGhIjKlMnOpQrStUvWxYz0123";

test("redactSecrets replaces every occurrence in subject, text, HTML and text attachments, and drops the list", () => {
  const mail = redactSecrets({
    to: [{ address: "a@example.com" }],
    subject: `Link ${TOKEN}`,
    text: `https://x/portal/sign-in#token=${TOKEN}\nagain: ${TOKEN}`,
    html: `<a href="https://x/#token=${TOKEN}">go</a>`,
    attachments: [{ filename: "a.txt", contentType: "text/plain", content: `t=${TOKEN}` }],
    key: "k",
    secrets: [TOKEN, ""],
  });
  const all = JSON.stringify(mail);
  assert.ok(!all.includes(TOKEN));
  assert.equal(mail.text, `https://x/portal/sign-in#token=${REDACTED_SECRET}\nagain: ${REDACTED_SECRET}`);
  assert.equal(mail.secrets, undefined);
});

test("without SMTP the whole message goes to the folder as .eml; the log keeps it redacted; a retry writes nothing twice", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "onboard-mail-test-")), "mail");
  const database = await openDatabase({ kind: "pglite" });
  try {
    const clock = () => "2026-03-02T10:30:00.000Z";
    const mailer = new RecordingMailer({
      store: mailStore(notifyDb(database)),
      from: { name: "Acmé Onboarding", address: "onboarding@acme.example" },
      channel: mailFolderChannel(dir, clock),
      clock,
    });
    const mail = {
      to: [{ name: "Jürgen Groß", address: "juergen@globex.example" }],
      subject: "Your sign-in link",
      text: `Open https://onboard.example.com/portal/sign-in#token=${TOKEN}\n`,
      html: `<p><a href="https://onboard.example.com/portal/sign-in#token=${TOKEN}">Sign in</a></p>`,
      key: "sign-in-link:1:c1",
      secrets: [TOKEN],
    };
    await mailer.send(mail);
    await mailer.send(mail);
    const files = await readdir(dir);
    assert.equal(files.length, 1, "a retried delivery writes no second file");
    assert.equal(files[0], emlFileName(clock(), "<sign-in-link.1.c1@acme.example>"));
    assert.equal((await stat(join(dir, files[0] ?? ""))).mode & 0o777, 0o600, "readable by the server's user only");
    const parsed = await simpleParser(await readFile(join(dir, files[0] ?? "")));
    assert.equal(parsed.subject, "Your sign-in link");
    assert.equal(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.name : undefined, "Jürgen Groß");
    assert.equal(parsed.messageId, "<sign-in-link.1.c1@acme.example>");
    assert.match(parsed.text ?? "", new RegExp(`#token=${TOKEN}`), "the addressee gets the link whole");
    const row = await notifyDb(database).selectFrom("mail_messages").selectAll().executeTakeFirstOrThrow();
    assert.equal(row.transport, "folder");
    assert.ok(row.sent_at, "marked as gone");
    assert.ok(!JSON.stringify(row).includes(TOKEN), "the log never holds the token");
    assert.match(row.text_body, /#token=\[redacted\]/);
  } finally {
    await database.close();
  }
});

test("upgrading redacts the sign-in and survey links that older versions kept in the mail outbox", async () => {
  const database = await openDatabase({ kind: "pglite" }, { migrate: false });
  try {
    const all = await loadMigrations();
    await migrate(
      database.db,
      all.filter((m) => m.version <= 9),
    );
    await sql`INSERT INTO mail_messages (id, key, from_address, recipients, subject, text_body, html_body, transport, created_at)
      VALUES ('m1', 'k1', 'a@example.com', '[]', 'Link', ${`Open https://x/portal/sign-in#token=${TOKEN} now`},
              ${`<a href="https://x/portal/survey#token=abc_DEF-123.xyz">answer</a>`}, 'outbox', now())`.execute(database.db);
    await migrate(database.db, all);
    const row = await notifyDb(database).selectFrom("mail_messages").selectAll().executeTakeFirstOrThrow();
    assert.equal(row.text_body, "Open https://x/portal/sign-in#token=[redacted] now");
    assert.equal(row.html_body, `<a href="https://x/portal/survey#token=[redacted]">answer</a>`);
    assert.equal(row.transport, "outbox", "old rows keep saying where they were");
  } finally {
    await database.close();
  }
});
