// Internal helpers shared by the evidence module: durable file writes, file
// descriptors. Not part of the public API.
#ifndef VIGIL_SRC_EVIDENCE_UTIL_H_
#define VIGIL_SRC_EVIDENCE_UTIL_H_

#include <string>
#include <string_view>

#include "vigil/core/file.h"
#include "vigil/core/status.h"

namespace vigil::evidence::internal {

class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.Release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // close(2) with its error reported (after write, close can fail).
  Status Close(const std::string& what);

 private:
  int fd_;
};

std::string ErrnoText(const std::string& what);
Status WriteAll(int fd, std::string_view bytes, const std::string& what);
Status FsyncDir(const std::string& dir);
// Writes `bytes` to path + ".tmp-<pid>", fsyncs, renames over `path`, fsyncs
// the folder. A crash leaves either the old file or the new one, never a mix.
Status AtomicWriteFile(const std::string& path, std::string_view bytes, int mode);
// A name unique within this process and unlikely across processes.
std::string TempSuffix();

}  // namespace vigil::evidence::internal

#endif  // VIGIL_SRC_EVIDENCE_UTIL_H_
