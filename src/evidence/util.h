// Internal helpers shared by the evidence module: SHA-256, durable file
// writes, file descriptors. Not part of the public API.
#ifndef VIGIL_SRC_EVIDENCE_UTIL_H_
#define VIGIL_SRC_EVIDENCE_UTIL_H_

#include <sodium.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "vigil/core/file.h"
#include "vigil/core/status.h"

namespace vigil::evidence::internal {

using Digest = std::array<uint8_t, 32>;

bool IsSha256Hex(std::string_view s);  // 64 lower-case hex digits

Digest Sha256(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);

// Streaming SHA-256 (libsodium).
class Sha256Stream {
 public:
  Sha256Stream() { crypto_hash_sha256_init(&st_); }
  void Update(std::string_view b) {
    crypto_hash_sha256_update(&st_, reinterpret_cast<const unsigned char*>(b.data()), b.size());
  }
  Digest Final() {
    Digest d;
    crypto_hash_sha256_final(&st_, d.data());
    return d;
  }

 private:
  crypto_hash_sha256_state st_;
};

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
