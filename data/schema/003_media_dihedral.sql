-- vigil schema v3: repost matching that does not depend on scan order.
--
-- media_dihedral keeps the 8 rotations/mirrors of a photo's PDQ (pdq.h order;
-- ord 0 is media.pdq), so that a video scanned later compares its frames with
-- every orientation of a stored photo, as a photo scanned later compares its
-- orientations with the stored frames. A photo stored before this migration
-- has no rows here: matching falls back to media.pdq until it is scanned again.
--
-- media.matched is 1 once repost and hash-list matching has run for the file
-- (a `vigil scan` without --no-match). A matching scan first matches the
-- media stored with 0, from their stored hashes, then sets it: 0 never
-- returns. Media stored before this migration count as unmatched (a scan
-- with --no-match cannot be told apart now), so the first matching scan after
-- it looks at them once more; a pair already recorded either way round is not
-- recorded again.

CREATE TABLE media_dihedral (
  sha256 TEXT NOT NULL REFERENCES media (sha256),
  ord INTEGER NOT NULL,               -- 0..7, pdq.h's dihedral order
  pdq TEXT NOT NULL,
  PRIMARY KEY (sha256, ord)
) WITHOUT ROWID;

ALTER TABLE media ADD COLUMN matched INTEGER NOT NULL DEFAULT 0;
