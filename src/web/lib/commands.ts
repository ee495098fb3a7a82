// Commands on a project need the version the user decided on (If-Match). A 412 means someone else
// changed the project meanwhile: the caller re-reads and shows the current state, never overwrites.
import { ApiError, api, type Schemas } from "../api/client.ts";

export type Command = Schemas["Command"];

export class StaleProject extends Error {
  override readonly name = "StaleProject";
  constructor() {
    super("Someone else changed this project a moment ago. The page now shows the latest state: check it and try again.");
  }
}

/** Run `command` at `version`; on 412 throws StaleProject (reload and let the person decide again). */
export async function runCommand(projectId: string, version: number, command: Command) {
  try {
    const { data } = await api.post("/projects/{id}/commands", {
      path: { id: projectId },
      body: command,
      headers: { "if-match": `"${version}"`, "idempotency-key": crypto.randomUUID() },
    });
    return data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) throw new StaleProject();
    throw error;
  }
}

/** Run `command` on the project's current version (read fresh first): for one-click actions from lists. */
export async function runOnLatest(projectId: string, command: Command) {
  const { etag } = await api.get("/projects/{id}", { path: { id: projectId } });
  const version = Number((etag ?? "").replace(/\D/g, ""));
  return runCommand(projectId, version, command);
}
