// fast-check arbitraries from the JSON Schemas of an OpenAPI 3.1 document: values that follow a
// schema ("valid-ish": the right shape, with strings often taken from a pool of values the server
// already knows, so requests reach the handlers), and hostile values (the valid-ish value with one
// place broken: a wrong type, a missing or extra member, NUL, a lone surrogate, a huge string, an
// array of a hundred thousand items, nesting thousands deep, 1e308 ...). A schema keyword this file
// does not understand throws UnsupportedSchema: a new kind of route fails the fuzz suite loudly
// until its schema is supported here, instead of being fuzzed with nothing.
import fc from "fast-check";

export type JsonSchema = { readonly [keyword: string]: unknown } | boolean;

/**
 * Strings the server has answered with, by the member name each was seen under ("timeZone" →
 * "Europe/Berlin", "if-match" → an ETag). It grows while the fuzz runs (an id a create answered is
 * tried in the next GET): arbitraries read it when they generate, not when they are built. Only
 * short strings are kept, the most recent per name, never the `reserved` ones (the harness's own
 * account and credentials, which a fuzzed DELETE must not find).
 */
export class Pool {
  static readonly PER_NAME = 40;
  readonly #named = new Map<string, string[]>();
  readonly #reserved: (value: string) => boolean;
  #all: string[] = [];

  constructor(reserved: (value: string) => boolean) {
    this.#reserved = reserved;
  }

  /** `value` seen under `name`, in an answer to a request for `scope` (a path template) when given. */
  add(name: string, value: string, scope?: string): void {
    // Control characters are hostile values, not known ones.
    if (value.length === 0 || value.length > 200 || [...value].some((c) => c < " ") || this.#reserved(value)) return;
    for (const key of scope === undefined ? [name.toLowerCase()] : [name.toLowerCase(), `${scope}?${name.toLowerCase()}`]) {
      const values = this.#named.get(key) ?? [];
      if (values.includes(value)) continue;
      values.unshift(value);
      if (values.length > Pool.PER_NAME) values.pop();
      this.#named.set(key, values);
    }
    this.#all = [];
  }

  /** Every string in a JSON value, under the member name it is the value of (an array's items: the array's). */
  addAll(value: unknown, scope?: string, name = ""): void {
    if (typeof value === "string") this.add(name, value, scope);
    else if (Array.isArray(value)) for (const item of value) this.addAll(item, scope, name);
    else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) this.addAll(item, scope, key);
  }

  /**
   * The values seen under `name`, else under a name ending with it (nextCursor for cursor). A name
   * "/clients?cursor" asks first for what answers to /clients said (a cursor of that list).
   */
  named(name: string): readonly string[] {
    const key = name.toLowerCase();
    const at = key.indexOf("?");
    const scopes = at < 0 ? [""] : [key.slice(0, at + 1), ""];
    const bare = key.slice(at + 1);
    for (const scope of scopes) {
      const exact = this.#named.get(`${scope}${bare}`);
      if (exact) return exact;
      for (const [other, values] of this.#named) {
        const otherAt = other.indexOf("?");
        if (other.slice(0, otherAt + 1) === scope && other.slice(otherAt + 1).endsWith(bare)) return values;
      }
    }
    return [];
  }

  get all(): readonly string[] {
    if (this.#all.length === 0) {
      this.#all = [...new Set([...this.#named].filter(([key]) => !key.includes("?")).flatMap(([, v]) => v.slice(0, 10)))];
    }
    return this.#all;
  }

  /** A known value that `fits`, read at generation time; `fallback` while there is none. */
  pick(values: () => readonly string[], fallback: fc.Arbitrary<string>): fc.Arbitrary<string> {
    return fc.tuple(fc.nat(), fallback).map(([i, other]) => {
      const known = values();
      return known.length > 0 ? (known[i % known.length] as string) : other;
    });
  }
}

export class UnsupportedSchema extends Error {
  override readonly name = "UnsupportedSchema";
}

/** Keywords that only describe. */
const ANNOTATIONS = new Set(["description", "title", "default", "examples", "example", "deprecated", "readOnly", "writeOnly", "$comment"]);
/** Keywords the generator follows. */
const HANDLED = new Set([
  "type",
  "enum",
  "const",
  "$ref",
  "anyOf",
  "oneOf",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
]);

/** Instants at the edges of what ISO-8601, JavaScript and PostgreSQL each accept. */
export const EDGE_INSTANTS = [
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+01:00",
  "9999-12-31T23:59:59Z",
  "9999-12-31T23:59:59-15:59",
  "1970-01-01T00:00:00+23:59",
  "2000-02-29T00:00:00.123456789Z",
  "1969-12-31T23:59:59.999Z",
];

/** Stand-ins for formats: values of the right form. */
const FORMATS: Readonly<Record<string, () => fc.Arbitrary<string>>> = {
  email: () => fc.emailAddress(),
  "date-time": () =>
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
          .map((d) => d.toISOString()),
      },
      // Valid ISO-8601 that a database may not read: the year 0000, the last second of 9999, offsets beyond ±15:59.
      { weight: 3, arbitrary: fc.constantFrom(...EDGE_INSTANTS) },
    ),
  date: () =>
    fc
      .date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  uri: () => fc.webUrl(),
  url: () => fc.webUrl(),
  uuid: () => fc.uuid(),
};

/**
 * Nesting `depth` levels deep, as arrays or objects: a placeholder that toJson() expands, so that
 * nothing in the test process (fast-check's generators, JSON.stringify) recurses thousands deep.
 */
export function nested(depth: number, kind: "array" | "object"): string {
  return `\u0001nested:${depth}:${kind}\u0001`;
}

/** JSON text of a generated value, nested() placeholders expanded. */
export function toJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return "";
  return text.replace(/"\\u0001nested:(\d+):(array|object)\\u0001"/g, (_, depth: string, kind: string) => {
    const n = Number(depth);
    return kind === "array" ? `${"[".repeat(n)}0${"]".repeat(n)}` : `${'{"a":'.repeat(n)}0${"}".repeat(n)}`;
  });
}

/** Strings PostgreSQL, JSON or a parser may choke on. */
export const HOSTILE_STRINGS: readonly string[] = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\udc00\ud800",
  "\ufeff",
  "\u202e",
  "\u2028",
  "\r\n",
  "🙂👍🏽",
  "%00",
  "%FF",
  "NaN",
  "Infinity",
  "-0",
  "1e308",
  "null",
  "true",
  "[]",
  "{}",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "{{ 7 | times: 7 }}",
  "{% for i in (1..100000000) %}x{% endfor %}",
  "' OR '1'='1",
  "__proto__",
  "constructor",
  "$ne",
  "a".repeat(201),
];

/**
 * A hostile value of any kind: what a broken or malicious client might send in place of a field.
 * `small`: for URLs and headers, where a megabyte only tests Node's header limit (431).
 * Made once for each: hostile() asks for it anew for every value it breaks, and the arbitrary
 * (its 10,000-member object in particular) took longer to build than the request took to answer.
 */
export function hostileValue(small = false): fc.Arbitrary<unknown> {
  const made = HOSTILE_VALUES[small ? 1 : 0];
  if (made) return made;
  const arbitrary = makeHostileValue(small);
  HOSTILE_VALUES[small ? 1 : 0] = arbitrary;
  return arbitrary;
}

const HOSTILE_VALUES: (fc.Arbitrary<unknown> | undefined)[] = [undefined, undefined];

function makeHostileValue(small: boolean): fc.Arbitrary<unknown> {
  if (small) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
      { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, 0, -0, -1, 0.5, 1e308, -1e308, 5e-324, 2 ** 53 + 2, -(2 ** 31)) },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
      { weight: 1, arbitrary: fc.constant("x".repeat(2_000)) },
    );
  }
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    {
      weight: 3,
      arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -0, 1, -1, 0.5, 1e308, -1e308, 5e-324, 2 ** 53 + 2, -(2 ** 31), [], {}),
    },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 10 }), fc.constantFrom("\u0000", "\ud800", "\udfff"), fc.string({ maxLength: 10 }))
        .map(([a, bad, b]) => `${a}${bad}${b}`),
    },
    { weight: 1, arbitrary: fc.constantFrom(10_000, 100_000, 1_000_000).map((n) => "x".repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(1_000, 100_000).map((n) => "é🙂".repeat(n)) },
    // Long and incompressible: a B-tree index entry over ~2.7 kB fails where "x".repeat(n) compresses and fits.
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 4_096, maxLength: 4_096 }).map((b) => Buffer.from(b).toString("base64")) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(65, 1_000, 5_000), fc.constantFrom("array" as const, "object" as const))
        .map(([d, k]) => nested(d, k)),
    },
    { weight: 1, arbitrary: fc.constantFrom(1_000, 100_000).map((n) => Array.from({ length: n }, (_, i) => i)) },
    { weight: 1, arbitrary: fc.constant(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/** A member name a client should not send (made once, like hostileValue's). */
const HOSTILE_KEY: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "", "a\u0000b", "\ud800", "$where", "a.b", "a/b", "~1"),
  fc.string({ maxLength: 12 }),
);

function hostileKey(): fc.Arbitrary<string> {
  return HOSTILE_KEY;
}

type Path = readonly (string | number)[];

/** Every place in a JSON value, the root included. */
function placesOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (out.length > 200) return out;
  if (Array.isArray(value)) {
    for (const [i, item] of value.slice(0, 20).entries()) placesOf(item, [...path, i], out);
  } else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) placesOf(v, [...path, k], out);
  return out;
}

type Mutation =
  | { readonly kind: "replace"; readonly with: unknown }
  | { readonly kind: "delete" }
  | { readonly kind: "add"; readonly key: string; readonly with: unknown }
  | { readonly kind: "inside"; readonly at: number; readonly with: unknown };

/** The JSON inside an opaque token (a cursor is base64url JSON), or undefined. */
function decodedToken(text: string): unknown[] | undefined {
  if (!/^[A-Za-z0-9_-]{8,}$/.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Values to put inside a token: what its maker never writes. */
const INSIDE_VALUES: readonly unknown[] = [
  ...EDGE_INSTANTS,
  "a\u0000b",
  "\ud800",
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 - 1,
  1e300,
  -1,
  0.5,
  "",
  null,
  [],
  {},
];

function mutate(value: unknown, path: Path, mutation: Mutation): unknown {
  if (path.length === 0) {
    if (mutation.kind === "replace") return mutation.with;
    if (mutation.kind === "inside") {
      // Another value inside an opaque token (never its first: a cursor's list tag), re-encoded.
      const token = typeof value === "string" ? decodedToken(value) : undefined;
      if (token === undefined) return mutation.with;
      const copy = [...token];
      copy[token.length > 1 ? 1 + (mutation.at % (token.length - 1)) : 0] = mutation.with;
      return Buffer.from(JSON.stringify(copy)).toString("base64url");
    }
    if (mutation.kind === "add" && value !== null && typeof value === "object" && !Array.isArray(value)) {
      return Object.defineProperty({ ...value }, mutation.key, {
        value: mutation.with,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
    return undefined;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && mutation.kind === "delete") copy.splice(head as number, 1);
    else copy[head as number] = mutate(copy[head as number], rest, mutation);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  if (rest.length === 0 && mutation.kind === "delete") delete copy[head as string];
  else copy[head as string] = mutate(copy[head as string], rest, mutation);
  return copy;
}

interface Document {
  readonly components?: { readonly schemas?: Readonly<Record<string, JsonSchema>> };
}

export class SchemaArbitraries {
  readonly #document: Document;
  readonly #pool: Pool;
  /** #string's arbitraries by schema, then by member name. */
  readonly #strings = new WeakMap<object, Map<string | undefined, fc.Arbitrary<string>>>();

  /** `pool`: strings the server knows (ids, emails, ETags), by the member names they were seen under. */
  constructor(document: unknown, pool: Pool) {
    this.#document = document as Document;
    this.#pool = pool;
  }

  resolve(schema: JsonSchema): JsonSchema {
    let current = schema;
    for (let hops = 0; typeof current === "object" && typeof current.$ref === "string"; hops++) {
      const ref = current.$ref as string;
      const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
      const target = name === undefined ? undefined : this.#document.components?.schemas?.[decodeURIComponent(name)];
      if (target === undefined || hops > 20) throw new UnsupportedSchema(`cannot resolve $ref ${ref}`);
      current = target;
    }
    return current;
  }

  /** Values following `schema`. `where` names it in errors; `name` is the member or parameter it is the value of. */
  valid(schema: JsonSchema, where: string, depth = 0, name?: string): fc.Arbitrary<unknown> {
    if (depth > 12) throw new UnsupportedSchema(`${where}: schema nests deeper than 12 levels (recursive?)`);
    const s = this.resolve(schema);
    if (s === true) return fc.jsonValue({ maxDepth: 2 });
    if (s === false) throw new UnsupportedSchema(`${where}: the schema false admits nothing`);
    for (const keyword of Object.keys(s)) {
      if (!HANDLED.has(keyword) && !ANNOTATIONS.has(keyword) && !keyword.startsWith("x-")) {
        throw new UnsupportedSchema(`${where}: JSON Schema keyword "${keyword}" is not supported by the fuzz generator`);
      }
    }
    if ("const" in s) return fc.constant(s.const);
    if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
    const alternatives = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
    if (alternatives !== undefined) return fc.oneof(...alternatives.map((a, i) => this.valid(a, `${where}/${i}`, depth + 1, name)));
    const type = s.type ?? (s.properties !== undefined ? "object" : s.items !== undefined ? "array" : undefined);
    if (type === undefined) return fc.jsonValue({ maxDepth: 2 });
    if (Array.isArray(type)) return fc.oneof(...type.map((t) => this.valid({ ...s, type: t }, where, depth + 1, name)));
    switch (type) {
      case "string":
        return this.#string(s, where, name);
      case "integer":
      case "number":
        return this.#number(s, type as "integer" | "number");
      case "boolean":
        return fc.boolean();
      case "null":
        return fc.constant(null);
      case "array": {
        const min = (s.minItems as number | undefined) ?? 0;
        const max = Math.max(min, Math.min((s.maxItems as number | undefined) ?? 4, 4));
        return fc.array(this.valid((s.items as JsonSchema | undefined) ?? true, `${where}/items`, depth + 1, name), {
          minLength: min,
          maxLength: max,
        });
      }
      case "object":
        return this.#object(s, where, depth);
      default:
        throw new UnsupportedSchema(`${where}: type "${String(type)}" is not supported by the fuzz generator`);
    }
  }

  /** A valid-ish value with one place broken, or a hostile value outright (`small`: see hostileValue). */
  hostile(schema: JsonSchema, where: string, name?: string, small = false): fc.Arbitrary<unknown> {
    const broken = this.valid(schema, where, 0, name).chain((value) => {
      const places = placesOf(value);
      const mutation: fc.Arbitrary<Mutation> = fc.oneof(
        { weight: 6, arbitrary: hostileValue(small).map((v) => ({ kind: "replace" as const, with: v })) },
        { weight: 2, arbitrary: fc.constant({ kind: "delete" as const }) },
        { weight: 2, arbitrary: fc.tuple(hostileKey(), hostileValue(small)).map(([key, v]) => ({ kind: "add" as const, key, with: v })) },
        // An opaque token (a cursor) is mostly broken from the inside: its outside is checked first and well.
        {
          weight: typeof value === "string" && decodedToken(value) !== undefined ? 20 : 0,
          arbitrary: fc.tuple(fc.nat(), fc.constantFrom(...INSIDE_VALUES)).map(([at, v]) => ({ kind: "inside" as const, at, with: v })),
        },
      );
      return fc.tuple(fc.constantFrom(...places), mutation).map(([path, m]) => mutate(value, path, m));
    });
    return fc.oneof({ weight: 5, arbitrary: broken }, { weight: 1, arbitrary: hostileValue(small) });
  }

  /**
   * A string schema's arbitrary, made once for each schema and member name: casesFor builds each
   * operation's requests several times over (once for each part that may be the hostile one), and
   * fast-check's stringMatching takes milliseconds to build from a pattern.
   */
  #string(s: { readonly [k: string]: unknown }, where: string, name: string | undefined): fc.Arbitrary<string> {
    let byName = this.#strings.get(s);
    if (byName === undefined) {
      byName = new Map();
      this.#strings.set(s, byName);
    }
    let made = byName.get(name);
    if (made === undefined) {
      made = this.#makeString(s, where, name);
      byName.set(name, made);
    }
    return made;
  }

  #makeString(s: { readonly [k: string]: unknown }, where: string, name: string | undefined): fc.Arbitrary<string> {
    const min = (s.minLength as number | undefined) ?? 0;
    const max = (s.maxLength as number | undefined) ?? 10_000;
    let own: fc.Arbitrary<string>;
    let fits = (v: string) => v.length >= min && v.length <= max;
    if (typeof s.format === "string") {
      const format = FORMATS[s.format];
      if (!format) throw new UnsupportedSchema(`${where}: string format "${s.format}" is not supported by the fuzz generator`);
      own = format();
      // Known values of a format are only those seen under the same name.
      const length = fits;
      const known = this.#pool;
      fits = (v) => length(v) && name !== undefined && known.named(name).includes(v);
    } else if (typeof s.pattern === "string") {
      let pattern: RegExp;
      try {
        pattern = new RegExp(s.pattern as string);
        own = fc.stringMatching(pattern).filter((v) => v.length >= min && v.length <= max);
      } catch (error) {
        throw new UnsupportedSchema(`${where}: pattern ${s.pattern}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const length = fits;
      fits = (v) => length(v) && pattern.test(v);
    } else {
      own = fc.string({ minLength: min, maxLength: Math.max(min, Math.min(max, 24)) });
    }
    // Values seen under the same name first (a time zone for timeZone, a step id for step), then any.
    const pool = this.#pool;
    return fc.oneof(
      { weight: 2, arbitrary: own },
      { weight: 4, arbitrary: pool.pick(() => (name === undefined ? [] : pool.named(name).filter(fits)), own) },
      { weight: 1, arbitrary: pool.pick(() => pool.all.filter(fits), own) },
    );
  }

  #number(s: { readonly [k: string]: unknown }, type: "integer" | "number"): fc.Arbitrary<number> {
    const exclusiveMin = typeof s.exclusiveMinimum === "number" ? s.exclusiveMinimum : undefined;
    const exclusiveMax = typeof s.exclusiveMaximum === "number" ? s.exclusiveMaximum : undefined;
    let min = (s.minimum as number | undefined) ?? (exclusiveMin !== undefined ? exclusiveMin + (type === "integer" ? 1 : 1e-9) : -1_000);
    let max =
      (s.maximum as number | undefined) ?? (exclusiveMax !== undefined ? exclusiveMax - (type === "integer" ? 1 : 1e-9) : 1_000_000);
    if (type === "integer") {
      min = Math.max(Math.ceil(min), Number.MIN_SAFE_INTEGER);
      max = Math.min(Math.floor(max), Number.MAX_SAFE_INTEGER);
      return fc.oneof(fc.integer({ min, max: Math.min(max, min + 100) }), fc.integer({ min, max }));
    }
    return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  }

  #object(s: { readonly [k: string]: unknown }, where: string, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((s.required ?? []) as string[]);
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [member, property] of Object.entries(properties))
      model[member] = this.valid(property, `${where}/${member}`, depth + 1, member);
    const known = fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
    const extra = s.additionalProperties;
    if (extra === undefined || extra === false) return known as fc.Arbitrary<Record<string, unknown>>;
    const names =
      s.propertyNames === undefined
        ? fc.string({ maxLength: 12 })
        : this.valid(s.propertyNames as JsonSchema, `${where}/propertyNames`, depth + 1);
    const values = this.valid(extra as JsonSchema, `${where}/additionalProperties`, depth + 1);
    return fc
      .tuple(known, fc.dictionary(names.map(String), values, { maxKeys: 3 }))
      .map(([k, e]) => ({ ...e, ...(k as Record<string, unknown>) }));
  }
}
