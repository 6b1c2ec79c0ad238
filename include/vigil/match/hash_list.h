// Hash lists: named sets of known signals (PDQ perceptual hashes and MD5 /
// SHA-1 / SHA-256 file digests) as platforms and NGOs share them, with their
// import and export formats.
//
// Formats (ListFormat):
//  * kThreatExchangeCsv: `threatexchange dataset -P --csv` (python-
//    threatexchange) and HMA exports. A header row is required; columns are
//    found by name (signal_type, signal_str required; collab, category, tags
//    optional; others ignored), so either column order reads. Tags are split
//    on spaces and commas. Signal types use python-threatexchange names too
//    (pdq, video_md5, video_sha256). Export writes upstream's column order
//    `collab,signal_type,signal_str,category,tags`, tags space-separated
//    (spaces or commas inside one tag become '_'), vigil's type names.
//  * kPlain: one signal per line, either bare hex or "<type> <hex>" (HMA's
//    local_file exchange). Bare 64 hex digits are PDQ (write "sha256 <hex>"
//    for SHA-256), 40 are SHA-1, 32 are MD5. Blank lines and lines starting
//    with '#' are skipped. Export always writes "<type> <hex>".
//  * kVicsJson: Project VIC VICS JSON (OData). The VICS specification is
//    shared only under agreement; this reader follows public exporters and
//    importers: a root object whose "value" array holds either Media objects
//    (2.0 "#Media") or Case objects each with a "Media" array (1.x and 2.0
//    "#Cases"). From a Media it takes MD5, SHA1, SHA256 (strings), Category
//    (number or string, kept as text), Tags (string split on , and ; or an
//    array), MediaID (kept as label "vics_media_id=<id>"), and
//    AlternativeHashes [{HashName, HashValue}] with HashName PDQ, MD5, SHA1 or
//    SHA256 (case-insensitive); other alternative hashes (PhotoDNA, ...) are
//    counted in `unsupported` and skipped. Every hash of a Media becomes its
//    own entry with the Media's category and labels. Export writes 2.0
//    "#Media", one Media per run of consecutive entries sharing a
//    vics_media_id label (else one per entry), PDQ under AlternativeHashes.
//  * kVigilCsv: `type,value,labels,category,source` with header; labels
//    separated by ';' inside the field, a literal ';' or '\' escaped by '\'.
//    Lossless round trip.
// CSV follows RFC 4180: quoted fields may hold commas, doubled quotes and
// line breaks; a record's line number is the line it starts on.
//
// Validation: a line (record, JSON Media hash) with bad hex, the wrong number
// of digits or an unknown type becomes an ImportError "file:line: reason" and
// is skipped; the rest imports. Whole-file failures (over max_file_bytes, a
// CSV without the required header, JSON that does not parse or nests deeper
// than max_json_depth) return a non-OK Status. A CSV record or plain line
// longer than max_line_bytes is one error and is skipped. Text fields are made
// valid UTF-8 (invalid bytes become U+FFFD).
//
// Thread-safety: plain values and free functions; no shared state.
#ifndef VIGIL_MATCH_HASH_LIST_H_
#define VIGIL_MATCH_HASH_LIST_H_

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/hash256.h"
#include "vigil/core/status.h"

namespace vigil::match {

enum class SignalType : uint8_t { kPdq, kMd5, kSha1, kSha256 };

// "pdq", "md5", "sha1", "sha256".
std::string_view SignalTypeName(SignalType type);
// Case-insensitive; also accepts python-threatexchange and VICS spellings
// (video_md5, photo_md5, video_sha256, sha-1, sha-256, pdq_hash).
std::optional<SignalType> SignalTypeFromName(std::string_view name);
// 32, 16, 20, 32.
size_t DigestBytes(SignalType type);

// One signal value. `bytes` holds the digest most significant byte first (the
// order of its hex form); bytes past DigestBytes(type) are zero.
struct Signal {
  SignalType type = SignalType::kPdq;
  std::array<uint8_t, 32> bytes{};

  // Exactly 2 * DigestBytes(type) hex digits, either case. On failure the
  // status message is the reason alone ("md5 needs 32 hex digits, got 31").
  static Result<Signal> FromHex(SignalType type, std::string_view hex);
  static Signal FromPdq(const Hash256& hash);
  std::string ToHex() const;  // lower case
  Hash256 ToPdq() const;      // meaningful for kPdq only

  friend bool operator==(const Signal&, const Signal&) = default;
  friend auto operator<=>(const Signal&, const Signal&) = default;
};

struct HashEntry {
  Signal signal;
  std::vector<std::string> labels;  // tags
  std::string category;             // e.g. "TRUE_POSITIVE", a VICS category number
  std::string source;               // where this entry came from (TE collab, ...)
  friend bool operator==(const HashEntry&, const HashEntry&) = default;
};

struct HashList {
  std::string name;
  std::string source;
  std::vector<std::string> labels;
  // Largest PDQ distance that counts as a match for this list (0..256);
  // Matcher queries never report beyond it.
  int pdq_threshold = 31;
  std::vector<HashEntry> entries;
};

enum class ListFormat { kThreatExchangeCsv, kPlain, kVicsJson, kVigilCsv };

// "te-csv", "plain", "vics", "vigil-csv".
std::string_view ListFormatName(ListFormat format);
std::optional<ListFormat> ListFormatFromName(std::string_view name);

struct ImportLimits {
  uint64_t max_file_bytes = uint64_t{4} << 30;
  uint64_t max_line_bytes = uint64_t{1} << 20;
  uint32_t max_json_depth = 64;
  size_t max_errors = 1000;  // errors kept; all are counted
};

struct ImportError {
  std::string file;
  uint64_t line = 0;
  std::string reason;
  std::string ToString() const;  // "file:line: reason"
};

struct ImportResult {
  HashList list;                    // name = the file name given
  std::vector<ImportError> errors;  // the first ImportLimits::max_errors
  uint64_t error_count = 0;         // every rejected line or hash
  uint64_t unsupported = 0;         // known-but-unsupported signals skipped (PhotoDNA, ...)
};

// Parses a whole list held in memory. `file_name` names it in errors.
Result<ImportResult> ImportHashList(std::string_view content, ListFormat format,
                                    std::string_view file_name, const ImportLimits& limits = {});

// Reads `path` (refusing files over limits.max_file_bytes before reading) and
// parses it. kNotFound / kIoError when the file cannot be read.
Result<ImportResult> ImportHashListFile(const std::filesystem::path& path, ListFormat format,
                                        const ImportLimits& limits = {});

// Serialises `list` in `format`. Every list can be written; what a format
// cannot carry (list-level fields, tags with spaces in TE CSV) is documented
// above.
std::string ExportHashList(const HashList& list, ListFormat format);

}  // namespace vigil::match

#endif  // VIGIL_MATCH_HASH_LIST_H_
