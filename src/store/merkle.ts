// The Merkle tree of the global audit log, hashed as RFC 9162 (Certificate Transparency 2.0, same
// as RFC 6962) says: leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right), a tree of
// n > 1 leaves split at the largest power of two below n. So any transparency-log tooling can
// check our tree heads and proofs. Pure: the store feeds it leaf hashes and stored subtree hashes.
//
// Positions and sizes are plain numbers (safe up to 2^53 leaves); no 32-bit bit operators are used.
import { createHash } from "node:crypto";

export const HASH_SIZE = 32;

function sha256(...parts: readonly Uint8Array[]): Buffer {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Buffer = sha256();

export function leafHash(data: Uint8Array): Buffer {
  return sha256(LEAF_PREFIX, data);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(NODE_PREFIX, left, right);
}

/** The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

const half = (n: number) => Math.floor(n / 2);
const odd = (n: number) => n % 2 === 1;

/** A subtree hash the store kept: the hash of leaves [index·2^level, (index+1)·2^level). */
export interface StoredNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Buffer;
}

/**
 * The right edge of a tree: the roots of its perfect subtrees, largest first (one per set bit of
 * the size). It is all that is needed to append leaves and compute the new root, so writing a
 * checkpoint costs O(new leaves), not O(size).
 */
export class Frontier {
  #size: number;
  readonly #hashes: Buffer[];

  constructor(size = 0, hashes: readonly Buffer[] = []) {
    let bits = 0;
    for (let n = size; n > 0; n = half(n)) bits += n % 2;
    if (!Number.isSafeInteger(size) || size < 0 || hashes.length !== bits) {
      throw new Error(`a frontier of ${size} leaves has ${bits} subtree roots, not ${hashes.length}`);
    }
    this.#size = size;
    this.#hashes = [...hashes];
  }

  get size(): number {
    return this.#size;
  }

  get hashes(): readonly Buffer[] {
    return this.#hashes;
  }

  /** Append a leaf (its leaf hash); returns the internal nodes it completed (level ≥ 1), to store. */
  append(leaf: Buffer): StoredNode[] {
    const completed: StoredNode[] = [];
    const position = this.#size;
    let hash = leaf;
    let level = 0;
    // Binary increment: each set low bit of the size is a subtree of equal height to merge with.
    while (odd(Math.floor(this.#size / 2 ** level))) {
      const left = this.#hashes.pop();
      if (!left) throw new Error("frontier underflow");
      hash = nodeHash(left, hash);
      level++;
      completed.push({ level, index: Math.floor(position / 2 ** level), hash });
    }
    this.#hashes.push(hash);
    this.#size++;
    return completed;
  }

  /** The tree head: the perfect subtrees folded right to left (RFC 9162's split, unrolled). */
  root(): Buffer {
    const hashes = this.#hashes;
    let root = hashes.at(-1);
    if (root === undefined) return EMPTY_ROOT;
    for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i] as Buffer, root);
    return root;
  }
}

/** Where proofs read subtree hashes: perfect(level, index) is the hash of that aligned subtree (level 0: a leaf hash). */
export type SubtreeSource = (level: number, index: number) => Promise<Buffer>;

/** MTH(D[lo:hi]) from perfect subtrees (every range RFC 9162's recursion asks for is aligned). */
export async function rangeHash(source: SubtreeSource, lo: number, hi: number): Promise<Buffer> {
  const n = hi - lo;
  if (n <= 0) return EMPTY_ROOT;
  if (isPowerOfTwo(n) && lo % n === 0) return source(Math.round(Math.log2(n)), lo / n);
  const k = splitPoint(n);
  return nodeHash(await rangeHash(source, lo, lo + k), await rangeHash(source, lo + k, hi));
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): the audit path of leaf `index` in the tree of the first `size` leaves. */
export async function inclusionProof(source: SubtreeSource, index: number, size: number): Promise<Buffer[]> {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size} leaves`);
  const path = async (m: number, lo: number, hi: number): Promise<Buffer[]> => {
    const n = hi - lo;
    if (n === 1) return [];
    const k = splitPoint(n);
    return m < k
      ? [...(await path(m, lo, lo + k)), await rangeHash(source, lo + k, hi)]
      : [...(await path(m - k, lo + k, hi)), await rangeHash(source, lo, lo + k)];
  };
  return path(index, 0, size);
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]): that the tree of `size` leaves extends the tree of its first `oldSize`. */
export async function consistencyProof(source: SubtreeSource, oldSize: number, size: number): Promise<Buffer[]> {
  if (!(oldSize >= 0 && oldSize <= size)) throw new RangeError(`a tree of ${size} leaves cannot extend one of ${oldSize}`);
  if (oldSize === 0 || oldSize === size) return [];
  const subproof = async (m: number, lo: number, hi: number, whole: boolean): Promise<Buffer[]> => {
    const n = hi - lo;
    if (m === n) return whole ? [] : [await rangeHash(source, lo, hi)];
    const k = splitPoint(n);
    return m <= k
      ? [...(await subproof(m, lo, lo + k, whole)), await rangeHash(source, lo + k, hi)]
      : [...(await subproof(m - k, lo + k, hi, false)), await rangeHash(source, lo, lo + k)];
  };
  return subproof(oldSize, 0, size, true);
}

/** RFC 9162 §2.1.3.2: does `proof` show leaf `leaf` (its leaf hash) at `index` in the tree of `size` leaves with `root`? */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else r = nodeHash(r, p);
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(r).equals(root);
}

/** RFC 9162 §2.1.4.2: does `proof` show that the tree (`size`, `root`) extends the tree (`oldSize`, `oldRoot`)? */
export function verifyConsistency(
  oldSize: number,
  size: number,
  oldRoot: Uint8Array,
  root: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!(Number.isSafeInteger(oldSize) && Number.isSafeInteger(size) && oldSize >= 0 && oldSize <= size)) return false;
  if (oldSize === size) return proof.length === 0 && Buffer.from(oldRoot).equals(root);
  // Every tree extends the empty one.
  if (oldSize === 0) return proof.length === 0 && Buffer.from(oldRoot).equals(EMPTY_ROOT);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = size - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else sr = nodeHash(sr, c);
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(fr).equals(oldRoot) && Buffer.from(sr).equals(root);
}

/**
 * A whole tree in memory, every level computed from the leaf hashes: what full verification
 * rebuilds from scratch, trusting no stored subtree hash.
 */
export class MemoryTree {
  readonly #levels: Buffer[][];

  constructor(leaves: readonly Buffer[]) {
    const levels: Buffer[][] = [[...leaves]];
    for (let below = levels[0] as Buffer[]; below.length > 1; ) {
      const level: Buffer[] = [];
      for (let i = 0; i + 1 < below.length; i += 2) level.push(nodeHash(below[i] as Buffer, below[i + 1] as Buffer));
      levels.push(level);
      below = level;
    }
    this.#levels = levels;
  }

  get size(): number {
    return this.#levels[0]?.length ?? 0;
  }

  readonly source: SubtreeSource = async (level, index) => {
    const hash = this.#levels[level]?.[index];
    if (!hash) throw new RangeError(`no subtree ${level}/${index} in a tree of ${this.size} leaves`);
    return hash;
  };

  /** Levels above the leaves that hold at least one complete subtree. */
  get height(): number {
    return this.#levels.length - 1;
  }

  /** The complete subtree `index` at `level` (level 0: a leaf hash), or undefined beyond the tree. */
  hashAt(level: number, index: number): Buffer | undefined {
    return this.#levels[level]?.[index];
  }

  /** The root of the tree of the first `size` leaves (default: all). */
  root(size = this.size): Promise<Buffer> {
    return rangeHash(this.source, 0, size);
  }
}
