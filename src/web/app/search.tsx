// The one search box (issue 14 item 8): clients (also those whose onboarding is closed or
// cancelled), projects, contacts and playbooks, as the person types (GET /search), each a link.
import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { api, describeError, type Schemas } from "../api/client.ts";
import { humanize } from "../lib/format.ts";
import { Link, useLocation } from "../lib/router.tsx";

type Results = Schemas["SearchResults"];

const STATUS: Record<string, string> = { active: "Active", on_hold: "On hold", closed: "Closed", cancelled: "Cancelled" };

export function GlobalSearch() {
  const id = useId();
  const { pathname } = useLocation();
  const [q, setQ] = useState("");
  const [results, setResults] = useState<Results | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: close the results on every navigation
  useEffect(() => {
    setOpen(false);
    setQ("");
  }, [pathname]);
  useEffect(() => {
    const text = q.trim();
    if (text.length < 2) {
      setResults(undefined);
      setError(undefined);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api
        .get("/search", { query: { q: text, limit: 6 }, signal: controller.signal })
        .then(({ data }) => {
          setResults(data);
          setError(undefined);
          setOpen(true);
        })
        .catch((e: unknown) => {
          if (!controller.signal.aborted) setError(describeError(e));
        });
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);
  useEffect(() => {
    const close = (event: MouseEvent) => {
      if (box.current && !box.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, []);
  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Escape") setOpen(false);
  };
  const total = results ? results.clients.length + results.projects.length + results.contacts.length + results.playbooks.length : 0;
  return (
    <div className="global-search" ref={box}>
      <search>
        <form aria-label="Everything" onSubmit={(e) => e.preventDefault()}>
          {/* A short name (pages' own fields say "Client", "Playbook"); what it finds is its description. */}
          <label htmlFor={`${id}-q`} className="visually-hidden">
            Search
          </label>
          <span id={`${id}-hint`} className="visually-hidden">
            Finds clients (also closed and cancelled), onboardings, contacts and playbooks
          </span>
          <input
            id={`${id}-q`}
            type="search"
            placeholder="Search…"
            autoComplete="off"
            aria-describedby={`${id}-hint`}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onFocus={() => results && setOpen(true)}
            onKeyDown={onKey}
            {...(open && q.trim().length >= 2 ? { "aria-controls": `${id}-results` } : {})}
          />
        </form>
      </search>
      {open && q.trim().length >= 2 ? (
        <div id={`${id}-results`} className="search-results" aria-live="polite">
          {error ? <p className="notice error">The search failed: {error}</p> : null}
          {results && total === 0 ? <p className="muted">Nothing matches “{results.q}”.</p> : null}
          {results && results.clients.length > 0 ? (
            <Group title="Clients">
              {results.clients.map((c) => (
                <li key={c.id}>
                  {c.projectId ? <Link to={`/app/projects/${encodeURIComponent(c.projectId)}`}>{c.name}</Link> : <span>{c.name}</span>}
                  <span className="muted small"> {c.status ? (STATUS[c.status] ?? humanize(c.status)) : "No onboarding yet"}</span>
                </li>
              ))}
            </Group>
          ) : null}
          {results && results.projects.length > 0 ? (
            <Group title="Onboardings">
              {results.projects.map((p) => (
                <li key={p.id}>
                  <Link to={`/app/projects/${encodeURIComponent(p.id)}`}>{p.clientName}</Link>
                  <span className="muted small">
                    {" "}
                    {p.playbookTitle} · {STATUS[p.status] ?? humanize(p.status)}
                  </span>
                </li>
              ))}
            </Group>
          ) : null}
          {results && results.contacts.length > 0 ? (
            <Group title="Contacts">
              {results.contacts.map((c) => (
                <li key={c.id}>
                  {c.projectId ? <Link to={`/app/projects/${encodeURIComponent(c.projectId)}`}>{c.name}</Link> : <span>{c.name}</span>}
                  <span className="muted small">
                    {" "}
                    {c.email} · {c.clientName}
                    {c.active ? "" : " · deactivated"}
                  </span>
                </li>
              ))}
            </Group>
          ) : null}
          {results && results.playbooks.length > 0 ? (
            <Group title="Playbooks">
              {results.playbooks.map((p) => (
                <li key={p.id}>
                  <Link to={`/app/playbooks/${encodeURIComponent(p.id)}`}>{p.title}</Link>
                  <span className="muted small"> version {p.version}</span>
                </li>
              ))}
            </Group>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function Group({ title, children }: { title: string; children: React.ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id}>
      <h2 id={id} className="search-group">
        {title}
      </h2>
      <ul>{children}</ul>
    </section>
  );
}
