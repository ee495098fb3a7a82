// HTTP/1.1 over a plain socket, for requests fetch() refuses to send: control characters and
// bytes above 0x7F in headers, percent-encodings that are not UTF-8, bodies that are not UTF-8.
// One request per connection (Connection: close); the answer is read until the server closes.
import { connect } from "node:net";

export interface RawRequest {
  readonly method: string;
  /** The request target as sent: path and query, already percent-encoded (or deliberately not). */
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer;
}

export interface RawResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with "\n". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Latin-1 bytes when every character fits, else UTF-8: what a client's bytes would be. */
function bytesOf(text: string): Buffer {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return Buffer.from(text, "utf8");
  return Buffer.from(text, "latin1");
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf("\r\n", at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString("latin1"), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parse(data: Buffer): RawResponse | undefined {
  const headEnd = data.indexOf("\r\n\r\n");
  if (headEnd < 0) return undefined;
  const [statusLine = "", ...lines] = data.subarray(0, headEnd).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}\n${value}` : value;
  }
  let body = data.subarray(headEnd + 4);
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) body = dechunk(body);
  else if (headers["content-length"] !== undefined) body = body.subarray(0, Number(headers["content-length"]));
  return { status, headers, body };
}

/**
 * Send `request` to 127.0.0.1:`port`. Resolves with the answer, or rejects when the server closes
 * the connection without one or does not answer within `timeoutMs`.
 */
export function sendRaw(port: number, request: RawRequest, timeoutMs = 60_000): Promise<RawResponse> {
  const head = [`${request.method} ${request.target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close"];
  const body = request.body;
  const names = new Set(request.headers.map(([name]) => name.toLowerCase()));
  if (body !== undefined && !names.has("content-length")) head.push(`Content-Length: ${body.length}`);
  const lines = [...head, ...request.headers.map(([name, value]) => `${name}: ${value}`)];
  const bytes = Buffer.concat([...lines.map((line) => bytesOf(`${line}\r\n`)), Buffer.from("\r\n"), body ?? Buffer.alloc(0)]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1");
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      const response = parse(Buffer.concat(chunks));
      if (response) resolve(response);
      else reject(new Error(`the connection closed without an answer${error ? ` (${error.message})` : ""}`));
    };
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => finish());
    // The server may answer (413, 400) and close before reading a large body: the answer counts.
    socket.on("error", (error) => finish(error));
    socket.write(bytes);
  });
}
