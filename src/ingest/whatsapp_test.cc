// WhatsApp text reader: every public fixture (exact counts and verified
// fields), the header grammar, and synthetic exports in temporary folders.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "src/ingest/whatsapp_export.h"
#include "src/ingest/whatsapp_header.h"
#include "src/ingest/whatsapp_reader.h"
#include "src/testing/temp_dir.h"
#include "vigil/core/time.h"

namespace vigil::ingest {
namespace {

namespace fs = std::filesystem;

const fs::path& FixtureDir() {
  static const fs::path dir = fs::path(VIGIL_SHARED_TESTDATA) / "exports" / "whatsapp";
  return dir;
}

class CollectingSink : public PostSink {
 public:
  Status OnPost(Post&& post) override {
    posts.push_back(std::move(post));
    return Status::Ok();
  }
  void OnError(const IngestError& error) override { errors.push_back(error); }

  std::vector<Post> posts;
  std::vector<IngestError> errors;
};

struct ReadOutcome {
  Status status;
  std::vector<Post> posts;
  std::vector<IngestError> errors;
};

ReadOutcome ReadChat(const fs::path& file, const fs::path& media_root = {},
                     const ReaderOptions& options = {}) {
  CollectingSink sink;
  auto reader = MakeWhatsAppReader(file, media_root, options);
  ReadOutcome out;
  out.status = reader->Read(sink);
  out.posts = std::move(sink.posts);
  out.errors = std::move(sink.errors);
  return out;
}

ReadOutcome ReadFixture(const std::string& name) { return ReadChat(FixtureDir() / name); }

using vigil::testing::TempDir;

int64_t Utc(int y, int mo, int d, int h, int mi, int s) {
  return *ToUnixSeconds(CivilTime{y, mo, d, h, mi, s});
}

// ---------------------------------------------------------------------------
// Every fixture: exact message / system-message counts (counted by hand and
// cross-checked with an independent script) and the first message's time.

struct FixtureCase {
  const char* file;
  size_t posts;
  size_t service;
  const char* first_local_time;
};

class WhatsAppFixtureTest : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(WhatsAppFixtureTest, ParsesWithExactCounts) {
  const FixtureCase& c = GetParam();
  const ReadOutcome r = ReadFixture(c.file);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.errors.empty()) << r.errors.front().reason;
  ASSERT_EQ(r.posts.size(), c.posts);
  size_t service = 0;
  std::set<std::string> ids;
  for (const Post& p : r.posts) {
    service += p.service ? 1 : 0;
    EXPECT_EQ(p.platform, Platform::kWhatsApp);
    EXPECT_EQ(p.channel.type, "whatsapp_chat");
    EXPECT_FALSE(p.time_is_utc);
    EXPECT_EQ(p.local_time, FormatIso8601(p.time, false));
    EXPECT_EQ(p.service, p.author.name.empty()) << p.source_item;
    EXPECT_TRUE(ids.insert(p.external_id).second) << "duplicate id " << p.external_id;
  }
  EXPECT_EQ(service, c.service);
  EXPECT_EQ(r.posts.front().local_time, c.first_local_time);
}

INSTANTIATE_TEST_SUITE_P(
    WhatsApp, WhatsAppFixtureTest,
    ::testing::Values(
        FixtureCase{"WhatsR_englishandroid24h.txt", 50, 8, "2018-01-29T12:24:00"},
        FixtureCase{"WhatsR_englishandroidampm.txt", 50, 8, "2018-01-29T12:24:00"},
        FixtureCase{"WhatsR_englishios24h.txt", 50, 8, "2018-01-29T12:24:03"},
        FixtureCase{"WhatsR_englishiosampm.txt", 50, 8, "2018-01-29T12:24:03"},
        FixtureCase{"WhatsR_germanandroid24h.txt", 50, 8, "2018-01-29T12:24:00"},
        FixtureCase{"WhatsR_germanandroidampm.txt", 50, 8, "2018-01-29T12:24:00"},
        FixtureCase{"WhatsR_germanios24h.txt", 50, 8, "2018-01-29T12:24:03"},
        FixtureCase{"chat-analytics_4A_11M.txt", 14, 3, "2020-09-12T23:55:00"},
        FixtureCase{"chat-miner_test_mmddyyyy_12hrs.txt", 9, 3, "2019-01-01T11:25:00"},
        FixtureCase{"chat-miner_test_yyyymmdd_24hrs.txt", 9, 3, "2019-01-01T11:25:00"},
        FixtureCase{"rwhatsapp_sample_en-GB_android.txt", 9, 2, "2017-07-12T22:35:00"},
        FixtureCase{"whats_json_android_group_system_msgs.txt", 20, 16, "2023-01-11T16:13:00"},
        FixtureCase{"whats_json_arabic_ios.txt", 23, 0, "2022-03-18T14:56:00"},
        FixtureCase{"whats_json_calendar_buddhist_ios.txt", 28, 0, "2022-03-18T14:56:01"},
        FixtureCase{"whats_json_calendar_japanese_era_ios.txt", 28, 0, "2022-03-18T14:56:01"},
        FixtureCase{"whats_json_czech_android.txt", 60, 1, "2022-03-23T13:31:00"},
        FixtureCase{"whats_json_deutch_android_media.txt", 41, 1, "2022-03-23T13:31:00"},
        FixtureCase{"whats_json_english_android_media.txt", 60, 1, "2022-03-23T13:31:00"},
        FixtureCase{"whats_json_english_ios_media.txt", 25, 0, "2022-03-18T14:56:01"},
        FixtureCase{"whats_json_hindi_ios.txt", 23, 0, "2022-03-18T14:56:00"},
        FixtureCase{"whats_json_italian_ios.txt", 23, 0, "2022-03-18T14:56:00"},
        FixtureCase{"whats_json_japanese_ios.txt", 23, 0, "2022-03-18T14:56:00"},
        FixtureCase{"whats_json_portugal_ios.txt", 23, 0, "2022-03-18T14:56:00"},
        FixtureCase{"whats_json_russian_android.txt", 60, 1, "2022-03-23T13:31:00"},
        FixtureCase{"whats_json_spanish_ios.txt", 23, 0, "2022-03-18T14:56:00"},
        FixtureCase{"whatsapp-chat-parser-rb_sample_mixed.txt", 7, 2, "2025-12-15T10:30:00"},
        FixtureCase{"whatstk_pokemon.txt", 20, 1, "2016-04-15T15:04:00"}),
    [](const ::testing::TestParamInfo<FixtureCase>& info) {
      std::string name = fs::path(info.param.file).stem().string();
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(WhatsAppFixtures, TableCoversEveryFile) {
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(FixtureDir())) {
    if (entry.path().extension() == ".txt") ++files;
  }
  EXPECT_EQ(files, 27u);
}

// ---------------------------------------------------------------------------
// Verified fields of particular fixtures.

TEST(WhatsAppFixtures, EnglishAndroidMonthFirstAuthorsAndMedia) {
  const ReadOutcome r = ReadFixture("WhatsR_englishandroid24h.txt");
  ASSERT_EQ(r.posts.size(), 50u);
  const Post& chat_log = r.posts[10];  // "1/29/18, 23:33 - Alice: Is this a chat log?"
  EXPECT_EQ(chat_log.author.name, "Alice");
  EXPECT_EQ(chat_log.text, "Is this a chat log?");
  EXPECT_EQ(chat_log.time, Utc(2018, 1, 29, 23, 33, 0));
  EXPECT_EQ(chat_log.local_time, "2018-01-29T23:33:00");
  EXPECT_EQ(chat_log.source_item, "line 11");
  EXPECT_EQ(chat_log.channel.title, "WhatsR_englishandroid24h");
  // M/D/YY: "1/30/18" is January 30.
  EXPECT_EQ(r.posts[36].local_time, "2018-01-30T00:00:00");

  const Post& voice = r.posts[14];  // "‎‎PTT-20180129-WA0025.opus (file attached)"
  ASSERT_EQ(voice.media.size(), 1u);
  EXPECT_EQ(voice.media[0].name, "PTT-20180129-WA0025.opus");
  EXPECT_EQ(voice.media[0].kind, MediaKind::kAudio);
  EXPECT_TRUE(voice.media[0].path.empty());
  EXPECT_EQ(voice.media[0].missing_reason, "not in export");
  EXPECT_EQ(voice.text, "");

  const Post& omitted = r.posts[19];  // "<Media omitted>"
  EXPECT_EQ(omitted.author.name, "Bob");
  ASSERT_EQ(omitted.media.size(), 1u);
  EXPECT_TRUE(omitted.media[0].path.empty());
  EXPECT_EQ(omitted.media[0].missing_reason, "omitted from export");
  EXPECT_EQ(omitted.text, "");

  EXPECT_TRUE(r.posts[0].service);
  EXPECT_EQ(r.posts[1].text, "You created group \"WhatsAppParserTest\xF0\x9F\x99\x88\"");
  EXPECT_EQ(r.posts[31].text, "location: https://maps.google.com/?q=50.9425526,6.9523387");
  EXPECT_TRUE(r.posts[31].media.empty());
  EXPECT_EQ(r.posts[22].text, "No idea, lets try it out!");  // leading LRM dropped
  EXPECT_EQ(r.posts[35].author.name, "Carol");               // "Carol:" with no text
  EXPECT_EQ(r.posts[35].text, "");
}

TEST(WhatsAppFixtures, TwelveHourClock) {
  const ReadOutcome r = ReadFixture("WhatsR_englishandroidampm.txt");
  ASSERT_EQ(r.posts.size(), 50u);
  EXPECT_EQ(r.posts[0].local_time, "2018-01-29T12:24:00");   // 12:24 PM
  EXPECT_EQ(r.posts[10].local_time, "2018-01-29T23:33:00");  // 11:33 PM
  EXPECT_EQ(r.posts[34].local_time, "2018-01-29T23:59:00");  // "23:59 PM"
  EXPECT_EQ(r.posts[36].local_time, "2018-01-30T00:00:00");  // 12:00 AM
  EXPECT_EQ(r.posts[38].local_time, "2018-01-30T00:04:00");  // "00:04 AM"

  const ReadOutcome ios = ReadFixture("WhatsR_englishiosampm.txt");
  ASSERT_EQ(ios.posts.size(), 50u);
  EXPECT_EQ(ios.posts[10].local_time, "2018-01-29T23:33:03");
}

TEST(WhatsAppFixtures, SpanishStyleMeridiemAndMultiLine) {
  const ReadOutcome r = ReadFixture("chat-miner_test_mmddyyyy_12hrs.txt");
  ASSERT_EQ(r.posts.size(), 9u);
  EXPECT_EQ(r.posts[2].local_time, "2019-01-30T20:49:00");  // 08:49 p. m.
  EXPECT_EQ(r.posts[2].author.name, "Jahn Doe");
  EXPECT_EQ(r.posts[2].text,
            "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero.");
  EXPECT_EQ(r.posts[3].text, "Lorem ipsum : dolor sit amet.");
  EXPECT_EQ(r.posts[4].local_time, "2020-06-20T00:08:00");  // 00:08 a. m.
  EXPECT_TRUE(r.posts[4].service);
  EXPECT_EQ(r.posts[7].local_time, "2021-12-20T12:10:00");  // 12:10 p. m.
  EXPECT_EQ(r.posts[7].author.name, "\xF0\x9F\xA4\x93");

  const ReadOutcome ymd = ReadFixture("chat-miner_test_yyyymmdd_24hrs.txt");
  ASSERT_EQ(ymd.posts.size(), 9u);
  EXPECT_EQ(ymd.posts[2].local_time, "2019-01-30T20:49:00");
  EXPECT_EQ(ymd.posts[8].local_time, "2021-12-30T22:01:00");
}

TEST(WhatsAppFixtures, DayFirstInferredAndMultiLine) {
  const ReadOutcome r = ReadFixture("rwhatsapp_sample_en-GB_android.txt");
  ASSERT_EQ(r.posts.size(), 9u);
  EXPECT_EQ(r.posts[4].author.name, "Test");
  EXPECT_EQ(r.posts[4].local_time, "2017-07-13T09:12:00");
  EXPECT_EQ(r.posts[4].text, "It's fun doing text analysis with R\nisn't it?");
  EXPECT_EQ(r.posts[6].local_time, "2018-09-28T13:27:00");

  const ReadOutcome de = ReadFixture("whatstk_pokemon.txt");
  ASSERT_EQ(de.posts.size(), 20u);
  EXPECT_EQ(de.posts[12].author.name, "Jessie & James");
  EXPECT_EQ(de.posts[19].local_time, "2016-10-31T12:23:00");
}

TEST(WhatsAppFixtures, ArabicIndicDigitsRlmAndNbsp) {
  const ReadOutcome r = ReadFixture("whats_json_arabic_ios.txt");
  ASSERT_EQ(r.posts.size(), 23u);
  // [١٨‏/٣‏/٢٠٢٢، ٢:٥٦:٠٠ م] with NBSP before م (PM); sender wrapped in LRE/PDF.
  EXPECT_EQ(r.posts[0].local_time, "2022-03-18T14:56:00");
  EXPECT_EQ(r.posts[0].author.name, "+40 521 028 61 88");
  EXPECT_EQ(r.posts[0].author.id, "+405210286188");
  EXPECT_EQ(r.posts[1].local_time, "2022-03-27T21:41:35");
  EXPECT_EQ(r.posts[1].text, "Hello World");
  ASSERT_EQ(r.posts[2].media.size(), 1u);  // ‏لم يتم إدراج الصورة
  EXPECT_EQ(r.posts[2].media[0].kind, MediaKind::kPhoto);
  EXPECT_EQ(r.posts[2].media[0].missing_reason, "omitted from export");
  // Original characters are kept in the text (Arabic-Indic digits included).
  EXPECT_EQ(r.posts[12].text,
            "Resume-Dmitry-Starkov.pdf \xE2\x80\xA2 \xD8\xB5\xD9\x81\xD8\xAD\xD8"
            "\xAA\xD8\xA7\xD9\x86 \xD9\xA2");
}

TEST(WhatsAppFixtures, BuddhistAndJapaneseEraYears) {
  const ReadOutcome be = ReadFixture("whats_json_calendar_buddhist_ios.txt");
  ASSERT_EQ(be.posts.size(), 28u);
  EXPECT_EQ(be.posts[0].local_time, "2022-03-18T14:56:01");   // 3/18/2565 BE
  EXPECT_EQ(be.posts[24].local_time, "2023-01-07T23:32:30");  // 1/7/2566 BE

  const ReadOutcome jp = ReadFixture("whats_json_calendar_japanese_era_ios.txt");
  ASSERT_EQ(jp.posts.size(), 28u);
  EXPECT_EQ(jp.posts[0].local_time, "2022-03-18T14:56:01");   // 3/18/R4
  EXPECT_EQ(jp.posts[24].local_time, "2023-01-07T23:32:30");  // 1/7/R5
  ASSERT_EQ(jp.posts[2].media.size(), 1u);
  EXPECT_EQ(jp.posts[2].media[0].kind, MediaKind::kPhoto);  // ‎image omitted
}

TEST(WhatsAppFixtures, IosAttachmentsAndDocumentTitles) {
  const ReadOutcome r = ReadFixture("whats_json_english_ios_media.txt");
  ASSERT_EQ(r.posts.size(), 25u);
  ASSERT_EQ(r.posts[2].media.size(), 1u);
  EXPECT_EQ(r.posts[2].media[0].name, "00000035-PHOTO-2022-03-27-21-41-55.jpg");
  EXPECT_EQ(r.posts[2].media[0].kind, MediaKind::kPhoto);
  EXPECT_EQ(r.posts[2].media[0].missing_reason, "not in export");
  EXPECT_EQ(r.posts[2].text, "");
  EXPECT_EQ(r.posts[4].media[0].kind, MediaKind::kVideo);
  EXPECT_EQ(r.posts[5].media[0].kind, MediaKind::kAudio);
  EXPECT_EQ(r.posts[9].media[0].kind, MediaKind::kSticker);
  EXPECT_EQ(r.posts[16].media[0].kind, MediaKind::kAnimation);
  // Caption on the same line stays in the text.
  EXPECT_EQ(r.posts[12].text, "Resume-Dmitry-Starkov.pdf \xE2\x80\xA2 2 pages");
  EXPECT_EQ(r.posts[12].media[0].name, "00000047-Resume-Dmitry-Starkov.pdf");
  EXPECT_EQ(r.posts[12].media[0].kind, MediaKind::kDocument);
  EXPECT_EQ(r.posts[15].media[0].missing_reason, "omitted from export");  // image omitted

  const ReadOutcome de = ReadFixture("WhatsR_germanios24h.txt");
  ASSERT_EQ(de.posts.size(), 50u);
  EXPECT_EQ(de.posts[9].author.name, "Dave");  // "\uFEFF[\uFEFF29.01.18, ..."
  ASSERT_EQ(de.posts[14].media.size(), 1u);    // <Anhang: PTT-20180129-WA0025.opus>
  EXPECT_EQ(de.posts[14].media[0].name, "PTT-20180129-WA0025.opus");
  ASSERT_EQ(de.posts[19].media.size(), 1u);  // Bild weggelassen
  EXPECT_EQ(de.posts[19].media[0].kind, MediaKind::kPhoto);
}

TEST(WhatsAppFixtures, LocalizedAndroidPlaceholdersAndCaptions) {
  const ReadOutcome nl = ReadFixture("whats_json_deutch_android_media.txt");
  ASSERT_EQ(nl.posts.size(), 41u);
  const Post& captioned = nl.posts[3];  // "<Media weggelaten>" + "Caption" on the next line
  ASSERT_EQ(captioned.media.size(), 1u);
  EXPECT_EQ(captioned.media[0].missing_reason, "omitted from export");
  EXPECT_EQ(captioned.text, "Caption");
  ASSERT_EQ(nl.posts[5].media.size(), 1u);  // "(bestand bijgevoegd)"
  EXPECT_EQ(nl.posts[5].media[0].name, "PTT-20220323-WA0000.opus");
  EXPECT_EQ(nl.posts[2].local_time, "2022-03-18T15:10:00");  // dd-MM-yyyy HH:mm

  const ReadOutcome en = ReadFixture("whats_json_english_android_media.txt");
  ASSERT_EQ(en.posts.size(), 60u);
  EXPECT_EQ(en.posts[9].media[0].name, "IMG-20220323-WA0002.jpg");
  EXPECT_EQ(en.posts[9].media[0].kind, MediaKind::kPhoto);
  EXPECT_EQ(en.posts[9].text, "\xD0\xA2\xD0\xB8\xD1\x82\xD0\xBB");  // caption "Титл"
  EXPECT_EQ(en.posts[38].text,
            "Pimlico Gardens\nLondon, United Kingdom\nhttps://foursquare.com/v/"
            "4e89af95e5fa82ad4c0aa03b");

  for (const char* file : {"whats_json_russian_android.txt", "whats_json_czech_android.txt"}) {
    const ReadOutcome r = ReadFixture(file);
    ASSERT_GT(r.posts.size(), 2u);
    ASSERT_EQ(r.posts[2].media.size(), 1u) << file;
    EXPECT_EQ(r.posts[2].media[0].missing_reason, "omitted from export") << file;
    EXPECT_EQ(r.posts[2].local_time, "2022-03-18T15:10:00") << file;
  }
}

TEST(WhatsAppFixtures, MixedAndroidAndIosLines) {
  const ReadOutcome r = ReadFixture("whatsapp-chat-parser-rb_sample_mixed.txt");
  ASSERT_EQ(r.posts.size(), 7u);
  for (const Post& p : r.posts) EXPECT_EQ(p.local_time.substr(0, 10), "2025-12-15");
  EXPECT_EQ(r.posts[3].text, "And another iOS message.\nWith multi-line\ncontent as well.");
  EXPECT_EQ(r.posts[4].author.name, "Charlie");
  EXPECT_EQ(r.posts[6].text, "Note System message on iOS.");
}

TEST(WhatsAppFixtures, ExternalIdsAreStableAcrossRuns) {
  const ReadOutcome a = ReadFixture("whats_json_english_ios_media.txt");
  const ReadOutcome b = ReadFixture("whats_json_english_ios_media.txt");
  ASSERT_EQ(a.posts.size(), b.posts.size());
  for (size_t i = 0; i < a.posts.size(); ++i) {
    EXPECT_EQ(a.posts[i].external_id, b.posts[i].external_id);
    EXPECT_EQ(a.posts[i].external_id.substr(0, a.posts[i].external_id.find('-')),
              std::to_string(i + 1));
  }
}

TEST(WhatsAppFixtures, LooksLikeWhatsAppOnEveryFixtureHead) {
  for (const auto& entry : fs::directory_iterator(FixtureDir())) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    EXPECT_TRUE(LooksLikeWhatsApp(head)) << entry.path();
  }
}

// ---------------------------------------------------------------------------
// Header grammar.

std::optional<CivilTime> HeaderTime(std::string_view line,
                                    whatsapp::DateOrder order = whatsapp::DateOrder::kDayFirst) {
  const auto norm = whatsapp::NormalizeForMatch(line);
  const auto h = whatsapp::ParseHeader(norm.text);
  if (!h) return std::nullopt;
  return whatsapp::ResolveTime(*h, order);
}

std::string Iso(const std::optional<CivilTime>& t) {
  return t ? FormatIso8601(*ToUnixSeconds(*t), false) : "none";
}

TEST(WhatsAppHeader, Variants) {
  EXPECT_EQ(Iso(HeaderTime("1/2/24, 9:05\xE2\x80\xAFPM - A: hi")), "2024-02-01T21:05:00");
  EXPECT_EQ(Iso(HeaderTime("[1/2/24, 9:05:07\xC2\xA0"
                           "AM] A: hi")),
            "2024-02-01T09:05:07");
  EXPECT_EQ(Iso(HeaderTime("13.6.2018 klo 21.25.15 - A: hi")), "2018-06-13T21:25:15");
  EXPECT_EQ(Iso(HeaderTime("[2018/06/13, 21:25:15] A: hi")), "2018-06-13T21:25:15");
  EXPECT_EQ(Iso(HeaderTime("12/07/2017 \xC3\xA0 22:35 - A: hi")), "2017-07-12T22:35:00");
  EXPECT_EQ(Iso(HeaderTime("18.03.22 15:10 - A: hi")), "2022-03-18T15:10:00");
  EXPECT_EQ(Iso(HeaderTime("[3/27/H30, 21:41:55] A: hi")), "2018-03-27T21:41:55");
  // Persian digits and U+060C.
  EXPECT_EQ(Iso(HeaderTime("\xDB\xB1\xDB\xB2/\xDB\xB3/\xDB\xB2\xDB\xB4\xD8\x8C 10:00 - A: x")),
            "2024-03-12T10:00:00");
  // Month-first when asked and possible; day-first fallback when not.
  EXPECT_EQ(Iso(HeaderTime("3/4/24, 10:00 - A: x", whatsapp::DateOrder::kMonthFirst)),
            "2024-03-04T10:00:00");
  EXPECT_EQ(Iso(HeaderTime("30/4/24, 10:00 - A: x", whatsapp::DateOrder::kMonthFirst)),
            "2024-04-30T10:00:00");

  for (const char* not_header :
       {"", "hello", "12/07/2017", "12/07/2017, 25:00 - A: x", "45/45/2017, 10:00 - A: x",
        "[1/2/24, 9:05 A: hi", "1234/5678", "Re: 1/2/24, 10:00"}) {
    const auto norm = whatsapp::NormalizeForMatch(not_header);
    EXPECT_FALSE(whatsapp::ParseHeader(norm.text).has_value()) << not_header;
  }
}

TEST(WhatsAppHeader, AuthorVersusSystemLine) {
  auto author = [](std::string_view line) -> std::string {
    const auto norm = whatsapp::NormalizeForMatch(line);
    const auto h = whatsapp::ParseHeader(norm.text);
    if (!h) return "<no header>";
    const auto span = whatsapp::FindAuthor(norm.text, h->body);
    if (!span) return "<system>";
    return norm.text.substr(h->body, span->author_end - h->body);
  };
  EXPECT_EQ(author("1/2/24, 10:00 - Ann Lee: see: this"), "Ann Lee");
  EXPECT_EQ(author("1/2/24, 10:00 - Ann Lee:"), "Ann Lee");
  EXPECT_EQ(author("1/2/24, 10:00 - Ann added Ben"), "<system>");
  EXPECT_EQ(author("1/2/24, 10:00 - Ann changed the subject to \"A: B\""), "<system>");
}

TEST(WhatsAppExport, ChannelNames) {
  using whatsapp::ChannelFromPaths;
  EXPECT_EQ(ChannelFromPaths("/x/WhatsApp Chat with Alice.txt", "/x").title, "Alice");
  EXPECT_EQ(ChannelFromPaths("/x/WhatsApp Chat with Alice.txt", "/x").id, "Alice");
  EXPECT_EQ(ChannelFromPaths("/x/WhatsApp Chat with Alice.txt", "/x").type, "whatsapp_chat");
  // "Чат WhatsApp с контактом Bob.txt" with the NBSP the exporter writes.
  EXPECT_EQ(ChannelFromPaths("/x/\xD0\xA7\xD0\xB0\xD1\x82 WhatsApp \xD1\x81\xC2\xA0"
                             "\xD0\xBA\xD0\xBE\xD0\xBD\xD1\x82\xD0\xB0\xD0\xBA\xD1\x82\xD0\xBE"
                             "\xD0\xBC Bob.txt",
                             "/x")
                .title,
            "Bob");
  EXPECT_EQ(
      ChannelFromPaths("/tmp/WhatsApp Chat - Book Club/_chat.txt", "/tmp/WhatsApp Chat - Book Club")
          .title,
      "Book Club");
  EXPECT_EQ(ChannelFromPaths("/tmp/export/_chat.txt", "").title, "export");
  EXPECT_EQ(ChannelFromPaths("/tmp/notes.txt", "/tmp").title, "notes");
}

TEST(WhatsAppExport, KindFromFileName) {
  using whatsapp::KindFromFileName;
  EXPECT_EQ(KindFromFileName("IMG-20220323-WA0002.jpg"), MediaKind::kPhoto);
  EXPECT_EQ(KindFromFileName("VID-20220327-WA0001.mp4"), MediaKind::kVideo);
  EXPECT_EQ(KindFromFileName("PTT-20220323-WA0000.opus"), MediaKind::kAudio);
  EXPECT_EQ(KindFromFileName("AUD-20220323-WA0000.m4a"), MediaKind::kAudio);
  EXPECT_EQ(KindFromFileName("STK-20220323-WA0003.webp"), MediaKind::kSticker);
  EXPECT_EQ(KindFromFileName("00000051-GIF-2022-03-27-21-51-57.mp4"), MediaKind::kAnimation);
  EXPECT_EQ(KindFromFileName("2015-08-04-PHOTO-00004762.jpg"), MediaKind::kPhoto);
  EXPECT_EQ(KindFromFileName("holiday.png"), MediaKind::kPhoto);
  EXPECT_EQ(KindFromFileName("Alex.vcf"), MediaKind::kDocument);
  EXPECT_EQ(KindFromFileName("notes"), MediaKind::kDocument);
}

// ---------------------------------------------------------------------------
// Synthetic exports.

TEST(WhatsAppSynthetic, AttachmentsResolvedAgainstMediaRoot) {
  TempDir root;
  root.Write("export/IMG-20240101-WA0001.jpg", "jpeg bytes");
  root.Write("export/00000002-PHOTO-2024-01-01-10-01-00.jpg", "jpeg bytes");
  root.Write("export/2015-08-04-PHOTO-00004762.jpg", "jpeg bytes");
  root.Write("secret.jpg", "outside the export");
  const fs::path chat = root.Write(
      "export/WhatsApp Chat with Garden Club.txt",
      "1/1/24, 10:00 - Ann: IMG-20240101-WA0001.jpg (file attached)\n"
      "Roses this year\n"
      "1/1/24, 10:01 - Ann: IMG-20240101-WA0009.jpg (file attached)\n"
      "1/1/24, 10:02 - Ann: \xE2\x80\x8E<attached: 00000002-PHOTO-2024-01-01-10-01-00.jpg>\n"
      "1/1/24, 10:03 - Ann: <attached: ../secret.jpg>\n"
      "1/1/24, 10:04 - Ann: sub/secret.jpg (file attached)\n"
      "1/1/24, 10:05 - Ann: 2015-08-04-PHOTO-00004762.jpg <\xE2\x80\x8E"
      "attached>\n");
  const fs::path media_root = root.path() / "export";
  const ReadOutcome r = ReadChat(chat, media_root);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.posts.size(), 6u);
  EXPECT_EQ(r.posts[0].channel.title, "Garden Club");

  ASSERT_EQ(r.posts[0].media.size(), 1u);
  const MediaRef& found = r.posts[0].media[0];
  EXPECT_TRUE(fs::path(found.path).is_absolute());
  EXPECT_TRUE(fs::equivalent(found.path, media_root / "IMG-20240101-WA0001.jpg"));
  EXPECT_EQ(found.missing_reason, "");
  EXPECT_EQ(found.kind, MediaKind::kPhoto);
  EXPECT_EQ(r.posts[0].text, "Roses this year");

  EXPECT_EQ(r.posts[1].media[0].path, "");
  EXPECT_EQ(r.posts[1].media[0].missing_reason, "not in export");

  EXPECT_TRUE(fs::equivalent(r.posts[2].media[0].path,
                             media_root / "00000002-PHOTO-2024-01-01-10-01-00.jpg"));

  for (size_t i : {3u, 4u}) {
    ASSERT_EQ(r.posts[i].media.size(), 1u) << i;
    EXPECT_EQ(r.posts[i].media[0].path, "") << i;
    EXPECT_EQ(r.posts[i].media[0].missing_reason, "outside export") << i;
  }
  EXPECT_TRUE(
      fs::equivalent(r.posts[5].media[0].path, media_root / "2015-08-04-PHOTO-00004762.jpg"));
}

TEST(WhatsAppSynthetic, HeaderlessFileIsNotWhatsApp) {
  TempDir root;
  const std::string text = "Shopping list\nbread\nmilk 2/3 litre\n";
  EXPECT_FALSE(LooksLikeWhatsApp(text));
  EXPECT_FALSE(LooksLikeWhatsApp(""));
  EXPECT_FALSE(LooksLikeWhatsApp("{\"id\": 1, \"date\": \"2024-01-01T10:00:00\"}\n"));
  EXPECT_TRUE(
      LooksLikeWhatsApp("\xEF\xBB\xBF"
                        "1/1/24, 10:00 - Ann: hello\n"));
  const ReadOutcome r = ReadChat(root.Write("list.txt", text));
  EXPECT_EQ(r.status.code(), StatusCode::kCorrupt);
  EXPECT_TRUE(r.posts.empty());

  const ReadOutcome empty = ReadChat(root.Write("empty.txt", ""));
  EXPECT_TRUE(empty.status.ok());
  EXPECT_TRUE(empty.posts.empty());

  const ReadOutcome missing = ReadChat(root.path() / "absent.txt");
  EXPECT_EQ(missing.status.code(), StatusCode::kNotFound);
}

TEST(WhatsAppSynthetic, OversizeLinesAndMessagesAreCappedAndReported) {
  TempDir root;
  ReaderOptions options;
  options.limits.max_line_bytes = 64;
  options.limits.max_item_bytes = 100;
  const std::string long_line(200, 'x');
  const fs::path chat =
      root.Write("chat.txt", "1/1/24, 10:00 - Ann: " + long_line + "\n" +  // line 1: too long
                                 "more of the same\n" +                    // skipped
                                 "1/1/24, 10:01 - Ben: short\n" +          // line 3
                                 std::string(40, 'a') + "\n" + std::string(40, 'b') + "\n" +
                                 std::string(40, 'c') + "\n" +  // line 6 overflows the message
                                 "1/1/24, 10:02 - Cy: after\n");
  const ReadOutcome r = ReadChat(chat, {}, options);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.posts.size(), 3u);
  EXPECT_EQ(r.posts[0].author.name, "Ann");
  EXPECT_LE(r.posts[0].text.size(), 64u);
  EXPECT_EQ(r.posts[0].text.find("more"), std::string::npos);
  EXPECT_EQ(r.posts[1].text, "short\n" + std::string(40, 'a') + "\n" + std::string(40, 'b'));
  EXPECT_EQ(r.posts[2].text, "after");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].file, chat.string());
  EXPECT_EQ(r.errors[0].item, "line 1");
  EXPECT_NE(r.errors[0].reason.find("max_line_bytes"), std::string::npos);
  EXPECT_EQ(r.errors[1].item, "line 6");
  EXPECT_NE(r.errors[1].reason.find("max_item_bytes"), std::string::npos);
}

TEST(WhatsAppSynthetic, InvalidUtf8IsReplacedAndReportedOnce) {
  TempDir root;
  const fs::path chat = root.Write("chat.txt",
                                   "1/1/24, 10:00 - Ann: caf\xE9 open\n"
                                   "1/1/24, 10:01 - Ben: ok\n"
                                   "1/1/24, 10:02 - Ann: \xFF\xFE again\n");
  const ReadOutcome r = ReadChat(chat);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.posts.size(), 3u);
  EXPECT_EQ(r.posts[0].text, "caf\xEF\xBF\xBD open");
  EXPECT_EQ(r.posts[2].text, "\xEF\xBF\xBD\xEF\xBF\xBD again");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].item, "line 1");
  EXPECT_NE(r.errors[0].reason.find("UTF-8"), std::string::npos);
}

TEST(WhatsAppSynthetic, DayMonthOrderInferredPerFile) {
  TempDir root;
  // All fields <= 12. Read month-first, the dates run Mar 1, 2, 5, 9 (one
  // month); read day-first they jump Jan, Feb, May, Sep: month-first wins.
  const ReadOutcome mdy = ReadChat(root.Write("a.txt",
                                              "03/01/2020, 10:00 - Ann: one\n"
                                              "03/02/2020, 10:00 - Ann: two\n"
                                              "03/05/2020, 10:00 - Ann: three\n"
                                              "03/09/2020, 10:00 - Ann: four\n"));
  ASSERT_EQ(mdy.posts.size(), 4u);
  EXPECT_EQ(mdy.posts[3].local_time, "2020-03-09T10:00:00");

  // Month-first would run May 1, Oct 1, Feb 2 (backwards): day-first wins.
  const ReadOutcome dmy = ReadChat(root.Write("b.txt",
                                              "05/01/2020, 10:00 - Ann: one\n"
                                              "10/01/2020, 10:00 - Ann: two\n"
                                              "02/02/2020, 10:00 - Ann: three\n"));
  ASSERT_EQ(dmy.posts.size(), 3u);
  EXPECT_EQ(dmy.posts[1].local_time, "2020-01-10T10:00:00");

  // One field > 12 anywhere in the file decides for every line.
  const ReadOutcome evidence = ReadChat(root.Write("c.txt",
                                                   "04/05/2020, 10:00 - Ann: one\n"
                                                   "04/25/2020, 10:00 - Ann: two\n"));
  ASSERT_EQ(evidence.posts.size(), 2u);
  EXPECT_EQ(evidence.posts[0].local_time, "2020-04-05T10:00:00");

  // No evidence at all: day-first.
  const ReadOutcome tie = ReadChat(root.Write("d.txt", "04/05/2020, 10:00 - Ann: one\n"));
  ASSERT_EQ(tie.posts.size(), 1u);
  EXPECT_EQ(tie.posts[0].local_time, "2020-05-04T10:00:00");
}

TEST(WhatsAppSynthetic, CrlfPreambleAndSinkStop) {
  TempDir root;
  const fs::path chat = root.Write("chat.txt",
                                   "exported by a tool\r\n"
                                   "[1/2/24, 10:00:00] Ann: first\r\n"
                                   "second line\r\n"
                                   "\r\n"
                                   "[1/2/24, 10:01:00] Ben: next\r\n");
  const ReadOutcome r = ReadChat(chat);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.posts.size(), 2u);
  EXPECT_EQ(r.posts[0].text, "first\nsecond line");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].item, "line 1");

  class StopAfterOne : public PostSink {
   public:
    Status OnPost(Post&&) override { return Status::Internal("stop"); }
    void OnError(const IngestError&) override {}
  } stop;
  auto reader = MakeWhatsAppReader(chat, {}, {});
  EXPECT_EQ(reader->Read(stop).code(), StatusCode::kInternal);
  EXPECT_FALSE(reader->Read(stop).ok());  // Read is once only
}

}  // namespace
}  // namespace vigil::ingest
