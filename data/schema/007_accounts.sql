-- Review-app accounts: who may sign in, with which role. Passwords are kept
-- only as Argon2id hashes (libsodium's crypto_pwhash_str format).
CREATE TABLE accounts (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'analyst', 'auditor')),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
