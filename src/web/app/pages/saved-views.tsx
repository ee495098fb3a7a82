// Saved, shareable views of the portfolio: the filters live in the URL, so "Copy link" shares the
// view as it is; "Save this view" keeps it under a name (GET/POST/DELETE /portfolio/views, each
// person's own) to open again from the list, or delete.
import { type FormEvent, useState } from "react";
import { ApiError, api, describeError } from "../../api/client.ts";
import { Field } from "../../components/ui.tsx";
import { Link, useLocation } from "../../lib/router.tsx";
import { useResource } from "../../lib/use-resource.ts";

export function SavedViews() {
  const { pathname, search } = useLocation();
  const current = `${pathname}${search.size > 0 ? `?${search.toString()}` : ""}`;
  const views = useResource(async (signal) => (await api.get("/portfolio/views", { signal })).data.items, []);
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [copy, setCopy] = useState<{ ok: boolean; link: string } | undefined>();
  const [confirming, setConfirming] = useState<string | undefined>();
  const [listMessage, setListMessage] = useState<{ tone: "error" | "success"; text: string } | undefined>();

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaved(undefined);
    setNameError(undefined);
    if (!name.trim()) {
      setNameError("Give the view a name");
      return;
    }
    setBusy(true);
    try {
      const { data } = await api.post("/portfolio/views", { body: { name: name.trim(), path: current } });
      setSaved(`Saved as “${data.name}”.`);
      setName("");
      await views.reload();
    } catch (error) {
      setNameError(
        error instanceof ApiError ? (error.fieldErrors().name ?? error.fieldErrors().path ?? describeError(error)) : describeError(error),
      );
    } finally {
      setBusy(false);
    }
  }

  async function remove(id: string, viewName: string) {
    setListMessage(undefined);
    try {
      await api.delete("/portfolio/views/{id}", { path: { id } });
      setConfirming(undefined);
      setListMessage({ tone: "success", text: `Deleted “${viewName}”.` });
      await views.reload();
    } catch (error) {
      setListMessage({ tone: "error", text: `“${viewName}” was not deleted: ${describeError(error)}` });
    }
  }

  async function copyLink() {
    const link = window.location.href;
    try {
      await navigator.clipboard.writeText(link);
      setCopy({ ok: true, link });
    } catch {
      setCopy({ ok: false, link });
    }
  }

  const items = views.data ?? [];
  return (
    <section className="card saved-views" aria-labelledby="saved-views-h">
      <div className="card-header">
        <h2 id="saved-views-h">Saved views</h2>
        <div className="row">
          <button type="button" onClick={() => void copyLink()}>
            Copy link
          </button>
        </div>
      </div>
      <div aria-live="polite">
        {copy?.ok ? <p className="notice success inline-notice">Link to this view copied: paste it to share.</p> : null}
        {copy && !copy.ok ? (
          <div className="field">
            <label htmlFor="view-link">Link to this view (copy it from here)</label>
            <input id="view-link" readOnly value={copy.link} onFocus={(e) => e.target.select()} />
          </div>
        ) : null}
      </div>
      {views.error ? (
        <p className="notice error inline-notice">Your saved views could not be loaded: {describeError(views.error)}</p>
      ) : null}
      {items.length === 0 && views.data ? (
        <p className="muted small">No saved views yet: set the filters, name the view and save it.</p>
      ) : null}
      {items.length > 0 ? (
        <ul className="saved-view-list" aria-label="Your saved views">
          {items.map((v) => (
            <li key={v.id}>
              <Link to={v.path} aria-current={v.path === current ? "page" : undefined}>
                {v.name}
              </Link>
              {confirming === v.id ? (
                <span className="row">
                  <button type="button" className="danger" onClick={() => void remove(v.id, v.name)}>
                    Delete “{v.name}”
                  </button>
                  <button type="button" onClick={() => setConfirming(undefined)}>
                    Keep it
                  </button>
                </span>
              ) : (
                <button type="button" className="link" aria-label={`Delete the view “${v.name}”`} onClick={() => setConfirming(v.id)}>
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <div aria-live="polite">{listMessage ? <p className={`notice ${listMessage.tone} inline-notice`}>{listMessage.text}</p> : null}</div>
      <form className="saved-view-form" onSubmit={(e) => void save(e)} noValidate>
        <Field label="Name this view" error={nameError} hint="Saves the filters and sorting shown now.">
          {(props) => <input {...props} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          Save this view
        </button>
        <span aria-live="polite" className="small">
          {saved}
        </span>
      </form>
    </section>
  );
}
