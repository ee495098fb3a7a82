// Due dates must be the same whatever the machine's TZ: compute a battery in child processes
// with far-apart TZ settings (a fresh process, so nothing is cached from this one) and compare.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { battery } from "./tz-battery.ts";

const BATTERY_URL = new URL("./tz-battery.ts", import.meta.url).href;

function batteryIn(tz: string): { readonly offset: number; readonly lines: string[] } {
  const script = `
    import { battery } from ${JSON.stringify(BATTERY_URL)};
    const offset = new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset();
    process.stdout.write(JSON.stringify({ offset, lines: battery() }));
  `;
  const child = spawnSync(process.execPath, ["--input-type=module", "--eval", script], {
    env: { ...process.env, TZ: tz },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { offset: number; lines: string[] };
}

const expected = battery();

/** Each TZ and its host offset on 2026-01-01 (Date#getTimezoneOffset: minutes west of UTC). */
const HOSTS = { "Pacific/Kiritimati": -840, "America/Adak": 600, "Asia/Kolkata": -330, "Europe/Berlin": -60 } as const;

for (const [tz, hostOffset] of Object.entries(HOSTS)) {
  test(`the same due dates with TZ=${tz}`, () => {
    const { offset, lines } = batteryIn(tz);
    assert.equal(offset, hostOffset, "the child really runs in another zone");
    assert.equal(lines.length, expected.length);
    assert.deepEqual(lines, expected);
  });
}
