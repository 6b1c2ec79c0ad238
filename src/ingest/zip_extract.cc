#include "src/ingest/zip_extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace vigil::ingest {
namespace {

// libarchive leaves the message NULL for some failures.
std::string ArchiveError(struct archive* a) {
  const char* message = archive_error_string(a);
  return message != nullptr ? message : "unreadable archive";
}

namespace fs = std::filesystem;

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using UniqueArchive = std::unique_ptr<archive, ArchiveFree>;

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

Status Extract(const fs::path& zip, const fs::path& dest, const Limits& limits,
               std::vector<IngestError>& errors) {
  UniqueArchive a(archive_read_new());
  if (!a) return Status::Internal("archive_read_new failed");
  archive_read_support_format_zip(a.get());
  // A small block size keeps the compressed-bytes count used by the ratio
  // guard close to the truth.
  if (archive_read_open_filename(a.get(), zip.c_str(), 16 * 1024) != ARCHIVE_OK) {
    return Status::Corrupt(zip.string() + ": " + ArchiveError(a.get()));
  }
  const std::string zip_name = zip.string();
  uint64_t entries = 0, total = 0;
  for (;;) {
    archive_entry* entry = nullptr;
    const int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      return Status::Corrupt(zip_name + ": " + ArchiveError(a.get()));
    }
    if (++entries > limits.max_archive_entries) {
      return Status::ResourceExhausted(zip_name + ": more than " +
                                       std::to_string(limits.max_archive_entries) + " entries");
    }
    const char* raw_name = archive_entry_pathname(entry);
    const std::string name = raw_name != nullptr ? raw_name : "";
    const mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFLNK || archive_entry_hardlink(entry) != nullptr ||
        archive_entry_symlink(entry) != nullptr) {
      errors.push_back({zip_name, name, "link entry skipped"});
      continue;
    }
    const fs::path rel = SafeRelative(name);
    if (rel.empty()) {
      errors.push_back({zip_name, name, "unsafe path (absolute or ..) skipped"});
      continue;
    }
    std::error_code ec;
    if (type == AE_IFDIR) {
      fs::create_directories(dest / rel, ec);
      if (ec) return Status::IoError((dest / rel).string() + ": " + ec.message());
      continue;
    }
    if (type != AE_IFREG) {
      errors.push_back({zip_name, name, "special file entry skipped"});
      continue;
    }
    if (archive_entry_size_is_set(entry) &&
        static_cast<uint64_t>(archive_entry_size(entry)) > limits.max_archive_bytes - total) {
      return Status::ResourceExhausted(zip_name + ": more than " +
                                       std::to_string(limits.max_archive_bytes) +
                                       " bytes uncompressed");
    }
    const fs::path out = dest / rel;
    fs::create_directories(out.parent_path(), ec);
    if (ec) return Status::IoError(out.parent_path().string() + ": " + ec.message());
    UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) {
      errors.push_back({zip_name, name, std::string("cannot create: ") + std::strerror(errno)});
      continue;
    }
    const int64_t compressed_start = archive_filter_bytes(a.get(), -1);
    uint64_t entry_bytes = 0;
    for (;;) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      const int d = archive_read_data_block(a.get(), &block, &size, &offset);
      if (d == ARCHIVE_EOF) break;
      if (d < ARCHIVE_WARN) {
        return Status::Corrupt(zip_name + ": " + name + ": " + ArchiveError(a.get()));
      }
      entry_bytes += size;
      total += size;
      if (total > limits.max_archive_bytes) {
        return Status::ResourceExhausted(zip_name + ": more than " +
                                         std::to_string(limits.max_archive_bytes) +
                                         " bytes uncompressed");
      }
      const int64_t compressed =
          archive_filter_bytes(a.get(), -1) - compressed_start + 4096;  // slack for headers
      if (entry_bytes > (1u << 20) &&
          entry_bytes > static_cast<uint64_t>(compressed) * limits.max_archive_ratio) {
        return Status::ResourceExhausted(zip_name + ": " + name + ": compression ratio above " +
                                         std::to_string(limits.max_archive_ratio) + " (zip bomb?)");
      }
      if (size > 0 && !WriteAll(fd.get(), static_cast<const char*>(block), size)) {
        return Status::IoError(out.string() + ": " + std::strerror(errno));
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
      return Status::IoError(out.string() + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

}  // namespace

Status ExtractZip(const fs::path& zip, const fs::path& dest, const Limits& limits,
                  std::vector<IngestError>& errors) {
  Status st = Extract(zip, dest, limits, errors);
  if (!st.ok()) {
    std::error_code ec;
    fs::remove_all(dest, ec);
  }
  return st;
}

}  // namespace vigil::ingest
