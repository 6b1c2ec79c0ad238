// Sealer: authenticated encryption of small records (XChaCha20-Poly1305,
// libsodium) under a subkey of the installation's vault key, for data kept
// sealed in the database (the registry of the missing). Each sealed blob is
// nonce || ciphertext || tag; the associated data binds it to where it
// belongs (table and case), so a blob moved elsewhere does not open.
//
// The subkey is crypto_kdf subkey `subkey_id` of the vault key in the
// 8-character `context`: a Sealer never uses the vault's own key.
//
// Thread-safety: immutable after construction; Seal and Open may be called
// from any thread.
#ifndef VIGIL_EVIDENCE_SEALER_H_
#define VIGIL_EVIDENCE_SEALER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "vigil/core/status.h"
#include "vigil/evidence/keys.h"

namespace vigil::evidence {

class Sealer {
 public:
  // kInvalidArgument for an empty vault key or a context that is not 8
  // characters; kInternal when libsodium cannot start or key memory cannot
  // be allocated.
  static Result<std::unique_ptr<const Sealer>> Create(const Keys& keys, uint64_t subkey_id,
                                                      std::string_view context);

  // A fresh random nonce each time.
  std::string Seal(std::string_view ad, std::string_view plain) const;
  // kCorrupt naming `what` when the blob is too short, was altered, belongs
  // to other associated data, or was sealed under another key.
  Result<std::string> Open(std::string_view ad, std::string_view sealed,
                           std::string_view what) const;

 private:
  explicit Sealer(SecretBytes key) : key_(std::move(key)) {}
  SecretBytes key_;
};

}  // namespace vigil::evidence

#endif  // VIGIL_EVIDENCE_SEALER_H_
