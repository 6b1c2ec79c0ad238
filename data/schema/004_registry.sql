-- vigil schema: the registry of the missing, and faces found in scanned media.
--
-- Registry rows hold only what statistics need in clear (case code, status,
-- times, who changed what); names, contacts, notes, photos and their hashes
-- and face embeddings are sealed blobs (XChaCha20-Poly1305, key derived from
-- the installation key, never stored here). See include/vigil/registry.

CREATE TABLE registry_persons (
  case_code TEXT PRIMARY KEY,         -- what analysts see, e.g. C-0142
  status TEXT NOT NULL,               -- missing, sighted, located, rescued, reunited, deceased, closed
  sealed BLOB NOT NULL,               -- personal fields (JSON), sealed
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE registry_status (
  id INTEGER PRIMARY KEY,
  case_code TEXT NOT NULL REFERENCES registry_persons (case_code),
  from_status TEXT NOT NULL,          -- '' for the first entry
  to_status TEXT NOT NULL,
  actor TEXT NOT NULL,
  time INTEGER NOT NULL,              -- unix seconds
  sealed_reason BLOB NOT NULL         -- why, sealed
);
CREATE INDEX registry_status_by_case ON registry_status (case_code, id);
CREATE INDEX registry_status_by_time ON registry_status (time);

CREATE TABLE registry_photos (
  id INTEGER PRIMARY KEY,
  case_code TEXT NOT NULL REFERENCES registry_persons (case_code),
  sealed_image BLOB NOT NULL,         -- the photo's bytes, sealed
  sealed_features BLOB NOT NULL,      -- sha256, PDQ, face boxes and embeddings (JSON), sealed
  added INTEGER NOT NULL
);
CREATE INDEX registry_photos_by_case ON registry_photos (case_code);

-- Confirmed matches: a person seen in a post.
CREATE TABLE registry_sightings (
  id INTEGER PRIMARY KEY,
  case_code TEXT NOT NULL REFERENCES registry_persons (case_code),
  media_sha256 TEXT NOT NULL,
  platform TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  external_id TEXT NOT NULL,          -- the post
  post_time INTEGER NOT NULL,
  distance REAL NOT NULL,             -- face distance (or PDQ bits for a hash match)
  actor TEXT NOT NULL,
  time INTEGER NOT NULL,
  UNIQUE (case_code, media_sha256, platform, channel_id, external_id)
);

-- Faces the scan found in a media file (by sha256), with their embeddings so
-- that a person registered later is looked for in what was already scanned.
CREATE TABLE media_faces (
  sha256 TEXT NOT NULL REFERENCES media (sha256),
  face INTEGER NOT NULL,              -- 0-based, in detection order
  x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL,
  embedding BLOB NOT NULL,            -- 128 little-endian float32
  PRIMARY KEY (sha256, face)
) WITHOUT ROWID;

-- Candidate matches of a detected face (or a whole photo by PDQ) with a
-- registry person, for review. kind: 'face' or 'pdq'.
CREATE TABLE face_matches (
  sha256 TEXT NOT NULL,
  face INTEGER NOT NULL,              -- -1 for a PDQ match of the whole photo
  case_code TEXT NOT NULL,
  photo_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  distance REAL NOT NULL,
  PRIMARY KEY (sha256, face, case_code, photo_id)
) WITHOUT ROWID;
CREATE INDEX face_matches_by_case ON face_matches (case_code);
