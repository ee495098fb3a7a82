// Requests for the HTTP fuzz suite, derived from the server's own OpenAPI document: for each
// operation, arbitraries for its path parameters, query, headers and body (every media type it
// declares), each valid-ish or hostile, plus what only bytes can say: percent-encodings that are
// not UTF-8, bodies with invalid UTF-8, truncated or empty, the wrong Content-Type or none. An
// operation the generator cannot describe throws UnsupportedSchema (see schema-arbitrary.ts).
import fc from "fast-check";
import { HOSTILE_STRINGS, type JsonSchema, type Pool, type SchemaArbitraries, toJson, UnsupportedSchema } from "./schema-arbitrary.ts";

export type Access = "public" | "account" | "contact";
export type CallerKind = "anonymous" | "session" | "token" | "contact";
export type SignatureMode = "valid" | "missing" | "wrong";

export interface Parameter {
  readonly name: string;
  readonly in: "path" | "query" | "header";
  readonly required: boolean;
  readonly schema: JsonSchema;
}

export interface Operation {
  /** "POST /projects/{id}/commands" */
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly access: Access;
  readonly parameters: readonly Parameter[];
  readonly body: { readonly required: boolean; readonly content: Readonly<Record<string, JsonSchema>> } | undefined;
  /** Consumes only XML (SOAP): its refusals are SOAP faults, not problem+json. */
  readonly soap: boolean;
}

export interface FuzzCase {
  readonly caller: CallerKind;
  /** The request target: the path with its parameters encoded, and the query. */
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  /** For operations with a signer (see SIGNED_HEADERS): whether to sign the final bytes. */
  readonly signature: SignatureMode | undefined;
  readonly body: { readonly type: string | undefined; readonly bytes: Buffer } | undefined;
  /** What is hostile about this request, for the failure message. */
  readonly notes: readonly string[];
}

/** Bodies only the test knows how to make (they need its configuration or files). */
export interface BodySources {
  /** text/xml and application/soap+xml: SOAP messages the API reads. */
  readonly xml: fc.Arbitrary<string>;
  /** YAML media types: playbook text. */
  readonly yaml: fc.Arbitrary<string>;
  /** Bodies for writes that declare none (uploads take the file itself): bytes with a media type. */
  readonly files: fc.Arbitrary<{ readonly type: string; readonly bytes: Buffer }>;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** Every operation of an OpenAPI 3.1 document. */
export function operationsOf(document: unknown): Operation[] {
  const doc = document as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) throw new UnsupportedSchema(`${method.toUpperCase()} ${path}: method not supported by the fuzz suite`);
      const key = `${method.toUpperCase()} ${path}`;
      const security = (operation.security ?? []) as Record<string, unknown>[];
      const schemes = new Set(security.flatMap((s) => Object.keys(s)));
      for (const scheme of schemes) {
        if (!["session", "token", "portal"].includes(scheme))
          throw new UnsupportedSchema(`${key}: security scheme ${scheme} unknown to the fuzz suite`);
      }
      const access: Access = schemes.has("portal") ? "contact" : schemes.size > 0 ? "account" : "public";
      const parameters = ((operation.parameters ?? []) as Record<string, unknown>[]).map((p) => {
        if (p.in !== "path" && p.in !== "query" && p.in !== "header") {
          throw new UnsupportedSchema(`${key}: parameters in ${String(p.in)} are not supported by the fuzz suite`);
        }
        return { name: String(p.name), in: p.in, required: p.required === true, schema: (p.schema ?? true) as JsonSchema } as Parameter;
      });
      for (const name of path.matchAll(/\{([^}]+)\}/g)) {
        if (!parameters.some((p) => p.in === "path" && p.name === name[1]))
          throw new UnsupportedSchema(`${key}: {${name[1]}} is not declared`);
      }
      const requestBody = operation.requestBody as { required?: boolean; content?: Record<string, { schema?: JsonSchema }> } | undefined;
      const body = requestBody?.content
        ? {
            required: requestBody.required === true,
            content: Object.fromEntries(Object.entries(requestBody.content).map(([type, media]) => [type, media.schema ?? true])),
          }
        : undefined;
      const soap = body !== undefined && Object.keys(body.content).every((type) => /xml/.test(type));
      operations.push({ key, method: method.toUpperCase(), path, access, parameters, body, soap });
    }
  }
  return operations;
}

/** Percent-encoding as a client would write it; a lone surrogate as the bytes CESU-8 would give (not UTF-8). */
export function percentEncode(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** Put into a URL as they are: encodings that are not UTF-8, dots, separators, spaces. */
const RAW_URL_FRAGMENTS = [
  "%",
  "%ZZ",
  "%FF",
  "%C0%AF",
  "%ED%A0%80",
  "%00",
  "..",
  "%2e%2e",
  "%2F",
  ";x=1",
  "%25",
  "+",
  "a b",
  "é",
  "%u0000",
];

/** Media types a body may wrongly claim. */
const WRONG_TYPES = [
  "text/plain",
  "application/xml",
  "text/xml",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "application/json; charset=latin1",
  "application/json; charset=utf-16",
  "APPLICATION/JSON",
  "application/json;;;",
  "application/yaml",
  "image/png",
  "application/pdf",
  "*/*",
  "",
];

/** Byte sequences that are not UTF-8: a stray continuation, an overlong '/', a surrogate, a truncated sequence, a 5-byte form. */
const NOT_UTF8 = [[0xff], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe, 0xff]];

export interface CaseOptions {
  readonly schemas: SchemaArbitraries;
  /** Strings the server knows: ids, emails, ETags, by the names they were seen under. */
  readonly pool: Pool;
  readonly sources: BodySources;
  /** Header parameters filled by a signer at send time, not generated. */
  readonly signedHeaders: ReadonlySet<string>;
}

function stringOf(value: unknown): string {
  return typeof value === "string" ? value : toJson(value);
}

/** A raw-byte mutation of a serialized body. */
type RawMutation =
  | { readonly kind: "none" }
  | { readonly kind: "not-utf8"; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "empty" }
  | { readonly kind: "type"; readonly type: string | undefined };

const rawMutation: fc.Arbitrary<RawMutation> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("not-utf8" as const), at: fc.nat(), bytes: fc.constantFrom(...NOT_UTF8) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: "empty" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("type" as const), type: fc.option(fc.constantFrom(...WRONG_TYPES), { nil: undefined }) }),
  },
);

function applyRaw(
  body: { type: string | undefined; bytes: Buffer },
  mutation: RawMutation,
  notes: string[],
): { type: string | undefined; bytes: Buffer } {
  switch (mutation.kind) {
    case "none":
      return body;
    case "not-utf8": {
      // Inside a string when there is one (where a parser decodes text), else anywhere.
      const quotes = [...body.bytes.entries()].filter(([, b]) => b === 0x22).map(([i]) => i + 1);
      const at = quotes.length > 0 ? (quotes[mutation.at % quotes.length] ?? 0) : mutation.at % (body.bytes.length + 1);
      notes.push(`bytes ${mutation.bytes.map((b) => b.toString(16)).join(" ")} (not UTF-8) at offset ${at}`);
      return { ...body, bytes: Buffer.concat([body.bytes.subarray(0, at), Buffer.from(mutation.bytes), body.bytes.subarray(at)]) };
    }
    case "truncate": {
      const at = mutation.at % (body.bytes.length + 1);
      notes.push(`body truncated at ${at} of ${body.bytes.length} bytes`);
      return { ...body, bytes: body.bytes.subarray(0, at) };
    }
    case "empty":
      notes.push("empty body");
      return { ...body, bytes: Buffer.alloc(0) };
    case "type":
      notes.push(`Content-Type ${mutation.type === undefined ? "missing" : JSON.stringify(mutation.type)}`);
      return { ...body, type: mutation.type };
  }
}

interface Part<T> {
  readonly value: T;
  readonly notes: readonly string[];
}

function valid<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<Part<T>> {
  return arbitrary.map((value) => ({ value, notes: [] }));
}

function hostile<T>(arbitrary: fc.Arbitrary<T>, note: (value: T) => string): fc.Arbitrary<Part<T>> {
  return arbitrary.map((value) => ({ value, notes: [note(value)] }));
}

function describeValue(value: unknown): string {
  const text = stringOf(value);
  return text.length > 80 ? `${text.slice(0, 60)}... (${text.length} chars)` : text;
}

/**
 * The names a path parameter's values are seen under in responses: {step} → step, stepId; the {id}
 * of /projects/{id} → id, projectId.
 */
export function namesOf(path: string, parameter: string): string[] {
  const before = path.split(`/{${parameter}}`)[0]?.split("/").at(-1) ?? "";
  const singular = before.replace(/ies$/, "y").replace(/s$/, "");
  return parameter === "id" ? [`${singular}Id`, "id"] : [parameter, `${parameter}Id`];
}

/** One path parameter, encoded for the URL: valid-ish, or (`bad`) hostile. */
function pathValue(path: string, parameter: Parameter, options: CaseOptions, bad: boolean): fc.Arbitrary<Part<string>> {
  const names = namesOf(path, parameter.name);
  const { pool } = options;
  const where = `/params/${parameter.name}`;
  const own = options.schemas.valid(parameter.schema, where, 0, parameter.name).map(stringOf);
  if (!bad) {
    return fc.oneof(
      // The most specific name with values: projectId before id.
      {
        weight: 6,
        arbitrary: valid(pool.pick(() => names.map((n) => pool.named(n)).find((v) => v.length > 0) ?? [], own).map(percentEncode)),
      },
      { weight: 1, arbitrary: valid(pool.pick(() => pool.all, own).map(percentEncode)) },
      { weight: 2, arbitrary: valid(own.map(percentEncode)) },
    );
  }
  return fc.oneof(
    {
      weight: 3,
      arbitrary: hostile(
        options.schemas.hostile(parameter.schema, where, parameter.name, true).map((v) => percentEncode(stringOf(v))),
        (v) => `path {${parameter.name}} = ${describeValue(v)}`,
      ),
    },
    { weight: 1, arbitrary: hostile(fc.constantFrom(...RAW_URL_FRAGMENTS), (v) => `path {${parameter.name}} = raw ${v}`) },
  );
}

/** The query: the declared parameters (present or not, valid-ish; with `bad`, some hostile), sometimes more. */
function queryOf(path: string, parameters: readonly Parameter[], options: CaseOptions, bad: boolean): fc.Arbitrary<Part<string>> {
  // Named "<path>?<parameter>": values this path answered with first (a cursor of this very list).
  const entries = parameters.map((p) =>
    fc.oneof(
      { weight: p.required ? 0 : bad ? 3 : 6, arbitrary: valid(fc.constant<string | undefined>(undefined)) },
      {
        weight: bad ? 3 : 5,
        arbitrary: valid(
          options.schemas.valid(p.schema, `/query/${p.name}`, 0, `${path}?${p.name}`).map((v) => `${p.name}=${percentEncode(stringOf(v))}`),
        ),
      },
      {
        weight: bad ? 6 : 0,
        arbitrary: hostile(
          options.schemas
            .hostile(p.schema, `/query/${p.name}`, `${path}?${p.name}`, true)
            .map((v) => `${p.name}=${percentEncode(stringOf(v))}`),
          (v) => `query ${describeValue(v)}`,
        ),
      },
      {
        weight: bad ? 1 : 0,
        arbitrary: hostile(
          fc.constantFrom(...RAW_URL_FRAGMENTS).map((f) => `${p.name}=${f}`),
          (v) => `query raw ${v}`,
        ),
      },
    ),
  );
  const extra = fc.oneof(
    { weight: bad ? 3 : 1, arbitrary: valid(fc.constant<string | undefined>(undefined)) },
    {
      weight: bad ? 2 : 0,
      arbitrary: hostile(
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom("&&==&", "a[b]=1", "__proto__=1", "x=%00", "x=%ED%A0%80", "x") },
          { weight: 1, arbitrary: fc.constant(`x=${"y".repeat(20_000)}`) },
          {
            weight: 6,
            arbitrary: fc
              .tuple(fc.string({ maxLength: 8 }), fc.string({ unit: "binary", maxLength: 8 }))
              .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`),
          },
        ),
        (v) => `extra query ${describeValue(v)}`,
      ),
    },
    ...(parameters.length > 0
      ? [
          {
            weight: bad ? 1 : 0,
            arbitrary: hostile(fc.constantFrom(...parameters.map((p) => `${p.name}=1&${p.name}=2`)), (v: string) => `repeated query ${v}`),
          },
        ]
      : []),
  );
  return fc.tuple(fc.tuple(...entries), extra).map(([parts, more]) => {
    const all = [...parts, more];
    const query = all.map((p) => p.value).filter((v): v is string => v !== undefined);
    return { value: query.length > 0 ? `?${query.join("&")}` : "", notes: all.flatMap((p) => p.notes) };
  });
}

/** Header parameters other than the signed ones: valid-ish (a known ETag for If-Match), or with `bad` some hostile. */
function headersOf(
  parameters: readonly Parameter[],
  options: CaseOptions,
  bad: boolean,
): fc.Arbitrary<Part<(readonly [string, string])[]>> {
  const entries = parameters
    .filter((p) => !options.signedHeaders.has(p.name))
    .map((p) =>
      fc.oneof(
        { weight: p.required ? 0 : 2, arbitrary: valid(fc.constant<readonly [string, string] | undefined>(undefined)) },
        {
          weight: 5,
          arbitrary: valid(options.schemas.valid(p.schema, `/headers/${p.name}`, 0, p.name).map((v) => [p.name, stringOf(v)] as const)),
        },
        {
          weight: bad ? 5 : 0,
          arbitrary: hostile(
            fc
              .oneof(
                { weight: 10, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
                { weight: 5, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
                { weight: 1, arbitrary: fc.constant("x".repeat(20_000)) },
              )
              .map((v) => [p.name, v] as const),
            ([, v]) => `header ${p.name} = ${describeValue(v)}`,
          ),
        },
      ),
    );
  return fc.tuple(...entries).map((parts) => ({
    value: parts.map((p) => p.value).filter((v): v is readonly [string, string] => v !== undefined),
    notes: parts.flatMap((p) => p.notes),
  }));
}

/** A body for one declared media type: valid-ish, or (`bad`) hostile in value or in bytes. */
function bodyFor(
  type: string,
  schema: JsonSchema,
  options: CaseOptions,
  where: string,
  bad: boolean,
): fc.Arbitrary<Part<{ type: string | undefined; bytes: Buffer }>> {
  let good: fc.Arbitrary<string>;
  let evil: fc.Arbitrary<Part<string>>;
  if (/xml/.test(type)) {
    if (options.schemas.resolve(schema) === true || (options.schemas.resolve(schema) as { type?: unknown }).type !== "string") {
      throw new UnsupportedSchema(`${where} ${type}: only a string schema (the XML text) is supported`);
    }
    good = options.sources.xml;
    evil = hostile(fc.constantFrom(...HOSTILE_STRINGS), (v) => `XML body ${describeValue(v)}`);
  } else if (/yaml/.test(type)) {
    good = options.sources.yaml;
    evil = hostile(fc.constantFrom(...HOSTILE_STRINGS), (v) => `YAML body ${describeValue(v)}`);
  } else if (/json/.test(type)) {
    good = options.schemas.valid(schema, where).map(toJson);
    evil = hostile(options.schemas.hostile(schema, where).map(toJson), (v) => `JSON body ${describeValue(v)}`);
  } else {
    throw new UnsupportedSchema(`${where}: media type ${type} is not supported by the fuzz suite`);
  }
  const encode = ([part, mutation]: [Part<string>, RawMutation]) => {
    const notes = [...part.notes];
    return { value: applyRaw({ type, bytes: Buffer.from(part.value, "utf8") }, mutation, notes), notes };
  };
  if (!bad) return valid(good).map((part) => encode([part, { kind: "none" }]));
  return fc.oneof(
    // The XML and YAML sources are valid-ish and hostile at once (their values, their lines): also sent as they are.
    {
      weight: /json/.test(type) ? 0 : 3,
      arbitrary: valid(good).map((part) => encode([{ ...part, notes: [`${type} body`] }, { kind: "none" }])),
    },
    { weight: 5, arbitrary: evil.map((part) => encode([part, { kind: "none" }])) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          valid(good),
          rawMutation.filter((m) => m.kind !== "none"),
        )
        .map(encode),
    },
  );
}

/** Writes that declare no body still get one sometimes (a file, JSON, random bytes). */
function undeclaredBody(options: CaseOptions, bad: boolean): fc.Arbitrary<Part<{ type: string | undefined; bytes: Buffer } | undefined>> {
  if (!bad) return valid(fc.constant(undefined));
  return fc.oneof(
    hostile(options.sources.files, (f) => `${f.type} body of ${f.bytes.length} bytes`),
    hostile(fc.constant({ type: "application/json", bytes: Buffer.from("{}") }), () => "JSON body {}"),
    hostile(
      fc
        .tuple(fc.constantFrom(...WRONG_TYPES), fc.uint8Array({ maxLength: 64 }))
        .map(([type, bytes]) => ({ type: type || undefined, bytes: Buffer.from(bytes) })),
      (b) => `${b.type ?? "untyped"} body of ${b.bytes.length} random bytes`,
    ),
  );
}

/** Which part of a request is hostile: none (valid-ish, to reach the handler), or exactly one. */
type Focus = "none" | "path" | "query" | "headers" | "body" | "signature";

/**
 * Requests for `operation`, as one of `callers`: valid-ish in every part, or hostile in one part
 * (so a failure says which part did it), sometimes hostile everywhere.
 */
export function casesFor(operation: Operation, callers: readonly CallerKind[], options: CaseOptions): fc.Arbitrary<FuzzCase> {
  const where = operation.key;
  const pathParameters = operation.parameters.filter((p) => p.in === "path");
  const queryParameters = operation.parameters.filter((p) => p.in === "query");
  const headerParameters = operation.parameters.filter((p) => p.in === "header");
  const signed = headerParameters.some((p) => options.signedHeaders.has(p.name));
  // Undeclared bodies only for writes: a GET with a body is a curiosity, not a client.
  const hasBody = operation.body !== undefined || operation.method !== "GET";
  const parts = (bad: (focus: Focus) => boolean) => {
    const path = fc.tuple(...pathParameters.map((p) => pathValue(operation.path, p, options, bad("path")))).map((values) => {
      let target = operation.path;
      pathParameters.forEach((p, i) => {
        target = target.replace(`{${p.name}}`, values[i]?.value ?? "");
      });
      return { value: target, notes: values.flatMap((v) => v.notes) };
    });
    const body: fc.Arbitrary<Part<{ type: string | undefined; bytes: Buffer } | undefined>> = operation.body
      ? fc.oneof(
          ...Object.entries(operation.body.content).map(([type, schema]) => bodyFor(type, schema, options, `${where} body`, bad("body"))),
          ...(operation.body.required ? [] : [valid(fc.constant(undefined))]),
        )
      : undeclaredBody(options, bad("body"));
    const signature: fc.Arbitrary<SignatureMode | undefined> = !signed
      ? fc.constant(undefined)
      : bad("signature")
        ? fc.constantFrom<SignatureMode>("missing", "wrong")
        : fc.constant<SignatureMode>("valid");
    return fc.record({
      caller: fc.constantFrom(...callers),
      path,
      query: queryOf(operation.path, queryParameters, options, bad("query")),
      headers: headersOf(headerParameters, options, bad("headers")),
      body,
      signature,
    });
  };
  const foci: Focus[] = [
    ...(pathParameters.length > 0 ? (["path"] as const) : []),
    "query",
    ...(headerParameters.some((p) => !options.signedHeaders.has(p.name)) ? (["headers"] as const) : []),
    ...(hasBody ? (["body"] as const) : []),
    ...(signed ? (["signature"] as const) : []),
  ];
  // Each focus's arbitrary is built once, here, not for every case drawn: building one (the
  // schemas' string patterns especially) cost more than sending the request.
  const focused = new Map(foci.map((focus) => [focus, parts((f) => f === focus)]));
  const cases = fc.oneof(
    { weight: 3, arbitrary: parts(() => false) },
    { weight: 6, arbitrary: fc.constantFrom(...foci).chain((focus) => focused.get(focus) ?? parts((f) => f === focus)) },
    { weight: 1, arbitrary: parts((f) => f !== "signature") },
  );
  return cases.map(({ caller, path, query, headers, body, signature }) => ({
    caller,
    target: `${path.value}${query.value}`,
    headers: headers.value,
    signature,
    body: body.value,
    notes: [
      ...path.notes,
      ...query.notes,
      ...headers.notes,
      ...body.notes,
      ...(signature && signature !== "valid" ? [`signature ${signature}`] : []),
    ],
  }));
}
