// Readers turn an export on disk into a stream of Posts.
//
// Each reader streams: memory stays bounded by the largest single message
// (Limits::max_item_bytes), never by the size of the export. A reader reports
// a bad message or file through PostSink::OnError and goes on with the next
// one; it returns a non-OK Status only when it cannot continue with the file
// at all (unreadable, not the format it claimed). Readers are not thread-safe;
// use one per thread.
#ifndef VIGIL_INGEST_READER_H_
#define VIGIL_INGEST_READER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "vigil/core/limits.h"
#include "vigil/core/post.h"
#include "vigil/core/status.h"

namespace vigil::ingest {

// One bad item: names the file, where in it, and why.
struct IngestError {
  std::string file;
  std::string item;              // "message 12", "line 40"; empty for the whole file
  std::string reason;            // one line
  std::string ToString() const;  // "file: item: reason"
};

class PostSink {
 public:
  virtual ~PostSink() = default;
  // Receives each post in export order. A non-OK return stops the reader,
  // which returns that Status.
  virtual Status OnPost(Post&& post) = 0;
  virtual void OnError(const IngestError& error) = 0;
  // `n` more bytes of the export were read (for progress): over one Read,
  // the calls add up to Reader::SizeBytes() when the file is read to its end.
  virtual void OnBytesRead(uint64_t n) { (void)n; }
};

class Reader {
 public:
  virtual ~Reader() = default;
  // What this reader reads, for logs: "telegram json: /x/result.json".
  virtual std::string Describe() const = 0;
  // Streams every post into `sink`. Safe to call once.
  virtual Status Read(PostSink& sink) = 0;
  // The bytes Read will report through PostSink::OnBytesRead: the export
  // file's size (an image folder: its images' sizes); 0 when unknown.
  virtual uint64_t SizeBytes() const = 0;
};

struct ReaderOptions {
  Limits limits;
  // Where .zip exports are extracted (a fresh subfolder per archive, filled
  // as OpenReaders' comment says). Empty: a folder under the system
  // temporary directory, removed with the last reader of the archive.
  std::filesystem::path scratch_dir;
};

// The format vigil recognised at a path.
enum class Format { kTelegramJson, kWhatsAppText, kFacebookJson, kJsonl, kImageFolder, kUnknown };

// Looks at the bytes (not only the name) of a file and says what it is.
Format DetectFile(const std::filesystem::path& file);

// The readers for one user-given path: a file, a folder (every export found
// inside it; a folder with only images becomes an image-folder reader) or a
// .zip, read as a folder extracted safely into options.scratch_dir: its
// directory is checked against the limits first, the chat files (and loose
// images, which are posts of their own) are extracted at open, and every
// other entry only when a post being read refers to it.
// Paths that hold nothing readable are reported through `errors` and yield
// no reader. Never throws.
std::vector<std::unique_ptr<Reader>> OpenReaders(const std::filesystem::path& path,
                                                 const ReaderOptions& options,
                                                 std::vector<IngestError>& errors);

}  // namespace vigil::ingest

#endif  // VIGIL_INGEST_READER_H_
