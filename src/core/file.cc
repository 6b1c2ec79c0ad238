#include "vigil/core/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil {

Result<std::string> ReadFile(const std::filesystem::path& path, uint64_t max_bytes) {
  const std::string name = path.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(name + ": no such file");
    return Status::IoError(name + ": open: " + std::strerror(errno));
  }
  std::string out;
  char buf[65536];
  Status status;
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      status = Status::IoError(name + ": read: " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      status =
          Status::ResourceExhausted(name + ": larger than " + std::to_string(max_bytes) + " bytes");
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (!status.ok()) return status;
  return out;
}

}  // namespace vigil
