// Test helpers for the ingest tests: a collecting sink and a temp folder.
#ifndef VIGIL_SRC_INGEST_INGEST_TEST_UTIL_H_
#define VIGIL_SRC_INGEST_INGEST_TEST_UTIL_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "src/testing/temp_dir.h"
#include "vigil/ingest/reader.h"

namespace vigil::ingest::testing {

class CollectSink : public PostSink {
 public:
  Status OnPost(Post&& post) override {
    posts.push_back(std::move(post));
    return Status::Ok();
  }
  void OnError(const IngestError& error) override { errors.push_back(error); }
  void OnBytesRead(uint64_t n) override { bytes += n; }

  size_t CountService() const {
    size_t n = 0;
    for (const Post& p : posts) n += p.service ? 1 : 0;
    return n;
  }
  const Post* Find(std::string_view external_id) const {
    for (const Post& p : posts) {
      if (p.external_id == external_id) return &p;
    }
    return nullptr;
  }

  std::vector<Post> posts;
  std::vector<IngestError> errors;
  uint64_t bytes = 0;  // what the reader said it read (progress)
};

// A fresh folder under TMPDIR, removed with everything in it.
using TempFolder = vigil::testing::TempDir;

inline std::filesystem::path Fixture(const std::string& rel) {
  return std::filesystem::path(VIGIL_SHARED_TESTDATA) / "exports" / rel;
}

// Smallest valid-looking image headers for sniffing.
inline constexpr std::string_view kJpegBytes("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01", 12);
inline constexpr std::string_view kPngBytes("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR", 16);

}  // namespace vigil::ingest::testing

#endif  // VIGIL_SRC_INGEST_INGEST_TEST_UTIL_H_
