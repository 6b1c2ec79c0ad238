#include "vigil/match/hash_list.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace vigil::match {
namespace {

constexpr std::string_view kPdqA =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr std::string_view kPdqB =
    "9c151c3af838278e3ef57c180c7d031c07aefd12f2ccc1e18f2a1e1c7d0ff163";
constexpr std::string_view kMd5 = "d41d8cd98f00b204e9800998ecf8427e";
constexpr std::string_view kSha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
constexpr std::string_view kSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

ImportResult MustImport(std::string_view content, ListFormat format,
                        const ImportLimits& limits = {}) {
  Result<ImportResult> r = ImportHashList(content, format, "list.txt", limits);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : ImportResult{};
}

std::vector<std::string> ErrorStrings(const ImportResult& r) {
  std::vector<std::string> out;
  for (const ImportError& e : r.errors) out.push_back(e.ToString());
  return out;
}

Signal Sig(SignalType t, std::string_view hex) {
  Result<Signal> s = Signal::FromHex(t, hex);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Signal{};
}

TEST(SignalTest, HexRoundTripsAndValidates) {
  struct Case {
    SignalType type;
    std::string_view hex;
  };
  for (const Case& c : {Case{SignalType::kPdq, kPdqA}, Case{SignalType::kMd5, kMd5},
                        Case{SignalType::kSha1, kSha1}, Case{SignalType::kSha256, kSha256}}) {
    Result<Signal> s = Signal::FromHex(c.type, c.hex);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->ToHex(), c.hex);
    std::string upper(c.hex);
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    EXPECT_EQ(Signal::FromHex(c.type, upper)->ToHex(), c.hex);
    EXPECT_EQ(Signal::FromHex(c.type, c.hex.substr(1)).status().message(),
              std::string(SignalTypeName(c.type)) + " needs " + std::to_string(c.hex.size()) +
                  " hex digits, got " + std::to_string(c.hex.size() - 1));
    std::string bad(c.hex);
    bad[5] = 'g';
    EXPECT_EQ(Signal::FromHex(c.type, bad).status().message(),
              std::string(SignalTypeName(c.type)) + " is not hexadecimal (character 6)");
  }
  // PDQ bytes follow Hash256's hex order.
  const Hash256 h = *Hash256::FromHex(kPdqA);
  EXPECT_EQ(Signal::FromPdq(h).ToHex(), kPdqA);
  EXPECT_EQ(Sig(SignalType::kPdq, kPdqA).ToPdq(), h);
}

TEST(SignalTest, TypeNamesAndAliases) {
  EXPECT_EQ(SignalTypeFromName("PDQ"), SignalType::kPdq);
  EXPECT_EQ(SignalTypeFromName("video_md5"), SignalType::kMd5);
  EXPECT_EQ(SignalTypeFromName("SHA-1"), SignalType::kSha1);
  EXPECT_EQ(SignalTypeFromName("video_sha256"), SignalType::kSha256);
  EXPECT_FALSE(SignalTypeFromName("photodna").has_value());
  for (SignalType t :
       {SignalType::kPdq, SignalType::kMd5, SignalType::kSha1, SignalType::kSha256}) {
    EXPECT_EQ(SignalTypeFromName(SignalTypeName(t)), t);
  }
  for (ListFormat f : {ListFormat::kThreatExchangeCsv, ListFormat::kPlain, ListFormat::kVicsJson,
                       ListFormat::kVigilCsv}) {
    EXPECT_EQ(ListFormatFromName(ListFormatName(f)), f);
  }
}

TEST(ThreatExchangeCsvTest, ReadsUpstreamAndIssueColumnOrders) {
  const std::string upstream =
      "collab,signal_type,signal_str,category,tags\r\n"
      "Sample Data,pdq," +
      std::string(kPdqA) +
      ",TRUE_POSITIVE,\"media_priority_s1 sample\"\r\n"
      "Sample Data,video_md5," +
      std::string(kMd5) + ",,\r\n";
  ImportResult a = MustImport(upstream, ListFormat::kThreatExchangeCsv);
  EXPECT_TRUE(a.errors.empty()) << ErrorStrings(a)[0];
  ASSERT_EQ(a.list.entries.size(), 2u);
  EXPECT_EQ(a.list.entries[0].signal, Sig(SignalType::kPdq, kPdqA));
  EXPECT_EQ(a.list.entries[0].source, "Sample Data");
  EXPECT_EQ(a.list.entries[0].category, "TRUE_POSITIVE");
  EXPECT_EQ(a.list.entries[0].labels, (std::vector<std::string>{"media_priority_s1", "sample"}));
  EXPECT_EQ(a.list.entries[1].signal, Sig(SignalType::kMd5, kMd5));
  EXPECT_TRUE(a.list.entries[1].labels.empty());

  const std::string issue =
      "signal_type,signal_str,collab,category,tags\n"
      "PDQ," +
      std::string(kPdqB) + ",\"Collab, Inc.\",\"say \"\"hi\"\"\",\"a,b c\"\n";
  ImportResult b = MustImport(issue, ListFormat::kThreatExchangeCsv);
  ASSERT_EQ(b.list.entries.size(), 1u);
  EXPECT_EQ(b.list.entries[0].source, "Collab, Inc.");
  EXPECT_EQ(b.list.entries[0].category, "say \"hi\"");
  EXPECT_EQ(b.list.entries[0].labels, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(ThreatExchangeCsvTest, MalformedLinesAreReportedAndSkipped) {
  const std::string csv =
      "signal_type,signal_str,collab,category,tags\n"  // 1
      "pdq," +
      std::string(kPdqA) +
      ",c,,\n"               // 2 ok
      "photodna,abcd,c,,\n"  // 3 unknown type
      "pdq," +
      std::string(kPdqA.substr(2)) +
      ",c,,\n"                                      // 4 short
      "md5,zz1d8cd98f00b204e9800998ecf8427e,c,,\n"  // 5 bad hex
      "pdq,\"" +
      std::string(kPdqB) +
      "\"x,c,,\n"  // 6 text after quote
      "md5," +
      std::string(kMd5) +
      ",\"multi\nline\",,\n"  // 7-8 ok
      "\n"                    // 9 blank
      "sha1," +
      std::string(kSha1) + ",c,,\"open\n";  // 10 unterminated
  ImportResult r = MustImport(csv, ListFormat::kThreatExchangeCsv);
  ASSERT_EQ(r.list.entries.size(), 2u);
  EXPECT_EQ(r.list.entries[1].source, "multi\nline");
  EXPECT_EQ(ErrorStrings(r), (std::vector<std::string>{
                                 "list.txt:3: unknown signal type 'photodna'",
                                 "list.txt:4: pdq needs 64 hex digits, got 62",
                                 "list.txt:5: md5 is not hexadecimal (character 1)",
                                 "list.txt:6: text after a closing quote",
                                 "list.txt:10: unterminated quoted field",
                             }));
  EXPECT_EQ(r.error_count, 5u);
}

TEST(ThreatExchangeCsvTest, ByteOrderMarkIsSkipped) {
  ImportResult r =
      MustImport("\xEF\xBB\xBFsignal_type,signal_str\npdq," + std::string(kPdqA) + "\n",
                 ListFormat::kThreatExchangeCsv);
  EXPECT_EQ(r.list.entries.size(), 1u);
  ImportResult j = MustImport("\xEF\xBB\xBF{\"value\":[{\"MD5\":\"" + std::string(kMd5) + "\"}]}",
                              ListFormat::kVicsJson);
  EXPECT_EQ(j.list.entries.size(), 1u);
}

TEST(ThreatExchangeCsvTest, WholeFileFailures) {
  EXPECT_EQ(
      ImportHashList("pdq," + std::string(kPdqA) + "\n", ListFormat::kThreatExchangeCsv, "x.csv")
          .status()
          .code(),
      StatusCode::kCorrupt);
  EXPECT_EQ(ImportHashList("", ListFormat::kThreatExchangeCsv, "x.csv").status().code(),
            StatusCode::kCorrupt);
  ImportLimits tiny;
  tiny.max_file_bytes = 10;
  EXPECT_EQ(ImportHashList(std::string(11, 'a'), ListFormat::kPlain, "x", tiny).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(PlainTest, BareAndTypedLines) {
  const std::string text = "# exported by hand\n"  // 1
                           + std::string(kPdqA) +
                           "\n"  // 2 pdq
                           "  " +
                           std::string(kMd5) + "  \r\n"  // 3 md5
                           + std::string(kSha1) +
                           "\n"  // 4 sha1
                           "sha256 " +
                           std::string(kSha256) +
                           "\n"  // 5
                           "video_md5\t" +
                           std::string(kMd5) +
                           "\n"     // 6
                           "\n"     // 7
                           "abc\n"  // 8 bad length
                           "tmk " +
                           std::string(kMd5) +
                           "\n"  // 9 unknown type
                           "pdq " +
                           std::string(kMd5) +
                           "\n"          // 10 wrong length
                           "pdq a b\n";  // 11 too many fields
  ImportResult r = MustImport(text, ListFormat::kPlain);
  ASSERT_EQ(r.list.entries.size(), 5u);
  EXPECT_EQ(r.list.entries[0].signal, Sig(SignalType::kPdq, kPdqA));
  EXPECT_EQ(r.list.entries[1].signal, Sig(SignalType::kMd5, kMd5));
  EXPECT_EQ(r.list.entries[2].signal, Sig(SignalType::kSha1, kSha1));
  EXPECT_EQ(r.list.entries[3].signal, Sig(SignalType::kSha256, kSha256));
  EXPECT_EQ(r.list.entries[4].signal, Sig(SignalType::kMd5, kMd5));
  EXPECT_EQ(ErrorStrings(r),
            (std::vector<std::string>{
                "list.txt:8: bare signal of 3 characters; expected 64 (pdq), 40 (sha1) or 32 "
                "(md5) hex digits",
                "list.txt:9: unknown signal type 'tmk'",
                "list.txt:10: pdq needs 64 hex digits, got 32",
                "list.txt:11: expected '<type> <hex>' or a bare hex signal",
            }));
}

TEST(PlainTest, LineLengthAndErrorCaps) {
  ImportLimits limits;
  limits.max_line_bytes = 100;
  limits.max_errors = 2;
  const std::string text =
      std::string(kPdqA) + "\n" + std::string(500, 'x') + "\nq\nq\nq\n" + std::string(kMd5) + "\n";
  ImportResult r = MustImport(text, ListFormat::kPlain, limits);
  EXPECT_EQ(r.list.entries.size(), 2u);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].ToString(), "list.txt:2: line longer than 100 bytes");
  EXPECT_EQ(r.error_count, 4u);
}

TEST(VicsJsonTest, MediaShapeWithAlternativeHashes) {
  const std::string json = R"({
  "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
  "value": [
    {
      "MediaID": 501, "Category": 1,
      "MD5": "D41D8CD98F00B204E9800998ECF8427E",
      "SHA1": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
      "Tags": "series a, victim identified",
      "Exifs": [{"PropertyName": "Make", "PropertyValue": "x"}],
      "AlternativeHashes": [
        {"HashName": "PhotoDNA", "HashValue": "AAAA"},
        {"HashName": "PDQ", "HashValue": ")" +
                           std::string(kPdqA) + R"("}
      ]
    },
    {
      "MediaID": 502, "Category": null,
      "MD5": "not-a-hash",
      "SHA256": ")" + std::string(kSha256) +
                           R"(",
      "Tags": ["one", "two"]
    },
    {"MediaID": 503, "Category": 2, "MediaSize": 100}
  ]
})";
  ImportResult r = MustImport(json, ListFormat::kVicsJson);
  ASSERT_EQ(r.list.entries.size(), 4u);
  const std::vector<std::string> labels501 = {"series a", "victim identified", "vics_media_id=501"};
  EXPECT_EQ(r.list.entries[0].signal, Sig(SignalType::kMd5, kMd5));
  EXPECT_EQ(r.list.entries[0].category, "1");
  EXPECT_EQ(r.list.entries[0].labels, labels501);
  EXPECT_EQ(r.list.entries[1].signal, Sig(SignalType::kSha1, kSha1));
  EXPECT_EQ(r.list.entries[2].signal, Sig(SignalType::kPdq, kPdqA));
  EXPECT_EQ(r.list.entries[2].labels, labels501);
  EXPECT_EQ(r.list.entries[3].signal, Sig(SignalType::kSha256, kSha256));
  EXPECT_EQ(r.list.entries[3].labels,
            (std::vector<std::string>{"one", "two", "vics_media_id=502"}));
  EXPECT_EQ(r.unsupported, 1u);
  EXPECT_EQ(ErrorStrings(r), (std::vector<std::string>{
                                 "list.txt:15: media 502: MD5: md5 needs 32 hex digits, got 10",
                                 "list.txt:21: media 503: no MD5, SHA1, SHA256 or PDQ",
                             }));
}

TEST(VicsJsonTest, CasesShapeFromVersionOne) {
  const std::string json =
      R"({"odata.metadata":"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases",
"value":[{"CaseID":"{0000}","Media":[
{"MediaID":0,"MD5":")" +
      std::string(kMd5) + R"(","Category":8,"MediaSize":"488",
 "MediaFiles":[{"MD5":"ignored-here","FileName":"a.jpg"}]},
{"MediaID":1,"SHA1":")" +
      std::string(kSha1) + R"("}],"SourceApplicationName":"x"}]})";
  ImportResult r = MustImport(json, ListFormat::kVicsJson);
  EXPECT_TRUE(r.errors.empty()) << ErrorStrings(r)[0];
  ASSERT_EQ(r.list.entries.size(), 2u);
  EXPECT_EQ(r.list.entries[0].signal, Sig(SignalType::kMd5, kMd5));
  EXPECT_EQ(r.list.entries[0].category, "8");
  EXPECT_EQ(r.list.entries[1].signal, Sig(SignalType::kSha1, kSha1));
  EXPECT_EQ(r.list.entries[1].labels, (std::vector<std::string>{"vics_media_id=1"}));
}

TEST(VicsJsonTest, BrokenDocumentsFailWithALine) {
  auto code = [](std::string_view json, ImportLimits limits = {}) {
    return ImportHashList(json, ListFormat::kVicsJson, "v.json", limits).status();
  };
  Status truncated = code("{\"value\": [\n{\"MD5\": \"x\"\n");
  EXPECT_EQ(truncated.code(), StatusCode::kCorrupt);
  EXPECT_EQ(truncated.message().substr(0, 9), "v.json:3:");
  EXPECT_EQ(code("[1, 2]").code(), StatusCode::kCorrupt);
  EXPECT_EQ(code("{\"items\": []}").code(), StatusCode::kCorrupt);
  EXPECT_EQ(code("\"value\"").code(), StatusCode::kCorrupt);
  EXPECT_EQ(code("{\"value\": [{\"MD5\": \"\xff\"}]}").code(), StatusCode::kCorrupt);
  std::string deep = "{\"value\": [{\"x\": ";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}]}";
  ImportLimits limits;
  limits.max_json_depth = 32;
  Status too_deep = code(deep, limits);
  EXPECT_EQ(too_deep.code(), StatusCode::kCorrupt);
  EXPECT_NE(too_deep.message().find("nesting deeper than 32"), std::string::npos);
  // 10^6 deep with the default limits: the handler refuses level 65, so the
  // recursive parser never descends further (no stack overflow).
  const std::string million =
      "{\"value\": [{\"x\": " + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}]}";
  Status way_too_deep = code(million, ImportLimits{});
  EXPECT_EQ(way_too_deep.code(), StatusCode::kCorrupt);
  EXPECT_NE(way_too_deep.message().find("nesting deeper than 64"), std::string::npos);
}

HashList SampleList() {
  HashList list;
  list.name = "sample";
  auto add = [&](SignalType t, std::string_view hex, std::vector<std::string> labels,
                 std::string category, std::string source) {
    list.entries.push_back(
        {Sig(t, hex), std::move(labels), std::move(category), std::move(source)});
  };
  add(SignalType::kPdq, kPdqA, {"csam", "series_7"}, "TRUE_POSITIVE", "NGO feed");
  add(SignalType::kMd5, kMd5, {}, "", "");
  add(SignalType::kSha1, kSha1, {"x"}, "2", "platform, inc.");
  add(SignalType::kSha256, kSha256, {"y"}, "", "src");
  add(SignalType::kPdq, kPdqB, {"z"}, "1", "");
  return list;
}

// Export -> import reproduces what each format can carry.
TEST(RoundTripTest, EveryFormat) {
  const HashList list = SampleList();
  for (ListFormat f : {ListFormat::kThreatExchangeCsv, ListFormat::kPlain, ListFormat::kVicsJson,
                       ListFormat::kVigilCsv}) {
    SCOPED_TRACE(std::string(ListFormatName(f)));
    const std::string text = ExportHashList(list, f);
    ImportResult back = MustImport(text, f);
    EXPECT_TRUE(back.errors.empty());
    ASSERT_EQ(back.list.entries.size(), list.entries.size()) << text;
    for (size_t i = 0; i < list.entries.size(); ++i) {
      const HashEntry& want = list.entries[i];
      const HashEntry& got = back.list.entries[i];
      EXPECT_EQ(got.signal, want.signal);
      if (f == ListFormat::kPlain) continue;  // signals only
      EXPECT_EQ(got.labels, want.labels);
      EXPECT_EQ(got.category, want.category);
      if (f != ListFormat::kVicsJson) {  // VICS has no per-entry source
        EXPECT_EQ(got.source, want.source);
      }
    }
  }
}

TEST(RoundTripTest, VigilCsvKeepsAwkwardText) {
  HashList list;
  list.entries.push_back({Sig(SignalType::kPdq, kPdqA),
                          {"semi;colon", "back\\slash", "comma, and \"quotes\"", "new\nline"},
                          "cat,egory",
                          "line\r\nbreak"});
  ImportResult back =
      MustImport(ExportHashList(list, ListFormat::kVigilCsv), ListFormat::kVigilCsv);
  ASSERT_EQ(back.list.entries.size(), 1u);
  EXPECT_EQ(back.list.entries[0], list.entries[0]);
}

TEST(RoundTripTest, VicsGroupsHashesOfOneMedia) {
  HashList list;
  const std::vector<std::string> labels = {"t", "vics_media_id=7"};
  list.entries.push_back({Sig(SignalType::kMd5, kMd5), labels, "1", ""});
  list.entries.push_back({Sig(SignalType::kSha1, kSha1), labels, "1", ""});
  list.entries.push_back({Sig(SignalType::kPdq, kPdqA), labels, "1", ""});
  list.entries.push_back({Sig(SignalType::kPdq, kPdqB), labels, "1", ""});
  const std::string json = ExportHashList(list, ListFormat::kVicsJson);
  EXPECT_EQ(json.find("\"MediaID\":7"), json.rfind("\"MediaID\":7")) << json;  // one Media
  ImportResult back = MustImport(json, ListFormat::kVicsJson);
  ASSERT_EQ(back.list.entries.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(back.list.entries[i], list.entries[i]);
}

TEST(ImportFileTest, ReadsAndReportsMissingFiles) {
  EXPECT_EQ(ImportHashListFile("/nonexistent/vigil/list.txt", ListFormat::kPlain).status().code(),
            StatusCode::kNotFound);
  std::string dir_template =
      (std::filesystem::temp_directory_path() / "vigil_match_XXXXXX").string();
  ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
  const std::filesystem::path path = std::filesystem::path(dir_template) / "list.txt";
  {
    std::ofstream out(path);
    out << "pdq " << kPdqA << "\nnope\n";
  }
  Result<ImportResult> r = ImportHashListFile(path, ListFormat::kPlain);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->list.entries.size(), 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].file, path.string());
  EXPECT_EQ(r->errors[0].line, 2u);
  ImportLimits tiny;
  tiny.max_file_bytes = 4;
  EXPECT_EQ(ImportHashListFile(path, ListFormat::kPlain, tiny).status().code(),
            StatusCode::kResourceExhausted);
  std::filesystem::remove_all(dir_template);
}

// Random bytes must never crash a reader (a poor man's fuzz pass; the
// libFuzzer target covers more).
TEST(RobustnessTest, GarbageNeverCrashes) {
  std::mt19937_64 rng(11);
  const std::string alphabet = "pdqmd5sha1,\"\n\r{}[]:;# \\0123456789abcdefABCDEF";
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % 300, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    for (ListFormat f : {ListFormat::kThreatExchangeCsv, ListFormat::kPlain, ListFormat::kVicsJson,
                         ListFormat::kVigilCsv}) {
      Result<ImportResult> r = ImportHashList(s, f, "g");
      if (r.ok()) {
        EXPECT_LE(r->errors.size(), r->error_count);
      }
    }
  }
}

}  // namespace
}  // namespace vigil::match
