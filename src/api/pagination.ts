// Lists are paginated with opaque cursors: the sort key of the last item returned, encoded, tagged
// with the list it belongs to. Keyset pagination walks a list exactly once even while rows are
// added, and a cursor from one list is refused by another.
import { z } from "zod";
import { fieldProblem } from "./problems.ts";
import { illFormedFields } from "./well-formed.ts";

export const PageQuery = {
  cursor: z.string().min(1).max(1000).optional().describe("nextCursor of the previous page; omit for the first page."),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe("Items per page (1-200, default 50)."),
};

/** A number in a cursor's key: the value of an integer column, so within PostgreSQL's integer. */
export const CursorInt = z.number().int().min(-2_147_483_648).max(2_147_483_647);

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe("Pass as ?cursor= for the next page; null on the last page."),
  });
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

type Key = readonly (string | number | null)[];

export function encodeCursor(list: string, key: Key): string {
  return Buffer.from(JSON.stringify([list, ...key]), "utf8").toString("base64url");
}

/** The key a cursor carries; a 400 naming ?cursor when it is not a cursor of this list. */
export function decodeCursor<K extends Key>(list: string, cursor: string | undefined, shape: z.ZodType<K>): K | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    decoded = undefined;
  }
  // A cursor is opaque but the client's to send: text in it is held to the edge's rules too.
  if (Array.isArray(decoded) && decoded[0] === list && illFormedFields(decoded, "/query/cursor").length === 0) {
    const key = shape.safeParse(decoded.slice(1));
    if (key.success) return key.data;
  }
  throw fieldProblem("/query/cursor", "not a cursor of this list: pass nextCursor from the previous page unchanged");
}

/** Cut a page from rows fetched with limit + 1; the cursor is the key of the last row kept. */
export function paginate<R, T>(list: string, rows: readonly R[], limit: number, keyOf: (row: R) => Key, view: (row: R) => T): Page<T> {
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  return {
    items: kept.map(view),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(list, keyOf(last)) : null,
  };
}
