// The messages of a scan queue: a Post (or a bad input item the producer
// met) as one JSON object, losslessly.
//
// Every Post field travels, byte for byte (strings may hold any bytes,
// NUL and invalid UTF-8 included; optionals keep "unset" apart from 0).
// Media travel by reference, not inline: `media_files[i]` names where the
// bytes of post.media[i] can be read by a worker (a shared, content-
// addressed copy), or is "" when the worker should read post.media[i].path
// itself (nothing was copied: the export had no file, or it could not be
// read). The MediaRef itself is unchanged, so what the worker stores as the
// file's path (MediaRef::shown_path) is what a single-process scan stores.
//
// Format (version 1):
//   {"v":1,"seq":N,"post":{...},"media_files":["/shared/media/<sha256>", ""]}
//   {"v":1,"seq":N,"error":{"file":...,"item":...,"reason":...}}
// A message of another version, or one that does not parse, is kCorrupt.
// Pure functions; thread-safe.
#ifndef VIGIL_QUEUE_POST_CODEC_H_
#define VIGIL_QUEUE_POST_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/post.h"
#include "vigil/core/status.h"

namespace vigil::queue {

struct WorkItem {
  enum class Kind { kPost, kError };
  Kind kind = Kind::kPost;
  uint64_t seq = 0;  // the producer's order (for logs)
  Post post;
  std::vector<std::string> media_files;  // kPost: one per post.media
  // kError: an item the producer could not read, reported and skipped.
  std::string error_file, error_item, error_reason;
};

std::string EncodeWorkItem(const WorkItem& item);
// kCorrupt "queue message: ..." naming what is wrong.
Result<WorkItem> DecodeWorkItem(std::string_view json);

// The Post alone, as the "post" member above.
std::string EncodePost(const Post& post);
Result<Post> DecodePost(std::string_view json);

// post.media with each file read from media_files[i] when that is set: path
// becomes the shared copy and display_path keeps the name the export gave
// (so shown_path() is unchanged). kCorrupt when the sizes differ.
Result<Post> WithSharedMedia(Post post, const std::vector<std::string>& media_files);

}  // namespace vigil::queue

#endif  // VIGIL_QUEUE_POST_CODEC_H_
