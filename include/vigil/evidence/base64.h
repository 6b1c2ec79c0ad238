// Base64 (RFC 4648, with padding), through libsodium, which the evidence
// module owns: for images inlined as data: URIs in self-contained pages.
#ifndef VIGIL_EVIDENCE_BASE64_H_
#define VIGIL_EVIDENCE_BASE64_H_

#include <string>
#include <string_view>

namespace vigil::evidence {

std::string Base64Encode(std::string_view bytes);

}  // namespace vigil::evidence

#endif  // VIGIL_EVIDENCE_BASE64_H_
