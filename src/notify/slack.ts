// Chat notifications through a Slack incoming webhook: one POST of Block Kit JSON per message.
// Slack answers 200 "ok"; anything else is a failed delivery the outbox retries.

export interface ChatMessage {
  /** The notification's plain text (Slack shows it where blocks cannot be shown). */
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

export interface Chat {
  post(message: ChatMessage, options: { readonly key: string; readonly signal?: AbortSignal }): Promise<void>;
}

/** Slack's mrkdwn needs &, < and > escaped in text that is not a link or mention. */
export function mrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export interface AlertInput {
  readonly kind: "escalation" | "sla_breach" | "low_score" | "notice";
  readonly title: string;
  readonly text: string;
  readonly fields: readonly (readonly [string, string])[];
  readonly url?: string | undefined;
}

const ICONS: Readonly<Record<AlertInput["kind"], string>> = {
  escalation: ":rotating_light:",
  sla_breach: ":hourglass:",
  low_score: ":chart_with_downwards_trend:",
  notice: ":information_source:",
};

/** A Block Kit message: header, the text, the facts as fields, a link to the project. */
export function alertMessage(input: AlertInput): ChatMessage {
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: `${input.title}`.slice(0, 150), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: `${ICONS[input.kind]} ${mrkdwn(input.text)}`.slice(0, 3000) } },
  ];
  if (input.fields.length > 0)
    blocks.push({
      type: "section",
      fields: input.fields
        .slice(0, 10)
        .map(([label, value]) => ({ type: "mrkdwn", text: `*${mrkdwn(label)}*\n${mrkdwn(value)}`.slice(0, 2000) })),
    });
  if (input.url)
    blocks.push({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "Open the project" }, url: input.url, action_id: "open_project" }],
    });
  return { text: `${input.title}: ${input.text}`, blocks };
}

export function slackWebhook(url: string, fetchImpl: typeof fetch = fetch): Chat {
  return {
    async post(message, options) {
      const response = await fetchImpl(url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", "x-onboard-key": options.key },
        body: JSON.stringify({ text: message.text, blocks: message.blocks }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const body = await response.text();
      if (!response.ok) throw new Error(`Slack answered ${response.status}: ${body.slice(0, 200)}`);
    },
  };
}
