// Small UTF-8 helpers shared by readers and analysis.
#ifndef VIGIL_CORE_UTF8_H_
#define VIGIL_CORE_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Returns `s` with every ill-formed sequence replaced by U+FFFD, so that what
// reaches storage and JSON output is always valid UTF-8.
std::string SanitizeUtf8(std::string_view s);

// Appends the UTF-8 encoding of code point `cp` (must be a scalar value).
void AppendUtf8(std::string& out, uint32_t cp);

// Decodes one code point at `s[i]`, advancing `i`. Returns U+FFFD and advances
// by one byte on an ill-formed sequence.
uint32_t DecodeUtf8(std::string_view s, size_t& i);

}  // namespace vigil

#endif  // VIGIL_CORE_UTF8_H_
