// The form that adds or edits a CRM connection: who the CRM account is, its secrets, what "won"
// means, which playbook a deal runs, how the client, facts and deal owner are read, and the
// scheduled reconciliation. The server's field errors are shown at the field or row they name.
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { ApiError, describeError, type Schemas } from "../../api/client.ts";
import { type ConnectionView, CRM_KINDS, type CrmKind, createConnection, updateConnection } from "../../api/crm.ts";
import { DialogActions, Field } from "../../components/ui.tsx";
import {
  type ChoiceRow,
  type ConnectionDraft,
  DEFAULT_WON_NOTE,
  draftOf,
  emptyDraft,
  errorsByPointer,
  errorUnder,
  KIND_NAME,
  type PairRow,
  SECRETS_OF,
  secretsOf,
  settingsOf,
  TENANT_LABEL,
  unclaimedErrors,
  type WonRow,
} from "../../lib/crm-form.ts";
import { useResource } from "../../lib/use-resource.ts";
import { playbookInputs } from "./clients.tsx";

const WON_KINDS: readonly { kind: WonRow["kind"]; label: string }[] = [
  { kind: "stages", label: "The deal's stage is one of" },
  { kind: "field", label: "A field has one of these values" },
  { kind: "message", label: "Every message means won" },
];

export function ConnectionForm({
  editing,
  playbooks,
  people,
  onCancel,
  onSaved,
}: {
  editing: ConnectionView | undefined;
  playbooks: readonly Schemas["Playbook"][];
  people: readonly Schemas["Person"][];
  onCancel: () => void;
  onSaved: (view: ConnectionView) => void;
}) {
  const [draft, setDraft] = useState<ConnectionDraft>(() => (editing ? draftOf(editing) : emptyDraft()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<ConnectionDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const at = (pointer: string) => errorUnder(errors, pointer);
  const title = editing ? `Edit ${editing.settings.name}` : "Add a CRM connection";
  const declared = useDeclared(draft.playbooks, playbooks);
  // Opened below the list: bring it into view, its heading read first.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setError(undefined);
    try {
      const secrets = secretsOf(draft);
      const hasSecrets = Object.keys(secrets).length > 0;
      const view = editing
        ? await updateConnection(editing.id, editing.version, { settings: settingsOf(draft), ...(hasSecrets ? { secrets } : {}) })
        : await createConnection({
            id: draft.id.trim(),
            kind: draft.kind,
            settings: settingsOf(draft),
            ...(hasSecrets ? { secrets } : {}),
          });
      onSaved(view);
    } catch (e) {
      const found = errorsByPointer(e);
      setErrors(found);
      const elsewhere = unclaimedErrors(found, draft);
      const marked = Object.keys(found).length - elsewhere.length;
      setError(
        e instanceof ApiError && e.status === 412
          ? "Someone saved this connection since you opened it: cancel and edit it again to see their changes."
          : Object.keys(found).length === 0
            ? describeError(e)
            : [
                "Not saved:",
                marked > 0 ? `${marked === 1 ? "one field needs" : `${marked} fields need`} fixing, marked above.` : "",
                ...elsewhere.map((line) => `${line}.`),
              ]
                .filter(Boolean)
                .join(" "),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="crm-form-h" style={{ marginTop: "1.25rem" }}>
      <h3 id="crm-form-h" ref={heading} tabIndex={-1}>
        {title}
      </h3>
      <Group legend="The CRM account">
        <div className="form-grid">
          <Field label="CRM" error={at("kind")} required>
            {(p) => (
              <select {...p} value={draft.kind} disabled={editing !== undefined} onChange={(e) => set({ kind: e.target.value as CrmKind })}>
                {CRM_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {KIND_NAME[k]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Connection id"
            hint="Letters, digits, - and _; part of the webhook address, fixed once made."
            error={at("id")}
            required
          >
            {(p) => <input {...p} value={draft.id} disabled={editing !== undefined} onChange={(e) => set({ id: e.target.value })} />}
          </Field>
          <Field label="Name" hint="How admins know it, e.g. Pipedrive EU." error={at("settings/name")} required>
            {(p) => <input {...p} value={draft.name} onChange={(e) => set({ name: e.target.value })} />}
          </Field>
          <Field
            label={TENANT_LABEL[draft.kind]}
            hint={
              draft.kind === "salesforce"
                ? "Required: messages from another organization are refused."
                : "Deliveries from another account are refused; needed to reconcile."
            }
            error={at("settings/tenant")}
            required={draft.kind === "salesforce"}
          >
            {(p) => <input {...p} value={draft.tenant} onChange={(e) => set({ tenant: e.target.value })} />}
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          Enabled: won deals start onboardings (turned off, deliveries are recorded as rejected and can be replayed later)
        </label>
      </Group>

      <Group legend="Secrets" hint={editing ? "Secrets are never shown again. Leave a box blank to keep what is set." : undefined}>
        <div className="form-grid">
          {SECRETS_OF[draft.kind].map((s) => {
            const isSet = editing?.secretsSet[s.name] === true;
            return (
              <Field
                key={s.name}
                label={s.label}
                hint={isSet ? `Set — leave blank to keep. ${s.hint}` : s.hint}
                error={at(`secrets/${s.name}`)}
              >
                {(p) => (
                  <input
                    {...p}
                    type={s.password ? "password" : "text"}
                    autoComplete={s.password ? "new-password" : "off"}
                    value={draft.secrets[s.name]}
                    placeholder={isSet ? "set — leave blank to keep" : ""}
                    onChange={(e) => set({ secrets: { ...draft.secrets, [s.name]: e.target.value } })}
                  />
                )}
              </Field>
            );
          })}
        </div>
      </Group>

      <WonRules draft={draft} set={set} at={at} />
      <PlaybookChoices draft={draft} set={set} at={at} playbooks={playbooks} />

      <Group
        legend="The client"
        hint="The client is the deal's account (organization, company); these fields override what is read from it."
      >
        <div className="form-grid">
          <Field label="Client name field" hint="Default: the account's name, else the deal's." error={at("settings/client/name")}>
            {(p) => <input {...p} value={draft.client.name} onChange={(e) => set({ client: { ...draft.client, name: e.target.value } })} />}
          </Field>
          <Field label="Time zone field" hint="A field holding an IANA zone, e.g. Europe/Berlin." error={at("settings/client/timeZone")}>
            {(p) => (
              <input
                {...p}
                value={draft.client.timeZone}
                onChange={(e) => set({ client: { ...draft.client, timeZone: e.target.value } })}
              />
            )}
          </Field>
          <Field label="Country field" hint="Default: the account's country." error={at("settings/client/country")}>
            {(p) => (
              <input {...p} value={draft.client.country} onChange={(e) => set({ client: { ...draft.client, country: e.target.value } })} />
            )}
          </Field>
          <Field label="Default time zone" hint="When the field is empty or not a zone." error={at("settings/client/defaultTimeZone")}>
            {(p) => (
              <input
                {...p}
                value={draft.client.defaultTimeZone}
                onChange={(e) => set({ client: { ...draft.client, defaultTimeZone: e.target.value } })}
              />
            )}
          </Field>
        </div>
      </Group>

      <Pairs
        legend="Facts from the deal"
        hint={`A playbook fact's id and the CRM field that fills it; account.<field> reads the account. ${
          declared.facts.length > 0
            ? `The chosen playbooks declare: ${declared.facts.map((f) => f.words).join("; ")}.`
            : "Choose a playbook above to see the facts it declares."
        }`}
        keyOptions={declared.facts.map((f) => f.id)}
        rows={draft.facts}
        onChange={(facts) => set({ facts })}
        rowName="Fact mapping"
        keyLabel="Fact id"
        valueLabel="CRM field"
        addLabel="Add a fact mapping"
        errorOf={(row) => at(`settings/facts/${row.key.trim()}`)}
      />

      <Group
        legend="Deal owner"
        hint="The deal owner's person takes this playbook role on the new project; owners not listed are assigned by load."
      >
        <Field label="Role the deal owner takes" hint="Default: csm." error={at("settings/owners/role")}>
          {(p) => (
            <>
              <input {...p} list="crm-owner-roles" value={draft.ownerRole} onChange={(e) => set({ ownerRole: e.target.value })} />
              <datalist id="crm-owner-roles">
                {declared.roles.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.title}
                  </option>
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Pairs
          legend="Owners"
          rows={draft.owners}
          onChange={(owners) => set({ owners })}
          rowName="Owner"
          keyLabel="CRM owner id"
          valueLabel="Person"
          addLabel="Add an owner"
          errorOf={(row) => at(`settings/owners/people/${row.key.trim()}`)}
          valueInput={
            people.length > 0
              ? (props, value, onChange) => (
                  <select {...props} value={value} onChange={(e) => onChange(e.target.value)}>
                    <option value="">Choose a person</option>
                    {people.map((person) => (
                      <option key={person.id} value={person.id}>
                        {person.name}
                      </option>
                    ))}
                  </select>
                )
              : undefined
          }
        />
      </Group>

      <Group
        legend="Reconciliation and the CRM's API"
        hint="A scheduled pull of recently won deals through the CRM's API, for webhooks that were lost; needs the API token."
      >
        <label className="check">
          <input
            type="checkbox"
            checked={draft.reconcile.enabled}
            onChange={(e) => set({ reconcile: { ...draft.reconcile, enabled: e.target.checked } })}
          />
          Reconcile on a schedule
        </label>
        <div className="form-grid">
          <Field label="Every (minutes)" hint="5 to 1440." error={at("settings/reconcile/everyMinutes")}>
            {(p) => (
              <input
                {...p}
                type="number"
                min={5}
                max={1440}
                value={draft.reconcile.everyMinutes}
                onChange={(e) => set({ reconcile: { ...draft.reconcile, everyMinutes: e.target.value } })}
              />
            )}
          </Field>
          <Field label="Look back (hours)" hint="1 to 720." error={at("settings/reconcile/lookbackHours")}>
            {(p) => (
              <input
                {...p}
                type="number"
                min={1}
                max={720}
                value={draft.reconcile.lookbackHours}
                onChange={(e) => set({ reconcile: { ...draft.reconcile, lookbackHours: e.target.value } })}
              />
            )}
          </Field>
          <Field
            label="API base URL"
            hint={
              draft.kind === "salesforce"
                ? "Your instance URL, e.g. https://acme.my.salesforce.com."
                : draft.kind === "pipedrive"
                  ? "Default https://api.pipedrive.com; or https://<company>.pipedrive.com."
                  : "Default https://api.hubapi.com."
            }
            error={at("settings/apiBaseUrl")}
          >
            {(p) => <input {...p} type="url" value={draft.apiBaseUrl} onChange={(e) => set({ apiBaseUrl: e.target.value })} />}
          </Field>
        </div>
      </Group>

      <DialogActions onCancel={onCancel} submit={editing ? "Save connection" : "Add connection"} busy={busy} error={error} />
    </form>
  );
}

type Setter = (patch: Partial<ConnectionDraft>) => void;
type ErrorAt = (pointer: string) => string | undefined;

function Group({ legend, hint, children }: { legend: string; hint?: string | undefined; children: ReactNode }) {
  return (
    <fieldset className="facts-fieldset">
      <legend>{legend}</legend>
      {hint ? <p className="small muted">{hint}</p> : null}
      {children}
    </fieldset>
  );
}

function WonRules({ draft, set, at }: { draft: ConnectionDraft; set: Setter; at: ErrorAt }) {
  const update = (i: number, patch: Partial<WonRow>) => set({ won: draft.won.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  return (
    <Group
      legend="When is a deal won?"
      hint={
        draft.won.length === 0
          ? `${DEFAULT_WON_NOTE[draft.kind]} Add a rule to decide otherwise; any rule that matches means won.`
          : "Any rule that matches means won."
      }
    >
      {draft.won.map((rule, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; their index is their identity in the server's errors
        <fieldset key={i} className="field-group">
          <legend>Won rule {i + 1}</legend>
          <div className="form-grid">
            <Field label="Won when" error={at(`settings/won/${i}/kind`)}>
              {(p) => (
                <select {...p} value={rule.kind} onChange={(e) => update(i, { kind: e.target.value as WonRow["kind"] })}>
                  {WON_KINDS.map((k) => (
                    <option key={k.kind} value={k.kind}>
                      {k.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {rule.kind === "field" ? (
              <Field label="Field" hint="The CRM's API name, e.g. IsWon, status." error={at(`settings/won/${i}/field`)}>
                {(p) => <input {...p} value={rule.field} onChange={(e) => update(i, { field: e.target.value })} />}
              </Field>
            ) : null}
            {rule.kind !== "message" ? (
              <Field
                label={rule.kind === "stages" ? "Stages" : "Values"}
                hint="Comma-separated, any capitals."
                error={at(`settings/won/${i}/${rule.kind === "stages" ? "stages" : "equals"}`)}
              >
                {(p) => <input {...p} value={rule.values} onChange={(e) => update(i, { values: e.target.value })} />}
              </Field>
            ) : null}
          </div>
          <button type="button" className="small" onClick={() => set({ won: draft.won.filter((_, j) => j !== i) })}>
            Remove won rule {i + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" className="small" onClick={() => set({ won: [...draft.won, { kind: "stages", values: "", field: "" }] })}>
        Add a won rule
      </button>
    </Group>
  );
}

function PlaybookChoices({
  draft,
  set,
  at,
  playbooks,
}: {
  draft: ConnectionDraft;
  set: Setter;
  at: ErrorAt;
  playbooks: readonly Schemas["Playbook"][];
}) {
  const rows = draft.playbooks;
  const update = (i: number, patch: Partial<ChoiceRow>) => set({ playbooks: rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const move = (i: number, by: number) => {
    const next = [...rows];
    const [row] = next.splice(i, 1);
    if (row) next.splice(i + by, 0, row);
    set({ playbooks: next });
  };
  return (
    <Group
      legend="Which playbook a deal runs"
      hint="Choices are tried in order; the first whose condition matches (or that has none) decides."
    >
      {rows.map((row, i) => {
        const known = playbooks.some((p) => p.id === row.playbook || p.versions.some((v) => `${p.id}@${v.version}` === row.playbook));
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; their index is their identity in the server's errors
          <fieldset key={i} className="field-group">
            <legend>Choice {i + 1}</legend>
            <div className="form-grid">
              <Field
                label="Only when field"
                hint="Optional, e.g. pipeline_id; blank: every deal."
                error={at(`settings/playbooks/${i}/when/field`)}
              >
                {(p) => <input {...p} value={row.field} onChange={(e) => update(i, { field: e.target.value })} />}
              </Field>
              <Field label="Is one of" hint="Comma-separated values." error={at(`settings/playbooks/${i}/when/equals`)}>
                {(p) => <input {...p} value={row.equals} onChange={(e) => update(i, { equals: e.target.value })} />}
              </Field>
              <Field label="Playbook" error={at(`settings/playbooks/${i}/playbook`)} required>
                {(p) => (
                  <select {...p} value={row.playbook} onChange={(e) => update(i, { playbook: e.target.value })}>
                    <option value="">Choose a playbook</option>
                    {row.playbook && !known ? <option value={row.playbook}>{row.playbook}</option> : null}
                    {playbooks.map((pb) => (
                      // Two playbooks may share a title (a template and its adoption): the id tells them apart.
                      <optgroup key={pb.id} label={`${pb.title} (${pb.id})`}>
                        <option value={pb.id}>
                          {pb.title} ({pb.id}): latest published version
                        </option>
                        {[...pb.versions].reverse().map((v) => (
                          <option key={v.version} value={`${pb.id}@${v.version}`}>
                            {pb.title} ({pb.id}): version {v.version} only
                          </option>
                        ))}
                      </optgroup>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            <div className="row" style={{ gap: "0.4rem" }}>
              {i > 0 ? (
                <button type="button" className="small" onClick={() => move(i, -1)}>
                  Move choice {i + 1} up
                </button>
              ) : null}
              {rows.length > 1 ? (
                <button type="button" className="small" onClick={() => set({ playbooks: rows.filter((_, j) => j !== i) })}>
                  Remove choice {i + 1}
                </button>
              ) : null}
            </div>
          </fieldset>
        );
      })}
      <button type="button" className="small" onClick={() => set({ playbooks: [...rows, { field: "", equals: "", playbook: "" }] })}>
        Add a playbook choice
      </button>
    </Group>
  );
}

function Pairs({
  legend,
  hint,
  rows,
  onChange,
  rowName,
  keyOptions,
  keyLabel,
  valueLabel,
  addLabel,
  errorOf,
  valueInput,
}: {
  legend: string;
  hint?: string;
  rows: PairRow[];
  onChange: (rows: PairRow[]) => void;
  /** A row's name: its legend and its Remove button say it with the row's number. */
  rowName: string;
  /** Suggestions for the key box (a datalist). */
  keyOptions?: readonly string[] | undefined;
  keyLabel: string;
  valueLabel: string;
  addLabel: string;
  errorOf: (row: PairRow) => string | undefined;
  valueInput?: ((props: Record<string, unknown>, value: string, onChange: (value: string) => void) => ReactNode) | undefined;
}) {
  const update = (i: number, patch: Partial<PairRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const listId = `${useId()}-keys`;
  return (
    <Group legend={legend} hint={hint}>
      {keyOptions?.length ? (
        <datalist id={listId}>
          {keyOptions.map((k) => (
            <option key={k} value={k} />
          ))}
        </datalist>
      ) : null}
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place (their key is a text box)
        <fieldset key={i} className="field-group">
          <legend>
            {rowName} {i + 1}
          </legend>
          <div className="form-grid">
            <Field label={keyLabel} error={errorOf(row)}>
              {(p) => (
                <input
                  {...p}
                  list={keyOptions?.length ? listId : undefined}
                  value={row.key}
                  onChange={(e) => update(i, { key: e.target.value })}
                />
              )}
            </Field>
            <Field label={valueLabel}>
              {(p) =>
                valueInput ? (
                  valueInput(p, row.value, (value) => update(i, { value }))
                ) : (
                  <input {...p} value={row.value} onChange={(e) => update(i, { value: e.target.value })} />
                )
              }
            </Field>
          </div>
          <button type="button" className="small" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            Remove {rowName.toLowerCase()} {i + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" className="small" onClick={() => onChange([...rows, { key: "", value: "" }])}>
        {addLabel}
      </button>
    </Group>
  );
}

/**
 * The facts and internal roles the playbooks chosen so far declare, read from their published
 * sources: suggestions for the fact mappings and the owner's role (the server checks them again).
 */
function useDeclared(choices: readonly ChoiceRow[], playbooks: readonly Schemas["Playbook"][]) {
  const refs = [
    ...new Set(
      choices.flatMap((c) => {
        const [id, version] = c.playbook.split("@");
        const known = playbooks.find((p) => p.id === id);
        return id && known ? [`${id}@${version ?? known.latestVersion}`] : [];
      }),
    ),
  ].sort();
  const inputs = useResource(
    (): Promise<Awaited<ReturnType<typeof playbookInputs>>[]> =>
      Promise.all(
        refs.map((ref) => {
          const [id = "", version = ""] = ref.split("@");
          return playbookInputs(id, version);
        }),
      ),
    refs,
  );
  const facts = new Map<string, { id: string; words: string }>();
  const roles = new Map<string, { id: string; title: string }>();
  for (const playbook of inputs.data ?? []) {
    for (const f of playbook.facts)
      if (!facts.has(f.id)) facts.set(f.id, { id: f.id, words: `${f.id} (${f.label}, ${f.options ? f.options.join("/") : f.declared})` });
    for (const r of playbook.roles) if (r.side === "internal" && !roles.has(r.id)) roles.set(r.id, { id: r.id, title: r.title });
  }
  return { facts: [...facts.values()], roles: [...roles.values()] };
}
