// PUT /people/:id: add or change a person in the assignment directory (the playbook roles they can
// fill, the attributes assignment matches on, their capacity). Idempotent by nature.
import { listPeople, upsertPerson } from "../../../store/index.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { Person, PersonParams, PutPersonBody, personView } from "./person.types.ts";

export function putPerson(app: Api, deps: ApiDeps): void {
  app.put(
    "/people/:id",
    {
      config: { access: "people:write" },
      schema: {
        tags: ["people"],
        operationId: "putPerson",
        summary: "Add or change a person in the assignment directory",
        params: PersonParams,
        body: PutPersonBody,
        response: { 200: Person, ...problemResponses(400, 422) },
      },
    },
    async (request) => {
      const { id } = request.params;
      await upsertPerson(deps.database.db, { id, ...request.body }, deps.clock());
      const person = (await listPeople(deps.database.db)).find((p) => p.id === id);
      if (!person) throw new HttpProblem("internal", `person ${id} was not stored`);
      return personView(person);
    },
  );
}
