-- How each session was signed in (issue #17): a sign-off records how its signer authenticated, in
-- the chain, for the evidence package. A team session remembers its method (password,
-- password_totp, sso) and its detail (the SSO issuer); a portal session the address its magic link
-- was mailed to. Sessions from before stay NULL: their sign-offs say nothing about it.
ALTER TABLE sessions ADD COLUMN auth_method text;
ALTER TABLE sessions ADD COLUMN auth_detail text;
ALTER TABLE contact_sessions ADD COLUMN signed_in_as text;
