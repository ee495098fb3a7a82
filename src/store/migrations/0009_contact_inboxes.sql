-- In-app notifications for a client's contacts are kept under 'contact:' || contact id (see
-- inboxOf in src/notify/notifications.ts), so that a contact created with the same id as a user
-- never shows in that user's list. Rows written before for contacts move there; a row whose id is
-- both a user's and a contact's cannot be told apart and stays with the user.
UPDATE notifications
   SET person_id = 'contact:' || person_id
 WHERE person_id IN (SELECT id FROM contacts)
   AND person_id NOT IN (SELECT id FROM users);
