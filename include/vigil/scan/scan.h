// The scan pipeline: exports in, analysed posts stored.
//
//   reader thread ──► worker pool (text analysis, media inspection) ──► one writer
//
// One reader thread walks the inputs in order; `threads` workers analyse posts
// in parallel; the calling thread reorders their results back into export
// order and writes them to the store in batches, one transaction per batch.
// Memory is bounded by the queue sizes, not by the size of the exports. Every
// write is idempotent, so a scan that was killed can simply be run again.
#ifndef VIGIL_SCAN_SCAN_H_
#define VIGIL_SCAN_SCAN_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "vigil/core/limits.h"
#include "vigil/core/status.h"
#include "vigil/evidence/custody.h"
#include "vigil/evidence/vault.h"
#include "vigil/faces/faces.h"
#include "vigil/ingest/reader.h"
#include "vigil/match/matcher.h"
#include "vigil/scan/face_matching.h"
#include "vigil/store/database.h"
#include "vigil/text/analyzer.h"

namespace vigil::scan {

struct ScanOptions {
  std::filesystem::path lexicon_dir;
  std::filesystem::path scratch_dir;  // where .zip exports are extracted; empty = temp
  Limits limits;
  int threads = 0;           // analysis workers; 0 = one per hardware thread
  size_t batch_size = 1000;  // records per store transaction
  // Media matching: every photo (all 8 rotations/mirrors) and video frame is
  // checked against the store's hash lists and against every other media
  // file already in the store, within this PDQ radius.
  bool match_media = true;
  int pdq_radius = 31;
  // Evidence (optional, both or neither): every media original is stored in
  // the vault, and the first acquisition of each is appended to the custody
  // log (with where it came from), after its batch is committed.
  const evidence::Vault* vault = nullptr;
  evidence::CustodyLog* custody = nullptr;
  std::string operator_name;  // recorded as the acquiring actor
  // Faces (optional): with an engine, every image's faces are found and
  // embedded (each worker runs its own Clone()), stored in the database's
  // registry store in their batch's transaction, and compared with
  // `registry` (the registry's faces and photo PDQs) when given.
  const faces::FaceEngine* face_engine = nullptr;
  const RegistryMatcher* registry = nullptr;
};

struct ScanSummary {
  int64_t posts = 0;                           // non-service posts read
  int64_t service = 0;                         // service/system messages read
  int64_t media = 0;                           // media references inspected successfully
  int64_t media_missing = 0;                   // media references absent or unreadable
  int64_t errors = 0;                          // bad items reported and skipped
  int64_t selectors = 0;                       // selectors found (with repeats)
  int64_t list_matches = 0;                    // media matching a hash list entry
  int64_t media_matches = 0;                   // media matching another media file (reposts)
  int64_t faces = 0;                           // faces found in images (with face search)
  int64_t face_matches = 0;                    // media that may show a registry person
  std::map<std::string, int64_t> by_category;  // "sale_offer" -> n (non-service posts)
  int64_t flagged() const;                     // posts whose category is not "other"
};

struct Progress {
  int64_t posts = 0;        // records written so far
  std::string current;      // the reader now running
  size_t reader_index = 0;  // 1-based
  size_t reader_count = 0;  // readers of every input
  // Export bytes the readers have read, of all the inputs' (media read by
  // the workers not counted; a photo folder counts its photos as handed on).
  uint64_t bytes_read = 0;
  uint64_t bytes_total = 0;
};

// Receives results on the calling thread of RunScan, in export order, after
// each record's batch has been committed.
class ScanObserver {
 public:
  virtual ~ScanObserver() = default;
  virtual void OnRecord(const store::ScanRecord&) {}
  virtual void OnError(const ingest::IngestError&) {}
  virtual void OnProgress(const Progress&) {}
};

// Scans `inputs` into `db` (its post store; with face search, its registry
// store too): each batch of records, with its faces, is one transaction.
// Bad input is reported to the observer and recorded in the store; the scan
// goes on. Returns non-OK only when the scan could not run or could not
// store what it read (database failure); the summary's `errors` counts bad
// input. app::Installation::Scan adds the evidence, face and custody policy.
Result<ScanSummary> RunScan(const std::vector<std::filesystem::path>& inputs,
                            const ScanOptions& options, const text::Analyzer& analyzer,
                            store::Database& db, ScanObserver* observer);

// Same, opening the database at `db_url` and the lexicons of
// options.lexicon_dir (for tests and tools; kInvalidArgument/kIoError from
// either).
Result<ScanSummary> RunScan(const std::vector<std::filesystem::path>& inputs,
                            const ScanOptions& options, const std::string& db_url,
                            ScanObserver* observer);

// The analysis of one post, as the workers do it (exposed for tests and
// tools): text, media inspection (hashes, PDQ, video frames) and, when
// `lists` is given, matches against hash lists. Matches against other media
// need the store and are made by RunScan.
store::ScanRecord AnalyzePost(Post post, const text::Analyzer& analyzer, const Limits& limits,
                              const match::Matcher* lists = nullptr, int pdq_radius = 31);

}  // namespace vigil::scan

#endif  // VIGIL_SCAN_SCAN_H_
