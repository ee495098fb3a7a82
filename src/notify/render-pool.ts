// User-authored templates render off the server's event loop: a few worker threads (render-worker.ts)
// take one message at a time from a bounded queue. LiquidJS stops a render that runs past its time
// budget on its own; a render it cannot stop (one long filter call) is stopped by terminating its
// thread after the budget and a grace period, and a fresh thread takes its place. A full queue is
// refused at once (503 with Retry-After) rather than queued without end; a thread that runs out of
// its heap refuses that template. Either way the template's author gets a 422 naming the limit, and
// the loop that answers everyone else never runs a template.
import { Worker } from "node:worker_threads";
import { AppError } from "../store/errors.ts";
import { type MessageTemplate, type RenderedMessage, TemplateError, type TemplateRenderer, tooSlow } from "./templates.ts";

export interface RenderPoolOptions {
  /** Worker threads (at least 1). */
  readonly threads: number;
  /** Messages that may wait for a thread before a render that would rather be refused is (TemplateBusy). */
  readonly queue: number;
  /** Time one message (subject, text and HTML) may take, ms. */
  readonly renderMs: number;
  /** Beyond renderMs, how long LiquidJS gets to stop on its own before the thread is terminated (default 250 ms). */
  readonly graceMs?: number;
  /** Heap of each thread, MB (default 64): a template that needs more is refused. */
  readonly heapMb?: number;
}

export interface RenderJob {
  readonly id: number;
  readonly template: MessageTemplate;
  readonly variables: Record<string, unknown>;
  readonly renderMs: number;
}

export type RenderReply =
  /** The thread has the job and starts rendering: the time limit counts from here, not from its start-up. */
  | { readonly id: number; readonly started: true }
  | { readonly id: number; readonly message: RenderedMessage }
  /** A TemplateError: the template's fault, said to its author. */
  | { readonly id: number; readonly refused: { readonly message: string; readonly details: Record<string, unknown> } }
  /** Anything else: a bug of ours. */
  | { readonly id: number; readonly failed: string };

/** Every thread is busy and the queue is full: try again shortly (503, Retry-After). */
export class TemplateBusy extends AppError {
  override readonly name = "TemplateBusy";

  constructor(retryAfterSeconds: number) {
    super("unavailable", `templates are being rendered for others: try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

interface Job extends RenderJob {
  resolve(message: RenderedMessage): void;
  reject(error: unknown): void;
}

interface Thread {
  worker: Worker | undefined;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

const WORKER = new URL("./render-worker.ts", import.meta.url);
/** How long a thread may take to start and pick up a job. */
const STARTUP_MS = 10_000;

export class RenderPool implements TemplateRenderer {
  readonly #o: Required<RenderPoolOptions>;
  readonly #threads: Thread[];
  readonly #waiting: Job[] = [];
  #next = 1;
  #closed = false;
  #started = 0;

  constructor(options: RenderPoolOptions) {
    this.#o = { graceMs: 250, heapMb: 64, ...options, threads: Math.max(1, options.threads) };
    this.#threads = Array.from({ length: this.#o.threads }, () => ({ worker: undefined, job: undefined, timer: undefined }));
  }

  /** Threads started so far and the messages waiting (for tests and the bench). */
  get stats(): { readonly started: number; readonly waiting: number; readonly busy: number } {
    return {
      started: this.#started,
      waiting: this.#waiting.length,
      busy: this.#threads.filter((t) => t.job).length,
    };
  }

  render(
    template: MessageTemplate,
    variables: Record<string, unknown>,
    options: { readonly whenBusy?: "wait" | "refuse" } = {},
  ): Promise<RenderedMessage> {
    if (this.#closed) return Promise.reject(new AppError("unavailable", "the server is stopping: templates are no longer rendered"));
    const free = this.#threads.find((t) => !t.job);
    if (!free && options.whenBusy === "refuse" && this.#waiting.length >= this.#o.queue) {
      return Promise.reject(new TemplateBusy(this.#retryAfter()));
    }
    return new Promise<RenderedMessage>((resolve, reject) => {
      const job: Job = { id: this.#next++, template, variables, renderMs: this.#o.renderMs, resolve, reject };
      if (free) this.#run(free, job);
      else this.#waiting.push(job);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const stopping = new AppError("unavailable", "the server is stopping: templates are no longer rendered");
    for (const job of this.#waiting.splice(0)) job.reject(stopping);
    await Promise.all(
      this.#threads.map(async (thread) => {
        const { worker, job } = thread;
        this.#settle(thread);
        job?.reject(stopping);
        thread.worker = undefined;
        await worker?.terminate();
      }),
    );
  }

  /** Seconds until a place is likely free: the queue ahead, each message at most its budget. */
  #retryAfter(): number {
    return Math.max(1, Math.ceil(((this.#waiting.length / this.#o.threads + 1) * (this.#o.renderMs + this.#o.graceMs)) / 1000));
  }

  #spawn(thread: Thread): Worker {
    const worker = new Worker(WORKER, {
      name: "onboard-templates",
      resourceLimits: { maxOldGenerationSizeMb: this.#o.heapMb, maxYoungGenerationSizeMb: Math.min(16, this.#o.heapMb) },
    });
    this.#started++;
    // An idle thread does not keep the process alive; a running job's timer does.
    worker.unref();
    worker.on("message", (reply: RenderReply) => {
      const job = thread.job;
      if (!job || reply.id !== job.id) return;
      if ("started" in reply) {
        this.#limit(thread, worker, job, this.#o.renderMs + this.#o.graceMs);
        return;
      }
      this.#settle(thread);
      if ("message" in reply) job.resolve(reply.message);
      else if ("refused" in reply) job.reject(new TemplateError("invalid", reply.refused.message, reply.refused.details));
      else job.reject(new Error(`template ${job.template.id} failed in the render thread: ${reply.failed}`));
      this.#dispatch(thread);
    });
    worker.on("error", (error: Error & { code?: string }) => {
      const job = thread.job;
      this.#replace(thread, worker);
      job?.reject(
        error.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? new TemplateError(
              "invalid",
              `template ${job.template.id}: rendering it needs more memory than a template may use (${this.#o.heapMb} MB)`,
              { field: "body", limit: "memory" },
            )
          : error,
      );
      this.#dispatch(thread);
    });
    worker.on("exit", () => {
      // A thread that ended by itself (not terminated by us): its job, if any, failed.
      if (thread.worker !== worker) return;
      const job = thread.job;
      this.#replace(thread, worker);
      job?.reject(new Error(`template ${job.template.id}: the render thread stopped`));
      this.#dispatch(thread);
    });
    return worker;
  }

  #run(thread: Thread, job: Job): void {
    thread.job = job;
    thread.worker ??= this.#spawn(thread);
    const worker = thread.worker;
    // Until the thread says it started (a new thread first loads its modules), a generous limit.
    this.#limit(thread, worker, job, STARTUP_MS);
    const { resolve: _resolve, reject: _reject, ...message } = job;
    worker.postMessage(message satisfies RenderJob);
  }

  /** Refuse `job` and end its thread when it is not done in `ms`. */
  #limit(thread: Thread, worker: Worker, job: Job, ms: number): void {
    if (thread.timer) clearTimeout(thread.timer);
    thread.timer = setTimeout(() => {
      // LiquidJS did not stop it in time: only ending the thread does.
      this.#replace(thread, worker);
      job.reject(tooSlow(job.template.id, "body", this.#o.renderMs));
      this.#dispatch(thread);
    }, ms);
  }

  /** The job is over (answered, timed out, or its thread died). */
  #settle(thread: Thread): void {
    if (thread.timer) clearTimeout(thread.timer);
    thread.timer = undefined;
    thread.job = undefined;
  }

  /** Drop a thread's worker (terminating it); the next job starts a new one. */
  #replace(thread: Thread, worker: Worker): void {
    this.#settle(thread);
    if (thread.worker === worker) thread.worker = undefined;
    void worker.terminate();
  }

  #dispatch(thread: Thread): void {
    if (this.#closed || thread.job) return;
    const next = this.#waiting.shift();
    if (next) this.#run(thread, next);
  }
}
