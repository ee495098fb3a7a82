// POST /projects/plan: what starting a project would plan, without starting it. The engine starts
// the project in memory on the client's business calendar and a simulated team does every step the
// day before it is due (src/engine/simulate.ts, the same scheduling the project will use), so every
// step gets a planned date and go-live its planned day. Nothing is written.

import { calendarFor } from "../../../engine/index.ts";
import { simulate } from "../../../engine/simulate.ts";
import { runEngine } from "../../../store/command-path.ts";
import { assignablePeople } from "../../../store/people.ts";
import { getClient } from "../../data/clients.ts";
import { contentHashOf, modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { fieldProblem, HttpProblem, problemResponses } from "../../problems.ts";
import { PlanProjectBody, ProjectPlan } from "./plan.types.ts";

/** Two years of simulated days: longer than any onboarding the built-in playbooks describe. */
const MAX_DAYS = 730;

export function planProject(app: Api, deps: ApiDeps): void {
  app.post(
    "/projects/plan",
    {
      config: { access: "projects:create" },
      schema: {
        tags: ["projects"],
        operationId: "planProject",
        summary: "Plan a project's dates without starting it",
        body: PlanProjectBody,
        response: { 200: ProjectPlan, ...problemResponses(400, 422) },
      },
    },
    async (request) => {
      const { body } = request;
      const client = await getClient(deps.db, body.clientId);
      if (!client) throw invalid("/body/clientId", `no client "${body.clientId}"`);
      if ((await contentHashOf(deps.db, body.playbook.id, body.playbook.version)) === undefined) {
        throw invalid("/body/playbook", `playbook ${body.playbook.id} version ${body.playbook.version} is not published`);
      }
      const model = await modelOf(deps, body.playbook.id, body.playbook.version);
      const people = await assignablePeople(deps.database.db);
      const startAt = body.startAt ?? deps.clock();
      const facts = { ...(client.playbookId === body.playbook.id ? client.facts : {}), ...body.facts };
      const input = {
        projectId: "plan",
        client: {
          id: client.id,
          name: client.name,
          timeZone: client.timeZone,
          ...(client.country ? { country: client.country } : {}),
          ...(client.region ? { region: client.region } : {}),
        },
        facts,
        ...(body.params ? { params: body.params } : {}),
        people,
      };
      const run = runEngine(() => simulate(model, { start: startAt, input, maxDays: MAX_DAYS }));
      const opened = new Map<string, { at: string; dueAt?: string }>();
      const completed = new Map<string, string>();
      let goLiveAt: string | null = null;
      for (const event of run.events) {
        if (event.type === "step.opened" && !opened.has(event.step))
          opened.set(event.step, { at: event.at, ...(event.dueAt ? { dueAt: event.dueAt } : {}) });
        if (event.type === "step.completed" && !completed.has(event.step)) completed.set(event.step, event.at);
        if (event.type === "project.go_live" && goLiveAt === null) goLiveAt = event.at;
      }
      const roles = model.playbook.roles;
      const names = new Map(people.map((p) => [p.id, p.name]));
      const steps = model.order.map(({ step, phase }) => {
        const open = opened.get(step.id);
        const due = open?.dueAt ?? completed.get(step.id) ?? null;
        return {
          id: step.id,
          title: step.title,
          phaseId: phase.id,
          phaseTitle: phase.title,
          owner: step.owner,
          ownerTitle: roles[step.owner]?.title ?? step.owner,
          startAt: open?.at ?? null,
          dueAt: due,
          applies: open !== undefined,
        };
      });
      const ends = steps.flatMap((s) => (s.dueAt ? [s.dueAt] : [])).sort();
      const assignments = Object.entries(roles)
        .filter(([, role]) => role.side === "internal")
        .map(([role, def]) => {
          const person = run.state.assignments[role] ?? null;
          return { role, roleTitle: def.title, person, personName: person ? (names.get(person) ?? person) : null };
        });
      return {
        startAt,
        goLiveAt: goLiveAt ?? run.state.goLiveAt ?? null,
        completeAt: ends.at(-1) ?? null,
        timeZone: calendarFor(model.playbook, input.client).timeZone,
        steps,
        assignments,
      };
    },
  );
}

function invalid(pointer: string, detail: string): HttpProblem {
  return new HttpProblem("invalid", detail, { extensions: fieldProblem(pointer, detail).extensions });
}
