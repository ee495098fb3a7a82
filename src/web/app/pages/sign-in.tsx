// Sign in: email and password, then, for accounts with a second factor, the authenticator's code
// (or a recovery code); an account that must set up TOTP first gets the secret to add to its app,
// confirms it with a first code, and sees its recovery codes once.
import { type FormEvent, useEffect, useState } from "react";
import { ApiError, api, describeError, type Schemas } from "../../api/client.ts";
import { Field } from "../../components/ui.tsx";
import { useTitle } from "../../lib/router.tsx";

type Step =
  | { kind: "password" }
  | { kind: "totp" }
  | { kind: "enrol"; enrolment: Schemas["TotpEnrolment"] }
  | { kind: "codes"; codes: string[] };

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  useTitle("Sign in", "Onboard");
  const [step, setStep] = useState<Step>({ kind: "password" });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [recovery, setRecovery] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [sso, setSso] = useState<Schemas["SignInMethods"]["singleSignOn"]>();
  // Offered only when the server has single sign-on configured.
  useEffect(() => {
    const controller = new AbortController();
    api
      .get("/auth/methods", { signal: controller.signal })
      .then(({ data }) => setSso(data.singleSignOn))
      .catch(() => undefined);
    return () => controller.abort();
  }, []);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401 && step.kind === "password"
          ? "That email and password do not match an account."
          : describeError(e),
      );
    } finally {
      setBusy(false);
    }
  };

  const submitPassword = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const reply = await api.post("/auth/login", { body: { email, password } });
      if (reply.status !== 202) return onSignedIn();
      const next = (reply.data as unknown as Schemas["SecondFactorRequired"]).next;
      if (next === "totp") setStep({ kind: "totp" });
      else setStep({ kind: "enrol", enrolment: (await api.post("/auth/login/totp-enrolment")).data });
    });
  };

  const submitCode = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const { data } = await api.post("/auth/login/totp", { body: recovery ? { recoveryCode: code.trim() } : { code: code.trim() } });
      if (data.recoveryCodes?.length) setStep({ kind: "codes", codes: data.recoveryCodes });
      else onSignedIn();
    });
  };

  return (
    <main className="signin">
      <div className="card">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ✓
          </span>
          Onboard
        </div>
        {step.kind === "password" ? (
          <>
            <h1>Sign in</h1>
            <p className="muted">Client onboarding, run the way your SOP says.</p>
            <form onSubmit={submitPassword} noValidate>
              <Field label="Email" required>
                {(p) => <input {...p} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />}
              </Field>
              <Field label="Password" required>
                {(p) => (
                  <input
                    {...p}
                    type="password"
                    autoComplete="current-password"
                    value={password}
                    onChange={(e) => setPassword(e.target.value)}
                  />
                )}
              </Field>
              <ErrorText error={error} />
              <button type="submit" className="primary" disabled={busy} style={{ width: "100%" }}>
                {busy ? "Signing in…" : "Sign in"}
              </button>
            </form>
            {sso?.enabled && sso.loginUrl ? (
              <p style={{ textAlign: "center", marginTop: "1rem" }}>
                <a className="button" href={sso.loginUrl} style={{ display: "flex" }}>
                  Sign in with single sign-on{sso.provider ? ` (${sso.provider})` : ""}
                </a>
              </p>
            ) : null}
          </>
        ) : step.kind === "codes" ? (
          <>
            <h1>Keep your recovery codes</h1>
            <p>Each signs you in once if you lose your authenticator. They are shown only now: store them somewhere safe.</p>
            <ul className="mono" style={{ columns: 2, paddingLeft: "1.2rem" }}>
              {step.codes.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
            <button type="button" className="primary" style={{ width: "100%" }} onClick={onSignedIn}>
              I have stored them: continue
            </button>
          </>
        ) : (
          <>
            <h1>{step.kind === "enrol" ? "Set up your authenticator" : "Two-step verification"}</h1>
            {step.kind === "enrol" ? (
              <div className="stack" style={{ gap: "0.5rem", marginBottom: "1rem" }}>
                <p style={{ margin: 0 }}>
                  Your account must use an authenticator app. Add this key to it (or <a href={step.enrolment.uri}>open it in the app</a> on
                  this device), then type the code it shows.
                </p>
                <code
                  style={{ userSelect: "all", wordBreak: "break-all", padding: "0.5rem", background: "var(--surface-2)", borderRadius: 6 }}
                >
                  {step.enrolment.secret}
                </code>
              </div>
            ) : (
              <p className="muted">
                {recovery ? "Type one of your recovery codes." : "Type the 6-digit code your authenticator app shows."}
              </p>
            )}
            <form onSubmit={submitCode} noValidate>
              <Field label={recovery ? "Recovery code" : "Code"} required>
                {(p) => (
                  <input
                    {...p}
                    inputMode={recovery ? "text" : "numeric"}
                    autoComplete="one-time-code"
                    value={code}
                    onChange={(e) => setCode(e.target.value)}
                  />
                )}
              </Field>
              <ErrorText error={error} />
              <button type="submit" className="primary" disabled={busy || !code.trim()} style={{ width: "100%" }}>
                {busy ? "Checking…" : "Verify"}
              </button>
            </form>
            {step.kind === "totp" ? (
              <p style={{ marginTop: "1rem" }}>
                <button type="button" className="link" onClick={() => setRecovery(!recovery)}>
                  {recovery ? "Use the authenticator code" : "Use a recovery code instead"}
                </button>
              </p>
            ) : null}
          </>
        )}
      </div>
    </main>
  );
}

function ErrorText({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <div className="notice error" role="alert" style={{ marginBottom: "1rem" }}>
      {error}
    </div>
  );
}
