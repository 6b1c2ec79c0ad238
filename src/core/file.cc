#include "vigil/core/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <system_error>

namespace vigil {

namespace fs = std::filesystem;

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

namespace {

// True when `p` is `root` or below it; both absolute and lexically normal.
bool IsUnder(const fs::path& p, const fs::path& root) {
  auto r = root.begin(), e = root.end();
  auto i = p.begin();
  for (; r != e; ++r, ++i) {
    if (r->empty() && std::next(r) == e) break;  // trailing separator of root
    if (i == p.end() || *i != *r) return false;
  }
  return true;
}

// `relative` fit for a message: NUL bytes would cut it short downstream.
std::string Printable(std::string_view relative) {
  std::string out;
  for (char c : relative) {
    if (c == '\0') {
      out += "\\0";
    } else {
      out += c;
    }
  }
  return out;
}

std::string ShownBase(const fs::path& base) { return base.empty() ? "." : base.string(); }

Result<fs::path> AbsoluteBase(const fs::path& base) {
  std::error_code ec;
  fs::path abs = fs::absolute(base.empty() ? fs::path(".") : base, ec);
  if (ec) return Status::IoError(ShownBase(base) + ": " + ec.message());
  return abs.lexically_normal();
}

}  // namespace

Result<fs::path> JoinInside(const fs::path& base, std::string_view relative) {
  if (relative.empty()) return Status::InvalidArgument("empty path");
  const std::string shown = Printable(relative);
  if (relative.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(shown + ": NUL byte in path");
  }
  const fs::path rel(relative);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory()) {
    return Status::InvalidArgument(shown + ": absolute path, outside " + ShownBase(base));
  }
  VIGIL_ASSIGN_OR_RETURN(fs::path abs_base, AbsoluteBase(base));
  fs::path candidate = (abs_base / rel).lexically_normal();
  if (!IsUnder(candidate, abs_base)) {
    return Status::InvalidArgument(shown + ": leaves " + ShownBase(base) + " (..)");
  }
  return candidate;
}

Result<fs::path> ResolveInside(const fs::path& base, std::string_view relative) {
  VIGIL_ASSIGN_OR_RETURN(fs::path candidate, JoinInside(base, relative));
  const std::string shown(relative);
  std::error_code ec;
  const fs::file_status st = fs::status(candidate, ec);  // follows symlinks
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
    return Status::IoError(shown + ": " + ec.message());
  }
  if (!fs::exists(st)) return Status::NotFound(shown + ": not found in " + ShownBase(base));
  if (!fs::is_regular_file(st)) return Status::NotFound(shown + ": not a regular file");
  // A symlink inside `base` may still point outside it.
  const fs::path real = fs::canonical(candidate, ec);
  if (ec) return Status::IoError(shown + ": " + ec.message());
  VIGIL_ASSIGN_OR_RETURN(fs::path abs_base, AbsoluteBase(base));
  const fs::path real_base = fs::canonical(abs_base, ec);
  if (ec) return Status::IoError(ShownBase(base) + ": " + ec.message());
  if (!IsUnder(real, real_base)) {
    return Status::InvalidArgument(shown + ": symlink leads outside " + ShownBase(base));
  }
  return candidate;
}

}  // namespace vigil
