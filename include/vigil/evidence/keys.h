// Installation keys: the Ed25519 key that signs custody tree heads and
// bundles, and the 32-byte key that encrypts the vault.
//
// One key file per installation, never stored in a database. The secrets are
// sealed with XChaCha20-Poly1305 under a key derived from a passphrase by
// Argon2id (crypto_pwhash). The file is JSON (format "vigil-keys-1"):
//   {"format":"vigil-keys-1","kdf":"argon2id13","opslimit":N,"memlimit":N,
//    "salt":hex16,"nonce":hex24,
//    "public_keys":[{"key_id":"ed25519:<16 hex>","public_key":hex32,
//                    "valid_from":unix,"valid_until":unix|0}, ...],
//    "sealed":hex(ciphertext of signing secret key (64) || vault key (32))}
// The last public key is the current one (valid_until 0); earlier ones are
// retired keys kept so old signatures stay verifiable. The associated data of
// the seal is the canonical text of the public key list, so editing the list
// makes the file fail to open. Files are written tmp + fsync + rename, 0600.
//
// Thread-safety: Keys is immutable after load; const methods may be called
// from any thread. Secrets live in sodium_malloc'd, guarded, zeroed-on-free
// memory (SecretBytes) and are never copied into std::string.
#ifndef VIGIL_EVIDENCE_KEYS_H_
#define VIGIL_EVIDENCE_KEYS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"

namespace vigil::evidence {

// A fixed-size secret in sodium_malloc'd memory, zeroed and freed on
// destruction. Move-only.
class SecretBytes {
 public:
  SecretBytes() = default;
  // Allocates `n` zeroed bytes; empty() on allocation failure.
  explicit SecretBytes(size_t n);
  SecretBytes(SecretBytes&&) noexcept = default;
  SecretBytes& operator=(SecretBytes&&) noexcept = default;
  bool empty() const { return !p_; }
  size_t size() const { return n_; }
  uint8_t* data() { return p_.get(); }
  const uint8_t* data() const { return p_.get(); }

 private:
  struct Free {
    void operator()(uint8_t* p) const;  // sodium_free: zeroes, then frees
  };
  std::unique_ptr<uint8_t, Free> p_;
  size_t n_ = 0;
};

using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

struct PublicKeyInfo {
  std::string key_id;  // "ed25519:" + first 16 hex digits of SHA-256(public key)
  PublicKey public_key{};
  int64_t valid_from = 0;   // unix seconds
  int64_t valid_until = 0;  // unix seconds; 0 = current key, no end yet
  // True when `t` lies in [valid_from, valid_until] (open-ended when 0).
  bool ValidAt(int64_t t) const {
    return t >= valid_from && (valid_until == 0 || t <= valid_until);
  }
};

std::string KeyIdOf(const PublicKey& pk);
// Detached Ed25519 verification.
bool VerifySignature(const PublicKey& pk, std::string_view message, const Signature& sig);

// Argon2id cost. Default is libsodium's MODERATE (256 MiB, ~0.7 s): the key
// file is opened once per command. Tests pass Min() to stay fast.
struct KdfLimits {
  uint64_t opslimit;
  size_t memlimit;
  static KdfLimits Moderate();
  static KdfLimits Min();  // tests only
};

struct KeyOptions {
  KdfLimits kdf = KdfLimits::Moderate();
  int64_t now = 0;  // unix seconds; the new key's valid_from (injected clock)
};

class Keys {
 public:
  Keys(Keys&&) noexcept = default;
  Keys& operator=(Keys&&) noexcept = default;

  // The current signing key.
  const PublicKeyInfo& current() const { return public_keys_.back(); }
  // Every key this installation has used, oldest first; the last is current().
  const std::vector<PublicKeyInfo>& public_keys() const { return public_keys_; }
  // Ed25519 detached signature with the current key.
  Signature Sign(std::string_view message) const;
  // The 32-byte vault key. Valid while this Keys lives.
  const SecretBytes& vault_key() const { return vault_key_; }

  // Generates a fresh installation (for tests and InitKeys).
  static Result<Keys> Generate(int64_t now);

 private:
  friend Result<Keys> LoadKeys(const std::string&, std::string_view);
  friend Status RotateSigningKey(const std::string&, std::string_view, const KeyOptions&);
  friend Status SaveKeys(const Keys&, const std::string&, std::string_view, const KdfLimits&);
  Keys() = default;
  std::vector<PublicKeyInfo> public_keys_;
  SecretBytes sign_sk_;    // crypto_sign_SECRETKEYBYTES
  SecretBytes vault_key_;  // 32
};

// Creates a new key file at `path`. Fails with kInvalidArgument if it exists
// (never overwrites keys) or the passphrase is empty; kIoError on write.
Status InitKeys(const std::string& path, std::string_view passphrase,
                const KeyOptions& options = {});
// Opens a key file. kNotFound when missing; kInvalidArgument "wrong
// passphrase" when the seal does not open (wrong passphrase, or the file was
// edited); kCorrupt when it does not parse.
Result<Keys> LoadKeys(const std::string& path, std::string_view passphrase);
// Writes `keys` sealed under `passphrase` to `path` (atomic, 0600).
Status SaveKeys(const Keys& keys, const std::string& path, std::string_view passphrase,
                const KdfLimits& kdf);
// Replaces the signing key: the old public key stays in the file with
// valid_until = options.now, the new one is valid from options.now. The old
// secret key is destroyed. The vault key is unchanged.
Status RotateSigningKey(const std::string& path, std::string_view passphrase,
                        const KeyOptions& options = {});

}  // namespace vigil::evidence

#endif  // VIGIL_EVIDENCE_KEYS_H_
