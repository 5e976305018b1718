-- 0013: the last time step (Unix time / 30 s) at which an account's TOTP
-- code was accepted; a code of that step or an earlier one is refused, so
-- a code seen over someone's shoulder cannot be used again (RFC 6238, 5.2).
ALTER TABLE staff_accounts ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
