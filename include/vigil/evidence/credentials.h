// Credentials of the review app's accounts and sessions, on libsodium:
// password hashes (Argon2id, libsodium's self-describing crypto_pwhash_str
// format with the "interactive" cost: 64 MiB and 2 passes, ~0.1 s here),
// random tokens, and comparison in constant time.
#ifndef VIGIL_EVIDENCE_CREDENTIALS_H_
#define VIGIL_EVIDENCE_CREDENTIALS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "vigil/core/status.h"

namespace vigil::evidence {

// An Argon2id hash of `password` with a fresh salt ("$argon2id$v=19$...").
// kResourceExhausted when the memory for it cannot be had.
Result<std::string> HashPassword(std::string_view password);
// Whether `password` is the one `hash` was made from; false for anything
// that is not such a hash.
bool VerifyPassword(std::string_view hash, std::string_view password);
// `bytes` random bytes from the system's generator as unpadded base64url
// (cookie- and header-safe).
std::string RandomToken(size_t bytes = 32);
// a == b without a timing signal of where they first differ (the lengths
// may leak).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace vigil::evidence

#endif  // VIGIL_EVIDENCE_CREDENTIALS_H_
