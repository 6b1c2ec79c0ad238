// libFuzzer target for text analysis, through the public API only: one
// Analyzer built from the repository's lexicons (data/lexicons) analyses the
// input as a post's text (any bytes: ill-formed UTF-8 included). Every span
// of a reason or selector must lie inside the text (else abort, as a crash
// would), and the score in 0..1.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <utility>

#include "vigil/text/analyzer.h"

namespace {

const vigil::text::Analyzer& TheAnalyzer() {
  static const std::unique_ptr<vigil::text::Analyzer> analyzer = [] {
    auto created = vigil::text::Analyzer::Create(VIGIL_SOURCE_DIR "/data/lexicons");
    if (!created.ok()) {
      std::fprintf(stderr, "text_fuzz: %s\n", created.status().ToString().c_str());
      std::abort();
    }
    return std::move(created).value();
  }();
  return *analyzer;
}

void CheckSpan(const vigil::text::Span& span, size_t size) {
  if (span.begin > span.end || span.end > size) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const vigil::text::Analysis analysis = TheAnalyzer().Analyze(text);
  if (!(analysis.score >= 0 && analysis.score <= 1)) std::abort();
  for (const auto& reason : analysis.reasons) CheckSpan(reason.span, size);
  for (const auto& selector : analysis.selectors) CheckSpan(selector.span, size);
  return 0;
}
