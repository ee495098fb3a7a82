// One HTTP POST of a signed webhook message, through the SSRF guard, with a timeout. Any answer
// in 2xx is delivered; anything else (another status, a refused address, a timeout) is a failure
// with a reason for the delivery log. Redirects are not followed: they could lead anywhere.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { guardedLookup } from "./network-guard.ts";

export interface DeliveryOutcome {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
}

export function postWebhook(
  target: string,
  body: string,
  headers: Record<string, string>,
  options: { allowPrivate: boolean; timeoutMs: number },
): Promise<DeliveryOutcome> {
  return new Promise((resolve) => {
    const url = new URL(target);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: "POST",
        lookup: guardedLookup(options.allowPrivate) as never,
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "user-agent": "Onboard-Webhooks/1",
        },
        timeout: options.timeoutMs,
      },
      (res) => {
        // Read (a bounded amount of) the answer so the socket is released, then judge the status.
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > 64 * 1024) res.destroy();
        });
        res.on("close", () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          resolve({ ok, status, error: ok ? null : `the endpoint answered ${status}` });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    // The socket timeout only bounds silence: an endpoint that answers a byte at a time would hold
    // the message past its lease (two minutes), when another server may send it again.
    const whole = setTimeout(() => req.destroy(new Error(`not answered within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on("close", () => clearTimeout(whole));
    req.on("error", (error) => resolve({ ok: false, status: null, error: error.message }));
    req.end(body);
  });
}
