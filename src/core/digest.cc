#include "vigil/core/digest.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "vigil/core/hex.h"

namespace vigil {
namespace internal {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "vigil: OpenSSL %s failed; libcrypto is unusable\n", what);
  std::abort();
}

// Fetched once: an explicit fetch spares each context OpenSSL 3's implicit
// lookup (it halves the cost of hashing a Merkle node). Fetched algorithms
// are immutable and shared safely between threads.
const EVP_MD* Md(EvpDigest::Algorithm algorithm) {
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* const kMd5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  const EVP_MD* md = algorithm == EvpDigest::Algorithm::kSha256 ? kSha256 : kMd5;
  if (md == nullptr) Die(algorithm == EvpDigest::Algorithm::kSha256 ? "SHA256 fetch" : "MD5 fetch");
  return md;
}

}  // namespace

void EvpDigest::Free::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

EvpDigest::EvpDigest(Algorithm algorithm) : algorithm_(algorithm), ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) Die("digest context allocation");
}

// Started on first use rather than in the constructor and again after each
// Final, so a one-shot hash initialises the context once.
void EvpDigest::Start() {
  if (!started_ && EVP_DigestInit_ex2(ctx_.get(), Md(algorithm_), nullptr) != 1) {
    Die("digest init");
  }
  started_ = true;
}

void EvpDigest::Update(std::span<const uint8_t> bytes) {
  Start();
  if (EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) != 1) Die("digest update");
}

void EvpDigest::Final(std::span<uint8_t> out) {
  Start();
  unsigned n = 0;
  if (out.size() != static_cast<size_t>(EVP_MD_get_size(Md(algorithm_))) ||
      EVP_DigestFinal_ex(ctx_.get(), out.data(), &n) != 1 || n != out.size()) {
    Die("digest final");
  }
  started_ = false;
}

}  // namespace internal

Sha256Digest Sha256(std::span<const uint8_t> bytes) {
  Sha256Stream s;
  s.Update(bytes);
  return s.Final();
}

Sha256Digest Sha256(std::string_view bytes) {
  Sha256Stream s;
  s.Update(bytes);
  return s.Final();
}

std::string Sha256Hex(std::string_view bytes) { return HexEncode(Sha256(bytes)); }

bool IsSha256Hex(std::string_view s) { return s.size() == 64 && IsLowerHex(s); }

}  // namespace vigil
