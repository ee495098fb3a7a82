// One thread of the template render pool (render-pool.ts): renders the messages it is sent, one at a
// time, with the sandboxed LiquidJS of templates.ts. It imports nothing that opens a database.
import { parentPort } from "node:worker_threads";
import type { RenderJob, RenderReply } from "./render-pool.ts";
import { renderMessage, TemplateError } from "./templates.ts";

const port = parentPort;
if (!port) throw new Error("render-worker.ts runs as a worker thread of the render pool");

port.on("message", async (job: RenderJob) => {
  port.postMessage({ id: job.id, started: true } satisfies RenderReply);
  let reply: RenderReply;
  try {
    reply = { id: job.id, message: await renderMessage(job.template, job.variables, { renderMs: job.renderMs }) };
  } catch (error) {
    reply =
      error instanceof TemplateError
        ? { id: job.id, refused: { message: error.message, details: { ...error.details } } }
        : { id: job.id, failed: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  port.postMessage(reply);
});
