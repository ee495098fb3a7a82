// Who is making a request: an active account, and how it proved it (a browser session, whose writes
// need the CSRF token, or an API token with a scope).
import type { Authentication } from "../../engine/types.ts";
import type { AccessRole } from "./roles.ts";

export interface SignedInUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly AccessRole[];
}

export type Credential =
  | {
      readonly kind: "session";
      readonly tokenHash: string;
      readonly csrfToken: string;
      readonly expiresAt: string;
      /** How the session was signed in (absent for sessions from before that was kept). */
      readonly authentication?: Authentication;
    }
  | { readonly kind: "token"; readonly tokenId: string; readonly scope: "read" | "write"; readonly authentication?: Authentication };

export interface Principal {
  readonly user: SignedInUser;
  readonly credential: Credential;
}
