// The notification settings of the configuration: parsed once, wrong values named.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ConfigError, parseConfig } from "../../src/api/config.ts";

test("SMTP_URL, MAIL_FROM, SLACK_WEBHOOK_URL, SURVEY_SECRET, SURVEY_LINK_DAYS", () => {
  const defaults = parseConfig({}).notifications;
  assert.deepEqual(defaults, {
    smtpUrl: undefined,
    mailDir: "./mail",
    mailFrom: { name: "Onboard", address: "onboard@localhost" },
    slackWebhookUrl: undefined,
    surveySecret: undefined,
    surveyLinkDays: 30,
  });
  const set = parseConfig({
    SMTP_URL: "smtps://user:pw@mail.example.com:465",
    MAIL_FROM: "Acmé Onboarding <onboarding@acme.example>",
    SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/X",
    SURVEY_SECRET: "s".repeat(32),
    SURVEY_LINK_DAYS: "14",
  }).notifications;
  assert.equal(set.smtpUrl, "smtps://user:pw@mail.example.com:465");
  assert.deepEqual(set.mailFrom, { name: "Acmé Onboarding", address: "onboarding@acme.example" });
  assert.equal(set.surveyLinkDays, 14);
  assert.deepEqual(parseConfig({ MAIL_FROM: "ops@acme.example" }).notifications.mailFrom, { address: "ops@acme.example" });
  assert.throws(
    () => parseConfig({ SMTP_URL: "mail.example.com", MAIL_FROM: "nobody", SURVEY_SECRET: "short", SLACK_WEBHOOK_URL: "hooks" }),
    (e: ConfigError) =>
      ["SMTP_URL", "MAIL_FROM", "SURVEY_SECRET", "SLACK_WEBHOOK_URL"].every((v) => e.problems.some((p) => p.variable === v)),
  );
});
