// SQLite implementation of RegistryStore. Statements are prepared per call:
// registry commands are rare and small, the scan's hot path is elsewhere.
#include <cstring>
#include <set>
#include <utility>

#include "src/store/backend.h"
#include "src/store/sql.h"
#include "vigil/store/registry_store.h"
#include "vigil/store/store.h"

namespace vigil::store {
namespace {

constexpr std::string_view kUpsertFaceMatch = R"sql(
INSERT INTO face_matches (sha256, face, case_code, photo_id, kind, distance)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (sha256, face, case_code, photo_id) DO UPDATE
SET kind = excluded.kind, distance = excluded.distance)sql";

using Transaction = WriteTransaction;

// Prepares `sql`, whose ?1 is a case code ('' for every case), and makes a
// Row of each result row.
template <typename Row, typename Make>
Result<std::vector<Row>> Query(Connection* db, std::string_view sql, std::string_view case_code,
                               std::string_view what, Make make) {
  VIGIL_ASSIGN_OR_RETURN(Stmt s, db->Prepare(sql, false));
  s.BindText(1, case_code);
  std::vector<Row> out;
  int rc;
  while ((rc = s.Step()) == kRow) out.push_back(make(s));
  if (rc != kDone) return db->Error(what);
  return out;
}

// A media_faces row (sha256, face, x, y, w, h, embedding). An embedding
// blob that is not whole floats is cut to whole floats; the caller checks
// the dimension.
StoredFace ToStoredFace(const Stmt& s) {
  StoredFace f;
  f.sha256 = s.String(0);
  f.face = static_cast<int>(s.Int(1));
  f.x = static_cast<int>(s.Int(2));
  f.y = static_cast<int>(s.Int(3));
  f.w = static_cast<int>(s.Int(4));
  f.h = static_cast<int>(s.Int(5));
  const std::string_view blob = s.Blob(6);
  f.embedding.resize(blob.size() / sizeof(float));
  std::memcpy(f.embedding.data(), blob.data(), f.embedding.size() * sizeof(float));
  return f;
}

// A face_matches row (sha256, face, case_code, photo_id, kind, distance).
FaceMatchRow ToFaceMatchRow(const Stmt& s) {
  // Written only from CandidateKindName; nothing else can be there.
  return FaceMatchRow{s.String(0),
                      static_cast<int>(s.Int(1)),
                      s.String(2),
                      s.Int(3),
                      CandidateKindFromName(s.Text(4)).value_or(CandidateKind::kFace),
                      s.Double(5)};
}

// Runs "INSERT ... INTO face_matches (sha256, face, case_code, photo_id,
// kind, distance) VALUES (?, ?, ?, ?, ?, ?)" for one row.
Status InsertFaceMatch(Stmt& s, const FaceMatchRow& m) {
  s.BindText(1, m.sha256);
  s.Bind(2, m.face);
  s.BindText(3, m.case_code);
  s.Bind(4, m.photo_id);
  s.BindText(5, CandidateKindName(m.kind));
  s.BindDouble(6, m.distance);
  return s.Run("face match");
}

class SqlRegistryStore final : public RegistryStore {
 public:
  explicit SqlRegistryStore(Connection* db) : db_(db) {}

  Status AddPersons(std::span<const NewPerson> persons) override {
    std::set<std::string_view> codes;
    for (const auto& p : persons) {
      if (!codes.insert(p.person.case_code).second) {
        return Status::InvalidArgument("case code " + p.person.case_code + " appears twice");
      }
    }
    Transaction tx(db());
    VIGIL_RETURN_IF_ERROR(tx.Begin());
    VIGIL_ASSIGN_OR_RETURN(Stmt exists,
                           db()->Prepare("SELECT 1 FROM registry_persons WHERE case_code = ?"));
    VIGIL_ASSIGN_OR_RETURN(Stmt insert,
                           db()->Prepare("INSERT INTO registry_persons (case_code, status, "
                                         "sealed, created, updated) VALUES (?, ?, ?, ?, ?)"));
    for (const auto& p : persons) {
      exists.BindText(1, p.person.case_code);
      const int rc = exists.Step();
      exists.Reset();
      if (rc == kRow) {
        return Status::InvalidArgument("case code " + p.person.case_code + " exists already");
      }
      if (rc != kDone) return db()->Error("registry lookup");
      insert.BindText(1, p.person.case_code);
      insert.BindText(2, p.person.status);
      insert.BindBlob(3, p.person.sealed);
      insert.Bind(4, p.person.created);
      insert.Bind(5, p.person.updated);
      VIGIL_RETURN_IF_ERROR(insert.Run("registry add " + p.person.case_code));
      VIGIL_RETURN_IF_ERROR(InsertStatus(p.first_status));
      for (const auto& photo : p.photos) {
        VIGIL_ASSIGN_OR_RETURN(int64_t id, InsertPhoto(photo));
        (void)id;
      }
    }
    return tx.Commit();
  }

  Status UpdatePerson(std::string_view case_code, std::string_view sealed,
                      int64_t updated) override {
    VIGIL_ASSIGN_OR_RETURN(Stmt s,
                           db()->Prepare("UPDATE registry_persons SET sealed = ?, updated = ? "
                                         "WHERE case_code = ?",
                                         false));
    s.BindBlob(1, sealed);
    s.Bind(2, updated);
    s.BindText(3, case_code);
    VIGIL_RETURN_IF_ERROR(s.Run("registry update"));
    if (db()->Changes() == 0) {
      return Status::NotFound("no case " + std::string(case_code));
    }
    return Status::Ok();
  }

  Status ChangeStatus(const StatusRow& change) override {
    Transaction tx(db());
    VIGIL_RETURN_IF_ERROR(tx.Begin());
    VIGIL_ASSIGN_OR_RETURN(auto person, GetPerson(change.case_code));
    if (!person) return Status::NotFound("no case " + change.case_code);
    if (person->status != change.from_status) {
      return Status::InvalidArgument("case " + change.case_code + " is " + person->status +
                                     ", not " + change.from_status);
    }
    VIGIL_ASSIGN_OR_RETURN(Stmt s,
                           db()->Prepare("UPDATE registry_persons SET status = ?, updated = ? "
                                         "WHERE case_code = ?",
                                         false));
    s.BindText(1, change.to_status);
    s.Bind(2, change.time);
    s.BindText(3, change.case_code);
    VIGIL_RETURN_IF_ERROR(s.Run("registry status"));
    VIGIL_RETURN_IF_ERROR(InsertStatus(change));
    return tx.Commit();
  }

  Result<int64_t> AddPhoto(const SealedPhoto& photo) override {
    Transaction tx(db());
    VIGIL_RETURN_IF_ERROR(tx.Begin());
    VIGIL_ASSIGN_OR_RETURN(auto person, GetPerson(photo.case_code));
    if (!person) return Status::NotFound("no case " + photo.case_code);
    VIGIL_ASSIGN_OR_RETURN(int64_t id, InsertPhoto(photo));
    VIGIL_RETURN_IF_ERROR(tx.Commit());
    return id;
  }

  Result<std::optional<SealedPerson>> GetPerson(std::string_view case_code) override {
    VIGIL_ASSIGN_OR_RETURN(std::vector<SealedPerson> v, Persons(case_code));
    if (v.empty()) return std::optional<SealedPerson>();
    return std::optional<SealedPerson>(std::move(v.front()));
  }

  Result<std::vector<SealedPerson>> ListPersons() override { return Persons({}); }

  Result<std::vector<StatusRow>> History(std::string_view case_code) override {
    return Query<StatusRow>(db(),
                            "SELECT id, case_code, from_status, to_status, actor, time, "
                            "sealed_reason FROM registry_status "
                            "WHERE ?1 = '' OR case_code = ?1 ORDER BY id",
                            case_code, "registry history", [](const Stmt& s) {
                              return StatusRow{
                                  s.Int(0),    s.String(1), s.String(2),           s.String(3),
                                  s.String(4), s.Int(5),    std::string(s.Blob(6))};
                            });
  }

  Result<std::vector<SealedPhoto>> Photos(std::string_view case_code) override {
    return Query<SealedPhoto>(db(),
                              "SELECT id, case_code, sealed_image, sealed_features, added "
                              "FROM registry_photos WHERE ?1 = '' OR case_code = ?1 ORDER BY id",
                              case_code, "registry photos", [](const Stmt& s) {
                                return SealedPhoto{s.Int(0), s.String(1), std::string(s.Blob(2)),
                                                   std::string(s.Blob(3)), s.Int(4)};
                              });
  }

  Result<bool> AddSighting(const SightingRow& r) override {
    VIGIL_ASSIGN_OR_RETURN(auto person, GetPerson(r.case_code));
    if (!person) return Status::NotFound("no case " + r.case_code);
    VIGIL_ASSIGN_OR_RETURN(
        Stmt s, db()->Prepare("INSERT INTO registry_sightings (case_code, "
                              "media_sha256, platform, channel_id, external_id, post_time, "
                              "distance, actor, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                              "ON CONFLICT DO NOTHING",
                              false));
    s.BindText(1, r.case_code);
    s.BindText(2, r.media_sha256);
    s.BindText(3, r.platform);
    s.BindText(4, r.channel_id);
    s.BindText(5, r.external_id);
    s.Bind(6, r.post_time);
    s.BindDouble(7, r.distance);
    s.BindText(8, r.actor);
    s.Bind(9, r.time);
    VIGIL_RETURN_IF_ERROR(s.Run("registry sighting"));
    return db()->Changes() > 0;
  }

  Result<std::vector<SightingRow>> Sightings(std::string_view case_code) override {
    return Query<SightingRow>(
        db(),
        "SELECT id, case_code, media_sha256, platform, channel_id, external_id, post_time, "
        "distance, actor, time FROM registry_sightings WHERE ?1 = '' OR case_code = ?1 "
        "ORDER BY post_time, id",
        case_code, "registry sightings", [](const Stmt& s) {
          return SightingRow{s.Int(0),    s.String(1), s.String(2), s.String(3), s.String(4),
                             s.String(5), s.Int(6),    s.Double(7), s.String(8), s.Int(9)};
        });
  }

  Status ForEachStoredFace(const std::function<Status(const StoredFace&)>& fn) override {
    VIGIL_ASSIGN_OR_RETURN(Stmt s, db()->Prepare("SELECT sha256, face, x, y, w, h, embedding "
                                                 "FROM media_faces ORDER BY sha256, face",
                                                 false));
    int rc;
    while ((rc = s.Step()) == kRow) VIGIL_RETURN_IF_ERROR(fn(ToStoredFace(s)));
    if (rc != kDone) return db()->Error("media faces");
    return Status::Ok();
  }

  Status PutMediaFaces(std::span<const MediaFaces> batch) override {
    Transaction tx(db());
    VIGIL_RETURN_IF_ERROR(tx.Begin());
    VIGIL_ASSIGN_OR_RETURN(Stmt known,
                           db()->Prepare("SELECT 1 FROM media WHERE sha256 = ?", false));
    VIGIL_ASSIGN_OR_RETURN(Stmt drop_faces,
                           db()->Prepare("DELETE FROM media_faces WHERE sha256 = ?", false));
    VIGIL_ASSIGN_OR_RETURN(Stmt drop_matches,
                           db()->Prepare("DELETE FROM face_matches WHERE sha256 = ?", false));
    VIGIL_ASSIGN_OR_RETURN(Stmt face, db()->Prepare("INSERT INTO media_faces (sha256, face, x, y, "
                                                    "w, h, embedding) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                                    false));
    VIGIL_ASSIGN_OR_RETURN(Stmt searched, db()->Prepare("INSERT INTO media_face_search "
                                                        "(sha256, faces) VALUES (?, ?) "
                                                        "ON CONFLICT (sha256) DO UPDATE "
                                                        "SET faces = excluded.faces",
                                                        false));
    VIGIL_ASSIGN_OR_RETURN(Stmt match, db()->Prepare(kUpsertFaceMatch, false));
    for (const auto& m : batch) {
      known.BindText(1, m.sha256);
      const int rc = known.Step();
      known.Reset();
      if (rc == kDone) return Status::NotFound("no media " + m.sha256 + " in the store");
      if (rc != kRow) return db()->Error("media lookup");
      drop_faces.BindText(1, m.sha256);
      VIGIL_RETURN_IF_ERROR(drop_faces.Run("media faces"));
      searched.BindText(1, m.sha256);
      searched.Bind(2, static_cast<int64_t>(m.faces.size()));
      VIGIL_RETURN_IF_ERROR(searched.Run("media face search"));
      drop_matches.BindText(1, m.sha256);
      VIGIL_RETURN_IF_ERROR(drop_matches.Run("face matches"));
      for (const auto& f : m.faces) {
        face.BindText(1, m.sha256);
        face.Bind(2, f.face);
        face.Bind(3, f.x);
        face.Bind(4, f.y);
        face.Bind(5, f.w);
        face.Bind(6, f.h);
        face.BindBlob(7, std::string_view(reinterpret_cast<const char*>(f.embedding.data()),
                                          f.embedding.size() * sizeof(float)));
        VIGIL_RETURN_IF_ERROR(face.Run("media face"));
      }
      for (const auto& r : m.matches) VIGIL_RETURN_IF_ERROR(InsertFaceMatch(match, r));
    }
    return tx.Commit();
  }

  Result<std::vector<std::string>> FaceSearchedMedia() override {
    return Query<std::string>(db(),
                              "SELECT sha256 FROM media_face_search WHERE ?1 = '' ORDER BY sha256",
                              "", "media face search", [](const Stmt& s) { return s.String(0); });
  }

  Result<std::vector<StoredFace>> FacesOf(std::string_view sha256) override {
    return Query<StoredFace>(db(),
                             "SELECT sha256, face, x, y, w, h, embedding FROM media_faces "
                             "WHERE sha256 = ?1 ORDER BY face",
                             sha256, "media faces", [](const Stmt& s) { return ToStoredFace(s); });
  }

  Status ReplaceFaceMatches(std::span<const FaceMatchRow> matches) override {
    Transaction tx(db());
    VIGIL_RETURN_IF_ERROR(tx.Begin());
    VIGIL_RETURN_IF_ERROR(db()->Exec("DELETE FROM face_matches"));
    VIGIL_ASSIGN_OR_RETURN(Stmt s, db()->Prepare(kUpsertFaceMatch, false));
    for (const auto& m : matches) VIGIL_RETURN_IF_ERROR(InsertFaceMatch(s, m));
    return tx.Commit();
  }

  Result<std::vector<FaceMatchRow>> FaceMatches(std::string_view case_code) override {
    return Query<FaceMatchRow>(
        db(),
        "SELECT sha256, face, case_code, photo_id, kind, distance FROM face_matches "
        "WHERE ?1 = '' OR case_code = ?1 ORDER BY case_code, distance, sha256, face, photo_id",
        case_code, "face matches", ToFaceMatchRow);
  }

  Result<std::vector<FaceMatchRow>> FaceMatchesOfMedia(std::string_view sha256) override {
    return Query<FaceMatchRow>(
        db(),
        "SELECT sha256, face, case_code, photo_id, kind, distance FROM face_matches "
        "WHERE sha256 = ?1 ORDER BY face, distance, case_code, photo_id",
        sha256, "face matches", ToFaceMatchRow);
  }

 private:
  Connection* db() const { return db_; }

  Result<std::vector<SealedPerson>> Persons(std::string_view case_code) {
    return Query<SealedPerson>(
        db(),
        "SELECT case_code, status, sealed, created, updated "
        "FROM registry_persons WHERE ?1 = '' OR case_code = ?1 "
        "ORDER BY case_code",
        case_code, "registry read", [](const Stmt& s) {
          return SealedPerson{s.String(0), s.String(1), std::string(s.Blob(2)), s.Int(3), s.Int(4)};
        });
  }

  Status InsertStatus(const StatusRow& r) {
    VIGIL_ASSIGN_OR_RETURN(
        Stmt s, db()->Prepare("INSERT INTO registry_status (case_code, from_status, to_status, "
                              "actor, time, sealed_reason) VALUES (?, ?, ?, ?, ?, ?)",
                              false));
    s.BindText(1, r.case_code);
    s.BindText(2, r.from_status);
    s.BindText(3, r.to_status);
    s.BindText(4, r.actor);
    s.Bind(5, r.time);
    s.BindBlob(6, r.sealed_reason);
    return s.Run("registry status of " + r.case_code);
  }

  Result<int64_t> InsertPhoto(const SealedPhoto& p) {
    VIGIL_ASSIGN_OR_RETURN(Stmt s,
                           db()->Prepare("INSERT INTO registry_photos (case_code, sealed_image, "
                                         "sealed_features, added) VALUES (?, ?, ?, ?)" +
                                             std::string(db()->ReturningId()),
                                         false));
    s.BindText(1, p.case_code);
    s.BindBlob(2, p.sealed_image);
    s.BindBlob(3, p.sealed_features);
    s.Bind(4, p.added);
    VIGIL_RETURN_IF_ERROR(s.Run("registry photo of " + p.case_code));
    return db()->LastInsertId();
  }

  Connection* db_;  // owned by the SqlDatabase, which outlives this store
};

}  // namespace

std::unique_ptr<RegistryStore> NewSqlRegistryStore(Connection* db) {
  return std::make_unique<SqlRegistryStore>(db);
}

}  // namespace vigil::store
