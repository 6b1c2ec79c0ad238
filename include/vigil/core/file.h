// Reading a whole file into memory, with a size bound.
#ifndef VIGIL_CORE_FILE_H_
#define VIGIL_CORE_FILE_H_

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "vigil/core/status.h"

namespace vigil {

// The bytes of the file at `path`, read to its end (a file that grows while
// it is read is bounded too). kNotFound "<path>: no such file" when missing,
// kResourceExhausted "<path>: larger than N bytes" past `max_bytes`, kIoError
// otherwise.
Result<std::string> ReadFile(const std::filesystem::path& path, uint64_t max_bytes);

// The bytes of `s`, for APIs that take raw bytes.
inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace vigil

#endif  // VIGIL_CORE_FILE_H_
