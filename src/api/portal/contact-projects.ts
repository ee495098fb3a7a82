// A contact's reach: projects of their own client, nothing else. Another client's project is
// "not found", exactly like one that does not exist, so ids cannot be probed.

import { notFound } from "../../store/errors.ts";
import type { ProjectRecord } from "../../store/index.ts";
import type { ContactPrincipal } from "../auth/contact-sessions.ts";
import { modelOf } from "../data/playbooks.ts";
import type { ApiDeps } from "../deps.ts";
import { type ClientProjectView, clientView, contactRolesOn } from "./client-view.ts";

export async function contactProject(deps: ApiDeps, contact: ContactPrincipal, id: string): Promise<ProjectRecord> {
  const project = await deps.service.getProject(id).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === "not_found") return undefined;
    throw error;
  });
  if (!project || project.clientId !== contact.clientId) throw notFound(`project ${id}`, { projectId: id });
  return project;
}

export async function contactView(deps: ApiDeps, contact: ContactPrincipal, project: ProjectRecord): Promise<ClientProjectView> {
  const model = await modelOf(deps, project.playbook.id, project.playbook.version);
  return clientView(model, project.state, contactRolesOn(model, project.state, contact), deps.clock());
}
