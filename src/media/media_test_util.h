// Hand-made image bytes shared by the media module's tests.
#ifndef VIGIL_SRC_MEDIA_MEDIA_TEST_UTIL_H_
#define VIGIL_SRC_MEDIA_MEDIA_TEST_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigil::media::testing {

// PNG's CRC-32 (ISO 3309), so crafted chunks pass libpng's checks.
inline uint32_t Crc32(const uint8_t* p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return ~c;
}

// Signature + a valid IHDR (correct CRC, depth 8, RGB) claiming w x h, then
// IEND: no pixel data at all — a decompression bomb's header, or a truncated PNG.
inline std::vector<uint8_t> PngHeaderClaiming(uint32_t w, uint32_t h) {
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                            0,    0,   0,   13,  'I',  'H',  'D',  'R'};
  for (uint32_t v : {w, h}) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
  }
  for (uint8_t v : {8, 2, 0, 0, 0}) b.push_back(v);
  const uint32_t crc = Crc32(b.data() + 12, 17);
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(crc >> s));
  b.insert(b.end(), {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82});
  return b;
}

}  // namespace vigil::media::testing

#endif  // VIGIL_SRC_MEDIA_MEDIA_TEST_UTIL_H_
