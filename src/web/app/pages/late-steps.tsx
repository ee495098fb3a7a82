// The steps behind "late": every late and due-soon step across the portfolio, soonest deadline
// first, with the client, the phase and who owns it (GET /portfolio/steps), a page at a time.
import { useEffect, useState } from "react";
import { api, describeError, type Schemas } from "../../api/client.ts";
import { Empty, Loading } from "../../components/ui.tsx";
import { dueLabel, shortDate } from "../../lib/format.ts";
import { Link } from "../../lib/router.tsx";

type Step = Schemas["PortfolioStep"];
const PAGE = 10;

export function LateSteps({ within, onWithin }: { within: number; onWithin: (days: number) => void }) {
  const [items, setItems] = useState<Step[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>(undefined);

  const load = async (after: string | null, signal?: AbortSignal) => {
    setLoading(true);
    setError(undefined);
    try {
      const { data } = await api.get("/portfolio/steps", {
        query: { within, limit: PAGE, ...(after ? { cursor: after } : {}) },
        ...(signal ? { signal } : {}),
      });
      setItems((prev) => (after ? [...prev, ...data.items] : data.items));
      setCursor(data.nextCursor);
    } catch (e) {
      if (!signal?.aborted) setError(describeError(e));
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the horizon changes
  useEffect(() => {
    const controller = new AbortController();
    void load(null, controller.signal);
    return () => controller.abort();
  }, [within]);

  return (
    <section className="card late-steps" aria-labelledby="late-steps-h">
      <div className="card-header">
        <h2 id="late-steps-h">{within === 0 ? "Late steps" : "Late and due soon"}</h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">Which steps</legend>
          <button type="button" aria-pressed={within === 0} onClick={() => onWithin(0)}>
            Late only
          </button>
          <button type="button" aria-pressed={within === 7} onClick={() => onWithin(7)}>
            Due within 7 days
          </button>
        </fieldset>
      </div>
      {error ? (
        <div className="notice error" role="alert">
          The steps could not be loaded: {error}
        </div>
      ) : null}
      {loading && items.length === 0 ? (
        <Loading lines={3} label="Loading late steps" />
      ) : items.length === 0 && !error ? (
        <Empty title={within === 0 ? "Nothing is late" : "Nothing is late or due in the next 7 days"} />
      ) : (
        <ul className="late-list">
          {items.map((s) => (
            <li key={`${s.projectId}/${s.step}`}>
              <div className="late-main">
                <Link to={`/app/projects/${encodeURIComponent(s.projectId)}`}>{s.clientName}</Link>
                <span> · {s.title}</span>
              </div>
              <div className="small">
                <span className={s.late ? "late-due" : "muted"}>
                  {shortDate(s.dueAt)} · {dueLabel(s.dueAt)}
                </span>
                <span className="muted">
                  {" "}
                  · {s.ownerRoleTitle}: {s.owner ? s.owner.name : "Unassigned"}
                </span>
              </div>
            </li>
          ))}
        </ul>
      )}
      {cursor ? (
        <button type="button" onClick={() => void load(cursor)} disabled={loading}>
          Show more steps
        </button>
      ) : null}
    </section>
  );
}
