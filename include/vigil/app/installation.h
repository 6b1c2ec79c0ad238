// Installation: one vigil installation — its database (post store and
// registry store), key file, evidence vault, custody log, clock and operator —
// and the use cases on it. The CLI, the review server and the workers are
// thin front ends over this object: they parse a request, call one method and
// print or serve its answer.
//
//   app::InstallationOptions o;
//   o.db = "demo-out/vigil.db";
//   o.passphrase = app::PassphraseFromFileOrEnv("");
//   auto inst = app::Installation::Open(o);
//   auto summary = (*inst)->Scan({"exports/"}, {}, &observer);
//
// Files of the installation live in its home folder (the SQLite file's
// folder unless options.home says otherwise): vigil.keys (unless
// options.keys), vault/, custody.log. A database server (postgresql://) has
// no such folder of its own: the key file, vault and custody log stay files
// (auditable with any tool, the vault content-addressed), in options.home —
// a folder the machines that keep evidence share — and the use cases that
// need them fail with kInvalidArgument when none is given.
//
// The session: nothing that needs a key (the vault, the custody log's
// signatures, the registry) is opened until a use case needs it; then the
// passphrase source is asked once, the key file unlocked and the custody log
// opened, for the life of the Installation. Every read of registry data and
// every decision is appended to the custody log first; when that append
// fails, the read or decision fails.
//
// Errors are Status values: kNotFound (no database, no such post, case or
// list), kInvalidArgument (a bad request, no passphrase, a wrong one),
// kIoError/kCorrupt from the files, kResourceExhausted (the database stayed
// busy past its timeout).
//
// Thread-safety: one thread at a time per Installation (as its Database).
// A server opens one per worker thread or serialises calls.
#ifndef VIGIL_APP_INSTALLATION_H_
#define VIGIL_APP_INSTALLATION_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/limits.h"
#include "vigil/core/post.h"
#include "vigil/core/status.h"
#include "vigil/evidence/bundle.h"
#include "vigil/evidence/custody.h"
#include "vigil/evidence/keys.h"
#include "vigil/evidence/vault.h"
#include "vigil/match/hash_list.h"
#include "vigil/registry/registry.h"
#include "vigil/scan/scan.h"
#include "vigil/store/database.h"

namespace vigil::app {

// Where the key file's passphrase comes from; asked at most once.
using PassphraseSource = std::function<Result<std::string>()>;
// The first line of `file`; with no file, $VIGIL_PASSPHRASE. kNotFound /
// kInvalidArgument saying which is missing.
PassphraseSource PassphraseFromFileOrEnv(std::string file);
// Who acts, for the custody log: $VIGIL_OPERATOR, else $USER, else $LOGNAME,
// else "unknown".
std::string OperatorFromEnvironment();
// Lexicons and models: $VIGIL_DATA_DIR, else share/vigil beside an installed
// binary, else the data/ folder of the tree this build was configured from.
std::filesystem::path DefaultDataDir();

struct InstallationOptions {
  std::string db = "vigil.db";     // a path or URL (store::Open)
  std::string home;                // "" = the SQLite file's folder (a server: none)
  std::string keys;                // "" = home/vigil.keys
  PassphraseSource passphrase;     // none: every use case that needs keys fails
  std::string operator_name;       // "" = OperatorFromEnvironment()
  std::function<int64_t()> clock;  // unix seconds; default the system clock
  std::filesystem::path data_dir;  // "" = DefaultDataDir()
  bool create = false;             // false: kNotFound when there is no database yet
  store::SqliteOptions sqlite;
  // Where notices go (a use case that goes on without something, e.g. a scan
  // without registry search); default: dropped.
  std::function<void(std::string_view)> notice;
};

struct Paths {
  std::string home, keys, vault, custody;
};
// The installation's files for `options` (without opening anything).
Result<Paths> PathsFor(const InstallationOptions& options);

// vigil keys init / rotate: creates the key file (never overwrites one), or
// adds a new signing key to it. Returns the new signing key's id.
Result<std::string> InitKeys(const InstallationOptions& options, bool rotate);

enum class FacePolicy {
  kAuto,  // when the registry holds photos
  kOn,
  kOff,
};

struct ScanRequest {
  // Threads, batch size, limits, matching, scratch folder. Scan sets the
  // rest itself: the lexicons, the vault and custody log, the face engine and
  // the registry matcher.
  scan::ScanOptions options;
  // Keep every original in the vault and log its acquisition.
  bool evidence = false;
  FacePolicy faces = FacePolicy::kAuto;
};

// What an evidence bundle holds: posts by key, every confirmed sighting of
// registry cases, every post of repost clusters (a media SHA-256 or a prefix
// of at least 8 hex digits), and with `escalated` every post whose latest
// review decision is an escalation.
struct EvidenceSelection {
  std::vector<PostKey> posts;
  std::vector<std::string> cases;
  std::vector<std::string> clusters;
  bool escalated = false;
};

// A person with what the scans found of them.
struct PersonView {
  registry::PersonRecord record;
  std::vector<store::FaceMatchRow> candidates;  // for review, by distance
};

// Fields to change (unset: unchanged); lists replace when non-empty.
struct PersonUpdate {
  std::vector<std::string> names, aliases;
  std::optional<std::string> sex, place, date, family_contact, notes;
  std::optional<int> birth_year;
  // `base` with these changes (applied to {} it gives a new person's fields).
  registry::PersonFields Apply(registry::PersonFields base) const;
};

struct ListImport {
  std::string file;
  std::optional<match::ListFormat> format;  // nullopt: guessed from the bytes
  std::string name;                         // "" = the file's stem
  std::vector<std::string> labels;
  int pdq_threshold = 31;
  bool replace = false;
  match::ImportLimits limits;
};
struct ListImportResult {
  match::ListFormat format = match::ListFormat::kPlain;
  std::string name;
  size_t entries = 0;
  match::ImportResult report;  // errors and counts (its list moved out)
};

// A query of `vigil match`: a file (photo or video) or a hash ("pdq:HEX",
// "md5:HEX", "sha256:HEX" or bare hex).
struct MatchRequest {
  std::vector<std::string> lists;  // only these lists; empty = every list and the stored media
  int radius = 31;
};
struct MatchAnswer {
  std::string query;
  std::vector<store::MediaMatch> matches;
  std::string error;  // the query could not be read or parsed
  std::string note;   // e.g. a photo too flat for a perceptual hash
};

class Installation {
 public:
  // Opens the database (creating it with options.create). The key file is
  // not read yet.
  static Result<std::unique_ptr<Installation>> Open(InstallationOptions options);
  ~Installation();
  Installation(const Installation&) = delete;
  Installation& operator=(const Installation&) = delete;

  store::Database& db() { return *db_; }
  store::Store& store() { return db_->posts(); }
  const Paths& paths() const { return paths_; }
  int64_t Now() const { return options_.clock(); }

  // The session (see the file comment). Each unlocks once and stays.
  Result<const evidence::Keys*> Keys();
  Result<evidence::CustodyLog*> Custody();
  Result<const evidence::Vault*> Vault();
  Result<registry::Registry*> Registry();

  // --- scanning --------------------------------------------------------------
  // Scans `inputs` with the installation's lexicons. With request.evidence
  // the originals go to the vault and their acquisitions to the custody log.
  // Faces (policy kAuto: when the registry holds photos) are found and, when
  // the session opens, matched with the registry; without a session they are
  // stored and matched later by Rematch (a notice says so). Every scan that
  // added to the custody log ends with a signed tree head.
  Result<scan::ScanSummary> Scan(const std::vector<std::filesystem::path>& inputs,
                                 const ScanRequest& request, scan::ScanObserver* observer);

  // --- evidence --------------------------------------------------------------
  // The posts of `selection`, sorted and without repeats. kNotFound for a
  // post, case sighting or cluster that is not there; kInvalidArgument for a
  // bad cluster prefix or a case without a confirmed sighting; kNotFound for
  // `escalated` when no post's latest decision is an escalation.
  Result<std::vector<PostKey>> SelectPosts(const EvidenceSelection& selection);
  // Writes a signed bundle of the selected posts' originals (from the vault)
  // to `out`; returns how many originals it holds.
  Result<size_t> ExportEvidence(const EvidenceSelection& selection,
                                const std::filesystem::path& out);
  Result<evidence::TreeHead> SignTreeHead();
  // Vault, custody log and tree heads, checked against the keys.
  Result<evidence::Verdict> VerifyInstallation();
  // Every post in the repost cluster of the media whose SHA-256 starts with
  // `prefix` (the media joined by "media" matches, as the report groups them).
  Result<std::vector<PostKey>> ClusterPosts(std::string_view prefix);

  // --- registry (every call audited) ------------------------------------------
  Status AddPerson(const std::string& case_code, const registry::PersonFields& fields,
                   registry::CaseStatus status, const std::vector<std::string>& photo_files);
  // Imports a coordinator's CSV (photos relative to its folder); all or
  // nothing. Returns the number of persons.
  Result<size_t> ImportRegistry(const std::string& csv_file);
  Status UpdatePerson(const std::string& case_code, const PersonUpdate& update,
                      const std::vector<std::string>& photo_files);
  Status SetCaseStatus(const std::string& case_code, registry::CaseStatus to,
                       const std::string& reason);
  // Confirms that post `post` shows the person: records a sighting (media:
  // the given SHA-256, else the post's first stored media); the same one
  // twice is one sighting.
  Status RecordSighting(const std::string& case_code, const PostKey& post,
                        const std::string& media_sha256, double distance);
  Result<std::vector<registry::Person>> ListPersons();
  Result<PersonView> ShowPerson(const std::string& case_code);
  Result<registry::Stats> RegistryStats();
  // Compares every scanned face and photo with the registry as it is now,
  // replacing the stored candidates; returns how many there are.
  Result<size_t> Rematch();
  // A self-contained HTML page with each candidate face of the media (SHA-256
  // or its first 8+ hex digits) beside the registry photo it matched,
  // blurred until revealed; viewing the original is logged. Returns the page
  // and the number of face matches it covers.
  struct ComparePage {
    std::string html;
    size_t pairs = 0;
  };
  // A registry photo's bytes (a view of an original: audited).
  Result<std::vector<uint8_t>> PersonPhoto(const std::string& case_code, int64_t photo_id);
  // An original from the vault, by SHA-256 (logged as a view); kNotFound
  // when the vault does not hold it (scans without --evidence keep none).
  Result<std::string> ViewOriginal(const std::string& sha256);
  Result<ComparePage> CompareFaces(const std::string& case_code, const std::string& media);

  // --- review decisions -------------------------------------------------------
  // Records a reviewer's decision (logged to the custody log first).
  Result<int64_t> Decide(const PostKey& post, store::DecisionType type, const std::string& note);

  // --- accounts of the review app (every change audited) ----------------------
  // Names: 1-64 of [A-Za-z0-9._-], starting with a letter or digit.
  // Passwords: 12-1024 bytes. kInvalidArgument otherwise or when taken.
  Status AddAccount(const std::string& name, store::Role role, std::string_view password);
  Result<std::vector<store::Account>> ListAccounts();
  // kNotFound for an unknown account.
  Status SetAccountDisabled(const std::string& name, bool disabled);
  Status SetAccountPassword(const std::string& name, std::string_view password);
  // The account when it exists, is enabled and `password` is its password;
  // nullopt otherwise (an unknown name costs the same time as a wrong
  // password). Not audited: the server logs sign-ins.
  Result<std::optional<store::Account>> Authenticate(const std::string& name,
                                                     std::string_view password);
  // Who acts from now on, in the custody log and the registry's history
  // (the server sets the signed-in account before each call).
  void ActAs(std::string actor);
  const std::string& actor() const { return options_.operator_name; }
  // The custody log's entries from `from_seq` on (at most `limit`), for the
  // audit view.
  Result<std::vector<evidence::CustodyEntry>> AuditEntries(uint64_t from_seq, size_t limit);
  // Appends one entry (action, details, the originals concerned by SHA-256)
  // as the current actor.
  Status Audit(std::string_view action, std::string_view details,
               std::vector<std::string> items = {});

  // --- hash lists and matching --------------------------------------------------
  Result<ListImportResult> ImportList(ListImport request);
  Result<std::string> ExportList(const std::string& name, match::ListFormat format);
  Result<std::vector<MatchAnswer>> Match(const std::vector<std::string>& queries,
                                         const MatchRequest& request);

 private:
  Installation() = default;
  void Notice(std::string_view text) const;
  registry::PhotoAnalyzer PhotoAnalyzer();
  Result<std::vector<std::vector<uint8_t>>> ReadPhotos(const std::vector<std::string>& files);
  Result<size_t> RematchAfterChange();

  InstallationOptions options_;
  Paths paths_;
  std::unique_ptr<store::Database> db_;
  std::optional<evidence::Keys> keys_;
  std::optional<evidence::CustodyLog> custody_;
  std::optional<evidence::Vault> vault_;
  std::unique_ptr<registry::Registry> registry_;
  std::shared_ptr<faces::FaceEngine> face_engine_;  // loaded on first registry photo
};

// Writes `bytes` to `path` through a temporary file and a rename, so a
// failed write never leaves half a file; `owner_only` makes it 0600 (pages
// that hold registry photos).
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes,
                           bool owner_only = false);
// Same, with what `write` puts on the stream (its error is returned, and the
// temporary file removed).
Status WriteFileAtomically(const std::filesystem::path& path,
                           const std::function<Status(std::ostream&)>& write,
                           bool owner_only = false);

}  // namespace vigil::app

#endif  // VIGIL_APP_INSTALLATION_H_
