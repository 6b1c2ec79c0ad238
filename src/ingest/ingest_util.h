// Helpers shared by the ingest readers (internal to src/ingest).
//
// Everything here works on untrusted input: byte streams from export files,
// paths written by exporters, strings with exporter-specific damage. Nothing
// here throws; failures are reported through return values.
#ifndef VIGIL_SRC_INGEST_INGEST_UTIL_H_
#define VIGIL_SRC_INGEST_INGEST_UTIL_H_

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/post.h"
#include "vigil/core/status.h"
#include "vigil/ingest/reader.h"

namespace vigil::ingest {

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using UniqueFile = std::unique_ptr<std::FILE, FileCloser>;

// Opens `path` for binary reading; NotFound/IoError naming the path on failure.
Result<UniqueFile> OpenForRead(const std::filesystem::path& path);
// The size of a regular file, 0 when it cannot be known (Reader::SizeBytes).
uint64_t FileBytes(const std::filesystem::path& path);

// Reads at most `max_bytes` from the start of `path`. Empty on any failure.
std::string ReadHead(const std::filesystem::path& path, size_t max_bytes);

// A RapidJSON input stream (Peek/Take/Tell) over a file, read in fixed-size
// chunks so memory does not depend on the file size. It skips a leading UTF-8
// BOM and rewrites Telegram's invalid `\xNN` string escapes to `\u00NN` on the
// fly. Tell() is the byte offset in the file of the next unread raw byte.
// Does not own the FILE. A read error ends the stream (Peek() returns '\0');
// io_error() then says so.
class ChunkedJsonStream {
 public:
  using Ch = char;
  static constexpr size_t kChunkBytes = 64 * 1024;

  // Each chunk read from `file` is reported to `progress` (when given).
  explicit ChunkedJsonStream(std::FILE* file, PostSink* progress = nullptr);

  Ch Peek() {
    if (out_pos_ == out_len_) Produce();
    return out_pos_ < out_len_ ? out_[out_pos_] : '\0';
  }
  Ch Take() {
    if (out_pos_ == out_len_) Produce();
    return out_pos_ < out_len_ ? out_[out_pos_++] : '\0';
  }
  size_t Tell() const { return consumed_; }
  bool io_error() const { return io_error_; }

  // Unused by the (non in-situ) reader but required by the stream concept.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }

 private:
  void Produce();  // computes the next 1..4 output characters into out_
  bool NextRaw(char& c);

  std::FILE* file_;
  PostSink* progress_;
  std::vector<char> buf_;
  size_t buf_pos_ = 0, buf_len_ = 0;
  size_t consumed_ = 0;
  bool eof_ = false, io_error_ = false;
  bool in_string_ = false, escape_ = false, started_ = false;
  char out_[4] = {};
  size_t out_pos_ = 0, out_len_ = 0;
};

// Repairs Facebook's mojibake (every UTF-8 byte written as its own \u00XX):
// when every code point of `s` is <= U+00FF and at least one is >= U+0080,
// the code points are read as bytes and the result kept if it is valid
// UTF-8; otherwise `s` is returned unchanged. Invalid UTF-8 input is
// returned sanitized.
std::string FixMojibake(std::string_view s);

// Where a media path written by an exporter points: vigil::ResolveInside
// (core/file.h, the one guard for such paths) in MediaRef's terms. `path` is
// set (absolute, lexically normal) only when the file is inside `root` and
// exists as a regular file; otherwise `missing_reason` says why
// (kOutsideExport for absolute paths, `..` escapes and symlinks leaving the
// root; "not in export" when absent; "empty path"). The check never opens the
// file. When a FileSupplier is installed on this thread, it is first given the
// lexically checked path, so that a file it holds is on disk before the check.
struct ResolvedPath {
  std::string path;
  std::string missing_reason;
};
ResolvedPath ResolveInside(const std::filesystem::path& root, std::string_view relative);

// Files a reader may ask for before they are on disk: the entries of a .zip
// that are extracted when first referenced (zip_extract.h).
class FileSupplier {
 public:
  virtual ~FileSupplier() = default;
  // `root` and `path` are absolute and lexically normal, `path` inside
  // `root`: the root a reader resolves against and the file it asks for.
  // Puts the file on disk if the supplier holds it and it is not there yet;
  // otherwise does nothing. Never throws; failures are the supplier's to
  // report.
  virtual void Supply(const std::filesystem::path& root, const std::filesystem::path& path) = 0;
};

// Installs `supplier` (not owned; may be null) for ResolveInside on this
// thread until the scope ends, then restores the one before it.
class FileSupplierScope {
 public:
  explicit FileSupplierScope(FileSupplier* supplier);
  ~FileSupplierScope();
  FileSupplierScope(const FileSupplierScope&) = delete;
  FileSupplierScope& operator=(const FileSupplierScope&) = delete;

 private:
  FileSupplier* previous_;
};

// The MIME type of an image from its first bytes (JPEG, PNG, GIF, WebP, BMP);
// nullopt for anything else. Needs at most 12 bytes.
std::optional<std::string> SniffImageMime(std::string_view head);

// "photo.jpg" -> "photo.jpg", "a/b/c.png" -> "c.png".
std::string BaseName(std::string_view path);

// Decimal rendering of an int64 / uint64 id.
std::string IdToString(int64_t v);

}  // namespace vigil::ingest

#endif  // VIGIL_SRC_INGEST_INGEST_UTIL_H_
