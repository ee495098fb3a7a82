// The few API calls `onboard publish` makes, with an API token, over fetch. Every answer is checked
// into a typed value here; a problem+json refusal keeps its title and detail for the report.
import { z } from "zod";

const Version = z.object({
  version: z.string(),
  contentHash: z.string(),
  publishedAt: z.string(),
  commit: z.string().nullable().optional(),
  commitAuthor: z.string().nullable().optional(),
});
const Playbook = z.object({ id: z.string(), latestVersion: z.string(), versions: z.array(Version) });
const VersionSource = z.object({ version: z.string(), source: z.string() });
const Uploaded = z.object({
  id: z.string(),
  version: z.string(),
  contentHash: z.string(),
  created: z.boolean(),
  status: z.enum(["published", "pending"]),
  submissionId: z.string().optional(),
});
const Problem = z.looseObject({ title: z.string().optional(), detail: z.string().optional(), status: z.number().optional() });

export type PublishedPlaybook = z.infer<typeof Playbook>;
export type UploadAnswer = z.infer<typeof Uploaded> & { readonly replayed: boolean };

/** The server said no (or could not be reached): what to print, and whether it is about this file. */
export class ServerRefusal extends Error {
  override readonly name = "ServerRefusal";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface UploadRequest {
  readonly source: string;
  readonly file: string;
  readonly commit?: string;
  readonly commitAuthor?: string;
  readonly idempotencyKey: string;
}

export class ServerClient {
  readonly base: string;
  readonly #token: string;

  constructor(base: string, token: string) {
    this.base = base.replace(/\/+$/, "");
    this.#token = token;
  }

  /** The playbook's revision history, or undefined when nothing of it is published yet. */
  async playbook(id: string): Promise<PublishedPlaybook | undefined> {
    const answer = await this.#call("GET", `/playbooks/${encodeURIComponent(id)}`);
    if (answer.status === 404) return undefined;
    return parsed(Playbook, await this.#ok(answer), `GET /playbooks/${id}`);
  }

  async source(id: string, version: string): Promise<string> {
    const path = `/playbooks/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}`;
    return parsed(VersionSource, await this.#ok(await this.#call("GET", path)), `GET ${path}`).source;
  }

  async upload(request: UploadRequest): Promise<UploadAnswer> {
    const { idempotencyKey, ...body } = request;
    const answer = await this.#call("POST", "/playbooks", body, { "idempotency-key": idempotencyKey });
    const uploaded = parsed(Uploaded, await this.#ok(answer), "POST /playbooks");
    return { ...uploaded, replayed: answer.headers.get("idempotent-replayed") === "true" };
  }

  async #call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new ServerRefusal(0, `${this.base} cannot be reached (${cause}): check --server or ONBOARD_URL`);
    }
  }

  async #ok(answer: Response): Promise<unknown> {
    const text = await answer.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): reported as it is below.
    }
    if (answer.ok) return body;
    const problem = Problem.safeParse(body);
    const said = problem.success ? [problem.data.title, problem.data.detail].filter(Boolean).join(": ") : text.slice(0, 200);
    const hint =
      answer.status === 401
        ? " (check the API token: --token or ONBOARD_TOKEN)"
        : answer.status === 403
          ? " (the token's account needs a role that may upload playbooks, and a write token)"
          : "";
    throw new ServerRefusal(answer.status, `${answer.status} ${said || answer.statusText}${hint}`);
  }
}

function parsed<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new ServerRefusal(0, `${what} answered something that is not an Onboard server's answer`);
  return result.data;
}
