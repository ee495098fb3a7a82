-- Issue 14: how each person of the team wants to hear what a client did in the portal (an
-- approval, a message, a file, a form, a survey answer, a ticked item). In the app always; by email
-- and in the team's chat when they ask for it. Keyed by the person's id (their account's).
CREATE TABLE notification_preferences (
  person_id text PRIMARY KEY,
  client_actions_email boolean NOT NULL DEFAULT false,
  client_actions_chat boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL
);
