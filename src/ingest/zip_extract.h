// A .zip export opened for safe, lazy extraction (internal to ingest), using
// libarchive.
//
// Open reads the archive's directory first and refuses the archive as a whole
// when it has more than Limits::max_archive_entries entries, when the sizes
// its entries declare add up to more than max_archive_bytes, or to more than
// max_archive_ratio times the archive's size on disk (a bomb spread over many
// entries that each stay under the per-entry check, or entries that overlap
// in the file: the archive's size bounds what its entries hold compressed),
// or when it is truncated or corrupt. Only then is anything inflated: Open
// reads the first bytes of each entry and extracts those the caller wants
// right away (the chat and JSON files, to detect and read the export). The
// rest stay in the archive, pending, until ExtractNow names them or a reader
// resolves a reference to one (Supply, through FileSupplierScope): an entry
// that nothing asks for is never written to scratch.
//
// Protections, for every entry whenever it is extracted: entries with
// absolute paths, drive letters or `..` components (zip slip) and symlink /
// hardlink / device entries are skipped and reported by Open; files are
// created with O_EXCL|O_NOFOLLOW inside `dest`, a folder the caller has just
// created; an entry fails when it inflates more than max_archive_ratio times
// its compressed size (zip bombs), past the size it declared (which holds it
// to the totals checked above), or when its data is damaged (a bad CRC
// included). A failure in Open or ExtractNow removes `dest`. A
// failure in Supply removes the partial file and fails the archive: later
// calls extract nothing and failure() returns it.
//
// Supply walks the archive forward from where it last stopped, so references
// in archive order (how exporters write them) cost one pass; when references
// jump back so often that re-walks would cost more than a few passes, the
// pending entries under the reader's root are extracted in one pass instead.
//
// Thread-safe: every method takes the archive's lock.
#ifndef VIGIL_SRC_INGEST_ZIP_EXTRACT_H_
#define VIGIL_SRC_INGEST_ZIP_EXTRACT_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "src/ingest/ingest_util.h"
#include "vigil/core/limits.h"
#include "vigil/core/status.h"
#include "vigil/ingest/reader.h"

struct archive;
struct archive_entry;

namespace vigil::ingest {

class ZipArchive : public FileSupplier {
 public:
  // An entry left in the archive: its path below `dest` and its first bytes
  // (up to kPendingHeadBytes: enough to tell an image or an archive).
  struct Pending {
    std::filesystem::path rel;
    std::string head;
  };
  static constexpr size_t kPendingHeadBytes = 16;

 private:
  struct Key {
    explicit Key() = default;
  };

 public:
  // Says, from an entry's first `head_bytes` bytes (fewer for a shorter
  // entry) and its path below `dest`, whether to extract it now.
  using WantNow = std::function<bool(std::string_view head, const std::filesystem::path& rel)>;

  // Opens `zip` for extraction into `dest` (an existing, empty folder).
  // Skipped entries are appended to `errors`. kCorrupt (truncated/corrupt
  // archive), kResourceExhausted (a limit), kIoError (writing); `dest` is
  // removed on failure.
  static Result<std::unique_ptr<ZipArchive>> Open(const std::filesystem::path& zip,
                                                  const std::filesystem::path& dest,
                                                  const Limits& limits, size_t head_bytes,
                                                  const WantNow& want_now,
                                                  std::vector<IngestError>& errors);
  ZipArchive(Key, std::filesystem::path zip, std::filesystem::path dest, const Limits& limits);
  ~ZipArchive() override;
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  // The entries not extracted yet, in archive order.
  std::vector<Pending> pending() const;

  // Extracts the pending entries at `rels` (paths below `dest`, as in
  // Pending::rel; others are ignored) in one pass. Errors as Open; `dest`
  // is removed on failure.
  Status ExtractNow(std::span<const std::filesystem::path> rels);

  // FileSupplier: extracts the pending entry at `path`, if there is one.
  void Supply(const std::filesystem::path& root, const std::filesystem::path& path) override;

  // OK, or why an extraction after Open failed (the archive is then done).
  Status failure() const;
  // Problems met by Supply that skipped one entry only ("cannot create"),
  // in order; the list is emptied.
  std::vector<IngestError> TakeErrors();
  // Closes the archive until the next Supply (a reader is done with it).
  void EndReading();

 private:
  struct ArchiveFree {
    void operator()(archive* a) const;
  };
  using UniqueArchive = std::unique_ptr<archive, ArchiveFree>;

  struct File {
    std::string name;  // as the archive spells it
    std::filesystem::path rel;
    uint64_t ordinal = 0;  // position in the archive's order
    uint64_t size = 0;     // declared uncompressed size
    std::string head;
    bool extracted = false;
    bool unavailable = false;  // could not be created; not retried
  };

  Status Index(std::vector<IngestError>& errors);
  Status ExtractWanted(size_t head_bytes, const WantNow& want_now);
  // Extracts files_[i] for every i in `indices` (ascending ordinals) in one
  // forward walk.
  Status ExtractIndices(std::span<const size_t> indices);
  // Leaves cursor_ on the header of `f` (reopening when it is behind).
  Status SeekTo(const File& f, archive_entry** entry);
  // Reads up to `max_bytes` of the current entry's data.
  Status ReadHead(const File& f, size_t max_bytes, std::string& head);
  // Writes the current entry, whose first bytes (`prefix`) were read already
  // starting at compressed offset `compressed_start`, to its path below
  // dest_; removes the partial file on failure.
  Status WriteCurrent(File& f, archive_entry* entry, std::string_view prefix,
                      int64_t compressed_start);
  void Fail(Status status, bool remove_dest);

  const std::filesystem::path zip_;
  const std::string zip_name_;
  const std::filesystem::path dest_;  // absolute, lexically normal
  const Limits limits_;
  uint64_t archive_size_ = 0;
  uint64_t entries_ = 0;

  mutable std::mutex mu_;
  std::vector<File> files_;                         // regular entries to extract, in archive order
  std::unordered_map<std::string, size_t> by_rel_;  // File::rel (generic) -> index
  UniqueArchive cursor_;
  uint64_t cursor_next_ = 0;  // ordinal of the next header cursor_ reads
  uint64_t steps_ = 0;        // headers walked by Supply
  uint64_t extracted_bytes_ = 0;
  Status failure_;
  std::vector<IngestError> errors_;
};

}  // namespace vigil::ingest

#endif  // VIGIL_SRC_INGEST_ZIP_EXTRACT_H_
