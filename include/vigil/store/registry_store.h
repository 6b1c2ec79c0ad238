// RegistryStore: where the registry of the missing is kept, in the same
// database as the scans (tables registry_*, face_matches; schema
// data/schema/004_registry.sql).
//
// The store sees only what it must: case codes, statuses, times and actors in
// clear (for statistics and history), everything personal as opaque sealed
// blobs that the registry module encrypts before they get here. The store
// never holds a key.
//
// Every write is one transaction: all of it or none of it (an import of 500
// persons with one bad row writes nothing).
//
// Opened with the post store on one connection by store::Open
// (vigil/store/database.h), so one transaction can span both.
//
// Thread-safety: one thread at a time per Database (this store and the post
// store together); open another Database for concurrent use. Several
// processes may use one database, each write waiting its turn.
#ifndef VIGIL_STORE_REGISTRY_STORE_H_
#define VIGIL_STORE_REGISTRY_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/store/records.h"

namespace vigil::store {

struct SealedPerson {
  std::string case_code;
  std::string status;
  std::string sealed;  // bytes
  int64_t created = 0;
  int64_t updated = 0;
  friend bool operator==(const SealedPerson&, const SealedPerson&) = default;
};

struct StatusRow {
  int64_t id = 0;  // assigned by the store
  std::string case_code;
  std::string from_status;  // "" for a person's first entry
  std::string to_status;
  std::string actor;
  int64_t time = 0;
  std::string sealed_reason;
  friend bool operator==(const StatusRow&, const StatusRow&) = default;
};

struct SealedPhoto {
  int64_t id = 0;  // assigned by the store
  std::string case_code;
  std::string sealed_image;
  std::string sealed_features;
  int64_t added = 0;
  friend bool operator==(const SealedPhoto&, const SealedPhoto&) = default;
};

// A new person as written by AddPersons: the person, their first status
// entry and their photos.
struct NewPerson {
  SealedPerson person;
  StatusRow first_status;
  std::vector<SealedPhoto> photos;
};

struct SightingRow {
  int64_t id = 0;
  std::string case_code;
  std::string media_sha256;
  std::string platform;
  std::string channel_id;
  std::string external_id;
  int64_t post_time = 0;
  double distance = 0;
  std::string actor;
  int64_t time = 0;
  friend bool operator==(const SightingRow&, const SightingRow&) = default;
};

// A candidate match of a face in a scanned media file with a registry photo.
struct FaceMatchRow {
  std::string sha256;  // the scanned media file
  int face = 0;        // index of the face in media_faces; -1: whole photo by PDQ
  std::string case_code;
  int64_t photo_id = 0;
  CandidateKind kind = CandidateKind::kFace;
  double distance = 0;
  friend bool operator==(const FaceMatchRow&, const FaceMatchRow&) = default;
};

// A face found in a scanned media file (what the scan stored).
struct StoredFace {
  std::string sha256;
  int face = 0;
  int x = 0, y = 0, w = 0, h = 0;
  std::vector<float> embedding;  // 128 floats
};

// What a scan found in one media file: its faces and the registry candidates
// (FaceMatchRow::face indexes `faces`; -1 for a PDQ match of the photo).
struct MediaFaces {
  std::string sha256;
  std::vector<StoredFace> faces;
  std::vector<FaceMatchRow> matches;
};

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // Adds persons with their first status entry and photos, in one
  // transaction. kInvalidArgument naming the code when a case code exists
  // already (or appears twice in `persons`); nothing is written then.
  virtual Status AddPersons(std::span<const NewPerson> persons) = 0;
  // Replaces a person's sealed fields and `updated`. kNotFound for an
  // unknown code.
  virtual Status UpdatePerson(std::string_view case_code, std::string_view sealed,
                              int64_t updated) = 0;
  // Appends `change` to the history and sets the person's status to
  // change.to_status, in one transaction. kNotFound for an unknown code;
  // kInvalidArgument when change.from_status is not the person's current
  // status (someone else changed it meanwhile).
  virtual Status ChangeStatus(const StatusRow& change) = 0;
  virtual Result<int64_t> AddPhoto(const SealedPhoto& photo) = 0;

  virtual Result<std::optional<SealedPerson>> GetPerson(std::string_view case_code) = 0;
  // Ordered by case code.
  virtual Result<std::vector<SealedPerson>> ListPersons() = 0;
  // One person's history (empty code: everyone's), oldest first.
  virtual Result<std::vector<StatusRow>> History(std::string_view case_code) = 0;
  // One person's photos (empty code: everyone's), by id.
  virtual Result<std::vector<SealedPhoto>> Photos(std::string_view case_code) = 0;

  // Records a confirmed sighting; the same (case, media, post) twice is one
  // sighting. Returns true when it was new. kNotFound for an unknown code.
  virtual Result<bool> AddSighting(const SightingRow& sighting) = 0;
  // One person's sightings (empty code: everyone's), by post time.
  virtual Result<std::vector<SightingRow>> Sightings(std::string_view case_code) = 0;

  // Every face the scans stored, by sha256 then face.
  virtual Status ForEachStoredFace(const std::function<Status(const StoredFace&)>& fn) = 0;
  // Stores the faces of media files (already written by Store::Write) and
  // their candidate matches, replacing what was stored for those files, and
  // records each file as searched, in one transaction; so a re-run stores
  // the same rows. kNotFound when a
  // sha256 is not a stored media file.
  virtual Status PutMediaFaces(std::span<const MediaFaces> batch) = 0;
  // SHA-256 of every media file whose faces have been searched (by
  // PutMediaFaces), found or not.
  virtual Result<std::vector<std::string>> FaceSearchedMedia() = 0;
  // The stored faces of one media file, in face order.
  virtual Result<std::vector<StoredFace>> FacesOf(std::string_view sha256) = 0;
  // Replaces every stored face match with `matches` (after the registry
  // changed, matches are recomputed from the stored faces), one transaction.
  virtual Status ReplaceFaceMatches(std::span<const FaceMatchRow> matches) = 0;
  // Matches for one case (empty: all), by case, then distance.
  virtual Result<std::vector<FaceMatchRow>> FaceMatches(std::string_view case_code) = 0;
  // Matches of one scanned media file, by face, then distance.
  virtual Result<std::vector<FaceMatchRow>> FaceMatchesOfMedia(std::string_view sha256) = 0;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_REGISTRY_STORE_H_
