// `npm start` on an empty database: the server answers at once and fills the demo portfolio in the
// background, then the dashboard shows it; a database that already has projects gets none.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { parseConfig } from "../../src/api/config.ts";
import { startServer } from "../../src/api/server.ts";
import { Caller, cookieHeader } from "../api/support/http.ts";

const PASSWORD = "demo admin password";

test("an empty embedded database gets the demo portfolio, once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-demo-serve-"));
  const config = (projects: string) =>
    parseConfig({
      DATA_DIR: dir,
      PORT: "0",
      LOG_LEVEL: "silent",
      ONBOARD_ADMIN_PASSWORD: PASSWORD,
      ONBOARD_DEMO_PROJECTS: projects,
      SCHEDULER: "off",
      OUTBOX: "off",
    });
  try {
    const server = await startServer(config("8"));
    let total = 0;
    try {
      const url = await server.listen();
      const login = await new Caller(url).post("/auth/login", { email: "admin@onboard.local", password: PASSWORD });
      assert.equal(login.status, 200, "the server answers while the demo is generated");
      const admin = new Caller(url, { cookie: cookieHeader(login), csrfToken: login.body.csrfToken });
      for (let i = 0; i < 240 && total < 8; i++) {
        await delay(500);
        total = (await admin.get("/portfolio?status=active,on_hold,closed,cancelled")).body.counts.total;
      }
      assert.equal(total, 8, "the demo's projects reach the dashboard");
    } finally {
      await server.close();
    }
    const again = await startServer(config("8"));
    try {
      const count = await again.database.db
        .selectFrom("projects")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 8, "a database with projects gets no second demo");
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
