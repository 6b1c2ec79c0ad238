// Reading a whole file into memory, with a size bound; resolving a path
// written by untrusted input against the folder it must stay in.
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

// `relative` joined to the folder `base`, as an absolute, lexically normal
// path, when that path stays inside `base` lexically: no absolute path, root
// name, `..` that climbs out, or NUL byte. `base` may be relative (to the
// current folder; empty is the current folder). Looks at nothing on disk.
// kInvalidArgument "<relative>: ..." saying why otherwise ("empty path" for an
// empty `relative`).
Result<std::filesystem::path> JoinInside(const std::filesystem::path& base,
                                         std::string_view relative);

// The guard for paths that files from outside (an export's media reference,
// a registry CSV's photo column) write relative to their own folder:
// JoinInside, and then the path must name an existing regular file whose real
// location (every symlink followed) is inside the real `base`. Returns the
// lexically normal path (not the symlink-resolved one, so names stay as the
// input wrote them). kInvalidArgument when the path leaves `base` (as
// JoinInside, or "<relative>: symlink leads outside <base>"), kNotFound
// "<relative>: not found in <base>" when there is no regular file there,
// kIoError when `base` or the file cannot be examined. Never opens the file;
// like any check before use, a file swapped afterwards is not caught, so
// callers still read through their own bounds.
Result<std::filesystem::path> ResolveInside(const std::filesystem::path& base,
                                            std::string_view relative);

// The bytes of `s`, for APIs that take raw bytes.
inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace vigil

#endif  // VIGIL_CORE_FILE_H_
