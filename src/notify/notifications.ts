// The notification adapters behind the outbox: each effect the engine emits (email, notify, remind,
// escalate, send_survey, send_invite, update_invite, request_approval, assignment_needed) becomes
// mail rendered from the playbook's templates, a calendar invitation (or its update or
// cancellation), a signed survey link, a chat message or an in-app notification. Handlers are
// idempotent per delivery key: a retried effect sends nothing twice (mail is keyed by delivery and
// recipient; in-app rows likewise; chat posts carry the key).
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { BusinessCalendar } from "../engine/calendar/business-calendar.ts";
import { type Command, type Effect, type Instant, type ProjectEvent, type ProjectState, SYSTEM } from "../engine/types.ts";
import type { Playbook } from "../playbook/schema.ts";
import type { OutboxEffect } from "../store/index.ts";
import {
  AppError,
  type Database,
  type Delivery,
  DeliveryDeferred,
  type EffectHandlers,
  type MailEffect,
  type ProjectRecord,
  type ProjectService,
} from "../store/index.ts";
import { playbookCache } from "../store/playbooks.ts";
import { addMs, fromDb } from "../store/time.ts";
import { type Directory, databaseDirectory, type ProjectRef, type Recipient } from "./directory.ts";
import { type MailAddress, type MailAttachment, type Mailer, type OutgoingMail, parseMailAddress } from "./mailer.ts";
import {
  cancelIcs,
  inviteIcs,
  type MeetingPlan,
  meetingIdOf,
  meetingUid,
  occurrences,
  planMeeting,
  readInvitation,
  type SentInvitation,
} from "./meetings.ts";
import { type AlertInput, alertMessage, type Chat } from "./slack.ts";
import {
  type SurveyClaims,
  signSurveyToken,
  surveyLinkId,
  surveyTokenId,
  surveyTokenOfLink,
  surveyUrl,
  verifySurveyToken,
} from "./survey-links.ts";
import { type NotifyDb, notifyDb } from "./tables.ts";
import { effectiveTemplate, latestPlaybooks, TemplateRefused } from "./template-store.ts";
import { checkTemplate, escapeHtml, IN_THREAD, type MessageTemplate, type RenderedMessage, type TemplateRenderer } from "./templates.ts";
import { formatDate, type Person, templateVariables } from "./variables.ts";

/**
 * Whose in-app inbox a recipient's notification goes to: a user's by their id, a contact's under
 * `contact:` + id, so a contact created with the same id as a user never shows in that user's list.
 */
export function inboxOf(recipient: Pick<Recipient, "id" | "kind">): string {
  return recipient.kind === "contact" ? `contact:${recipient.id}` : recipient.id;
}

export interface NotificationOptions {
  readonly database: Database;
  readonly service: ProjectService;
  readonly mailer: Mailer;
  /** Who holds a role (default: the users and contacts tables). */
  readonly directory?: Directory;
  /** The origin people reach the app at: links in mail and chat. */
  readonly publicUrl: string;
  /** The HMAC key of survey links. */
  readonly surveySecret: string;
  /** How long a survey link stays valid (default 30 days). */
  readonly surveyLinkDays?: number;
  /** Chat notifications (Slack); without it, chat notifications are skipped. */
  readonly chat?: Chat | undefined;
  /** Where templates render: the server's worker threads (render-pool.ts); default this thread. */
  readonly renderer?: TemplateRenderer;
  readonly clock: () => Instant;
}

interface Loaded {
  readonly record: ProjectRecord;
  readonly ref: ProjectRef;
  readonly playbook: Playbook;
  readonly calendar: BusinessCalendar;
  readonly client: { readonly name: string; readonly timeZone: string; readonly country: string | null };
  readonly roles: Record<string, Person | undefined>;
  readonly organisation: Readonly<Record<string, string>>;
}

export interface SurveyForm {
  readonly projectId: string;
  readonly survey: string;
  readonly title: string;
  readonly kind: string;
  readonly clientName: string;
  readonly contactName: string;
  readonly questions: readonly { id: string; text: string; type: string; options?: readonly string[]; required: boolean }[];
  readonly expiresAt: Instant;
  readonly answered: boolean;
}

export interface SurveyAnswer {
  readonly score: number;
  readonly comment?: string | undefined;
  readonly answers?: Readonly<Record<string, unknown>> | undefined;
}

/** A score that should alert someone: NPS detractors (0-6), CSAT and ratings of 3 or less out of 5. */
export function isLowScore(kind: string, score: number): boolean {
  return kind === "nps" ? score < 7 : score <= 3;
}

/** The mail of an email step, rendered for its project: who it goes to and what it says. */
export interface StepEmail {
  readonly step: string;
  readonly title: string;
  readonly template: string;
  /** The step's status now (open, in_progress, done ...). */
  readonly status: string;
  /** The project version the draft was rendered at (its ETag). */
  readonly projectVersion: number;
  readonly to: readonly Recipient[];
  readonly message: RenderedMessage;
  /** The step's `email:` cc, reply_to and from, as addresses of whoever holds the roles now. */
  readonly cc?: readonly MailAddress[];
  readonly replyTo?: MailAddress;
  readonly from?: MailAddress;
}

/** Plain text as a message: the HTML part is the escaped text in paragraphs. */
export function plainMessage(subject: string, text: string): RenderedMessage {
  const html = escapeHtml(text.trim())
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, "<br>\n")}</p>`)
    .join("\n");
  return { subject, text, html };
}

export class Notifications {
  readonly #o: NotificationOptions;
  readonly #db: NotifyDb;
  readonly #directory: Directory;
  readonly #cache;
  readonly #renderer: TemplateRenderer;
  readonly #meetingLocks = new Map<string, Promise<void>>();

  constructor(options: NotificationOptions) {
    this.#o = options;
    this.#db = notifyDb(options.database);
    this.#directory = options.directory ?? databaseDirectory(this.#db);
    this.#cache = playbookCache(options.database.db);
    this.#renderer = options.renderer ?? IN_THREAD;
  }

  get db(): NotifyDb {
    return this.#db;
  }

  /** The handlers to give the outbox dispatcher (effects of other kinds are not notifications). */
  handlers(): EffectHandlers {
    return {
      email: (effect, delivery) => this.#email(effect, delivery),
      notify: (effect, delivery) => this.#notify(effect, delivery),
      remind: (effect, delivery) => this.#remind(effect, delivery),
      escalate: (effect, delivery) => this.#escalate(effect, delivery),
      send_survey: (effect, delivery) => this.#sendSurvey(effect, delivery),
      send_invite: (effect, delivery) => this.#sendInvite(effect, delivery),
      update_invite: (effect, delivery) => this.#updateInvite(effect, delivery),
      request_approval: (effect, delivery) => this.#requestApproval(effect, delivery),
      assignment_needed: (effect, delivery) => this.#assignmentNeeded(effect, delivery),
      send_mail: (effect, delivery) => this.#sendMail(effect, delivery),
    };
  }

  projectUrl(projectId: string): string {
    return `${this.#o.publicUrl.replace(/\/+$/, "")}/app/projects/${encodeURIComponent(projectId)}`;
  }

  /** The project in the client portal: where links in mail to a client contact go. */
  portalUrl(projectId: string): string {
    return `${this.#o.publicUrl.replace(/\/+$/, "")}/portal/projects/${encodeURIComponent(projectId)}`;
  }

  /**
   * The organisation's values for playbook parameters: those an admin set (settings key
   * "parameters"), and the portal's branding for the usual names (company name, support address).
   */
  async #organisation(): Promise<Record<string, string>> {
    const rows = await this.#db.selectFrom("settings").select(["key", "value"]).where("key", "in", ["branding", "parameters"]).execute();
    const value = (key: string) => {
      const v = rows.find((r) => r.key === key)?.value;
      const parsed = typeof v === "string" ? (JSON.parse(v) as unknown) : v;
      return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
    };
    const branding = value("branding");
    const out: Record<string, string> = {};
    const vendor = typeof branding.vendorName === "string" && branding.vendorName !== "Onboard" ? branding.vendorName : undefined;
    const support = typeof branding.supportEmail === "string" ? branding.supportEmail : undefined;
    if (vendor) out.company_name = vendor;
    if (support) {
      out.support_email = support;
      out.company_email = support;
    }
    const saved = value("parameters");
    const values = (saved.values ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(values)) if (typeof v === "string" && v !== "") out[k] = v;
    return out;
  }

  async #load(projectId: string): Promise<Loaded> {
    const record = await this.#o.service.getProject(projectId);
    const ctx = await this.#o.service.contextOf(record);
    const client = await this.#db
      .selectFrom("clients")
      .select(["name", "time_zone", "country"])
      .where("id", "=", record.clientId)
      .executeTakeFirst();
    const ref: ProjectRef = { id: record.id, clientId: record.clientId, state: record.state };
    const roles: Record<string, Person | undefined> = {};
    for (const role of Object.keys(ctx.model.playbook.roles)) {
      const [first] = await this.#directory.holders(ref, role);
      roles[role] = first ? { name: first.name, address: first.address } : undefined;
    }
    return {
      record,
      ref,
      playbook: ctx.model.playbook,
      calendar: ctx.calendar,
      client: {
        name: client?.name ?? record.state.client.name,
        timeZone: client?.time_zone ?? record.state.calendar.timeZone,
        country: client?.country ?? null,
      },
      roles,
      organisation: await this.#organisation(),
    };
  }

  async #holders(project: Loaded, roles: readonly string[]): Promise<Recipient[]> {
    const seen = new Map<string, Recipient>();
    for (const role of roles) for (const r of await this.#directory.holders(project.ref, role)) if (!seen.has(r.id)) seen.set(r.id, r);
    return [...seen.values()];
  }

  #variables(project: Loaded, recipient: Recipient | undefined, meeting?: { plan: MeetingPlan; attendees: readonly Person[] }) {
    return templateVariables({
      playbook: project.playbook,
      state: project.record.state,
      client: project.client,
      roles: project.roles,
      recipient: recipient ? { name: recipient.name, address: recipient.address } : undefined,
      meeting,
      // A client contact's links go to the portal; the team's to the app.
      projectUrl: recipient?.kind === "contact" ? this.portalUrl(project.record.id) : this.projectUrl(project.record.id),
      organisation: project.organisation,
    });
  }

  /** Render a text of the playbook (a notify message, an escalation reason) with a project's values. */
  async #text(project: Loaded, source: string, recipient?: Recipient): Promise<string> {
    const rendered = await this.#renderer.render(
      { id: "message", kind: "text", subject: "-", body: source },
      this.#variables(project, recipient),
    );
    return rendered.text;
  }

  /** Roles (their holders now) and addresses, as mail addresses, each once. */
  async #parties(project: Loaded, parties: readonly string[]): Promise<MailAddress[]> {
    const out = new Map<string, MailAddress>();
    for (const party of parties) {
      if (party.includes("@")) {
        const parsed = parseMailAddress(party);
        if (parsed && !out.has(parsed.address.toLowerCase())) out.set(parsed.address.toLowerCase(), parsed);
        continue;
      }
      for (const r of await this.#holders(project, [party]))
        if (!out.has(r.address.toLowerCase())) out.set(r.address.toLowerCase(), { name: r.name, address: r.address });
    }
    return [...out.values()];
  }

  async #mail(
    project: Loaded,
    delivery: Delivery,
    recipient: Recipient,
    message: RenderedMessage,
    attachments?: MailAttachment[],
    /** Tokens only this recipient may see (a survey link's): redacted where the mail is recorded. */
    secrets?: readonly string[],
    /** Cc, Reply-To and From a playbook's email action names. */
    headers: Pick<OutgoingMail, "cc" | "replyTo" | "from"> = {},
  ): Promise<void> {
    const mail: OutgoingMail = {
      ...headers,
      to: [{ name: recipient.name, address: recipient.address }],
      subject: message.subject,
      text: message.text,
      html: message.html,
      key: `${delivery.key}/${recipient.id}`,
      projectId: project.record.id,
      ...(attachments && attachments.length > 0 ? { attachments } : {}),
      ...(secrets && secrets.length > 0 ? { secrets } : {}),
    };
    await this.#o.mailer.send(mail);
  }

  /** The first contact holding a client role of the project (who a preview is written to). */
  async firstClientContact(projectId: string): Promise<Recipient | undefined> {
    return this.#firstClientContact(await this.#load(projectId));
  }

  async #firstClientContact(project: Loaded): Promise<Recipient | undefined> {
    const clientRoles = Object.entries(project.playbook.roles)
      .filter(([, r]) => r.side === "client")
      .map(([id]) => id);
    return (await this.#holders(project, clientRoles)).find((r) => r.kind === "contact");
  }

  /** A template of the project's playbook (or its saved override) rendered for one recipient. */
  async renderTemplate(
    projectId: string,
    templateId: string,
    options: { readonly recipient?: Recipient; readonly template?: MessageTemplate; readonly meeting?: string } = {},
  ): Promise<RenderedMessage> {
    const project = await this.#load(projectId);
    return this.#renderTemplate(project, templateId, options.recipient, options.template, options.meeting);
  }

  /**
   * A template as a project's recipient would receive it (the template editor's preview): the saved
   * template, or an unsaved draft of its subject and/or body, which is checked first like a save
   * (TemplateRefused naming the field, placeholder or tag). Written to `contactId`, else to the
   * first client contact. The project is loaded once for all of it.
   */
  async preview(
    projectId: string,
    templateId: string,
    options: { readonly contactId?: string | undefined; readonly subject?: string | undefined; readonly body?: string | undefined } = {},
  ): Promise<RenderedMessage> {
    const project = await this.#load(projectId);
    const { playbook } = project;
    const declared = playbook.templates[templateId];
    let draft: MessageTemplate | undefined;
    if (options.body !== undefined || options.subject !== undefined) {
      draft = {
        id: templateId,
        kind: declared?.kind ?? "email",
        subject: options.subject ?? declared?.subject,
        body: options.body ?? declared?.body ?? "",
      };
      const problems = checkTemplate(draft, playbook);
      if (problems.length > 0) throw new TemplateRefused(templateId, problems);
    }
    const recipient = options.contactId ? await this.#directory.contact(options.contactId) : await this.#firstClientContact(project);
    // Someone is waiting on this one: when the template threads are all busy, say so at once.
    return this.#renderTemplate(project, templateId, recipient, draft, undefined, false, "refuse");
  }

  async #renderTemplate(
    project: Loaded,
    templateId: string,
    recipient: Recipient | undefined,
    given?: MessageTemplate,
    meetingId?: string,
    strict = false,
    whenBusy: "wait" | "refuse" = "wait",
  ): Promise<RenderedMessage> {
    const template = given ?? (await effectiveTemplate(this.#db, project.playbook, templateId));
    if (!template) throw new AppError("not_found", `playbook ${project.playbook.id} has no template "${templateId}"`, { templateId });
    const meeting = meetingId ? await this.#meeting(project, meetingId) : await this.#firstMeeting(project);
    const body =
      template.body.trim() !== ""
        ? template.body
        : // A template the playbook only names (its text lives elsewhere): say what it is and link the project.
          `Hello {{contact.first_name}},\n\n${"title" in template ? String(template.title) : template.id} for {{client.name}}.\n\n{{project.url}}`;
    const variables = this.#variables(project, recipient, meeting);
    return this.#renderer.render(
      { ...template, body, subject: template.subject ?? `{{project.name}}: ${"title" in template ? String(template.title) : template.id}` },
      strict ? withoutGaps(variables, project.playbook) : variables,
      { whenBusy },
    );
  }

  // ---- email steps -----------------------------------------------------------------------------

  /**
   * The mail an email step (`kind: email` with a `template:`) sends for this project: the effective
   * template (a saved override first), rendered strictly (a placeholder this project has no value
   * for is an error naming it, never an empty gap) for the step's client recipients.
   *
   * Recipients, the most faithful rule the playbook language allows (a template declares no
   * audience of its own):
   *  1. the contacts holding the client-side roles of the step's RACI (responsible, accountable,
   *     consulted, informed): the SOP's own statement of who on the client's side the step involves;
   *  2. without any, the client-side roles the playbook mails the same template to in an `email:`
   *     action (rules and decision branches), the playbook's convention for that template;
   *  3. without any holder, the client's first contact holding a client role (as previews use),
   *     then the client's first active contact.
   * One message goes to all of them, addressed ({{contact.*}}) to the first.
   */
  async stepEmail(projectId: string, stepId: string): Promise<StepEmail> {
    const project = await this.#load(projectId);
    const { playbook } = project;
    const step = playbook.phases.flatMap((p) => p.steps).find((s) => s.id === stepId);
    if (!step) throw new AppError("not_found", `playbook ${playbook.id} has no step "${stepId}"`, { step: stepId });
    if (step.kind !== "email" || !step.template)
      throw new AppError("not_found", `step "${stepId}" is not an email step with a template`, { step: stepId });
    const template = step.template;
    const state = project.record.state.steps[stepId];
    if (!state) throw new AppError("not_found", `step "${stepId}" is not part of this project`, { step: stepId });
    const clientSide = (role: string) => playbook.roles[role]?.side === "client";
    const raci = step.raci;
    let roles = raci ? [...raci.responsible, raci.accountable, ...raci.consulted, ...raci.informed].filter(clientSide) : [];
    if (roles.length === 0) {
      const actions = [
        ...playbook.rules.flatMap((r) => r.actions),
        ...playbook.phases.flatMap((p) => p.steps).flatMap((s) => s.decision?.branches.flatMap((b) => b.actions) ?? []),
      ];
      roles = actions.flatMap((a) => (a.email?.template === template ? a.email.to : [])).filter(clientSide);
    }
    const to = new Map<string, Recipient>();
    for (const r of await this.#holders(project, [...new Set(roles)]))
      if (r.kind === "contact" && !to.has(r.address.toLowerCase())) to.set(r.address.toLowerCase(), r);
    if (to.size === 0) {
      const first = (await this.#firstClientContact(project)) ?? (await this.#anyContact(project));
      if (first) to.set(first.address.toLowerCase(), first);
    }
    const recipients = [...to.values()];
    const [addressee] = recipients;
    if (!addressee) {
      const wanted = roles.length > 0 ? roles : Object.keys(playbook.roles).filter(clientSide);
      throw new AppError(
        "invalid",
        `${project.client.name} has no contact to send "${step.title}" to: add a contact${
          wanted.length > 0 ? ` holding ${wanted.map((r) => `${playbook.roles[r]?.title ?? r} (${r})`).join(" or ")}` : ""
        } to the client`,
        { reasons: [`no client contact${wanted.length > 0 ? ` with the role ${wanted.join(" or ")}` : ""}`] },
      );
    }
    const message = await this.#renderTemplate(project, template, addressee, undefined, undefined, true);
    const addressed = new Set(recipients.map((r) => r.address.toLowerCase()));
    const cc = (await this.#parties(project, step.email?.cc ?? [])).filter((a) => !addressed.has(a.address.toLowerCase()));
    const [replyTo] = step.email?.reply_to ? await this.#parties(project, [step.email.reply_to]) : [];
    const [from] = step.email?.from ? await this.#parties(project, [step.email.from]) : [];
    return {
      ...(cc.length > 0 ? { cc } : {}),
      ...(replyTo ? { replyTo } : {}),
      ...(from ? { from } : {}),
      step: stepId,
      title: step.title,
      template,
      status: state.status,
      projectVersion: project.record.version,
      to: recipients,
      message,
    };
  }

  /** The client's first active contact, whatever their roles. */
  async #anyContact(project: Loaded): Promise<Recipient | undefined> {
    const c = await this.#db
      .selectFrom("contacts")
      .selectAll()
      .where("client_id", "=", project.record.clientId)
      .where("active", "=", true)
      .orderBy("created_at")
      .orderBy("id")
      .executeTakeFirst();
    return c ? { id: c.id, kind: "contact", name: c.name, address: c.email, roles: c.roles } : undefined;
  }

  /** Send a message of a project through the mailer (recorded, and SMTP when configured), once per key. */
  /**
   * Mail written whole by someone (an email step's message), sent under its delivery key: the mail
   * store keeps one message per key and SMTP is skipped for one already sent, so a retried delivery
   * sends it once.
   */
  async #sendMail(effect: MailEffect, delivery: Delivery): Promise<void> {
    await this.#o.mailer.send({
      to: effect.to.map((r) => ({ ...(r.name ? { name: r.name } : {}), address: r.address })),
      subject: effect.subject,
      text: effect.text,
      ...(effect.html !== undefined ? { html: effect.html } : {}),
      ...(effect.cc && effect.cc.length > 0 ? { cc: effect.cc } : {}),
      ...(effect.replyTo ? { replyTo: effect.replyTo } : {}),
      ...(effect.from ? { from: effect.from } : {}),
      key: delivery.key,
      ...(delivery.projectId ? { projectId: delivery.projectId } : {}),
    });
  }

  async #events(projectId: string): Promise<ProjectEvent[]> {
    return (await this.#o.service.listEvents(projectId)).map((e) => e.event);
  }

  async #meeting(
    project: Loaded,
    meetingId: string,
  ): Promise<{ plan: MeetingPlan; attendees: Recipient[]; organizer: Recipient | undefined } | undefined> {
    const events = await this.#events(project.record.id);
    const plan = planMeeting(project.playbook, project.record.state, meetingId, events, project.calendar);
    if (!plan) return undefined;
    const attendees = await this.#holders(project, plan.attendeeRoles);
    const [organizer] = await this.#directory.holders(project.ref, plan.ownerRole);
    return { plan, attendees, organizer };
  }

  /** The meeting a template without an invitation talks about: the first meeting step. */
  async #firstMeeting(project: Loaded) {
    const step = project.playbook.phases.flatMap((p) => p.steps).find((s) => s.kind === "meeting");
    return step ? this.#meeting(project, step.id) : undefined;
  }

  /**
   * The meeting's invitation as an .ics file (GET /projects/:id/meetings/:meeting.ics): the version
   * attendees were mailed (its SEQUENCE), or the next one when the meeting has moved since.
   */
  async meetingIcs(projectId: string, meetingId: string): Promise<string> {
    const project = await this.#load(projectId);
    const meeting = await this.#meeting(project, meetingId);
    if (!meeting) throw new AppError("not_found", `playbook ${project.playbook.id} has no meeting "${meetingId}"`, { meeting: meetingId });
    const { plan } = meeting;
    if (plan.start === undefined)
      throw new AppError("illegal_state", `meeting "${meetingId}" is not scheduled yet: its step has not opened`, { meeting: meetingId });
    const sent = await this.#sent(projectId, plan.id);
    if (stopped(project.record.state, plan.id) || sent?.invitation.method === "CANCEL")
      throw new AppError("illegal_state", `meeting "${meetingId}" was cancelled`, { meeting: meetingId });
    return this.#request(project, { ...meeting, plan: { ...plan, start: plan.start } }, sent?.invitation, project.record.updatedAt).ics;
  }

  /**
   * A meeting's invitation (METHOD:REQUEST) and its SEQUENCE: 0 the first time; the one attendees
   * have when its time is unchanged; one more when it moved (or is sent again after a cancellation).
   */
  #request(
    project: Loaded,
    meeting: { plan: MeetingPlan & { start: Instant }; attendees: Recipient[]; organizer: Recipient | undefined },
    sent: SentInvitation | undefined,
    stamp: Instant,
  ): { readonly ics: string; readonly sequence: number; readonly changed: boolean } {
    const input = {
      projectId: project.record.id,
      plan: meeting.plan,
      organizer: meeting.organizer,
      attendees: meeting.attendees,
      stamp,
      url: this.projectUrl(project.record.id),
    };
    const first = inviteIcs({ ...input, sequence: sent?.sequence ?? 0 });
    const changed = sent !== undefined && (sent.method === "CANCEL" || readInvitation(first)?.schedule !== sent.schedule);
    if (!changed) return { ics: first, sequence: sent?.sequence ?? 0, changed };
    const sequence = (sent?.sequence ?? 0) + 1;
    return { ics: inviteIcs({ ...input, sequence }), sequence, changed };
  }

  /**
   * What attendees have of a meeting: the newest invitation or cancellation mailed for its UID (read
   * back from the mail store, which keeps every message with its attachments) and everyone it went
   * to. A delivery's own earlier attempt is left out, so a retry decides as its first attempt did.
   */
  async #sent(
    projectId: string,
    meetingId: string,
    exceptDelivery?: string,
  ): Promise<{ readonly invitation: SentInvitation; readonly recipients: readonly Recipient[] } | undefined> {
    const uid = meetingUid(projectId, meetingId);
    const rows = await this.#db
      .selectFrom("mail_messages")
      .select(["key", "recipients", "attachments"])
      .where("project_id", "=", projectId)
      .where(sql<boolean>`attachments @> ${JSON.stringify([{ filename: `${meetingId}.ics` }])}::jsonb`)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    let invitation: SentInvitation | undefined;
    const recipients = new Map<string, Recipient>();
    for (const row of rows) {
      if (exceptDelivery !== undefined && row.key.startsWith(`${exceptDelivery}/`)) continue;
      for (const attachment of row.attachments) {
        if (!attachment.contentType.startsWith("text/calendar")) continue;
        const read = readInvitation(Buffer.from(attachment.content, "base64").toString("utf8"));
        if (read?.uid !== uid) continue;
        if (!invitation || read.sequence >= invitation.sequence) invitation = read;
        for (const to of row.recipients)
          if (!recipients.has(to.address.toLowerCase()))
            recipients.set(to.address.toLowerCase(), {
              id: `mailto:${to.address.toLowerCase()}`,
              kind: "contact",
              name: to.name ?? to.address,
              address: to.address,
              roles: [],
            });
      }
    }
    return invitation ? { invitation, recipients: [...recipients.values()] } : undefined;
  }

  /**
   * One meeting's mail at a time in this process: what was sent is read, then added to, so two
   * deliveries about the same meeting (a batch runs in parallel) must not both take the same SEQUENCE.
   */
  async #serially<T>(projectId: string, meetingId: string, work: () => Promise<T>): Promise<T> {
    const key = `${projectId}\0${meetingId}`;
    const before = this.#meetingLocks.get(key) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const queued = before.then(() => mine);
    this.#meetingLocks.set(key, queued);
    await before;
    try {
      return await work();
    } finally {
      release();
      if (this.#meetingLocks.get(key) === queued) this.#meetingLocks.delete(key);
    }
  }

  // ---- handlers --------------------------------------------------------------------------------

  async #email(effect: Extract<Effect, { kind: "email" }>, delivery: Delivery): Promise<void> {
    // Roles are resolved now, when the mail goes, not when the project started: whoever holds the
    // role at this moment (assigned after the start too) is the addressee.
    const project = await this.#load(this.#projectOf(delivery));
    const recipients = await this.#holders(project, effect.to);
    const addressed = new Set(recipients.map((r) => r.address.toLowerCase()));
    const cc = (await this.#parties(project, effect.cc ?? [])).filter((a) => !addressed.has(a.address.toLowerCase()));
    const [replyTo] = effect.replyTo ? await this.#parties(project, [effect.replyTo]) : [];
    const [from] = effect.from ? await this.#parties(project, [effect.from]) : [];
    const headers = { ...(replyTo ? { replyTo } : {}), ...(from ? { from } : {}) };
    let waiting: string | undefined;
    if (effect.invite && recipients.length > 0) {
      const meeting = await this.#meeting(project, effect.invite);
      if (meeting && meeting.plan.start !== undefined && !stopped(project.record.state, meeting.plan.id)) {
        await this.#waitForParties(project, meeting, delivery);
        waiting = meeting.plan.title;
      }
    }
    const send = async () => {
      const invite = effect.invite ? await this.#invite(project, effect.invite, delivery) : undefined;
      for (const [i, recipient] of recipients.entries()) {
        const message = await this.#renderTemplate(project, effect.template, recipient, undefined, effect.invite);
        // One copy is enough: the cc goes on the first addressee's message.
        const copy = i === 0 && cc.length > 0 ? { cc } : {};
        await this.#mail(project, delivery, recipient, message, invite ? [invite] : [], undefined, { ...headers, ...copy });
      }
    };
    await (effect.invite ? this.#serially(project.record.id, meetingIdOf(effect.invite).id, send) : send());
    if (waiting) await this.#waitingIssue(project, waiting, undefined);
  }

  /** The invitation attached to a mail: none for a meeting with no time yet or one that was called off. */
  async #invite(project: Loaded, meetingId: string, delivery: Delivery): Promise<MailAttachment | undefined> {
    const meeting = await this.#meeting(project, meetingId);
    if (!meeting || meeting.plan.start === undefined || stopped(project.record.state, meeting.plan.id)) return undefined;
    const sent = await this.#sent(project.record.id, meeting.plan.id, delivery.key);
    const { ics } = this.#request(
      project,
      { ...meeting, plan: { ...meeting.plan, start: meeting.plan.start } },
      sent?.invitation,
      this.#o.clock(),
    );
    return invitationAttachment(meeting.plan.id, ics, "REQUEST");
  }

  async #notify(effect: Extract<Effect, { kind: "notify" }>, delivery: Delivery): Promise<void> {
    const project = await this.#load(this.#projectOf(delivery));
    const recipients = await this.#holders(project, effect.to);
    if (effect.channel === "chat") {
      const text = await this.#text(project, effect.message);
      const kind: AlertInput["kind"] = /^SLA breach/i.test(text) ? "sla_breach" : /^Low survey score/i.test(text) ? "low_score" : "notice";
      await this.#chat(project, delivery, {
        kind,
        title: `${project.client.name}: ${kind === "sla_breach" ? "SLA breach" : kind === "low_score" ? "Low survey score" : "Onboarding notice"}`,
        text,
        fields: [
          ["Project", project.playbook.document.title],
          ["For", recipients.map((r) => r.name).join(", ") || effect.to.join(", ")],
        ],
      });
      return;
    }
    if (effect.channel === "email") {
      for (const recipient of recipients) {
        const text = await this.#text(project, effect.message, recipient);
        await this.#mail(
          project,
          delivery,
          recipient,
          plainMessage(`${project.client.name}: ${firstLine(text)}`, `${text}\n\n${this.projectUrl(project.record.id)}\n`),
        );
      }
      return;
    }
    const now = this.#o.clock();
    for (const recipient of recipients) {
      const message = await this.#text(project, effect.message, recipient);
      await this.#db
        .insertInto("notifications")
        .values({
          id: randomUUID(),
          key: delivery.key,
          project_id: project.record.id,
          person_id: inboxOf(recipient),
          message,
          created_at: now,
        })
        .onConflict((oc) => oc.columns(["key", "person_id"]).doNothing())
        .execute();
    }
  }

  async #remind(effect: Extract<Effect, { kind: "remind" }>, delivery: Delivery): Promise<void> {
    const project = await this.#load(this.#projectOf(delivery));
    const step = project.playbook.phases.flatMap((p) => p.steps).find((s) => s.id === effect.step);
    const title = step?.title ?? effect.step;
    const due = formatDate(effect.dueAt, project.client.timeZone);
    for (const recipient of await this.#holders(project, [effect.to])) {
      const text = `Hello ${recipient.name.split(/\s+/)[0]},\n\n"${title}" for ${project.client.name} is due on ${due}.\n\n${this.projectUrl(project.record.id)}\n`;
      await this.#mail(project, delivery, recipient, plainMessage(`Reminder: ${title} is due ${due}`, text));
    }
  }

  async #escalate(effect: Extract<Effect, { kind: "escalate" }>, delivery: Delivery): Promise<void> {
    const project = await this.#load(this.#projectOf(delivery));
    const reason = await this.#text(project, effect.reason);
    const recipients = await this.#holders(project, [effect.to]);
    const role = project.playbook.roles[effect.to]?.title ?? effect.to;
    for (const recipient of recipients) {
      const text = `${recipient.name.split(/\s+/)[0]},\n\nan onboarding needs you (${role}): ${project.client.name}.\n\n${reason}\n\n${this.projectUrl(project.record.id)}\n`;
      await this.#mail(project, delivery, recipient, plainMessage(`Escalation: ${project.client.name}`, text));
    }
    await this.#chat(project, delivery, {
      kind: "escalation",
      title: `Escalation: ${project.client.name}`,
      text: reason,
      fields: [
        ["Escalated to", `${role}${recipients.length ? ` (${recipients.map((r) => r.name).join(", ")})` : ""}`],
        ["Project", project.playbook.document.title],
        ["Health", project.record.state.health],
      ],
    });
  }

  async #requestApproval(effect: Extract<Effect, { kind: "request_approval" }>, delivery: Delivery): Promise<void> {
    const project = await this.#load(this.#projectOf(delivery));
    for (const recipient of await this.#holders(project, [effect.from])) {
      const subject = await this.#text(project, effect.subject, recipient);
      const text = `Hello ${recipient.name.split(/\s+/)[0]},\n\nyour approval is requested: ${subject}\n\n${this.projectUrl(project.record.id)}\n`;
      await this.#mail(project, delivery, recipient, plainMessage(`Approval requested: ${firstLine(subject)}`, text));
    }
  }

  async #assignmentNeeded(effect: Extract<Effect, { kind: "assignment_needed" }>, delivery: Delivery): Promise<void> {
    const project = await this.#load(this.#projectOf(delivery));
    const { rows } = await sql<{ id: string; name: string; email: string }>`
      SELECT id, name, email FROM users WHERE active AND roles @> '["cs_ops"]'::jsonb ORDER BY id`.execute(this.#db);
    const role = project.playbook.roles[effect.role]?.title ?? effect.role;
    for (const row of rows) {
      const recipient: Recipient = { id: row.id, kind: "user", name: row.name, address: row.email, roles: [] };
      const text = `Nobody could be assigned as ${role} for ${project.client.name}: ${effect.why}.\n\nAssign someone: ${this.projectUrl(project.record.id)}\n`;
      await this.#mail(project, delivery, recipient, plainMessage(`Assignment needed: ${role} for ${project.client.name}`, text));
    }
  }

  /**
   * An invitation without its organizer or attendees is not mailed (see missingParties): the
   * delivery waits (INVITATION_WAIT_MS at a time, the outbox's DeliveryDeferred) and goes out once
   * they exist. Meanwhile the project shows why (an open issue, see #waitingIssue), and whoever can
   * act is told once, in the app: the meeting's organizer when the client has no contacts yet,
   * else the CS operations team, who assign people.
   */
  async #waitForParties(
    project: Loaded,
    meeting: { plan: MeetingPlan; attendees: Recipient[]; organizer: Recipient | undefined },
    delivery: Delivery,
  ): Promise<void> {
    const why = missingParties(project.playbook, meeting);
    if (why === undefined) return;
    const notice = `Invitation to "${meeting.plan.title}" not sent: ${why}. It goes out once there is someone to send it to.`;
    await this.#waitingIssue(project, meeting.plan.title, notice);
    const told: Recipient[] = meeting.organizer
      ? [meeting.organizer]
      : (
          await sql<{ id: string; name: string; email: string }>`
            SELECT id, name, email FROM users WHERE active AND roles @> '["cs_ops"]'::jsonb ORDER BY id`.execute(this.#db)
        ).rows.map((row) => ({ id: row.id, kind: "user" as const, name: row.name, address: row.email, roles: [] }));
    const now = this.#o.clock();
    for (const recipient of told)
      await this.#db
        .insertInto("notifications")
        .values({
          id: randomUUID(),
          key: delivery.key,
          project_id: project.record.id,
          person_id: inboxOf(recipient),
          message: notice,
          created_at: now,
        })
        .onConflict((oc) => oc.columns(["key", "person_id"]).doNothing())
        .execute();
    throw new DeliveryDeferred(notice, addMs(now, INVITATION_WAIT_MS));
  }

  /**
   * The project says an invitation waits: an open issue (the project page's Issues, its feed), one
   * per meeting, replaced when the reason changes and resolved when the invitation goes out
   * (`notice` undefined). Opened by the system; a project not active takes none (held, closed).
   */
  async #waitingIssue(project: Loaded, title: string, notice: string | undefined): Promise<void> {
    const prefix = `Invitation to "${title}" not sent:`;
    const open = Object.values(project.record.state.issues).filter((i) => !i.resolvedAt && i.title.startsWith(prefix));
    if (notice !== undefined && open.some((i) => i.title === notice)) return;
    if (notice === undefined && open.length === 0) return;
    const now = this.#o.clock();
    const command = (c: Command) => this.#o.service.runCommand(project.record.id, { command: c, actor: SYSTEM, now });
    try {
      for (const issue of open) await command({ type: "resolve_issue", issue: issue.id });
      if (notice !== undefined && project.record.state.status === "active")
        await command({ type: "open_issue", severity: "low", title: notice });
    } catch (e) {
      // The mail decides, not the note: a project that moved on meanwhile is told nothing more.
      if (!(e instanceof AppError)) throw e;
    }
  }

  async #sendInvite(effect: Extract<Effect, { kind: "send_invite" }>, delivery: Delivery): Promise<void> {
    const { occurrence } = meetingIdOf(effect.meeting);
    // A cadence's series goes out when it is planned (send_invite with the cadence's id); its
    // occurrences name it too (`cadence#n`), which mails it only if it never went out (a series
    // planned before series were mailed when planned).
    if (occurrence !== undefined && occurrence > 1) return;
    const project = await this.#load(this.#projectOf(delivery));
    const meeting = await this.#meeting(project, effect.meeting);
    if (!meeting || meeting.plan.start === undefined) throw new Error(`meeting "${effect.meeting}" has no time yet`);
    // Called off before this went out (the project cancelled, the step skipped): nobody is invited.
    if (stopped(project.record.state, meeting.plan.id) || seriesOver(project.record.state, meeting.plan.id)) {
      await this.#waitingIssue(project, meeting.plan.title, undefined);
      return;
    }
    await this.#waitForParties(project, meeting, delivery);
    const plan = { ...meeting.plan, start: meeting.plan.start };
    await this.#serially(project.record.id, plan.id, async () => {
      const sent = await this.#sent(project.record.id, plan.id, delivery.key);
      if (occurrence !== undefined && sent) return;
      const { ics } = this.#request(project, { ...meeting, plan }, sent?.invitation, this.#o.clock());
      const attachment = invitationAttachment(plan.id, ics, "REQUEST");
      for (const recipient of meeting.attendees) {
        const text = `${greeting(recipient)}you are invited to "${plan.title}" for ${project.client.name}.\n\n${this.#meetingFacts(project, plan, meeting.attendees)}${plan.description ? `${plan.description}\n\n` : ""}The invitation is attached.\n`;
        await this.#mail(project, delivery, recipient, plainMessage(`Invitation: ${plan.title} (${project.client.name})`, text), [
          attachment,
        ]);
      }
    });
    await this.#waitingIssue(project, meeting.plan.title, undefined);
  }

  /**
   * A meeting moved or stopped (the engine's update_invite). Compared with what attendees were
   * mailed: nothing when they have nothing (or a cancellation already); when it moved, the
   * invitation again with the same UID and the next SEQUENCE, only if its time changed; when it
   * stopped, a cancellation of whatever of it had not begun by then (for a series some of whose
   * meetings were held, just the remaining occurrences), to everyone who had it.
   */
  async #updateInvite(effect: Extract<Effect, { kind: "update_invite" }>, delivery: Delivery): Promise<void> {
    const project = await this.#load(this.#projectOf(delivery));
    const meeting = await this.#meeting(project, effect.meeting);
    if (!meeting) return; // no longer a meeting of the project's playbook
    const { plan } = meeting;
    await this.#serially(project.record.id, plan.id, async () => {
      const sent = await this.#sent(project.record.id, plan.id, delivery.key);
      if (!sent || sent.invitation.method === "CANCEL") return;
      const previous = sent.invitation;
      if (effect.change === "moved") {
        if (plan.start === undefined || stopped(project.record.state, plan.id)) return;
        const moved = { ...plan, start: plan.start };
        const request = this.#request(project, { ...meeting, plan: moved }, previous, this.#o.clock());
        if (!request.changed) return;
        const attachment = invitationAttachment(plan.id, request.ics, "REQUEST");
        for (const recipient of meeting.attendees) {
          const text = `${greeting(recipient)}"${plan.title}" for ${project.client.name} has moved (${effect.why}).\n\n${this.#meetingFacts(project, moved, meeting.attendees)}The updated invitation is attached; it replaces the one in your calendar.\n`;
          await this.#mail(project, delivery, recipient, plainMessage(`Updated invitation: ${plan.title} (${project.client.name})`, text), [
            attachment,
          ]);
        }
        return;
      }
      // What is in calendars is the version mailed, whatever the plan says now.
      const had = {
        ...plan,
        start: previous.start,
        minutes: previous.minutes,
        timeZone: previous.timeZone,
        ...(previous.recurrence ? { recurrence: previous.recurrence } : {}),
      };
      const all = occurrences(had);
      const left = all.filter((at) => at > effect.at);
      if (left.length === 0) return; // it had taken place, or the series had run its course
      const partial = left.length < all.length;
      const ics = cancelIcs({
        projectId: project.record.id,
        plan: had,
        organizer: meeting.organizer,
        attendees: meeting.attendees,
        stamp: this.#o.clock(),
        sequence: previous.sequence + 1,
        url: this.projectUrl(project.record.id),
        ...(partial ? { instances: left } : {}),
      });
      const attachment = invitationAttachment(plan.id, ics, "CANCEL");
      const everyone = new Map<string, Recipient>();
      for (const r of [...meeting.attendees, ...sent.recipients])
        if (!everyone.has(r.address.toLowerCase())) everyone.set(r.address.toLowerCase(), r);
      const zone = project.client.timeZone;
      const what = partial
        ? `The remaining ${left.length === 1 ? "meeting" : `${left.length} meetings`} of "${plan.title}" for ${project.client.name}, from ${whenText(left[0] ?? had.start, zone)}, ${left.length === 1 ? "is" : "are"} cancelled`
        : `"${plan.title}" for ${project.client.name} (${whenText(had.start, zone)}) is cancelled`;
      for (const recipient of everyone.values()) {
        const text = `${greeting(recipient)}${what}: ${effect.why}.\n\nThe cancellation is attached; it removes ${partial ? "those meetings" : "the meeting"} from your calendar.\n`;
        await this.#mail(project, delivery, recipient, plainMessage(`Cancelled: ${plan.title} (${project.client.name})`, text), [
          attachment,
        ]);
      }
    });
  }

  /** When, how often and until when, how long and with whom: the lines every invitation mail has. */
  #meetingFacts(project: Loaded, plan: MeetingPlan & { start: Instant }, attendees: readonly Recipient[]): string {
    const zone = project.client.timeZone;
    const r = plan.recurrence;
    const unit = r ? { DAILY: "day", WEEKLY: "week", MONTHLY: "month" }[r.freq] : "";
    const repeat = r
      ? `\nRepeats: every ${r.interval > 1 ? `${r.interval} ${unit}s` : unit}${r.until ? `, until ${formatDate(r.until, zone)}` : ""}`
      : "";
    return `When: ${whenText(plan.start, zone)}${repeat}\nLength: ${plan.minutes} minutes\nAttendees: ${attendees.map((a) => a.name).join(", ")}\n\n`;
  }

  async #sendSurvey(effect: Extract<Effect, { kind: "send_survey" }>, delivery: Delivery): Promise<void> {
    const project = await this.#load(this.#projectOf(delivery));
    const survey = project.playbook.surveys[effect.survey];
    if (!survey) throw new Error(`playbook ${project.playbook.id} has no survey "${effect.survey}"`);
    const now = this.#o.clock();
    const expiresAt = Math.floor(Date.parse(now) / 1000) + (this.#o.surveyLinkDays ?? 30) * 86_400;
    const contacts = (await this.#holders(project, effect.to)).filter((r) => r.kind === "contact");
    for (const contact of contacts) {
      // A survey the playbook sends twice (a step's `survey:` and its own schedule) reaches a contact
      // once: another delivery's link still open, or answered, stands.
      const linkId = surveyLinkId({
        projectId: project.record.id,
        survey: effect.survey,
        contactId: contact.id,
        expiresAt,
        nonce: delivery.key,
      });
      const earlier = await this.#db
        .selectFrom("survey_links as l")
        .leftJoin("survey_answers as a", "a.token_id", "l.id")
        .select("l.id")
        .where("l.project_id", "=", project.record.id)
        .where("l.survey", "=", effect.survey)
        .where("l.contact_id", "=", contact.id)
        .where("l.id", "<>", linkId)
        .where((eb) => eb.or([eb("l.expires_at", ">", new Date(now)), eb("a.token_id", "is not", null)]))
        .executeTakeFirst();
      if (earlier) continue;
      const link = await this.createSurveyLink({
        projectId: project.record.id,
        survey: effect.survey,
        contactId: contact.id,
        expiresAt,
        nonce: delivery.key,
      });
      const expires = formatDate(link.expiresAt, project.client.timeZone);
      const first = survey.questions[0];
      const question = first ? await this.#text(project, first.text, contact) : survey.title;
      const text = `Hello ${contact.name.split(/\s+/)[0]},\n\n${question}\n\nPlease answer here (it takes a minute): ${link.url}\n\nThe link is yours and works until ${expires}.\n`;
      await this.#mail(project, delivery, contact, plainMessage(`${survey.title}: ${project.client.name}`, text), [], [link.token]);
    }
  }

  async #chat(project: Loaded, delivery: Delivery, alert: Omit<AlertInput, "url">): Promise<void> {
    if (!this.#o.chat) return;
    await this.#o.chat.post(alertMessage({ ...alert, url: this.projectUrl(project.record.id) }), {
      key: delivery.key,
      signal: delivery.signal,
    });
  }

  #projectOf(delivery: Delivery): string {
    if (!delivery.projectId) throw new Error("this effect has no project");
    return delivery.projectId;
  }

  // ---- surveys ---------------------------------------------------------------------------------

  /**
   * Make (or, for the same delivery and contact, find again) a contact's link to a survey; the
   * stored expiry wins, so a retried delivery mails the same token.
   */
  async createSurveyLink(claims: SurveyClaims): Promise<{ readonly token: string; readonly url: string; readonly expiresAt: Instant }> {
    const id = surveyLinkId(claims);
    await this.#db
      .insertInto("survey_links")
      .values({
        id,
        project_id: claims.projectId,
        survey: claims.survey,
        contact_id: claims.contactId,
        expires_at: new Date(claims.expiresAt * 1000),
        created_at: this.#o.clock(),
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
    const row = await this.#db.selectFrom("survey_links").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const stored = { ...claims, expiresAt: Math.floor(new Date(row.expires_at).getTime() / 1000) };
    const token = signSurveyToken(stored, this.#o.surveySecret);
    return { token, url: surveyUrl(this.#o.publicUrl, token), expiresAt: fromDb(row.expires_at) };
  }

  async #claims(token: string): Promise<Omit<SurveyClaims, "nonce"> & { readonly id: string }> {
    const id = surveyTokenId(token);
    const row = id ? await this.#db.selectFrom("survey_links").selectAll().where("id", "=", id).executeTakeFirst() : undefined;
    const claims = row
      ? {
          id: row.id,
          projectId: row.project_id,
          survey: row.survey,
          contactId: row.contact_id,
          expiresAt: Math.floor(new Date(row.expires_at).getTime() / 1000),
        }
      : undefined;
    verifySurveyToken(token, claims, this.#o.surveySecret, Date.parse(this.#o.clock()));
    if (!claims) throw new AppError("not_found", "this survey link is not valid", { field: "token" });
    return claims;
  }

  /**
   * A contact's surveys still to answer (GET /portal/api/surveys): their links not expired, with no
   * answer from them to the same project's survey yet, newest first, each with its token so the
   * portal can open the survey page. One per project and survey.
   */
  async openSurveys(
    contactId: string,
  ): Promise<{ readonly projectId: string; readonly survey: string; readonly token: string; readonly expiresAt: Instant }[]> {
    const now = this.#o.clock();
    const rows = await this.#db
      .selectFrom("survey_links as l")
      .selectAll("l")
      .where("l.contact_id", "=", contactId)
      .where("l.expires_at", ">", new Date(now))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("survey_answers as a")
              .select("a.token_id")
              .whereRef("a.project_id", "=", "l.project_id")
              .whereRef("a.survey", "=", "l.survey")
              .whereRef("a.contact_id", "=", "l.contact_id"),
          ),
        ),
      )
      .orderBy("l.created_at", "desc")
      .orderBy("l.id")
      .execute();
    const seen = new Set<string>();
    const out = [];
    for (const row of rows) {
      const key = JSON.stringify([row.project_id, row.survey]);
      if (seen.has(key)) continue;
      seen.add(key);
      const claims = {
        projectId: row.project_id,
        survey: row.survey,
        contactId: row.contact_id,
        expiresAt: Math.floor(new Date(row.expires_at).getTime() / 1000),
      };
      out.push({
        projectId: row.project_id,
        survey: row.survey,
        token: surveyTokenOfLink(row.id, claims, this.#o.surveySecret),
        expiresAt: fromDb(row.expires_at),
      });
    }
    return out;
  }

  /** What a survey link shows: the questions from the playbook (GET /surveys/:token). */
  async surveyForm(token: string): Promise<SurveyForm> {
    const claims = await this.#claims(token);
    const project = await this.#load(claims.projectId);
    const survey = project.playbook.surveys[claims.survey];
    const contact = await this.#directory.contact(claims.contactId);
    if (!survey || !contact || contact.clientId !== project.record.clientId)
      throw new AppError("not_found", "this survey link is not valid", { field: "token" });
    const answered = await this.#db.selectFrom("survey_answers").select("token_id").where("token_id", "=", claims.id).executeTakeFirst();
    const questions = [];
    for (const q of survey.questions)
      questions.push({
        id: q.id,
        text: await this.#text(project, q.text, contact),
        type: q.type,
        ...(q.options ? { options: q.options } : {}),
        required: q.required,
      });
    return {
      projectId: project.record.id,
      survey: claims.survey,
      title: survey.title,
      kind: survey.kind,
      clientName: project.client.name,
      contactName: contact.name,
      questions,
      expiresAt: new Date(claims.expiresAt * 1000).toISOString(),
      answered: answered !== undefined,
    };
  }

  /**
   * Answer through a link: once per link. Runs the engine's answer_survey as the contact, so the
   * playbook's automations fire (an NPS below 7 alerts the CSM ...).
   */
  /**
   * `tellTeam` gives what the team should hear of this answer (the API's client-action notices): it
   * goes to the outbox in the answer's transaction, so a refused answer tells nobody.
   */
  async answerSurvey(
    token: string,
    answer: SurveyAnswer,
    tellTeam?: (answered: {
      readonly answerId: string;
      readonly projectId: string;
      readonly survey: string;
      readonly contactName: string;
    }) => Promise<readonly { readonly key: string; readonly effect: OutboxEffect }[]>,
  ): Promise<{ readonly projectVersion: number }> {
    const claims = await this.#claims(token);
    const form = await this.surveyForm(token);
    if (form.answered) throw new AppError("conflict", "this survey link was already answered", { field: "token" });
    const scale = form.kind === "nps" ? [0, 10] : [1, 5];
    const scoreQuestion = form.questions.find((q) => q.type === "nps" || q.type === "csat" || q.type === "rating");
    if (scoreQuestion && (answer.score < (scale[0] ?? 0) || answer.score > (scale[1] ?? 10)))
      throw new AppError("invalid", `the score is from ${scale[0]} to ${scale[1]}`, { field: "score" });
    for (const q of form.questions)
      if (q.required && q !== scoreQuestion && (answer.answers?.[q.id] === undefined || answer.answers[q.id] === ""))
        throw new AppError("invalid", `"${q.text}" needs an answer`, { field: `answers.${q.id}` });
    const contact = await this.#directory.contact(claims.contactId);
    if (!contact) throw new AppError("not_found", "this survey link is not valid", { field: "token" });
    const tokenId = claims.id;
    const now = this.#o.clock();
    const notices = tellTeam
      ? await tellTeam({ answerId: tokenId, projectId: claims.projectId, survey: claims.survey, contactName: contact.name })
      : [];
    // The answer row is claimed first: a second submission of the same link fails on its key.
    const claimed = await this.#db
      .insertInto("survey_answers")
      .values({
        token_id: tokenId,
        project_id: claims.projectId,
        survey: claims.survey,
        contact_id: claims.contactId,
        score: answer.score,
        comment: answer.comment ?? null,
        answers: JSON.stringify(answer.answers ?? {}),
        answered_at: now,
      })
      .onConflict((oc) => oc.column("token_id").doNothing())
      .returning("token_id")
      .executeTakeFirst();
    if (!claimed) throw new AppError("conflict", "this survey link was already answered", { field: "token" });
    try {
      const result = await this.#o.service.runCommand(claims.projectId, {
        command: {
          type: "answer_survey",
          survey: claims.survey,
          score: answer.score,
          ...(answer.comment ? { comment: answer.comment } : {}),
        },
        actor: { id: contact.id, kind: "contact", roles: contact.roles },
        idempotencyKey: `survey:${tokenId}`,
        now,
        ...(notices.length > 0 ? { deliver: () => notices } : {}),
      });
      return { projectVersion: result.version };
    } catch (error) {
      await this.#db.deleteFrom("survey_answers").where("token_id", "=", tokenId).execute();
      throw error;
    }
  }

  // ---- chat alerts from events -----------------------------------------------------------------

  /**
   * SLA breaches (step.overdue) and low survey scores become chat notifications through the outbox:
   * each such event not yet alerted gets a `notify` effect on the chat channel, keyed by the event.
   * Looks back `lookbackMs` (default 7 days) so a new installation does not replay old history.
   */
  async queueChatAlerts(now: Instant, lookbackMs = 7 * 86_400_000): Promise<number> {
    if (!this.#o.chat) return 0;
    const rows = await this.#db
      .selectFrom("events as e")
      .innerJoin("projects as p", "p.id", "e.project_id")
      .select(["e.project_id", "e.seq", "e.type", "e.payload", "e.at"])
      .where("e.type", "in", ["step.overdue", "survey.answered"])
      .where("e.recorded_at", ">=", new Date(addMs(now, -lookbackMs)))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("chat_alerts as a").select("a.seq").whereRef("a.project_id", "=", "e.project_id").whereRef("a.seq", "=", "e.seq"),
          ),
        ),
      )
      .orderBy("e.recorded_at")
      .limit(100)
      .execute();
    let queued = 0;
    for (const row of rows) {
      const project = await this.#load(row.project_id);
      const payload = row.payload as Record<string, unknown>;
      let effect: Effect | undefined;
      if (row.type === "step.overdue") {
        const step = project.playbook.phases.flatMap((p) => p.steps).find((s) => s.id === payload.step);
        const owner = step?.owner ?? "";
        const escalatesTo = project.playbook.roles[owner]?.escalates_to;
        effect = {
          kind: "notify",
          channel: "chat",
          to: [owner, ...(escalatesTo ? [escalatesTo] : [])].filter(Boolean),
          message: `SLA breach: "${step?.title ?? String(payload.step)}" was due ${formatDate(String(payload.dueAt), project.client.timeZone)} and is not done.`,
        };
      } else {
        const survey = project.playbook.surveys[String(payload.survey)];
        const score = Number(payload.score);
        if (survey && isLowScore(survey.kind, score)) {
          const owners = [
            ...new Set(project.playbook.rules.filter((r) => r.on === "survey.answered").flatMap((r) => (r.owner ? [r.owner] : []))),
          ];
          const comment = typeof payload.comment === "string" && payload.comment ? ` Comment: "${payload.comment}"` : "";
          effect = {
            kind: "notify",
            channel: "chat",
            to: owners.length > 0 ? owners : survey.to,
            message: `Low survey score: ${survey.title} answered ${score}${survey.kind === "nps" ? "/10" : "/5"}.${comment}`,
          };
        }
      }
      await this.#db.transaction().execute(async (trx) => {
        const claimed = await trx
          .insertInto("chat_alerts")
          .values({ project_id: row.project_id, seq: row.seq, created_at: now })
          .onConflict((oc) => oc.columns(["project_id", "seq"]).doNothing())
          .returning("seq")
          .executeTakeFirst();
        if (!claimed || !effect) return;
        await trx
          .insertInto("outbox")
          .values({
            id: randomUUID(),
            delivery_key: `${row.project_id}@event${row.seq}#chat`,
            project_id: row.project_id,
            kind: effect.kind,
            effect: JSON.stringify(effect),
            next_attempt_at: now,
            created_at: now,
          })
          .onConflict((oc) => oc.column("delivery_key").doNothing())
          .execute();
        queued++;
      });
    }
    return queued;
  }

  /** The playbooks templates can be checked against (latest published versions). */
  playbooks(): Promise<Playbook[]> {
    return latestPlaybooks(this.#db, this.#cache);
  }
}

/**
 * The variables with their empty values left out (a parameter, fact or contact detail this project
 * has no value for, a role's missing email or phone), so strict variables name the placeholder
 * instead of leaving a gap in a client's mail. Roles nobody holds yet keep "to be confirmed".
 */
function withoutGaps(variables: Record<string, unknown>, playbook: Playbook): Record<string, unknown> {
  const out: Record<string, unknown> = { ...variables };
  for (const id of Object.keys(playbook.parameters)) if (out[id] === "" || out[id] === undefined) delete out[id];
  const prune = (value: unknown): unknown => {
    if (!value || typeof value !== "object") return value;
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== "" && v !== undefined) kept[k] = prune(v);
    return kept;
  };
  for (const key of ["client", "contact", "facts", "roles"]) if (key in out) out[key] = prune(out[key]);
  return out;
}

/** Whether a meeting was called off: the project cancelled, its step skipped or left out. */
function stopped(state: ProjectState, meetingId: string): boolean {
  const status = state.steps[meetingId]?.status;
  return state.status === "cancelled" || status === "skipped" || status === "not_applicable";
}

/** A series that ended before its invitation went out (it waited for its people): nobody needs it now. */
function seriesOver(state: ProjectState, meetingId: string): boolean {
  const series = state.cadences[meetingId];
  return series !== undefined && series.nextAt === undefined;
}

/** How long an invitation that waits for its organizer or attendees waits before it looks again. */
export const INVITATION_WAIT_MS = 15 * 60_000;

/**
 * Why a meeting's invitation cannot go out yet, or undefined when it can: an invitation (METHOD:
 * REQUEST) needs an ORGANIZER and at least one ATTENDEE, and a meeting with the client (a client
 * role invited) needs one of the client's contacts; calendars drop or reject one without.
 */
export function missingParties(
  playbook: Playbook,
  meeting: { readonly plan: MeetingPlan; readonly attendees: readonly Recipient[]; readonly organizer: Recipient | undefined },
): string | undefined {
  const { plan, organizer } = meeting;
  const title = (role: string) => playbook.roles[role]?.title ?? role;
  if (!organizer) return `no ${title(plan.ownerRole)} assigned`;
  const invited = meeting.attendees.filter((a) => a.address.toLowerCase() !== organizer.address.toLowerCase());
  const clientRoles = plan.attendeeRoles.filter((r) => playbook.roles[r]?.side === "client");
  const fromClient = invited.some((a) => a.kind === "contact" || a.roles.some((r) => clientRoles.includes(r)));
  if (clientRoles.length > 0 && !fromClient) return "the client has no contacts yet";
  if (invited.length > 0) return undefined;
  const other = plan.attendeeRoles.find((r) => r !== plan.ownerRole);
  return other ? `no ${title(other)} assigned` : "nobody else is invited";
}

function greeting(recipient: Recipient): string {
  return `Hello ${recipient.name.split(/\s+/)[0]},\n\n`;
}

/** "Monday, 2 March 2026, 11:00 (Europe/Berlin)" */
function whenText(at: Instant, zone: string): string {
  const time = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    new Date(at),
  );
  return `${formatDate(at, zone)}, ${time} (${zone})`;
}

function invitationAttachment(meetingId: string, ics: string, method: "REQUEST" | "CANCEL"): MailAttachment {
  return { filename: `${meetingId}.ics`, content: ics, contentType: `text/calendar; charset=utf-8; method=${method}` };
}

function firstLine(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
