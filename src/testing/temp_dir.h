// Test support (built only with the tests): a temporary folder that removes
// itself, and whole-file reads and writes for fixtures.
#ifndef VIGIL_SRC_TESTING_TEMP_DIR_H_
#define VIGIL_SRC_TESTING_TEMP_DIR_H_

#include <filesystem>
#include <string>
#include <string_view>

namespace vigil::testing {

// A fresh folder under the system temporary folder (mkdtemp), removed with
// everything in it when the object goes. Aborts the test binary when it
// cannot be made (nothing a test could do without it).
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "vigil-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }
  // Writes `bytes` to path()/rel, creating its folders; returns the full path.
  std::filesystem::path Write(const std::filesystem::path& rel, std::string_view bytes) const;

 private:
  std::filesystem::path path_;
};

// The whole file; "" when it cannot be read.
std::string Slurp(const std::filesystem::path& path);
// Replaces the file with `bytes`.
void Spit(const std::filesystem::path& path, std::string_view bytes);

}  // namespace vigil::testing

#endif  // VIGIL_SRC_TESTING_TEMP_DIR_H_
