// A playbook's model from a stored source (a submission not yet published), through the same cache.
import type { PlaybookModel } from "../../playbook/model.ts";
import { sha256 } from "../../store/hashing.ts";
import { playbookCache } from "../../store/playbooks.ts";
import type { ApiDeps } from "../deps.ts";
import { modelOf } from "./playbooks.ts";
import { pendingSource } from "./publication-control.ts";

export function modelFromSource(deps: ApiDeps, contentHash: string, source: string, id: string, version: string): PlaybookModel {
  return playbookCache(deps.database.db).model(contentHash, source, `${id}@${version}`);
}

/** A published version's model, else a version awaiting approval (its diff is read before approving). */
export async function publishedOrPendingModel(deps: ApiDeps, id: string, version: string): Promise<PlaybookModel> {
  try {
    return await modelOf(deps, id, version);
  } catch (error) {
    const source = await pendingSource(deps.db, id, version);
    if (source === undefined) throw error;
    return modelFromSource(deps, sha256(source), source, id, version);
  }
}
