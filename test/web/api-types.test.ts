// The web app's API types are generated from the routes' OpenAPI document: this fails when a
// route changed and src/web/api/schema.d.ts was not regenerated (npm run web:types).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { generatedTypes, TYPES_FILE } from "../../scripts/web-api-types.ts";

test("src/web/api/schema.d.ts matches the API's OpenAPI document (npm run web:types)", async () => {
  const committed = readFileSync(TYPES_FILE, "utf8");
  const current = await generatedTypes();
  assert.ok(committed === current, "src/web/api/schema.d.ts is stale: run npm run web:types and commit it");
});
