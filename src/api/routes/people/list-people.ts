// GET /people: the assignment directory, with each person's current load.
import { z } from "zod";
import { listPeople } from "../../../store/index.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { decodeCursor, paginate } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { ListPeopleQuery, PersonPage, personView } from "./person.types.ts";

export function listPeopleRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/people",
    {
      config: { access: "people:read" },
      schema: {
        tags: ["people"],
        operationId: "listPeople",
        summary: "The assignment directory",
        querystring: ListPeopleQuery,
        response: { 200: PersonPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const after = decodeCursor("people", cursor, z.tuple([z.string()]))?.[0];
      // The directory is one team: listPeople reads it whole (with each load) and the page is cut here,
      // in code-point order (the database's collation may order ids differently).
      const people = (await listPeople(deps.database.db))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .filter((p) => after === undefined || p.id > after);
      return paginate("people", people.slice(0, limit + 1), limit, (p) => [p.id], personView);
    },
  );
}
