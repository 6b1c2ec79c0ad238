-- vigil schema: which media files have had their faces searched (with how
-- many found), so a re-run or a resumed scan does not run the detector again
-- on a file it has already searched; their stored faces are matched instead.
CREATE TABLE media_face_search (
  sha256 TEXT PRIMARY KEY REFERENCES media (sha256),
  faces INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO media_face_search (sha256, faces)
  SELECT sha256, COUNT(*) FROM media_faces GROUP BY sha256;
