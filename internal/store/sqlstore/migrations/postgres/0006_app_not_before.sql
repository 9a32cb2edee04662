-- An application's not-before (unix milliseconds, NULL: none): tokens issued before it
-- are refused whatever the application's state, so re-enabling a disabled application
-- does not bring its old tokens back.
ALTER TABLE apps ADD COLUMN not_before BIGINT;
