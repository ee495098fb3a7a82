// Meetings already in people's calendars that move or stop. The engine does not know what was
// mailed (adapters do), so after each command it names the meetings whose time may have changed or
// which ended, as `update_invite` effects; the adapter compares with the invitation it sent and
// sends an update or a cancellation only when there is one. Pure: read from the command's events.
import type { Step } from "../playbook/schema.ts";
import type { Draft } from "./draft.ts";
import { ACTIVE, type Effect } from "./types.ts";

/** A step that is a meeting: a meeting kind, a meeting block, or a training session. */
export function isMeetingStep(step: Step): boolean {
  return step.kind === "meeting" || step.meeting !== undefined || step.training.length > 0;
}

type Change = Extract<Effect, { kind: "update_invite" }>["change"];

/**
 * After a command: an `update_invite` per meeting that moved or stopped in it.
 *
 * - moved: a meeting step started or reopened (its time is taken from then on), or the project
 *   resumed after a hold with its dates shifted (open meeting steps, running meeting cadences);
 * - cancelled: the project was cancelled (open meeting steps, running meeting cadences), a meeting
 *   step was skipped after it had opened, or a meeting cadence ended (the adapter cancels what is
 *   left of the series, if anything).
 *
 * A cadence's series is mailed when the cadence starts (`send_invite` with the cadence's id), so a
 * started series may be in calendars before its first occurrence. A meeting the playbook itself (re)invites in the same command (`send_invite`,
 * an email with the invitation attached) needs no update of its own: that invitation is newer.
 */
export function meetingChanges(draft: Draft): void {
  const playbook = draft.ctx.model.playbook;
  const changes = new Map<string, { change: Change; why: string }>();
  const note = (meeting: string, change: Change, why: string) => {
    // A meeting that stopped in this command is not also moved.
    if (changes.get(meeting)?.change !== "cancelled") changes.set(meeting, { change, why });
  };
  const meetingStep = (id: string) => {
    const step = draft.ctx.model.steps.get(id)?.step;
    return step !== undefined && isMeetingStep(step);
  };
  const openMeetingSteps = () =>
    draft.ctx.model.order.filter(({ step }) => isMeetingStep(step) && ACTIVE.has(draft.state.steps[step.id]?.status ?? "blocked"));
  const runningSeries = () =>
    playbook.cadences.filter((c) => {
      const current = draft.state.cadences[c.id];
      return c.kind === "meeting" && current?.nextAt !== undefined;
    });
  for (const event of draft.events) {
    switch (event.type) {
      case "project.resumed":
        if (event.shiftMs <= 0) break;
        for (const { step } of openMeetingSteps()) note(step.id, "moved", "the project resumed after a hold");
        for (const cadence of runningSeries()) note(cadence.id, "moved", "the project resumed after a hold");
        break;
      case "project.cancelled":
        for (const { step } of openMeetingSteps()) note(step.id, "cancelled", "the project was cancelled");
        for (const cadence of runningSeries()) note(cadence.id, "cancelled", "the project was cancelled");
        break;
      case "step.skipped":
        if (meetingStep(event.step) && draft.state.steps[event.step]?.openedAt !== undefined)
          note(event.step, "cancelled", "the step was skipped");
        break;
      case "step.started":
        if (meetingStep(event.step)) note(event.step, "moved", "the meeting was scheduled");
        break;
      case "step.opened":
        if (meetingStep(event.step) && (draft.state.steps[event.step]?.attempt ?? 0) > 1)
          note(event.step, "moved", "the step was reopened");
        break;
      case "cadence.rescheduled": {
        const cadence = playbook.cadences.find((c) => c.id === event.cadence);
        if (cadence?.kind === "meeting") note(cadence.id, "moved", "the client agreed another schedule");
        break;
      }
      case "cadence.ended": {
        const cadence = playbook.cadences.find((c) => c.id === event.cadence);
        if (cadence?.kind === "meeting") note(cadence.id, "cancelled", "the meetings are over");
        break;
      }
      default:
        break;
    }
  }
  if (changes.size === 0) return;
  const invited = new Set(
    draft.effects.flatMap((e) =>
      e.kind === "send_invite" ? [e.meeting.split("#")[0] ?? e.meeting] : e.kind === "email" && e.invite ? [e.invite] : [],
    ),
  );
  for (const [meeting, { change, why }] of changes) {
    if (change === "moved" && invited.has(meeting)) continue;
    draft.effect({ kind: "update_invite", meeting, change, at: draft.now, why });
  }
}
