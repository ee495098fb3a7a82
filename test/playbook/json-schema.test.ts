// The exported JSON Schema is what editors validate with: it must accept every built-in playbook,
// refuse what the loader refuses at the shape level, and the committed copy must be current.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { playbookJsonSchema } from "../../src/playbook/schema.ts";
import { MINIMAL } from "../support/fixtures.ts";

const schema = playbookJsonSchema();
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
const dir = new URL("../../playbooks/", import.meta.url);

describe("playbook JSON Schema", () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    test(`accepts ${file}`, () => {
      const ok = validate(parse(readFileSync(new URL(file, dir), "utf8")));
      assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 3)));
    });
  }

  test("refuses unknown keys and wrong types", () => {
    const doc = parse(MINIMAL) as Record<string, unknown>;
    assert.equal(validate({ ...doc, colour: "blue" }), false);
    assert.equal(validate({ ...doc, phases: "none" }), false);
  });

  test("the committed schema/playbook.schema.json is current (run npm run schema)", () => {
    const committed = JSON.parse(readFileSync(new URL("../../schema/playbook.schema.json", import.meta.url), "utf8"));
    assert.deepEqual(committed, schema);
  });
});
