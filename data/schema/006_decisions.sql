-- Reviewers' decisions on posts (the review app), and the index its queue
-- reads: flagged posts by score, highest first.
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  post_id INTEGER NOT NULL REFERENCES posts (id),
  type TEXT NOT NULL CHECK (type IN ('confirm', 'dismiss', 'escalate')),
  note TEXT NOT NULL DEFAULT '',
  actor TEXT NOT NULL,
  time INTEGER NOT NULL
);
CREATE INDEX decisions_by_post ON decisions (post_id, id);
CREATE INDEX posts_by_score ON posts (score DESC, id);
