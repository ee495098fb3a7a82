// How I hear of what clients do (issue 14 item 9): in the app always; by email and in the team's
// chat when I tick them. Saved with its outcome next to the button.
import { type FormEvent, useEffect, useState } from "react";
import { api, describeError } from "../../api/client.ts";
import { Loading } from "../../components/ui.tsx";
import { useResource } from "../../lib/use-resource.ts";

export function NotificationPreferences() {
  const current = useResource(async (signal) => (await api.get("/notifications/preferences", { signal })).data, []);
  const [email, setEmail] = useState(false);
  const [chat, setChat] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ tone: "success" | "error"; text: string } | undefined>(undefined);
  useEffect(() => {
    if (!current.data) return;
    setEmail(current.data.clientActionsEmail);
    setChat(current.data.clientActionsChat);
  }, [current.data]);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setOutcome(undefined);
    try {
      await api.put("/notifications/preferences", { body: { clientActionsEmail: email, clientActionsChat: chat } });
      setOutcome({ tone: "success", text: "Saved." });
    } catch (error) {
      setOutcome({ tone: "error", text: `Not saved: ${describeError(error)}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card preferences" aria-labelledby="preferences-h" style={{ marginBottom: "1rem" }}>
      <h2 id="preferences-h">When a client acts</h2>
      <p className="muted small">
        An approval or rejection, a message, a file, a form, a survey answer or a ticked item on an onboarding where you hold a role: always
        here, and also…
      </p>
      {current.loading && !current.data ? (
        <Loading lines={2} label="Loading your preferences" />
      ) : (
        <form onSubmit={save}>
          <label className="checkbox">
            <input type="checkbox" checked={email} onChange={(e) => setEmail(e.target.checked)} /> by email
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={chat} onChange={(e) => setChat(e.target.checked)} /> in the team's chat (Slack)
          </label>
          <div className="row" style={{ alignItems: "center", gap: "0.75rem" }}>
            <button type="submit" className="primary" disabled={busy}>
              Save preferences
            </button>
            <span aria-live="polite" className={outcome?.tone === "error" ? "pref-error" : "muted small"}>
              {outcome?.text ?? ""}
            </span>
          </div>
        </form>
      )}
    </section>
  );
}
