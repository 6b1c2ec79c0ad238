#include "src/ingest/zip_extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <system_error>
#include <utility>

namespace vigil::ingest {
namespace {

namespace fs = std::filesystem;

// Below this many bytes no ratio is judged: small files of zeros or spaces
// compress far better than any limit, and cannot fill a disk.
constexpr uint64_t kRatioFloorBytes = 1u << 20;

// How many headers Supply may walk, per entry of the archive, before jumping
// back gives way to extracting a root's pending entries in one pass.
constexpr uint64_t kWalksPerEntry = 4;

// libarchive leaves the message NULL for some failures.
std::string ArchiveError(struct archive* a) {
  const char* message = archive_error_string(a);
  return message != nullptr ? message : "unreadable archive";
}

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// The entry's path as safe relative components, or empty when it must not be
// written (absolute, drive letter, `..`, NUL).
fs::path SafeRelative(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.front() == '\\') return {};
  fs::path out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == ".." || part.find(':') != std::string_view::npos ||
        part.find('\0') != std::string_view::npos) {
      return {};
    }
    out /= std::string(part);
  }
  return out;
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// True when `out` bytes from `in` bytes is past `ratio` (and past the floor).
bool OverRatio(uint64_t out, uint64_t in, uint32_t ratio) {
  if (out <= kRatioFloorBytes) return false;
  if (ratio != 0 && in > std::numeric_limits<uint64_t>::max() / ratio) return false;
  return out > in * ratio;
}

bool IsUnderLexically(const fs::path& p, const fs::path& root) {
  const std::string rel = p.lexically_relative(root).generic_string();
  return !rel.empty() && rel != ".." && !rel.starts_with("../");
}

}  // namespace

void ZipArchive::ArchiveFree::operator()(archive* a) const { archive_read_free(a); }

ZipArchive::ZipArchive(Key, fs::path zip, fs::path dest, const Limits& limits)
    : zip_(std::move(zip)), zip_name_(zip_.string()), dest_(std::move(dest)), limits_(limits) {}

ZipArchive::~ZipArchive() = default;

Result<std::unique_ptr<ZipArchive>> ZipArchive::Open(const fs::path& zip, const fs::path& dest,
                                                     const Limits& limits, size_t head_bytes,
                                                     const WantNow& want_now,
                                                     std::vector<IngestError>& errors) {
  std::error_code ec;
  const fs::path abs_dest = fs::absolute(dest, ec).lexically_normal();
  auto z = std::make_unique<ZipArchive>(Key(), zip, ec ? dest : abs_dest, limits);
  Status st = z->Index(errors);
  if (st.ok()) st = z->ExtractWanted(head_bytes, want_now);
  for (IngestError& e : z->errors_) errors.push_back(std::move(e));
  z->errors_.clear();
  if (!st.ok()) {
    z->cursor_.reset();
    fs::remove_all(dest, ec);
    return st;
  }
  return z;
}

// Headers only: every check that needs no data, before anything is inflated
// or written.
Status ZipArchive::Index(std::vector<IngestError>& errors) {
  std::error_code ec;
  archive_size_ = fs::file_size(zip_, ec);
  if (ec) return Status::IoError(zip_name_ + ": " + ec.message());
  UniqueArchive a(archive_read_new());
  if (!a) return Status::Internal("archive_read_new failed");
  // The central directory gives every entry's type and size up front, and
  // lets a walk skip entries without inflating them.
  archive_read_support_format_zip_seekable(a.get());
  if (archive_read_open_filename(a.get(), zip_.c_str(), 16 * 1024) != ARCHIVE_OK) {
    return Status::Corrupt(zip_name_ + ": " + ArchiveError(a.get()));
  }
  std::vector<fs::path> dirs;
  uint64_t declared = 0;
  for (uint64_t ordinal = 0;; ++ordinal) {
    archive_entry* entry = nullptr;
    const int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return Status::Corrupt(zip_name_ + ": " + ArchiveError(a.get()));
    if (++entries_ > limits_.max_archive_entries) {
      return Status::ResourceExhausted(zip_name_ + ": more than " +
                                       std::to_string(limits_.max_archive_entries) + " entries");
    }
    const char* raw_name = archive_entry_pathname(entry);
    const std::string name = raw_name != nullptr ? raw_name : "";
    const mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFLNK || archive_entry_hardlink(entry) != nullptr ||
        archive_entry_symlink(entry) != nullptr) {
      errors.push_back({zip_name_, name, "link entry skipped"});
      continue;
    }
    const fs::path rel = SafeRelative(name);
    if (rel.empty()) {
      errors.push_back({zip_name_, name, "unsafe path (absolute or ..) skipped"});
      continue;
    }
    if (type == AE_IFDIR) {
      dirs.push_back(rel);
      continue;
    }
    if (type != AE_IFREG) {
      errors.push_back({zip_name_, name, "special file entry skipped"});
      continue;
    }
    if (!archive_entry_size_is_set(entry) || archive_entry_size(entry) < 0) {
      return Status::Corrupt(zip_name_ + ": " + name + ": no size in the central directory");
    }
    const auto size = static_cast<uint64_t>(archive_entry_size(entry));
    if (!by_rel_.emplace(rel.generic_string(), files_.size()).second) {
      errors.push_back({zip_name_, name, "duplicate entry skipped"});
      continue;
    }
    if (size > limits_.max_archive_bytes - declared) {
      return Status::ResourceExhausted(zip_name_ + ": more than " +
                                       std::to_string(limits_.max_archive_bytes) +
                                       " bytes uncompressed");
    }
    declared += size;
    files_.push_back({name, rel, ordinal, size, {}, false, false});
  }
  if (OverRatio(declared, archive_size_, limits_.max_archive_ratio)) {
    return Status::ResourceExhausted(
        zip_name_ + ": compression ratio above " + std::to_string(limits_.max_archive_ratio) +
        " over the whole archive (" + std::to_string(declared) + " bytes from " +
        std::to_string(archive_size_) + "; zip bomb?)");
  }
  for (const fs::path& dir : dirs) {
    fs::create_directories(dest_ / dir, ec);
    if (ec) return Status::IoError((dest_ / dir).string() + ": " + ec.message());
  }
  return Status::Ok();
}

Status ZipArchive::ExtractWanted(size_t head_bytes, const WantNow& want_now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (File& f : files_) {
    archive_entry* entry = nullptr;
    VIGIL_RETURN_IF_ERROR(SeekTo(f, &entry));
    const int64_t compressed_start = archive_filter_bytes(cursor_.get(), -1);
    std::string head;
    VIGIL_RETURN_IF_ERROR(ReadHead(f, head_bytes, head));
    if (want_now(head, f.rel)) {
      VIGIL_RETURN_IF_ERROR(WriteCurrent(f, entry, head, compressed_start));
    } else {
      head.resize(std::min(head.size(), kPendingHeadBytes));
      f.head = std::move(head);
    }
  }
  cursor_.reset();
  steps_ = 0;  // Supply's budget is for references, not for this pass
  return Status::Ok();
}

std::vector<ZipArchive::Pending> ZipArchive::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Pending> out;
  for (const File& f : files_) {
    if (!f.extracted && !f.unavailable) out.push_back({f.rel, f.head});
  }
  return out;
}

Status ZipArchive::ExtractNow(std::span<const fs::path> rels) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!failure_.ok()) return failure_;
  std::vector<size_t> indices;
  for (const fs::path& rel : rels) {
    auto it = by_rel_.find(rel.generic_string());
    if (it != by_rel_.end()) indices.push_back(it->second);
  }
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  Status st = ExtractIndices(indices);
  cursor_.reset();
  if (!st.ok()) Fail(st, /*remove_dest=*/true);
  return st;
}

void ZipArchive::Supply(const fs::path& root, const fs::path& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!failure_.ok() || !IsUnderLexically(path, dest_)) return;
  auto it = by_rel_.find(path.lexically_relative(dest_).generic_string());
  if (it == by_rel_.end()) return;
  const File& f = files_[it->second];
  if (f.extracted || f.unavailable) return;
  const uint64_t walk =
      (cursor_ && f.ordinal >= cursor_next_) ? f.ordinal - cursor_next_ + 1 : f.ordinal + 1;
  Status st;
  if (steps_ + walk <= kWalksPerEntry * entries_ + 64) {
    const size_t one = it->second;
    st = ExtractIndices(std::span<const size_t>(&one, 1));
  } else {
    // References jump around the archive: one pass for everything this
    // reader could still ask for, rather than a walk per reference.
    std::vector<size_t> indices;
    for (size_t i = 0; i < files_.size(); ++i) {
      const File& g = files_[i];
      if (!g.extracted && !g.unavailable && IsUnderLexically(dest_ / g.rel, root)) {
        indices.push_back(i);
      }
    }
    st = ExtractIndices(indices);
  }
  if (!st.ok()) Fail(st, /*remove_dest=*/false);
}

Status ZipArchive::failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

std::vector<IngestError> ZipArchive::TakeErrors() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(errors_, {});
}

void ZipArchive::EndReading() {
  std::lock_guard<std::mutex> lock(mu_);
  cursor_.reset();
}

void ZipArchive::Fail(Status status, bool remove_dest) {
  failure_ = std::move(status);
  cursor_.reset();
  if (remove_dest) {
    std::error_code ec;
    fs::remove_all(dest_, ec);
  }
}

Status ZipArchive::ExtractIndices(std::span<const size_t> indices) {
  for (size_t i : indices) {
    File& f = files_[i];
    if (f.extracted || f.unavailable) continue;
    archive_entry* entry = nullptr;
    VIGIL_RETURN_IF_ERROR(SeekTo(f, &entry));
    VIGIL_RETURN_IF_ERROR(WriteCurrent(f, entry, {}, archive_filter_bytes(cursor_.get(), -1)));
  }
  return Status::Ok();
}

Status ZipArchive::SeekTo(const File& f, archive_entry** entry) {
  if (!cursor_ || f.ordinal < cursor_next_) {
    cursor_.reset(archive_read_new());
    cursor_next_ = 0;
    if (!cursor_) return Status::Internal("archive_read_new failed");
    archive_read_support_format_zip_seekable(cursor_.get());
    // A small block size keeps the compressed-bytes count used by the ratio
    // guard close to the truth.
    if (archive_read_open_filename(cursor_.get(), zip_.c_str(), 16 * 1024) != ARCHIVE_OK) {
      Status st = Status::Corrupt(zip_name_ + ": " + ArchiveError(cursor_.get()));
      cursor_.reset();
      return st;
    }
  }
  for (;;) {
    const int r = archive_read_next_header(cursor_.get(), entry);
    ++steps_;
    if (r == ARCHIVE_EOF) {
      cursor_.reset();
      return Status::Corrupt(zip_name_ + ": changed while being read");
    }
    if (r < ARCHIVE_WARN) {
      Status st = Status::Corrupt(zip_name_ + ": " + ArchiveError(cursor_.get()));
      cursor_.reset();
      return st;
    }
    if (cursor_next_++ == f.ordinal) break;
  }
  const char* name = archive_entry_pathname(*entry);
  if (name == nullptr || f.name != name || !archive_entry_size_is_set(*entry) ||
      static_cast<uint64_t>(archive_entry_size(*entry)) != f.size) {
    cursor_.reset();
    return Status::Corrupt(zip_name_ + ": changed while being read");
  }
  return Status::Ok();
}

Status ZipArchive::ReadHead(const File& f, size_t max_bytes, std::string& head) {
  head.resize(max_bytes);
  size_t have = 0;
  while (have < max_bytes) {
    const la_ssize_t n = archive_read_data(cursor_.get(), head.data() + have, max_bytes - have);
    if (n < 0) {
      return Status::Corrupt(zip_name_ + ": " + f.name + ": " + ArchiveError(cursor_.get()));
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  head.resize(have);
  if (have > f.size) {
    return Status::Corrupt(zip_name_ + ": " + f.name + ": larger than its declared " +
                           std::to_string(f.size) + " bytes");
  }
  return Status::Ok();
}

Status ZipArchive::WriteCurrent(File& f, archive_entry* entry, std::string_view prefix,
                                int64_t compressed_start) {
  const fs::path out = dest_ / f.rel;
  std::error_code ec;
  fs::create_directories(out.parent_path(), ec);
  if (ec) return Status::IoError(out.parent_path().string() + ": " + ec.message());
  UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    errors_.push_back({zip_name_, f.name, std::string("cannot create: ") + std::strerror(errno)});
    f.unavailable = true;
    return Status::Ok();
  }
  // Every failure from here on leaves no partial file behind.
  auto fail = [&](Status st) {
    ::unlink(out.c_str());
    return st;
  };
  uint64_t entry_bytes = 0;
  auto take = [&](const char* data, size_t size) -> Status {
    entry_bytes += size;
    // Holding entries to their declared sizes makes Open's totals binding.
    if (entry_bytes > f.size) {
      return Status::Corrupt(zip_name_ + ": " + f.name + ": larger than its declared " +
                             std::to_string(f.size) + " bytes");
    }
    const int64_t compressed =
        archive_filter_bytes(cursor_.get(), -1) - compressed_start + 4096;  // slack for headers
    if (OverRatio(entry_bytes, static_cast<uint64_t>(std::max<int64_t>(compressed, 0)),
                  limits_.max_archive_ratio)) {
      return Status::ResourceExhausted(zip_name_ + ": " + f.name + ": compression ratio above " +
                                       std::to_string(limits_.max_archive_ratio) + " (zip bomb?)");
    }
    if (size > 0 && !WriteAll(fd.get(), data, size)) {
      return Status::IoError(out.string() + ": " + std::strerror(errno));
    }
    return Status::Ok();
  };
  if (Status st = take(prefix.data(), prefix.size()); !st.ok()) return fail(std::move(st));
  // archive_read_data, as ReadHead used: mixing in archive_read_data_block
  // would drop what is left of a block the head was cut from.
  std::string buf(64 * 1024, '\0');
  for (;;) {
    const la_ssize_t n = archive_read_data(cursor_.get(), buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      return fail(Status::Corrupt(zip_name_ + ": " + f.name + ": " + ArchiveError(cursor_.get())));
    }
    if (Status st = take(buf.data(), static_cast<size_t>(n)); !st.ok()) {
      return fail(std::move(st));
    }
  }
  // Keep the archive's modification times: a folder of images inside a zip
  // dates its posts by them, and they must not change from run to run.
  if (archive_entry_mtime_is_set(entry)) {
    const struct timespec times[2] = {
        {0, UTIME_OMIT},
        {static_cast<time_t>(archive_entry_mtime(entry)), archive_entry_mtime_nsec(entry)}};
    (void)::futimens(fd.get(), times);
  }
  if (::close(fd.Release()) != 0) {
    return fail(Status::IoError(out.string() + ": " + std::strerror(errno)));
  }
  f.extracted = true;
  return Status::Ok();
}

}  // namespace vigil::ingest
