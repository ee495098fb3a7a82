// Configuration a delivery would find wrong is found at start instead: a CRM_DEFAULT_PLAYBOOK that
// names no published playbook would have every CRM deal acknowledged and recorded as rejected.
import { ConfigError } from "../config.ts";
import { contentHashOf } from "../data/playbooks.ts";
import type { ApiDeps } from "../deps.ts";
import { latestVersion } from "./deliveries.ts";

export async function checkCrmDefaultPlaybook(deps: ApiDeps): Promise<void> {
  const playbook = deps.config.webhooks.defaultPlaybook;
  if (playbook === undefined) return;
  const version = playbook.version ?? (await latestVersion(deps.db, playbook.id));
  if (version !== undefined && (await contentHashOf(deps.db, playbook.id, version)) !== undefined) return;
  const published = await deps.db.selectFrom("playbook_versions").select("playbook_id").distinct().orderBy("playbook_id").execute();
  const named = playbook.version ? `${playbook.id}@${playbook.version}` : playbook.id;
  throw new ConfigError([
    {
      variable: "CRM_DEFAULT_PLAYBOOK",
      message: `names ${named}, which is not published${playbook.version && version ? "" : ""}: use one of ${published.map((p) => p.playbook_id).join(", ") || "(none published yet)"}${playbook.version ? ", with a published version or none (the latest)" : ""}`,
    },
  ]);
}
