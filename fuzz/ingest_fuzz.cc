// libFuzzer target for the ingest readers, through the public API only:
// the input is written to a temporary file, detected, opened and read to the
// end. Catches crashes, hangs and sanitizer reports in every reader (Telegram
// SAX routing, Facebook DOM walk, JSONL line splitting, WhatsApp, zip
// extraction). Built as ingest_fuzz (libFuzzer) and ingest_replay (see
// fuzz/CMakeLists.txt). The temporary folder is removed at exit.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "vigil/ingest/reader.h"

namespace {

const std::filesystem::path& TempDir() {
  static const std::filesystem::path dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vigil-fuzz-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    return std::filesystem::path(tmpl);
  }();
  // Registered after `dir` is built, so it runs before `dir` is destroyed.
  [[maybe_unused]] static const bool cleanup = [] {
    return std::atexit([] {
             std::error_code ec;
             std::filesystem::remove_all(TempDir(), ec);
           }) == 0;
  }();
  return dir;
}

class NullSink : public vigil::ingest::PostSink {
 public:
  vigil::Status OnPost(vigil::Post&&) override { return vigil::Status::Ok(); }
  void OnError(const vigil::ingest::IngestError&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path& dir = TempDir();
  const std::filesystem::path file = dir / "input";
  if (std::FILE* f = std::fopen(file.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return 0;
  }
  vigil::ingest::ReaderOptions options;
  options.limits.max_archive_bytes = 64 << 20;
  options.limits.max_archive_entries = 1000;
  options.scratch_dir = dir / "scratch";
  (void)vigil::ingest::DetectFile(file);
  std::vector<vigil::ingest::IngestError> errors;
  auto readers = vigil::ingest::OpenReaders(file, options, errors);
  NullSink sink;
  for (auto& reader : readers) (void)reader->Read(sink);
  std::error_code ec;
  std::filesystem::remove_all(options.scratch_dir, ec);
  return 0;
}
