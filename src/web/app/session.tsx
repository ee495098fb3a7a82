// Who is signed in, what they may do, and signing in and out. The session cookie is httpOnly; the
// CSRF token sits in a readable cookie the API client copies into X-CSRF-Token.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { ApiError, api, onSignedOut, type Schemas, send } from "../api/client.ts";
import type { paths } from "../api/schema.d.ts";

type SessionBody = paths["/auth/session"]["get"]["responses"][200]["content"]["application/json"];
export type Permission = SessionBody["permissions"][number];

export interface Session {
  readonly user: Schemas["SignedInUser"];
  readonly permissions: ReadonlySet<Permission>;
  can(permission: Permission): boolean;
  signOut(): Promise<void>;
  refresh(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in page");
  return session;
}

async function probe(): Promise<SessionBody | null> {
  try {
    const { data } = await send<SessionBody>("GET", "/auth/session", {}, { csrfCookie: "onboard_csrf", notifySignedOut: false });
    return data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function SessionGate({ signIn, children }: { signIn: (done: () => void) => ReactNode; children: ReactNode }) {
  const [state, setState] = useState<{ body: SessionBody | null; error?: unknown } | undefined>();
  const refresh = useCallback(async () => {
    try {
      setState({ body: await probe() });
    } catch (error) {
      setState({ body: null, error });
    }
  }, []);
  useEffect(() => {
    void refresh();
    return onSignedOut(() => setState({ body: null }));
  }, [refresh]);
  if (!state) return <div className="signin" aria-busy="true" />;
  if (!state.body) return <>{signIn(() => void refresh())}</>;
  const permissions = new Set(state.body.permissions);
  const session: Session = {
    user: state.body.user,
    permissions,
    can: (p) => permissions.has(p),
    async signOut() {
      await api.post("/auth/logout").catch(() => undefined);
      setState({ body: null });
    },
    refresh,
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
