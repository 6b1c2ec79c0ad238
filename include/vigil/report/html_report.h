// The HTML report: one self-contained file an analyst can open offline.
//
// Flagged posts with the reasons highlighted in the original text (right-to-
// left text rendered by the browser's bidi algorithm via dir="auto"), their
// selectors and media fingerprints, totals, and counts per month as an inline
// SVG chart. No scripts, no external resources.
#ifndef VIGIL_REPORT_HTML_REPORT_H_
#define VIGIL_REPORT_HTML_REPORT_H_

#include <ostream>
#include <string>
#include <string_view>

#include "vigil/core/status.h"
#include "vigil/store/registry_store.h"
#include "vigil/store/store.h"

namespace vigil::report {

struct ReportOptions {
  std::string title = "vigil report";
  size_t max_posts = 5000;  // flagged posts listed (most recent counts are always complete)
  // Candidate matches of scanned media with the registry of the missing
  // (RegistryStore::FaceMatches): listed by case with where each media file
  // was posted. Case codes only; the registry's personal fields never enter
  // the report.
  std::vector<store::FaceMatchRow> registry_matches;
};

// Writes the report for everything in `store` to `out`.
Status WriteHtmlReport(store::Store& store, const ReportOptions& options, std::ostream& out);

// `text` as HTML with every [begin, end) byte range of `marks` wrapped in
// <mark class="klass">. Overlapping ranges are merged; ranges that do not fall
// on UTF-8 boundaries or lie outside the text are ignored. Escapes everything.
struct Mark {
  size_t begin, end;
  std::string klass;
  std::string title;
  bool ltr = false;  // isolate as left-to-right (phone numbers, handles inside Arabic text)
};
std::string HighlightHtml(std::string_view text, std::vector<Mark> marks);

std::string EscapeHtml(std::string_view s);

}  // namespace vigil::report

#endif  // VIGIL_REPORT_HTML_REPORT_H_
