// Shared by the render tests: the built-in playbooks, a client file with non-Latin names, and the
// rule for tools the machine may lack (Chromium, pdftotext): skipped with a message on a
// developer's machine, a failure under CI=true, where .ci/run installs them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { TestContext } from "node:test";
import { chromiumInstalled } from "../../src/render/chromium.ts";

export { builtInPlaybooks } from "../../src/render/bench.ts";

/** True when the tool is missing and the test was skipped (the caller returns). */
export function skipWithout(t: TestContext, available: boolean, message: string): boolean {
  if (available) return false;
  if (process.env.CI === "true") assert.fail(`${message}; under CI=true this is a failure (.ci/run installs it)`);
  t.skip(message);
  return true;
}

export const HAVE_CHROMIUM = chromiumInstalled();
export const HAVE_PDFTOTEXT = spawnSync("pdftotext", ["-v"], { encoding: "utf8" }).status === 0;

/** A client with names in Japanese, Greek and Arabic and a status symbol, for every format. */
export const UNICODE_CLIENT = `client:
  name: 株式会社テスト 🟢
  time_zone: Asia/Tokyo
  country: JP
  start: 2026-04-01
facts:
  soc2_required: true
  user_count: 150
  data_migration_applicable: false
params:
  revision_author: Ελένη Παπαδοπούλου (مريم)
`;

export const UNICODE_NAMES = ["株式会社テスト", "🟢", "Ελένη Παπαδοπούλου", "مريم"];
