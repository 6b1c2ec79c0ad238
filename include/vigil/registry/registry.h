// The registry of the missing: persons families reported, their photos, the
// status of each case with its history, and confirmed sightings.
//
// What captors would want most, so it is kept like key material:
//  - Personal fields, status reasons, photos and their features (SHA-256,
//    PDQ, face embeddings) are sealed with XChaCha20-Poly1305 under a key
//    derived (crypto_kdf, context "vigilreg") from the installation's vault
//    key, which lives only in the passphrase-sealed key file
//    (include/vigil/evidence/keys.h). The database holds case codes,
//    statuses, times and actors in clear, nothing else. Each blob's
//    associated data binds it to its table and case, so blobs cannot be
//    swapped between persons unnoticed.
//  - Nothing answers without a session: a Registry is only built from
//    unlocked Keys, and every read (list, show, loading the references for
//    matching, statistics) is written to the audit sink first; when the
//    audit write fails, the read fails.
//
// Status: missing → sighted → located → rescued → reunited, plus deceased and
// closed. Moving forward (skipping steps is allowed) needs no reason; moving
// back, or to deceased/closed, or reopening a closed case needs one. Every
// change records who, when and why.
//
// Thread-safety: a Registry is used by one thread at a time.
#ifndef VIGIL_REGISTRY_REGISTRY_H_
#define VIGIL_REGISTRY_REGISTRY_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/evidence/keys.h"
#include "vigil/evidence/sealer.h"
#include "vigil/store/registry_store.h"

namespace vigil::registry {

enum class CaseStatus { kMissing, kSighted, kLocated, kRescued, kReunited, kDeceased, kClosed };
inline constexpr std::array<CaseStatus, 7> kAllStatuses = {
    CaseStatus::kMissing,  CaseStatus::kSighted,  CaseStatus::kLocated, CaseStatus::kRescued,
    CaseStatus::kReunited, CaseStatus::kDeceased, CaseStatus::kClosed};

std::string_view StatusName(CaseStatus s);
std::optional<CaseStatus> ParseStatus(std::string_view name);
// OK when `from` may move to `to` with `reason` (see the file comment);
// kInvalidArgument saying why not.
Status CheckTransition(CaseStatus from, CaseStatus to, std::string_view reason);

// A case code: 1–32 characters of [A-Za-z0-9._-], starting with a letter or
// digit (e.g. "C-0142").
bool IsValidCaseCode(std::string_view code);
// "YYYY", "YYYY-MM" or "YYYY-MM-DD" with a real month and day; "" allowed.
bool IsValidPartialDate(std::string_view date);

// The personal fields of a person (all sealed at rest).
struct PersonFields {
  std::vector<std::string> names;  // in any scripts (Arabic, Kurmanji, Latin...)
  std::vector<std::string> aliases;
  std::string sex;     // "female", "male" or "" (unknown)
  int birth_year = 0;  // 0 = unknown
  std::string place;   // where they disappeared
  std::string date;    // when: YYYY, YYYY-MM or YYYY-MM-DD
  std::string family_contact;
  std::string notes;
  friend bool operator==(const PersonFields&, const PersonFields&) = default;
};
// kInvalidArgument naming the first bad field (no name, bad sex, birth year
// out of 1900..2100, bad date).
Status Validate(const PersonFields& f);

struct Person {
  std::string case_code;
  PersonFields fields;
  CaseStatus status = CaseStatus::kMissing;
  int64_t created = 0;
  int64_t updated = 0;
};

struct StatusChange {
  std::optional<CaseStatus> from;  // none for the first entry
  CaseStatus to = CaseStatus::kMissing;
  std::string actor;
  int64_t time = 0;
  std::string reason;
};

using Embedding = std::array<float, 128>;

struct PhotoFace {
  std::array<int, 4> box{};  // x, y, w, h
  Embedding embedding{};
};

// What is derived from a registry photo to find the person in scanned media.
struct PhotoFeatures {
  std::string sha256;
  std::string type;  // sniffed
  std::string pdq;   // hex; "" when the photo has none (quality too low)
  int pdq_quality = -1;
  std::vector<PhotoFace> faces;
};

// Turns photo bytes into features (the CLI passes the faces engine and PDQ);
// an error status rejects the photo.
using PhotoAnalyzer = std::function<Result<PhotoFeatures>(std::span<const uint8_t> bytes)>;

struct Photo {
  int64_t id = 0;
  std::string case_code;
  PhotoFeatures features;
  int64_t added = 0;
};

// A confirmed sighting (id, actor and time are filled in when recorded).
using Sighting = store::SightingRow;

struct PersonRecord {
  Person person;
  std::vector<StatusChange> history;
  std::vector<Photo> photos;
  std::vector<Sighting> sightings;
};

// A registry face (or photo PDQ) to look for in scanned media.
struct Reference {
  std::string case_code;
  int64_t photo_id = 0;
  std::vector<Embedding> faces;
  std::string pdq;  // "" when none
};

// Persons by status now, and status changes per month — the figures
// coordinators report.
struct Stats {
  std::map<CaseStatus, int64_t> by_status;  // every status, zero included
  // month "YYYY-MM" (UTC) → status moved into → count
  std::map<std::string, std::map<CaseStatus, int64_t>> transitions_by_month;
  int64_t persons = 0;
};

// One row of a coordinator's CSV, parsed (photos as paths relative to the
// CSV's folder).
struct ImportRow {
  int64_t line = 0;
  std::string case_code;
  PersonFields fields;
  CaseStatus status = CaseStatus::kMissing;
  std::vector<std::string> photos;
};
// Parses a registry CSV. Header (any order, case-insensitive): case_code and
// names required; aliases, sex, birth_year, place, date, family_contact,
// notes, status, photos optional. Lists within a field are separated by
// '|'. Every problem is reported (one line each, "line 7: bad date
// '2014-13-01'"), in which case the result is kInvalidArgument with all of
// them and no rows: an import is all or nothing. Duplicate case codes within
// the file are errors.
Result<std::vector<ImportRow>> ParseRegistryCsv(std::string_view csv, uint64_t max_line_bytes);

struct Session {
  const evidence::Keys* keys = nullptr;  // unlocked; must outlive the Registry
  std::string actor;                     // who acts (operator name)
  // Records an access before it happens: (action, details). A failing audit
  // fails the access.
  std::function<Status(std::string_view action, std::string_view details)> audit;
  std::function<int64_t()> clock;  // unix seconds
};

class Registry {
 public:
  // kInvalidArgument without keys, actor, audit or clock. `store` (the
  // Database's registry store) must outlive the Registry.
  static Result<std::unique_ptr<Registry>> Open(store::RegistryStore& store, Session session);

  // Adds a person (status missing unless `status` says otherwise) with
  // photos, all in one transaction. kInvalidArgument for a bad or taken case
  // code, bad fields, or a photo the analyzer rejects (nothing is written).
  Status Add(const std::string& case_code, const PersonFields& fields, CaseStatus status,
             std::span<const std::vector<uint8_t>> photos, const PhotoAnalyzer& analyzer);
  // Imports rows (photos read from `base_dir`); all or nothing, every
  // problem reported in the Status message.
  Status Import(std::span<const ImportRow> rows, const std::filesystem::path& base_dir,
                const PhotoAnalyzer& analyzer);
  Status Update(const std::string& case_code, const PersonFields& fields);
  Status SetStatus(const std::string& case_code, CaseStatus to, const std::string& reason);
  Result<int64_t> AddPhoto(const std::string& case_code, std::span<const uint8_t> bytes,
                           const PhotoAnalyzer& analyzer);
  Status AddSighting(const Sighting& s);

  // Reads (each audited).
  Result<std::vector<Person>> List();
  Result<PersonRecord> Show(const std::string& case_code);
  // A stored photo's bytes (a view of an original: audited).
  Result<std::vector<uint8_t>> PhotoBytes(const std::string& case_code, int64_t photo_id);
  // Every photo's faces and PDQ, for matching scanned media.
  Result<std::vector<Reference>> References();
  Result<Stats> ComputeStats();
  // Who acts from now on (status changes, sightings); not empty.
  void SetActor(std::string actor) { session_.actor = std::move(actor); }

 private:
  Registry() = default;
  Result<Person> Unseal(const store::SealedPerson& p) const;
  Result<store::NewPerson> Prepare(const std::string& case_code, const PersonFields& fields,
                                   CaseStatus status, std::span<const std::vector<uint8_t>> photos,
                                   const PhotoAnalyzer& analyzer, int64_t now) const;
  Result<store::SealedPhoto> SealPhoto(const std::string& case_code, std::span<const uint8_t> bytes,
                                       const PhotoAnalyzer& analyzer, int64_t now) const;
  store::RegistryStore* store_ = nullptr;
  Session session_;
  std::shared_ptr<const evidence::Sealer> sealer_;
};

}  // namespace vigil::registry

#endif  // VIGIL_REGISTRY_REGISTRY_H_
