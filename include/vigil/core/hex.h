// Hexadecimal: the one codec vigil writes bytes as hex digits with and reads
// them back with (digests, keys, signatures, perceptual hashes).
//
// Encoding is lower case, two digits a byte, first byte first. Decoding takes
// either case. Pure functions; thread-safe.
#ifndef VIGIL_CORE_HEX_H_
#define VIGIL_CORE_HEX_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// 2 * bytes.size() lower-case hex digits. (A string's bytes: AsBytes in
// vigil/core/file.h.)
std::string HexEncode(std::span<const uint8_t> bytes);

// The value (0..15) of one hex digit of either case; -1 for any other char.
int HexDigitValue(char c);

// True when every character of `s` is one of 0-9a-f (the form HexEncode
// writes); true for "".
bool IsLowerHex(std::string_view s);

// Decodes exactly 2 * out.size() hex digits of either case into `out`.
// Returns false when `hex` has another length or a character that is not a
// hex digit; `out` is then unspecified.
bool HexDecodeTo(std::string_view hex, std::span<uint8_t> out);

// Exactly 2 * N hex digits of either case as N bytes; nullopt otherwise.
template <size_t N>
std::optional<std::array<uint8_t, N>> HexDecodeArray(std::string_view hex) {
  std::array<uint8_t, N> out;
  if (!HexDecodeTo(hex, out)) return std::nullopt;
  return out;
}

// Decodes an even number of hex digits of either case; nullopt when the
// length is odd or a character is not a hex digit.
std::optional<std::vector<uint8_t>> HexDecode(std::string_view hex);

}  // namespace vigil

#endif  // VIGIL_CORE_HEX_H_
