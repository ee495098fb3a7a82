// GET /gdpr/register: the register of personal data (GDPR Art. 30) for admins: Onboard's own records
// and the personal form fields of every published playbook's latest version.
import { personalDataRegisterOf } from "../../../compliance/register.ts";
import { modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { PersonalDataRegister } from "./gdpr.types.ts";

export function getPersonalDataRegister(app: Api, deps: ApiDeps): void {
  app.get(
    "/gdpr/register",
    {
      config: { access: "personal-data:read" },
      schema: {
        tags: ["gdpr"],
        operationId: "getPersonalDataRegister",
        summary: "The register of personal data: Onboard's records and each published playbook's personal fields",
        response: { 200: PersonalDataRegister, ...problemResponses() },
      },
    },
    async () => {
      const versions = await deps.db
        .selectFrom("playbook_versions")
        .select(["playbook_id", "version"])
        .orderBy("playbook_id")
        .orderBy("published_at")
        .orderBy("version")
        .execute();
      // The latest version of each playbook: the last published.
      const latest = new Map(versions.map((v) => [v.playbook_id, v.version]));
      const playbooks = [];
      for (const [id, version] of latest) playbooks.push({ id, version, playbook: (await modelOf(deps, id, version)).playbook });
      const register = personalDataRegisterOf(playbooks);
      return {
        records: register.records.map((r) => ({ ...r, fields: [...r.fields], storedIn: [...r.storedIn] })),
        playbooks: register.playbooks.map((p) => ({
          ...p,
          fields: p.fields.map((f) => ({ ...f, columns: [...f.columns], retention: [...f.retention] })),
        })),
      };
    },
  );
}
