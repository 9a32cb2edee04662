-- An application's not-before (unix milliseconds, NULL: none): tokens issued before it
-- are refused whatever the application's state, so re-enabling a disabled application
-- does not bring its old tokens back.
ALTER TABLE apps ADD COLUMN not_before BIGINT;
-- The deny lists follow application changes incrementally (app_changes): a change
-- carries the not-before too.
ALTER TABLE app_changes ADD COLUMN not_before BIGINT;
