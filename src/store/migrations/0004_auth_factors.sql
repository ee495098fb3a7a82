-- Sign-in factors (issue #4, people and access, item 3): TOTP second factor with recovery codes,
-- the admin's requirement of it, the short-lived state between the password and the code, and
-- accounts linked to an OpenID Connect provider. Secrets are kept encrypted (TOTP) or hashed
-- (recovery codes, pending sign-ins, SSO flows): a database dump gives no one a way in.

-- An account's TOTP authenticator (RFC 6238). One per account; `confirmed_at` is null while the
-- enrolment waits for its first valid code.
CREATE TABLE user_totp (
  user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  -- "aes256gcm:<iv>:<tag>:<ciphertext>" with TOTP_ENCRYPTION_KEY, else "plain:<base32>".
  secret text NOT NULL,
  created_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  -- The time step (unix seconds / 30) of the last code accepted: a code is accepted once.
  last_step bigint,
  -- Wrong codes in a row, across sign-ins; too many lock the second factor for a while.
  failed_attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz
);

-- Single-use recovery codes of an enrolled account: SHA-256 of each code.
CREATE TABLE totp_recovery_codes (
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- Who must use TOTP: everyone (the one row of auth_settings) or the accounts listed here.
CREATE TABLE auth_settings (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  totp_required boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL,
  updated_by text REFERENCES users (id) ON DELETE SET NULL
);
CREATE TABLE totp_required_users (
  user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  required_at timestamptz NOT NULL,
  required_by text REFERENCES users (id) ON DELETE SET NULL
);

-- A sign-in whose password was right and that waits for the second factor (or for the TOTP
-- enrolment the account must make). The browser holds a random token in an HttpOnly cookie; only
-- its SHA-256 is here. Short-lived, and a few wrong codes end it.
CREATE TABLE login_challenges (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('totp', 'totp_enrolment')),
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX login_challenges_expires ON login_challenges (expires_at);

-- An account linked to an OpenID Connect identity: the provider's issuer and subject identify it.
CREATE TABLE oidc_identities (
  issuer text NOT NULL,
  subject text NOT NULL,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email text NOT NULL,
  created_at timestamptz NOT NULL,
  last_login_at timestamptz NOT NULL,
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities (user_id);

-- An authorization code flow in progress: the browser holds a random token in a cookie (its
-- SHA-256 here) and the provider sends back `state`; PKCE verifier and nonce stay server-side.
CREATE TABLE oidc_flows (
  token_hash text PRIMARY KEY,
  state text NOT NULL,
  nonce text NOT NULL,
  code_verifier text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_flows_expires ON oidc_flows (expires_at);
