#include "vigil/evidence/keys.h"

#include <rapidjson/document.h>
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "src/evidence/util.h"
#include "vigil/core/digest.h"
#include "vigil/core/file.h"
#include "vigil/core/hex.h"
#include "vigil/core/json_writer.h"

namespace vigil::evidence {
namespace {

constexpr std::string_view kFormat = "vigil-keys-1";
constexpr size_t kSealedPlain = crypto_sign_SECRETKEYBYTES + 32;
constexpr uint64_t kMaxKeyFileBytes = 1 << 20;

// Canonical text of the public key list, bound into the seal as AEAD data.
std::string PublicListText(const std::vector<PublicKeyInfo>& keys) {
  std::string out(kFormat);
  out += '\n';
  for (const PublicKeyInfo& k : keys) {
    out += k.key_id + ' ' + HexEncode(k.public_key) + ' ' + std::to_string(k.valid_from) + ' ' +
           std::to_string(k.valid_until) + '\n';
  }
  return out;
}

Status DeriveKey(std::string_view passphrase, const uint8_t* salt, const KdfLimits& kdf,
                 SecretBytes& key) {
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt,
                    kdf.opslimit, kdf.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted("key derivation: out of memory (Argon2id)");
  }
  return Status::Ok();
}

}  // namespace

void SecretBytes::Free::operator()(uint8_t* p) const { sodium_free(p); }  // zeroes first

SecretBytes::SecretBytes(size_t n) {
  if (sodium_init() < 0) return;
  auto* p = static_cast<uint8_t*>(sodium_malloc(n));
  if (p == nullptr) return;
  sodium_memzero(p, n);
  p_ = std::unique_ptr<uint8_t, Free>(p);
  n_ = n;
}

std::string KeyIdOf(const PublicKey& pk) {
  return "ed25519:" + HexEncode(Sha256(pk)).substr(0, 16);
}

bool VerifySignature(const PublicKey& pk, std::string_view message, const Signature& sig) {
  if (sodium_init() < 0) return false;
  return crypto_sign_verify_detached(sig.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), pk.data()) == 0;
}

KdfLimits KdfLimits::Moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}
KdfLimits KdfLimits::Min() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

Signature Keys::Sign(std::string_view message) const {
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), sign_sk_.data());
  return sig;
}

Result<Keys> Keys::Generate(int64_t now) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  Keys k;
  k.sign_sk_ = SecretBytes(crypto_sign_SECRETKEYBYTES);
  k.vault_key_ = SecretBytes(32);
  if (k.sign_sk_.empty() || k.vault_key_.empty()) {
    return Status::ResourceExhausted("keys: cannot allocate secure memory");
  }
  PublicKeyInfo info;
  crypto_sign_keypair(info.public_key.data(), k.sign_sk_.data());
  randombytes_buf(k.vault_key_.data(), k.vault_key_.size());
  info.key_id = KeyIdOf(info.public_key);
  info.valid_from = now;
  k.public_keys_.push_back(std::move(info));
  return k;
}

Status SaveKeys(const Keys& keys, const std::string& path, std::string_view passphrase,
                const KdfLimits& kdf) {
  if (passphrase.empty()) return Status::InvalidArgument("keys: empty passphrase");
  uint8_t salt[crypto_pwhash_SALTBYTES];
  uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(nonce, sizeof nonce);
  SecretBytes kek(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  SecretBytes plain(kSealedPlain);
  if (kek.empty() || plain.empty()) return Status::ResourceExhausted("keys: no secure memory");
  VIGIL_RETURN_IF_ERROR(DeriveKey(passphrase, salt, kdf, kek));
  std::copy_n(keys.sign_sk_.data(), crypto_sign_SECRETKEYBYTES, plain.data());
  std::copy_n(keys.vault_key_.data(), 32, plain.data() + crypto_sign_SECRETKEYBYTES);
  const std::string ad = PublicListText(keys.public_keys_);
  std::string sealed(kSealedPlain + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long sealed_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(sealed.data()), &sealed_len, plain.data(), plain.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce, kek.data());

  JsonWriter w;
  w.BeginObject().Key("format").String(kFormat).Key("kdf").String("argon2id13");
  w.Key("opslimit").Int(static_cast<int64_t>(kdf.opslimit));
  w.Key("memlimit").Int(static_cast<int64_t>(kdf.memlimit));
  w.Key("salt").String(HexEncode(salt));
  w.Key("nonce").String(HexEncode(nonce));
  w.Key("public_keys").BeginArray();
  for (const PublicKeyInfo& k : keys.public_keys_) {
    w.BeginObject().Key("key_id").String(k.key_id);
    w.Key("public_key").String(HexEncode(k.public_key));
    w.Key("valid_from").Int(k.valid_from).Key("valid_until").Int(k.valid_until).EndObject();
  }
  w.EndArray().Key("sealed").String(HexEncode(AsBytes(sealed))).EndObject();
  std::string text = w.str() + "\n";
  return internal::AtomicWriteFile(path, text, 0600);
}

Status InitKeys(const std::string& path, std::string_view passphrase, const KeyOptions& options) {
  if (passphrase.empty()) return Status::InvalidArgument("keys: empty passphrase");
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return Status::InvalidArgument(path + ": key file already exists (refusing to overwrite)");
  }
  Result<Keys> keys = Keys::Generate(options.now);
  if (!keys.ok()) return keys.status();
  return SaveKeys(*keys, path, passphrase, options.kdf);
}

Result<Keys> LoadKeys(const std::string& path, std::string_view passphrase) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  Result<std::string> text = ReadFile(path, kMaxKeyFileBytes);
  if (!text.ok()) return text.status();
  rapidjson::Document parsed;
  parsed.Parse(text->data(), text->size());
  auto corrupt = [&](const std::string& why) {
    return Status::Corrupt(path + ": not a vigil key file: " + why);
  };
  if (parsed.HasParseError() || !parsed.IsObject()) return corrupt("bad JSON");
  // Read through a const Value: comparing rapidjson 1.1's non-const
  // MemberIterators is ambiguous in C++20 (clang -Wambiguous-reversed-operator).
  const rapidjson::Value& d = parsed;
  auto str = [&](const char* k) -> std::string {
    auto it = d.FindMember(k);
    return it != d.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
  };
  if (str("format") != kFormat) return corrupt("format is not vigil-keys-1");
  if (str("kdf") != "argon2id13") return corrupt("unknown kdf");
  auto ops = d.FindMember("opslimit");
  auto mem = d.FindMember("memlimit");
  if (ops == d.MemberEnd() || mem == d.MemberEnd() || !ops->value.IsUint64() ||
      !mem->value.IsUint64()) {
    return corrupt("missing KDF limits");
  }
  KdfLimits kdf{ops->value.GetUint64(), static_cast<size_t>(mem->value.GetUint64())};
  // A file may not make us burn unbounded memory or time.
  if (kdf.opslimit < crypto_pwhash_OPSLIMIT_MIN ||
      kdf.opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
      kdf.memlimit < crypto_pwhash_MEMLIMIT_MIN ||
      kdf.memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE) {
    return corrupt("KDF limits out of range");
  }
  const auto salt = HexDecodeArray<crypto_pwhash_SALTBYTES>(str("salt"));
  const auto nonce = HexDecodeArray<crypto_aead_xchacha20poly1305_ietf_NPUBBYTES>(str("nonce"));
  const auto sealed =
      HexDecodeArray<kSealedPlain + crypto_aead_xchacha20poly1305_ietf_ABYTES>(str("sealed"));
  if (!salt || !nonce || !sealed) {
    return corrupt("bad salt, nonce or sealed field");
  }
  Keys k;
  auto list = d.FindMember("public_keys");
  if (list == d.MemberEnd() || !list->value.IsArray() || list->value.Empty()) {
    return corrupt("no public keys");
  }
  for (const auto& v : list->value.GetArray()) {
    if (!v.IsObject() || !v.HasMember("key_id") || !v["key_id"].IsString() ||
        !v.HasMember("public_key") || !v["public_key"].IsString() || !v.HasMember("valid_from") ||
        !v["valid_from"].IsInt64() || !v.HasMember("valid_until") || !v["valid_until"].IsInt64()) {
      return corrupt("bad public key entry");
    }
    PublicKeyInfo info;
    info.key_id = v["key_id"].GetString();
    std::optional<PublicKey> pk = HexDecodeArray<32>(v["public_key"].GetString());
    if (!pk) return corrupt("bad public key");
    info.public_key = *pk;
    info.valid_from = v["valid_from"].GetInt64();
    info.valid_until = v["valid_until"].GetInt64();
    k.public_keys_.push_back(std::move(info));
  }
  SecretBytes kek(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  SecretBytes plain(kSealedPlain);
  k.sign_sk_ = SecretBytes(crypto_sign_SECRETKEYBYTES);
  k.vault_key_ = SecretBytes(32);
  if (kek.empty() || plain.empty() || k.sign_sk_.empty() || k.vault_key_.empty()) {
    return Status::ResourceExhausted("keys: cannot allocate secure memory");
  }
  VIGIL_RETURN_IF_ERROR(DeriveKey(passphrase, salt->data(), kdf, kek));
  const std::string ad = PublicListText(k.public_keys_);
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_len, nullptr, sealed->data(),
                                                 sealed->size(),
                                                 reinterpret_cast<const unsigned char*>(ad.data()),
                                                 ad.size(), nonce->data(), kek.data()) != 0) {
    return Status::InvalidArgument(path + ": wrong passphrase (or the key file was altered)");
  }
  std::copy_n(plain.data(), crypto_sign_SECRETKEYBYTES, k.sign_sk_.data());
  std::copy_n(plain.data() + crypto_sign_SECRETKEYBYTES, 32, k.vault_key_.data());
  // The current public key must be the one the secret key belongs to.
  PublicKey derived{};
  crypto_sign_ed25519_sk_to_pk(derived.data(), k.sign_sk_.data());
  if (derived != k.public_keys_.back().public_key ||
      KeyIdOf(derived) != k.public_keys_.back().key_id) {
    return corrupt("current public key does not match the secret key");
  }
  return k;
}

Status RotateSigningKey(const std::string& path, std::string_view passphrase,
                        const KeyOptions& options) {
  Result<Keys> loaded = LoadKeys(path, passphrase);
  if (!loaded.ok()) return loaded.status();
  Keys& k = *loaded;
  PublicKeyInfo next;
  crypto_sign_keypair(next.public_key.data(), k.sign_sk_.data());  // old secret overwritten
  next.key_id = KeyIdOf(next.public_key);
  next.valid_from = options.now;
  k.public_keys_.back().valid_until = options.now;
  k.public_keys_.push_back(std::move(next));
  return SaveKeys(k, path, passphrase, options.kdf);
}

}  // namespace vigil::evidence
