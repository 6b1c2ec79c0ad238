#include "src/ingest/ingest_util.h"

#include <cerrno>
#include <cstring>
#include <system_error>

#include "vigil/core/file.h"
#include "vigil/core/utf8.h"

namespace vigil::ingest {

namespace fs = std::filesystem;

Result<UniqueFile> OpenForRead(const fs::path& path) {
  UniqueFile f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    const int err = errno;
    std::string msg = path.string() + ": " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(std::move(msg));
    return Status::IoError(std::move(msg));
  }
  return f;
}

std::string ReadHead(const fs::path& path, size_t max_bytes) {
  auto f = OpenForRead(path);
  if (!f.ok()) return {};
  std::string out(max_bytes, '\0');
  const size_t n = std::fread(out.data(), 1, max_bytes, f->get());
  out.resize(n);
  return out;
}

uint64_t FileBytes(const std::filesystem::path& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<uint64_t>(size);
}

ChunkedJsonStream::ChunkedJsonStream(std::FILE* file, PostSink* progress)
    : file_(file), progress_(progress), buf_(kChunkBytes) {}

bool ChunkedJsonStream::NextRaw(char& c) {
  if (buf_pos_ == buf_len_) {
    if (eof_) return false;
    buf_len_ = std::fread(buf_.data(), 1, buf_.size(), file_);
    if (progress_ != nullptr && buf_len_ > 0) progress_->OnBytesRead(buf_len_);
    buf_pos_ = 0;
    if (buf_len_ < buf_.size()) {
      eof_ = true;
      if (std::ferror(file_)) io_error_ = true;
    }
    if (!started_) {
      started_ = true;
      if (buf_len_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) {
        buf_pos_ = 3;
        consumed_ = 3;
      }
    }
    if (buf_pos_ == buf_len_) return false;
  }
  c = buf_[buf_pos_++];
  ++consumed_;
  return true;
}

void ChunkedJsonStream::Produce() {
  out_pos_ = 0;
  out_len_ = 0;
  char c;
  if (!NextRaw(c)) return;
  if (in_string_) {
    if (escape_) {
      escape_ = false;
      if (c == 'x') {  // tdesktop writes control characters as \xNN
        out_[0] = 'u';
        out_[1] = '0';
        out_[2] = '0';
        out_len_ = 3;
        return;
      }
    } else if (c == '\\') {
      escape_ = true;
    } else if (c == '"') {
      in_string_ = false;
    }
  } else if (c == '"') {
    in_string_ = true;
  }
  out_[0] = c;
  out_len_ = 1;
}

std::string FixMojibake(std::string_view s) {
  if (!IsValidUtf8(s)) return SanitizeUtf8(s);
  bool high = false;
  std::string bytes;
  bytes.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const uint32_t cp = DecodeUtf8(s, i);
    if (cp > 0xFF) return std::string(s);
    if (cp >= 0x80) high = true;
    bytes.push_back(static_cast<char>(cp));
  }
  if (!high || !IsValidUtf8(bytes)) return std::string(s);
  return bytes;
}

namespace {

thread_local FileSupplier* current_supplier = nullptr;

}  // namespace

FileSupplierScope::FileSupplierScope(FileSupplier* supplier) : previous_(current_supplier) {
  current_supplier = supplier;
}

FileSupplierScope::~FileSupplierScope() { current_supplier = previous_; }

ResolvedPath ResolveInside(const fs::path& root, std::string_view relative) {
  ResolvedPath out;
  if (relative.empty()) {
    out.missing_reason = "empty path";
    return out;
  }
  auto reason = [](const Status& s) {
    return s.code() == StatusCode::kInvalidArgument ? std::string(kOutsideExport)
                                                    : std::string("not in export");
  };
  if (current_supplier != nullptr) {
    Result<fs::path> joined = JoinInside(root, relative);
    if (!joined.ok()) {
      out.missing_reason = reason(joined.status());
      return out;
    }
    std::error_code ec;
    current_supplier->Supply(
        fs::absolute(root.empty() ? fs::path(".") : root, ec).lexically_normal(), *joined);
  }
  Result<fs::path> resolved = vigil::ResolveInside(root, relative);
  if (!resolved.ok()) {
    out.missing_reason = reason(resolved.status());
    return out;
  }
  out.path = resolved->string();
  return out;
}

std::optional<std::string> SniffImageMime(std::string_view h) {
  auto starts = [&](std::string_view magic) { return h.substr(0, magic.size()) == magic; };
  if (starts("\xFF\xD8\xFF")) return "image/jpeg";
  if (starts("\x89PNG\r\n\x1A\n")) return "image/png";
  if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
  if (h.size() >= 12 && starts("RIFF") && h.substr(8, 4) == "WEBP") return "image/webp";
  if (starts("BM") && h.size() >= 14) return "image/bmp";
  return std::nullopt;
}

std::string BaseName(std::string_view path) {
  const size_t slash = path.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string IdToString(int64_t v) { return std::to_string(v); }

}  // namespace vigil::ingest
