// Vault: a content-addressed, encrypted-at-rest store of original files.
//
// Layout under the vault folder (created 0700):
//   originals/<sha[0:2]>/<sha>        one original, named by its plaintext SHA-256
//   derived/<sha[0:2]>/<sha>          a working copy (thumbnail, blurred preview, chip)
//   derived/<sha[0:2]>/<sha>.json     {"original_sha256","derivation","derived_sha256","created"}
//   tmp/                              files being written; never read
// Encrypted file format ("VGLVLT01"):
//   magic "VGLVLT01" (8) | secretstream header (24) |
//   records: u32 little-endian length | crypto_secretstream_xchacha20poly1305 ciphertext
// Data records carry up to chunk_bytes of plaintext (tag MESSAGE); the last
// record (tag FINAL) carries the 32-byte SHA-256 of the plaintext, so a
// truncated file, a reordered record or a file under the wrong name fails.
// Files are written to tmp/, fsynced and renamed into place (then the folder
// is fsynced): a crash leaves only a tmp/ file, never one that looks valid.
// Stored files are never modified; storing the same bytes again is a no-op.
// No plaintext ever reaches the vault folder.
//
// Thread-safety: a Vault may be shared between threads (all methods are
// const or touch only their own temp files). Several processes may Put into
// one vault (rename is atomic). Ownership: the Vault keeps its own copy of
// the vault key in secure memory.
#ifndef VIGIL_EVIDENCE_VAULT_H_
#define VIGIL_EVIDENCE_VAULT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/evidence/keys.h"

namespace vigil::evidence {

// Receives plaintext in order; a non-OK return stops the read.
using ByteSink = std::function<Status(std::string_view)>;

struct VaultOptions {
  size_t chunk_bytes = 1 << 20;  // plaintext per record; bounds memory per Put/Get
  // Test hook, called after each record is written to the temp file with
  // the bytes written so far (used to SIGKILL a writer mid-file).
  std::function<void(uint64_t)> write_hook;
  int64_t now = 0;  // unix seconds for derived sidecars (injected clock)
};

struct DerivedInfo {
  std::string original_sha256;
  std::string derivation;  // e.g. "thumbnail 256px", "blur sigma=12"
  std::string derived_sha256;
  int64_t created = 0;
};

class Vault {
 public:
  // Opens (creating when missing) the vault at `root`. kIoError when the
  // folders cannot be created; kInvalidArgument when the key is empty.
  static Result<Vault> Open(const std::string& root, const Keys& keys, VaultOptions options = {});
  Vault(Vault&&) noexcept = default;
  Vault& operator=(Vault&&) noexcept = default;

  // Stores bytes / a file (streamed, bounded memory); returns the plaintext
  // SHA-256 (64 lower-case hex). kNotFound / kIoError for the source.
  Result<std::string> Put(std::string_view bytes) const;
  Result<std::string> PutFile(const std::string& path) const;
  // Streams the original's plaintext into `sink`, checking every tag and the
  // SHA-256. On failure (kNotFound, kCorrupt naming the file) the sink may
  // already have received bytes, which the caller must discard.
  Status Get(std::string_view sha256, const ByteSink& sink) const;
  // Get into a string; for small files and tests.
  Result<std::string> GetBytes(std::string_view sha256) const;
  bool Contains(std::string_view sha256) const;
  // Decrypts and checks one original without keeping the plaintext.
  Status Verify(std::string_view sha256) const;
  // Checks every original, derived copy and sidecar; one line per bad file
  // ("originals/ab/ab12...: authentication failed"); empty when all is well.
  std::vector<std::string> VerifyAll() const;
  // Lists the originals' SHA-256s (sorted).
  std::vector<std::string> List() const;

  // Stores a derived working copy apart from the originals, with a sidecar
  // naming its original. kNotFound when the original is not in the vault.
  Result<std::string> PutDerived(std::string_view original_sha256, std::string_view derivation,
                                 std::string_view bytes) const;
  Status GetDerived(std::string_view derived_sha256, const ByteSink& sink) const;
  Result<DerivedInfo> GetDerivedInfo(std::string_view derived_sha256) const;

  const std::string& root() const { return root_; }
  // Where an original is (or would be) stored.
  std::string PathOf(std::string_view sha256) const;

 private:
  Vault() = default;
  Result<std::string> Store(const std::string& area,
                            const std::function<Result<size_t>(char*, size_t)>& read) const;
  Status Read(const std::string& path, std::string_view sha256, const ByteSink& sink) const;

  std::string root_;
  SecretBytes key_;
  VaultOptions options_;
};

}  // namespace vigil::evidence

#endif  // VIGIL_EVIDENCE_VAULT_H_
