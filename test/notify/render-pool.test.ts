// The template threads: real worker threads render what this thread would, refuse a template that
// runs past its time (LiquidJS stops a loop; a single long tag is stopped by ending its thread,
// and a fresh thread serves the next render), refuse work beyond the queue with a retry hint, and
// stop cleanly.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RenderPool, TemplateBusy } from "../../src/notify/render-pool.ts";
import { renderMessage } from "../../src/notify/templates.ts";

const VARIABLES = { client: { name: "Globex <Ltd>" }, company_name: "Acmé" };
const NESTED_LOOPS = "{% for i in (1..2000) %}{% for j in (1..2000) %}{{ client.name }}{% endfor %}{% endfor %}";
/** One tag LiquidJS does not interrupt: building a range of almost four million numbers, three times. */
const ONE_LONG_TAG = "{% assign n = (1..3900000) | size %}{{ n }}";

function isTooSlow(error: unknown): boolean {
  const e = error as Error & { code?: string; details?: Record<string, unknown> };
  return e.name === "TemplateError" && e.code === "invalid" && /took too long to render/.test(e.message) && e.details?.field === "body";
}

describe("the template render pool", () => {
  test("renders in a worker thread exactly what this thread renders", async () => {
    const pool = new RenderPool({ threads: 1, queue: 4, renderMs: 2000 });
    try {
      const template = {
        id: "T",
        kind: "email",
        subject: "Hi {{ client.name }}",
        body: "For {{ company_name }}:\n\n{{ client.name | upcase }}",
      };
      assert.deepEqual(await pool.render(template, VARIABLES), await renderMessage(template, VARIABLES));
      // The template's own errors come back as the same coded errors.
      await assert.rejects(
        pool.render({ id: "T", kind: "email", body: "{{ nope }}" }, VARIABLES),
        (e: Error & { details?: { placeholder?: string } }) => {
          return e.name === "TemplateError" && e.details?.placeholder === "nope";
        },
      );
      assert.equal(pool.stats.started, 1, "one thread served both");
    } finally {
      await pool.close();
    }
  });

  test("a runaway loop is refused with 'took too long', and the thread goes on serving", async () => {
    const pool = new RenderPool({ threads: 1, queue: 4, renderMs: 100 });
    try {
      await assert.rejects(pool.render({ id: "T", kind: "email", body: NESTED_LOOPS }, VARIABLES), isTooSlow);
      assert.equal((await pool.render({ id: "T", kind: "email", body: "ok" }, VARIABLES)).text, "ok");
    } finally {
      await pool.close();
    }
  });

  test("a tag LiquidJS cannot interrupt is stopped by ending its thread; a new thread takes the next render", async () => {
    const pool = new RenderPool({ threads: 1, queue: 4, renderMs: 20, graceMs: 10 });
    try {
      await assert.rejects(pool.render({ id: "T", kind: "email", body: ONE_LONG_TAG }, VARIABLES), isTooSlow);
      assert.equal((await pool.render({ id: "T", kind: "email", body: "after" }, VARIABLES)).text, "after");
      assert.equal(pool.stats.started, 2, "the overrunning thread was replaced");
    } finally {
      await pool.close();
    }
  });

  test("beyond the threads and the queue, a render that asks to be refused is, at once, with a retry hint; the others wait their turn", async () => {
    const pool = new RenderPool({ threads: 1, queue: 1, renderMs: 300 });
    try {
      const refuse = { whenBusy: "refuse" } as const;
      const running = pool.render({ id: "A", kind: "email", body: NESTED_LOOPS }, VARIABLES, refuse);
      const queued = pool.render({ id: "B", kind: "email", body: "queued" }, VARIABLES, refuse);
      // The outbox's mail waits rather than fail for being many.
      const patient = pool.render({ id: "D", kind: "email", body: "patient" }, VARIABLES);
      await assert.rejects(pool.render({ id: "C", kind: "email", body: "refused" }, VARIABLES, refuse), (e: unknown) => {
        assert.ok(e instanceof TemplateBusy);
        assert.equal(e.code, "unavailable");
        assert.ok(typeof e.details.retryAfterSeconds === "number" && e.details.retryAfterSeconds >= 1);
        return true;
      });
      await assert.rejects(running, isTooSlow);
      assert.equal((await queued).text, "queued");
      assert.equal((await patient).text, "patient");
    } finally {
      await pool.close();
    }
  });

  test("closing refuses what waits and what comes after", async () => {
    const pool = new RenderPool({ threads: 1, queue: 2, renderMs: 5000 });
    const running = assert.rejects(pool.render({ id: "A", kind: "email", body: NESTED_LOOPS }, VARIABLES), /stopping/);
    const waiting = assert.rejects(pool.render({ id: "B", kind: "email", body: "b" }, VARIABLES), /stopping/);
    await pool.close();
    await running;
    await waiting;
    await assert.rejects(pool.render({ id: "C", kind: "email", body: "c" }, VARIABLES), /stopping/);
  });
});
