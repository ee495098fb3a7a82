// Issue 14 item 8: saved views over HTTP, on PGlite and PostgreSQL. Each account saves, lists and
// deletes its own named views (a team-app path with its filters); another account sees none of them
// and cannot delete them; bad input names the field.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Caller, type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();

for (const backend of BACKENDS) {
  describe(`saved views on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let casey: Caller;
    let jordan: Caller;
    before(async () => {
      t = await startTestServer(backend);
      casey = await t.user("casey", ["csm"]);
      jordan = await t.user("jordan", ["csm"]);
    });
    after(() => t?.close());

    test("save, list by name, replace by name, delete; own views only", async () => {
      const empty = await casey.get("/portfolio/views");
      assert.equal(empty.status, 200);
      assert.deepEqual(empty.body.items, []);

      const red = await casey.post("/portfolio/views", { name: "My red accounts", path: "/app/?health=red&csm=casey" });
      assert.equal(red.status, 201, JSON.stringify(red.body));
      assert.equal(red.body.name, "My red accounts");
      assert.equal(red.body.path, "/app/?health=red&csm=casey");
      assert.ok(red.body.id && red.body.createdAt);
      const late = await casey.post("/portfolio/views", { name: "Enterprise, late", path: "/app/?segment=enterprise&late=1" });
      assert.equal(late.status, 201);

      const listed = await casey.get("/portfolio/views");
      assert.deepEqual(
        listed.body.items.map((v: Json) => v.name),
        ["Enterprise, late", "My red accounts"],
        "by name",
      );
      // The same name again replaces that view's link.
      const again = await casey.post("/portfolio/views", { name: "My red accounts", path: "/app/?health=red" });
      assert.equal(again.status, 201);
      assert.equal(again.body.id, red.body.id);
      const after2 = await casey.get("/portfolio/views");
      assert.equal(after2.body.items.length, 2);
      assert.equal(after2.body.items.find((v: Json) => v.id === red.body.id).path, "/app/?health=red");

      // Another account sees none of them and cannot delete them.
      assert.deepEqual((await jordan.get("/portfolio/views")).body.items, []);
      const theirs = await jordan.request("DELETE", `/portfolio/views/${red.body.id}`);
      assert.equal(theirs.status, 404);
      assert.match(theirs.headers.get("content-type") ?? "", /problem\+json/);
      assert.equal((await casey.get("/portfolio/views")).body.items.length, 2);
      // Jordan's own view of the same name is separate.
      assert.equal((await jordan.post("/portfolio/views", { name: "My red accounts", path: "/app/?csm=jordan" })).status, 201);
      assert.equal(
        (await casey.get("/portfolio/views")).body.items.find((v: Json) => v.name === "My red accounts").path,
        "/app/?health=red",
      );

      const deleted = await casey.request("DELETE", `/portfolio/views/${red.body.id}`);
      assert.equal(deleted.status, 204);
      assert.deepEqual(
        (await casey.get("/portfolio/views")).body.items.map((v: Json) => v.name),
        ["Enterprise, late"],
      );
      assert.equal((await casey.request("DELETE", `/portfolio/views/${red.body.id}`)).status, 404, "gone");
    });

    test("a view needs a name and a page of the team app; the error names the field", async () => {
      const noName = await casey.post("/portfolio/views", { name: "  ", path: "/app/" });
      assert.equal(noName.status, 400);
      assert.ok(
        noName.body.errors.some((e: Json) => e.pointer === "/body/name"),
        JSON.stringify(noName.body),
      );
      for (const path of ["https://evil.example/app/", "/api/projects", "/app/ x"]) {
        const bad = await casey.post("/portfolio/views", { name: "Elsewhere", path });
        assert.equal(bad.status, 400, path);
        assert.ok(
          bad.body.errors.some((e: Json) => e.pointer === "/body/path"),
          JSON.stringify(bad.body),
        );
      }
      const anonymous = await t.anonymous.get("/portfolio/views");
      assert.equal(anonymous.status, 401);
    });
  });
}
