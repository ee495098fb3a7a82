// The global log's Merkle tree against RFC 9162's definitions written out naively (recursion over
// arrays of leaves, nothing clever): the frontier's roots, the proofs built from stored subtrees,
// and the verifiers (which must accept every genuine proof and refuse any altered one).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  consistencyProof,
  EMPTY_ROOT,
  Frontier,
  inclusionProof,
  leafHash,
  MemoryTree,
  nodeHash,
  type StoredNode,
  verifyConsistency,
  verifyInclusion,
} from "../../src/store/merkle.ts";

// --- RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1 as written -------------------------------------------
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
function mth(d: readonly Buffer[]): Buffer {
  if (d.length === 0) return createHash("sha256").digest();
  if (d.length === 1) return leafHash(d[0] as Buffer);
  const split = k(d.length);
  return nodeHash(mth(d.slice(0, split)), mth(d.slice(split)));
}
function path(m: number, d: readonly Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const split = k(d.length);
  return m < split ? [...path(m, d.slice(0, split)), mth(d.slice(split))] : [...path(m - split, d.slice(split)), mth(d.slice(0, split))];
}
function subproof(m: number, d: readonly Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const split = k(d.length);
  return m <= split
    ? [...subproof(m, d.slice(0, split), b), mth(d.slice(split))]
    : [...subproof(m - split, d.slice(split), false), mth(d.slice(0, split))];
}
const proof = (m: number, d: readonly Buffer[]) => subproof(m, d, true);
// ------------------------------------------------------------------------------------------------

const data = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`leaf ${i}`));
const tree = (d: readonly Buffer[]) => new MemoryTree(d.map((x) => leafHash(x)));
const flip = (b: Buffer, bit: number) => {
  const copy = Buffer.from(b);
  copy[bit % copy.length] = (copy[bit % copy.length] as number) ^ (1 << (bit % 8));
  return copy;
};

describe("RFC 9162 Merkle tree", () => {
  test("known values: the empty tree, one leaf, and the split of three", () => {
    assert.equal(EMPTY_ROOT.toString("hex"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.deepEqual(new Frontier().root(), EMPTY_ROOT);
    const [a, b, c] = data(3).map((x) => leafHash(x)) as [Buffer, Buffer, Buffer];
    const f = new Frontier();
    for (const leaf of [a, b, c]) f.append(leaf);
    assert.deepEqual(f.root(), nodeHash(nodeHash(a, b), c));
    assert.deepEqual(f.root(), mth(data(3)));
  });

  test("Certificate Transparency's test vectors: the roots of its eight test leaves", () => {
    const leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
    const roots = [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    const f = new Frontier();
    for (const [i, leaf] of leaves.entries()) {
      f.append(leafHash(Buffer.from(leaf, "hex")));
      assert.equal(f.root().toString("hex"), roots[i], `size ${i + 1}`);
    }
  });

  test("the frontier gives the naive root at every size, and the nodes it completes are the tree's", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 130 }), fc.integer({ min: 0, max: 130 }), (first, more) => {
        const d = data(first + more);
        const f = new Frontier();
        const nodes: StoredNode[] = [];
        for (const leaf of d.slice(0, first)) nodes.push(...f.append(leafHash(leaf)));
        assert.deepEqual(f.root(), mth(d.slice(0, first)));
        // Resumed from what a checkpoint stores: the size and the subtree roots.
        const resumed = new Frontier(f.size, f.hashes);
        for (const leaf of d.slice(first)) nodes.push(...resumed.append(leafHash(leaf)));
        assert.deepEqual(resumed.root(), mth(d));
        for (const node of nodes) {
          const width = 2 ** node.level;
          assert.deepEqual(node.hash, mth(d.slice(node.index * width, (node.index + 1) * width)), `node ${node.level}/${node.index}`);
        }
      }),
      { numRuns: 100 },
    );
  });

  test("inclusion proofs equal RFC 9162's PATH and verify; altered ones do not", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 200 }), fc.nat(), fc.nat(), async (size, pick, bit) => {
        const d = data(size);
        const t = tree(d);
        const index = pick % size;
        const root = mth(d);
        const got = await inclusionProof(t.source, index, size);
        assert.deepEqual(got, path(index, d));
        const leaf = leafHash(d[index] as Buffer);
        assert.ok(verifyInclusion(leaf, index, size, got, root));
        assert.ok(!verifyInclusion(flip(leaf, bit), index, size, got, root), "another leaf");
        assert.ok(!verifyInclusion(leaf, index, size, got, flip(root, bit)), "another root");
        if (size > 1) {
          assert.ok(!verifyInclusion(leaf, (index + 1 + (pick % (size - 1))) % size, size, got, root), "another index");
          const i = bit % got.length;
          assert.ok(!verifyInclusion(leaf, index, size, got.with(i, flip(got[i] as Buffer, bit)), root), "an altered step");
          assert.ok(!verifyInclusion(leaf, index, size, got.slice(0, -1), root), "a step short");
          assert.ok(!verifyInclusion(leaf, index, size, [...got, root], root), "a step too many");
        }
        assert.ok(!verifyInclusion(leaf, size, size, got, root), "beyond the tree");
      }),
      { numRuns: 300 },
    );
  });

  test("consistency proofs equal RFC 9162's PROOF and verify; altered ones, and a forked history, do not", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 200 }), fc.nat(), fc.nat(), async (size, pick, bit) => {
        const d = data(size);
        const t = tree(d);
        const old = 1 + (pick % size);
        const [oldRoot, root] = [mth(d.slice(0, old)), mth(d)];
        const got = await consistencyProof(t.source, old, size);
        assert.deepEqual(got, old === size ? [] : proof(old, d));
        assert.ok(verifyConsistency(old, size, oldRoot, root, got));
        assert.ok(!verifyConsistency(old, size, flip(oldRoot, bit), root, got), "another old root");
        assert.ok(!verifyConsistency(old, size, oldRoot, flip(root, bit), got), "another new root");
        if (got.length > 0) {
          const i = bit % got.length;
          assert.ok(!verifyConsistency(old, size, oldRoot, root, got.with(i, flip(got[i] as Buffer, bit))), "an altered step");
          assert.ok(!verifyConsistency(old, size, oldRoot, root, got.slice(1)), "a step short");
        }
        // A log that rewrote one of the old leaves cannot prove it extends the old head.
        const forked = d.map((x, i) => (i === bit % old ? Buffer.concat([x, Buffer.from("!")]) : x));
        const forkedProof = await consistencyProof(tree(forked).source, old, size);
        assert.ok(!verifyConsistency(old, size, oldRoot, mth(forked), forkedProof), "a rewritten history");
        assert.ok(!verifyConsistency(size, old, root, oldRoot, got) || old === size, "shrinking");
      }),
      { numRuns: 300 },
    );
  });

  test("the empty tree is extended by every tree; proofs outside the tree are refused", async () => {
    const d = data(5);
    const t = tree(d);
    assert.ok(verifyConsistency(0, 5, EMPTY_ROOT, mth(d), []));
    assert.ok(!verifyConsistency(0, 5, mth(d), mth(d), []));
    await assert.rejects(inclusionProof(t.source, 5, 5), RangeError);
    await assert.rejects(consistencyProof(t.source, 6, 5), RangeError);
    assert.throws(() => new Frontier(3, [EMPTY_ROOT]), /3 leaves has 2 subtree roots/);
  });
});
