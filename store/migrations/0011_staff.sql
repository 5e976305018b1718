-- 0011: the people who run the node from a browser (issue 11): staff
-- accounts, their server-side sessions, one-time invitations, recovery codes
-- of the second factor, failed sign-ins (throttling) and the audit trail.

-- A staff account. password_hash is a PHC string (argon2id); it is empty
-- while an invitation is open: such an account cannot sign in.
CREATE TABLE staff_accounts (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
  password_hash TEXT NOT NULL DEFAULT '',
  email         TEXT NOT NULL DEFAULT '',
  disabled      INTEGER NOT NULL DEFAULT 0,
  totp_secret   TEXT NOT NULL DEFAULT '',
  totp_enabled  INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;

-- A signed-in browser. The cookie holds a random id; only its SHA-256 is
-- stored, so a copy of the database opens no session. pending_factor is 1
-- between the password and the second factor.
CREATE TABLE staff_sessions (
  id_hash        BLOB PRIMARY KEY,
  account_id     INTEGER NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
  csrf_token     TEXT NOT NULL,
  pending_factor INTEGER NOT NULL DEFAULT 0,
  address        TEXT NOT NULL DEFAULT '',
  created_at     TEXT NOT NULL,
  last_seen_at   TEXT NOT NULL
) STRICT;
CREATE INDEX staff_sessions_by_account ON staff_sessions (account_id);

-- A one-time link with which an invited colleague sets their password.
CREATE TABLE staff_invites (
  token_hash BLOB PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
  expires_at TEXT NOT NULL
) STRICT;

-- One-time recovery codes of the second factor, hashed.
CREATE TABLE staff_recovery_codes (
  account_id INTEGER NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
  code_hash  BLOB NOT NULL,
  PRIMARY KEY (account_id, code_hash)
) STRICT;

-- Failed sign-ins and bearer-token attempts, kept for the throttling
-- window: account is the lower-cased name tried ('' for a token).
CREATE TABLE auth_failures (
  id      INTEGER PRIMARY KEY,
  at      TEXT NOT NULL,
  account TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL
) STRICT;
CREATE INDEX auth_failures_by_account ON auth_failures (account, at) WHERE account <> '';
CREATE INDEX auth_failures_by_address ON auth_failures (address, at);

-- The audit trail: who changed what, when, from where. No foreign key: an
-- entry outlives the account and the object it names.
CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY,
  at      TEXT NOT NULL,
  actor   TEXT NOT NULL,
  kind    TEXT NOT NULL,
  object  TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
CREATE INDEX audit_log_by_kind ON audit_log (kind, id);
