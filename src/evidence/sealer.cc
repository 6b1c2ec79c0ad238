#include "vigil/evidence/sealer.h"

#include <sodium.h>

namespace vigil::evidence {

Result<std::unique_ptr<const Sealer>> Sealer::Create(const Keys& keys, uint64_t subkey_id,
                                                     std::string_view context) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  if (keys.vault_key().empty()) return Status::InvalidArgument("no unlocked vault key");
  if (context.size() != crypto_kdf_CONTEXTBYTES) {
    return Status::InvalidArgument("a sealer context is 8 characters");
  }
  SecretBytes key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (key.empty()) return Status::Internal("cannot allocate key memory");
  const std::string ctx(context);
  crypto_kdf_derive_from_key(key.data(), key.size(), subkey_id, ctx.c_str(),
                             keys.vault_key().data());
  return std::unique_ptr<const Sealer>(new Sealer(std::move(key)));
}

std::string Sealer::Seal(std::string_view ad, std::string_view plain) const {
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string out(kNonce + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* nonce = reinterpret_cast<uint8_t*>(out.data());
  randombytes_buf(nonce, kNonce);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + kNonce, &len, reinterpret_cast<const uint8_t*>(plain.data()), plain.size(),
      reinterpret_cast<const uint8_t*>(ad.data()), ad.size(), nullptr, nonce, key_.data());
  out.resize(kNonce + len);
  return out;
}

Result<std::string> Sealer::Open(std::string_view ad, std::string_view sealed,
                                 std::string_view what) const {
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (sealed.size() < kNonce + kTag) return Status::Corrupt(std::string(what) + ": too short");
  std::string plain(sealed.size() - kNonce - kTag, '\0');
  unsigned long long len = 0;
  const auto* nonce = reinterpret_cast<const uint8_t*>(sealed.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<uint8_t*>(plain.data()), &len,
                                                 nullptr, nonce + kNonce, sealed.size() - kNonce,
                                                 reinterpret_cast<const uint8_t*>(ad.data()),
                                                 ad.size(), nonce, key_.data()) != 0) {
    return Status::Corrupt(std::string(what) +
                           " does not open: another installation's key, or altered");
  }
  plain.resize(len);
  return plain;
}

}  // namespace vigil::evidence
