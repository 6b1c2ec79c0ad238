-- vigil schema v1. Migrations are applied in file-name order, each in its own
-- transaction, and PRAGMA user_version records how many have run. Never edit a
-- released migration: add the next numbered file.
--
-- Idempotence: posts are keyed by (platform, channel_id, external_id), media by
-- sha256, selectors by (kind, value); child rows of a post are replaced as a
-- whole when the post is written again.

CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  platform TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  external_id TEXT NOT NULL,
  channel_title TEXT NOT NULL,
  channel_type TEXT NOT NULL,
  author_name TEXT NOT NULL,
  author_id TEXT NOT NULL,
  time INTEGER NOT NULL,              -- seconds since the epoch (see Post::time_is_utc)
  time_is_utc INTEGER NOT NULL,
  local_time TEXT NOT NULL,
  utc_offset_minutes INTEGER,         -- NULL when unknown
  text TEXT NOT NULL,
  entities TEXT NOT NULL,             -- JSON [{"type","text","href"}]
  forwarded_from TEXT NOT NULL,
  reply_to TEXT NOT NULL,
  edited INTEGER NOT NULL,
  service INTEGER NOT NULL,
  source_file TEXT NOT NULL,
  source_item TEXT NOT NULL,
  -- Spelt as ORs: an IN list here builds a temporary b-tree on every insert.
  category TEXT NOT NULL CHECK (category = 'sale_offer' OR category = 'sale_request' OR
                                category = 'appeal' OR category = 'other'),
  score REAL NOT NULL,
  reasons TEXT NOT NULL,              -- JSON [{"class","term","lang","begin","end"}]
  first_seen INTEGER NOT NULL,        -- when this store first wrote the post
  UNIQUE (platform, channel_id, external_id)
);
-- Only `time`: ties are few, and a narrow index keeps writes cheap.
CREATE INDEX posts_by_time ON posts (time);

CREATE TABLE selectors (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,                 -- phone, handle, url, email, price, age, wallet
  value TEXT NOT NULL,                -- canonical form
  UNIQUE (kind, value)
);

CREATE TABLE post_selectors (
  post_id INTEGER NOT NULL REFERENCES posts (id),
  selector_id INTEGER NOT NULL REFERENCES selectors (id),
  begin INTEGER NOT NULL,             -- byte span in posts.text
  end INTEGER NOT NULL,
  ord INTEGER NOT NULL,               -- position in Analysis::selectors
  PRIMARY KEY (post_id, selector_id, begin)
) WITHOUT ROWID;
CREATE INDEX post_selectors_by_selector ON post_selectors (selector_id);

CREATE TABLE media (
  sha256 TEXT PRIMARY KEY,            -- lower-case hex
  md5 TEXT NOT NULL,
  size INTEGER NOT NULL,
  type TEXT NOT NULL,                 -- sniffed: jpeg, png, mp4, ..., unknown
  mime TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  pdq TEXT NOT NULL DEFAULT '',
  pdq_quality INTEGER NOT NULL DEFAULT -1
) WITHOUT ROWID;

CREATE TABLE post_media (
  post_id INTEGER NOT NULL REFERENCES posts (id),
  ord INTEGER NOT NULL,               -- index in Post::media
  sha256 TEXT REFERENCES media (sha256),  -- NULL when the file was not inspected
  name TEXT NOT NULL,
  kind TEXT NOT NULL,                 -- photo, video, audio, sticker, animation, document, other
  declared_mime TEXT NOT NULL,
  declared_size INTEGER,
  declared_width INTEGER,
  declared_height INTEGER,
  path TEXT NOT NULL,
  missing_reason TEXT NOT NULL,
  error TEXT NOT NULL,                -- why the file has no media row ('' when it has one)
  PRIMARY KEY (post_id, ord)
) WITHOUT ROWID;
CREATE INDEX post_media_by_sha256 ON post_media (sha256);

CREATE TABLE scan_errors (
  id INTEGER PRIMARY KEY,
  file TEXT NOT NULL,
  item TEXT NOT NULL,
  reason TEXT NOT NULL,
  UNIQUE (file, item, reason)
);
