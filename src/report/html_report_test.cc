#include "vigil/report/html_report.h"

#include <gtest/gtest.h>

namespace vigil::report {
namespace {

TEST(HighlightHtmlTest, WrapsSpansAndEscapes) {
  const std::string text = "a <b> sale & more";
  const std::string html = HighlightHtml(text, {{6, 10, "sale", "sale (en): sale"}});
  EXPECT_EQ(html,
            "a &lt;b&gt; <mark class=\"sale\" title=\"sale (en): sale\">sale</mark> &amp; more");
}

TEST(HighlightHtmlTest, MergesOverlapsAndDropsBadSpans) {
  const std::string text = "\xd9\x84\xd9\x84\xd8\xa8\xd9\x8a\xd8\xb9 x";  // للبيع x
  // Overlapping [0,6) and [4,10) merge; [1,3) is not on a UTF-8 boundary; [0,99) is outside.
  const std::string html = HighlightHtml(
      text, {{0, 6, "sale", "t1"}, {4, 10, "sale", "t2"}, {1, 3, "x", "bad"}, {0, 99, "x", "out"}});
  EXPECT_EQ(html, "<mark class=\"sale\" title=\"t1; t2\">" + text.substr(0, 10) + "</mark> x");
}

TEST(HighlightHtmlTest, IsolatesLeftToRightSelectors) {
  const std::string text = "\xd9\x84 +964 750 123 4567";
  const std::string html = HighlightHtml(text, {{3, text.size(), "sel", "phone", true}});
  EXPECT_EQ(html,
            "\xd9\x84 <mark class=\"sel\" title=\"phone\" dir=\"ltr\">+964 750 123 4567</mark>");
}

TEST(EscapeHtmlTest, EscapesAndRepairsUtf8) {
  EXPECT_EQ(EscapeHtml("<'\">&"), "&lt;&#39;&quot;&gt;&amp;");
  EXPECT_EQ(EscapeHtml("a\xff"), "a\xef\xbf\xbd");
}

}  // namespace
}  // namespace vigil::report
