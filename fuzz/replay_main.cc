// A main() for fuzz targets built without libFuzzer: calls
// LLVMFuzzerTestOneInput once on every file of the folders (or files) given,
// in name order, so `make test` replays fuzz/regressions/<target>/ and the
// seed corpus with any compiler. Files whose names start with '.' are
// skipped (.gitkeep). A target that crashes, aborts or trips a sanitizer
// ends the process with a non-zero status; a path that does not exist exits
// 1, so a misnamed folder cannot pass by replaying nothing.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool ReadFile(const std::filesystem::path& path, std::vector<uint8_t>& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') {
          files.push_back(entry.path());
        }
      }
      std::sort(files.begin(), files.end());
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      files.push_back(arg);
    }
    if (ec || (files.empty() && !std::filesystem::is_directory(arg, ec))) {
      std::fprintf(stderr, "replay: %s: no such file or folder\n", argv[i]);
      return 1;
    }
    for (const auto& file : files) {
      std::vector<uint8_t> bytes;
      if (!ReadFile(file, bytes)) {
        std::fprintf(stderr, "replay: %s: cannot read\n", file.c_str());
        return 1;
      }
      std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), bytes.size());
      // A copy sized exactly, as libFuzzer passes it, so that a read past the
      // end reaches ASan's redzone; never a null pointer, even when empty.
      // (A plain array: GCC 12 -O3 misreports a vector copy here as
      // -Wfree-nonheap-object.)
      std::unique_ptr<uint8_t[]> exact(new uint8_t[bytes.size()]);
      std::copy(bytes.begin(), bytes.end(), exact.get());
      uint8_t none = 0;
      LLVMFuzzerTestOneInput(bytes.empty() ? &none : exact.get(), bytes.size());
      ++replayed;
    }
  }
  std::fprintf(stderr, "replay: %zu inputs, no crash\n", replayed);
  return 0;
}
