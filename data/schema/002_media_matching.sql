-- vigil schema v2: perceptual matching. Video frame hashes, named hash lists
-- (known media shared by platforms and NGOs), and the matches found for each
-- media file — against lists, and against other media in this store.

ALTER TABLE media ADD COLUMN pdq_error TEXT NOT NULL DEFAULT '';  -- why there is no pdq

CREATE TABLE media_frames (
  sha256 TEXT NOT NULL REFERENCES media (sha256),
  ord INTEGER NOT NULL,               -- sampled frame number (about one per second)
  frame_index INTEGER NOT NULL,       -- index among all decoded frames
  ts REAL NOT NULL,                   -- seconds from the start
  pdq TEXT NOT NULL,
  quality INTEGER NOT NULL,
  PRIMARY KEY (sha256, ord)
) WITHOUT ROWID;

CREATE TABLE hash_lists (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,               -- where it came from (file, exchange)
  labels TEXT NOT NULL,               -- JSON array of strings
  pdq_threshold INTEGER NOT NULL,     -- match radius for this list's PDQ hashes
  created INTEGER NOT NULL
);

CREATE TABLE hash_list_entries (
  list_id INTEGER NOT NULL REFERENCES hash_lists (id),
  signal_type TEXT NOT NULL,          -- pdq, md5, sha1, sha256
  value TEXT NOT NULL,                -- lower-case hex
  labels TEXT NOT NULL,                -- JSON array of strings
  category TEXT NOT NULL,
  source TEXT NOT NULL,               -- where the entry came from (collab, case)
  PRIMARY KEY (list_id, signal_type, value)
) WITHOUT ROWID;

CREATE TABLE media_matches (
  sha256 TEXT NOT NULL REFERENCES media (sha256),
  kind TEXT NOT NULL,                 -- 'list' or 'media'
  target TEXT NOT NULL,               -- list entry value, or the other media's sha256
  list_name TEXT NOT NULL,            -- '' for kind 'media'
  signal_type TEXT NOT NULL,          -- what matched: pdq, md5, sha256, ...
  labels TEXT NOT NULL,
  distance INTEGER NOT NULL,          -- Hamming distance; 0 for exact hashes
  PRIMARY KEY (sha256, kind, target, list_name)
) WITHOUT ROWID;
CREATE INDEX media_matches_by_target ON media_matches (target);
