#include "src/evidence/util.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vigil::evidence::internal {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.Release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

Status UniqueFd::Close(const std::string& what) {
  const int fd = Release();
  if (fd >= 0 && ::close(fd) != 0) return Status::IoError(ErrnoText(what + ": close"));
  return Status::Ok();
}

std::string ErrnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

Status WriteAll(int fd, std::string_view bytes, const std::string& what) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(ErrnoText(what + ": write"));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Status::IoError(ErrnoText(dir + ": open folder"));
  if (::fsync(fd.get()) != 0) return Status::IoError(ErrnoText(dir + ": fsync folder"));
  return Status::Ok();
}

std::string TempSuffix() {
  static std::atomic<uint64_t> counter{0};
  return ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(randombytes_random());
}

Status AtomicWriteFile(const std::string& path, std::string_view bytes, int mode) {
  const std::string tmp = path + TempSuffix();
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return Status::IoError(ErrnoText(tmp + ": create"));
  Status s = WriteAll(fd.get(), bytes, tmp);
  if (s.ok() && ::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) {
    s = Status::IoError(ErrnoText(tmp + ": chmod"));
  }
  if (s.ok() && ::fsync(fd.get()) != 0) s = Status::IoError(ErrnoText(tmp + ": fsync"));
  if (s.ok()) s = fd.Close(tmp);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Status::IoError(ErrnoText(path + ": rename"));
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  return FsyncDir(dir.empty() ? "." : dir);
}

}  // namespace vigil::evidence::internal
