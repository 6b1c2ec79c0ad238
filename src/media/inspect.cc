#include "vigil/media/inspect.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "src/media/formats.h"
#include "vigil/core/digest.h"
#include "vigil/core/hex.h"
#include "vigil/media/decode.h"
#include "vigil/media/pdq.h"

namespace vigil::media {
namespace {

// Image headers are read from the first bytes of a file; a JPEG whose frame
// header sits beyond this (huge EXIF/XMP segments) is re-read whole.
constexpr size_t kHeadBytes = 1 << 20;
constexpr size_t kChunkBytes = 1 << 20;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// SHA-256 and MD5 computed together in one pass over the bytes.
class Hasher {
 public:
  void Update(std::span<const uint8_t> b) {
    sha_.Update(b);
    md5_.Update(b);
  }
  void Final(MediaInfo& info) {
    info.sha256 = HexEncode(sha_.Final());
    info.md5 = HexEncode(md5_.Final());
  }

 private:
  Sha256Stream sha_;
  Md5Stream md5_;
};

Status SetTypeAndDimensions(std::span<const uint8_t> head, const Limits& limits, MediaInfo& info) {
  info.type = SniffType(head);
  info.mime = std::string(MimeForType(info.type));
  Result<Dimensions> dims = ReadDimensions(info.type, head, limits);
  if (!dims.ok()) return dims.status();
  info.width = dims->width;
  info.height = dims->height;
  return Status::Ok();
}

// PDQ of an image whose header has been read. Never fails Inspect: a decode
// failure is recorded in pdq_error.
void FillPdq(std::span<const uint8_t> bytes, const Limits& limits, const Deadline& deadline,
             MediaInfo& info) {
  if (!IsDecodableImageType(info.type)) return;
  if (info.width < kPdqMinSide || info.height < kPdqMinSide) {
    info.pdq_error = "image is " + std::to_string(info.width) + "x" + std::to_string(info.height) +
                     ", too small for PDQ (needs " + std::to_string(kPdqMinSide) + " px a side)";
    return;
  }
  // One decode gives all 8 dihedral hashes; the first is the PDQ itself.
  Result<PdqDihedral> h = PdqDihedralFromImageBytes(bytes, limits, /*fast=*/true, deadline);
  if (!h.ok()) {
    info.pdq_error = h.status().ToString();
    return;
  }
  info.pdq = h->hashes[0].ToHex();
  info.pdq_quality = h->quality;
  info.pdq_dihedral.assign(h->hashes.begin(), h->hashes.end());
}

Status WithPath(const std::filesystem::path& path, const Status& s) {
  return Status(s.code(), path.string() + ": " + s.message());
}

}  // namespace

Result<MediaInfo> Inspect(std::span<const uint8_t> bytes, const Limits& limits) {
  return Inspect(bytes, limits, Deadline::ForFile(limits));
}

Result<MediaInfo> Inspect(std::span<const uint8_t> bytes, const Limits& limits,
                          const Deadline& deadline) {
  if (bytes.empty()) return Status::Corrupt("media file is empty (0 bytes)");
  if (bytes.size() > limits.max_media_bytes) {
    return Status::ResourceExhausted("media file is " + std::to_string(bytes.size()) +
                                     " bytes, over the limit of " +
                                     std::to_string(limits.max_media_bytes) + " (max_media_bytes)");
  }
  MediaInfo info;
  info.size = bytes.size();
  Hasher hasher;
  hasher.Update(bytes);
  hasher.Final(info);
  VIGIL_RETURN_IF_ERROR(SetTypeAndDimensions(bytes, limits, info));
  FillPdq(bytes, limits, deadline, info);
  return info;
}

Result<MediaInfo> InspectFile(const std::filesystem::path& path, const Limits& limits) {
  return InspectFile(path, limits, Deadline::ForFile(limits));
}

Result<MediaInfo> InspectFile(const std::filesystem::path& path, const Limits& limits,
                              const Deadline& deadline) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return Status::NotFound(path.string() + ": no such file");
  }
  if (!std::filesystem::is_regular_file(status)) {
    return Status::InvalidArgument(path.string() + ": not a regular file");
  }
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    return Status::IoError(path.string() + ": cannot open: " + std::strerror(errno));
  }
  // The size is checked while reading (not from stat) so that a file growing
  // under us still cannot exceed the limit.
  MediaInfo info;
  Hasher hasher;
  // The first kHeadBytes, or the whole file when it is an image to decode.
  std::vector<uint8_t> head;
  bool keep_all = false;
  std::vector<uint8_t> chunk(kChunkBytes);
  uint64_t total = 0;
  for (;;) {
    const size_t n = std::fread(chunk.data(), 1, chunk.size(), file.get());
    if (n == 0) {
      if (std::ferror(file.get())) {
        return Status::IoError(path.string() + ": read failed: " + std::strerror(errno));
      }
      break;
    }
    total += n;
    if (total > limits.max_media_bytes) {
      return Status::ResourceExhausted(path.string() + ": media file is larger than " +
                                       std::to_string(limits.max_media_bytes) +
                                       " bytes (max_media_bytes)");
    }
    if (deadline.Expired()) return WithPath(path, deadline.Check("hashing"));
    const std::span<const uint8_t> got(chunk.data(), n);
    hasher.Update(got);
    if (total == n) keep_all = IsDecodableImageType(SniffType(got));
    if (keep_all) {
      head.insert(head.end(), got.begin(), got.end());
    } else if (head.size() < kHeadBytes) {
      const size_t take = std::min(n, kHeadBytes - head.size());
      head.insert(head.end(), got.begin(), got.begin() + static_cast<ptrdiff_t>(take));
    }
  }
  if (total == 0) return Status::Corrupt(path.string() + ": media file is empty (0 bytes)");
  info.size = total;
  hasher.Final(info);
  Status s = SetTypeAndDimensions(head, limits, info);
  if (!s.ok() && s.code() == StatusCode::kCorrupt && total > head.size()) {
    // The header may extend past the head we kept: read the whole file once.
    std::vector<uint8_t> all(total);
    std::rewind(file.get());
    if (std::fread(all.data(), 1, all.size(), file.get()) != all.size()) {
      return Status::IoError(path.string() + ": file changed while being read");
    }
    s = SetTypeAndDimensions(all, limits, info);
  }
  if (!s.ok()) return WithPath(path, s);
  if (keep_all) FillPdq(head, limits, deadline, info);
  return info;
}

}  // namespace vigil::media
