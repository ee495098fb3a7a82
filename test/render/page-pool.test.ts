// The browser session's page pool without a browser: pages opened on demand up to the size, lent
// one job at a time and reused, a page whose job failed closed and replaced, and a page that failed
// to open forgotten whether it was waiting in the pool or already lent out.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PagePool } from "../../src/render/chromium.ts";

class FakePage {
  closed = false;
  readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function opener(failures: number[] = []) {
  let opened = 0;
  const open = async () => {
    const n = ++opened;
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (failures.includes(n)) throw new Error(`page ${n} did not open`);
    return new FakePage(n);
  };
  return { open, opened: () => opened };
}

describe("page pool", () => {
  test("at most `size` pages, each doing one job at a time, reused", async () => {
    const { open, opened } = opener();
    const pool = new PagePool(2, open);
    let busy = 0;
    let most = 0;
    const seen = new Set<number>();
    await Promise.all(
      Array.from({ length: 10 }, () =>
        pool.use(async (page) => {
          busy++;
          most = Math.max(most, busy);
          seen.add(page.n);
          await new Promise((resolve) => setTimeout(resolve, 2));
          busy--;
        }),
      ),
    );
    assert.equal(most, 2);
    assert.equal(opened(), 2);
    assert.deepEqual([...seen].sort(), [1, 2]);
  });

  test("a page whose job failed is closed and a fresh one opened next time", async () => {
    const { open, opened } = opener();
    const pool = new PagePool(1, open);
    let failed: FakePage | undefined;
    await assert.rejects(
      pool.use(async (page) => {
        failed = page;
        throw new Error("print failed");
      }),
      /print failed/,
    );
    assert.equal(failed?.closed, true);
    assert.equal(pool.size, 0);
    assert.equal(await pool.use(async (page) => page.n), 2);
    assert.equal(opened(), 2);
  });

  test("a page that fails to open, while warming or once lent out, is counted once and replaced", async () => {
    const { open, opened } = opener([1, 2]);
    const pool = new PagePool(2, open);
    await assert.rejects(pool.warm(), /did not open/);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(pool.size, 0, "both failed pages forgotten, none twice");
    const numbers = await Promise.all([pool.use(async (p) => p.n), pool.use(async (p) => p.n)]);
    assert.deepEqual(numbers.sort(), [3, 4]);
    assert.equal(pool.size, 2);
    assert.equal(opened(), 4);

    // Lent out while still opening: the job fails, and the pool forgets it exactly once.
    const late = opener([1]);
    const second = new PagePool(1, late.open);
    const warming = second.warm().catch(() => undefined);
    await assert.rejects(
      second.use(async () => "never"),
      /did not open/,
    );
    await warming;
    assert.equal(second.size, 0);
    assert.equal(await second.use(async (p) => p.n), 2);
  });
});
