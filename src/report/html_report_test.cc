#include "vigil/report/html_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "vigil/store/database.h"

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

store::ScanRecord Record(std::string channel, std::string id, int64_t time, std::string text,
                         text::Category category, char sha_fill) {
  store::ScanRecord r;
  r.post.platform = Platform::kTelegram;
  r.post.channel = {channel, channel + " title", "public_channel"};
  r.post.external_id = std::move(id);
  r.post.time = time;
  r.post.time_is_utc = true;
  r.post.text = std::move(text);
  r.analysis.category = category;
  r.analysis.score = 0.9;
  MediaRef ref;
  ref.name = "p.jpg";
  ref.kind = MediaKind::kPhoto;
  r.post.media.push_back(ref);
  media::MediaInfo info;
  info.sha256 = std::string(64, sha_fill);
  info.md5 = std::string(32, sha_fill);
  info.type = "jpeg";
  r.media.push_back({info, "", {}, {}});
  return r;
}

TEST(WriteHtmlReportTest, SelfContainedWithHighlightsChartAndReposts) {
  const auto dir = std::filesystem::temp_directory_path() / "vigil_report_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = store::Open((dir / "r.db").string());
  ASSERT_TRUE(store.ok());
  // A sale offer in March, its photo reposted (mirrored) in another channel in April.
  auto offer = Record("c1", "1", 1709208000, "for sale <girl>", text::Category::kSaleOffer, 'a');
  offer.analysis.reasons = {{"sale", "for sale", "en", {0, 8}}};
  auto repost = Record("c2", "9", 1712000000, "again", text::Category::kOther, 'b');
  repost.media[0].matches = {{store::MatchKind::kMedia, std::string(64, 'a'), "", "pdq", "", 14}};
  const std::vector<store::ScanRecord> batch = {offer, repost};
  ASSERT_TRUE((*store)->posts().Write(batch).ok());

  std::ostringstream html;
  ASSERT_TRUE(WriteHtmlReport((*store)->posts(), {}, html).ok());
  const std::string h = html.str();
  EXPECT_EQ(h.find("<script"), std::string::npos);
  EXPECT_NE(h.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(h.find("<mark class=\"sale\""), std::string::npos);
  EXPECT_NE(h.find("&lt;girl&gt;"), std::string::npos);  // text is escaped
  EXPECT_NE(h.find("<title>2024-02 sale_offer: 1</title>"), std::string::npos) << "chart bar";
  EXPECT_NE(h.find("Appeared in 2 channels (2 posts, 2 distinct files), first on "
                   "2024-02-29T12:00:00Z"),
            std::string::npos);
  EXPECT_EQ(h.find("Showing the first"), std::string::npos);

  ReportOptions few;
  few.max_posts = 0;
  std::ostringstream truncated;
  ASSERT_TRUE(WriteHtmlReport((*store)->posts(), few, truncated).ok());
  EXPECT_NE(truncated.str().find("Showing the first 0 of 1 flagged posts"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::report
