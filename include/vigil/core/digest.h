// SHA-256 and MD5: the one implementation of each in vigil, OpenSSL's
// libcrypto (which uses the CPU's SHA extensions where it has them). OpenSSL
// stays inside core; nothing here needs its headers.
//
// A stream object hashes bytes given in any number of pieces; it is movable,
// not copyable, and not thread-safe (one object per thread; distinct objects
// are independent). The free functions are thread-safe.
//
// Hashing cannot fail on input. If OpenSSL cannot provide a digest at all (out
// of memory, or a FIPS-only configuration without MD5), the process aborts
// with a line on stderr: that is a broken installation, not an error a caller
// could handle.
#ifndef VIGIL_CORE_DIGEST_H_
#define VIGIL_CORE_DIGEST_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace vigil {

using Sha256Digest = std::array<uint8_t, 32>;
using Md5Digest = std::array<uint8_t, 16>;

namespace internal {

// One OpenSSL digest context (EVP_MD_CTX), freed with the object.
class EvpDigest {
 public:
  enum class Algorithm { kSha256, kMd5 };
  explicit EvpDigest(Algorithm algorithm);
  void Update(std::span<const uint8_t> bytes);
  // Writes the digest of everything since the start (out.size() must be the
  // algorithm's digest size) and starts over.
  void Final(std::span<uint8_t> out);

 private:
  struct Free {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  void Start();

  Algorithm algorithm_;
  std::unique_ptr<evp_md_ctx_st, Free> ctx_;
  bool started_ = false;
};

}  // namespace internal

// Streaming SHA-256.
class Sha256Stream {
 public:
  Sha256Stream() : d_(internal::EvpDigest::Algorithm::kSha256) {}
  void Update(std::span<const uint8_t> bytes) { d_.Update(bytes); }
  void Update(std::string_view bytes) {
    d_.Update({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  }
  // The digest of everything given since construction or the last Final();
  // the stream then starts over, empty.
  Sha256Digest Final() {
    Sha256Digest out;
    d_.Final(out);
    return out;
  }

 private:
  internal::EvpDigest d_;
};

// Streaming MD5 (hash lists still name files by it; not for anything that
// must resist collisions).
class Md5Stream {
 public:
  Md5Stream() : d_(internal::EvpDigest::Algorithm::kMd5) {}
  void Update(std::span<const uint8_t> bytes) { d_.Update(bytes); }
  void Update(std::string_view bytes) {
    d_.Update({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  }
  // As Sha256Stream::Final.
  Md5Digest Final() {
    Md5Digest out;
    d_.Final(out);
    return out;
  }

 private:
  internal::EvpDigest d_;
};

// SHA-256 of `bytes` in one call.
Sha256Digest Sha256(std::span<const uint8_t> bytes);
Sha256Digest Sha256(std::string_view bytes);
// The same as 64 lower-case hex digits (HexEncode of the digest).
std::string Sha256Hex(std::string_view bytes);
// True when `s` is 64 lower-case hex digits, the form Sha256Hex writes.
bool IsSha256Hex(std::string_view s);

}  // namespace vigil

#endif  // VIGIL_CORE_DIGEST_H_
