#include "vigil/text/analyzer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "vigil/core/utf8.h"
#include "vigil/text/lexicon.h"
#include "vigil/text/normalize.h"

namespace vigil::text {
namespace {

using ::testing::HasSubstr;

const char kLexiconDir[] = VIGIL_SOURCE_DIR "/data/lexicons";
const char kCases[] = VIGIL_SOURCE_DIR "/src/text/testdata/cases.tsv";

class AnalyzerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto a = Analyzer::Create(kLexiconDir);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    analyzer_ = std::move(a).value();
    auto n = Normalizer::Create();
    ASSERT_TRUE(n.ok());
    normalizer_ = std::make_unique<Normalizer>(std::move(n).value());
  }
  static void TearDownTestSuite() {
    analyzer_.reset();
    normalizer_.reset();
  }

  static std::vector<Selector> Selectors(std::string_view text, std::string_view kind) {
    std::vector<Selector> r;
    for (Selector& s : analyzer_->Analyze(text).selectors) {
      if (s.kind == kind) r.push_back(std::move(s));
    }
    return r;
  }
  static std::vector<std::string> Values(std::string_view text, std::string_view kind) {
    std::vector<std::string> r;
    for (const Selector& s : Selectors(text, kind)) r.push_back(s.value);
    return r;
  }

  static std::unique_ptr<Analyzer> analyzer_;
  static std::unique_ptr<Normalizer> normalizer_;
};
std::unique_ptr<Analyzer> AnalyzerTest::analyzer_;
std::unique_ptr<Normalizer> AnalyzerTest::normalizer_;

struct Case {
  std::string expected, lang, kind, text;
  int line = 0;
};

std::vector<Case> LoadCases() {
  std::ifstream in(kCases);
  std::vector<Case> cases;
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string part; std::getline(ss, part, '\t');) f.push_back(part);
    if (f.size() != 4) {
      ADD_FAILURE() << "cases.tsv:" << no << ": expected 4 tab-separated fields";
      continue;
    }
    cases.push_back({f[0], f[1], f[2], f[3], no});
  }
  return cases;
}

std::string Describe(const Analysis& a) {
  std::string s = std::string(CategoryName(a.category)) + " " + std::to_string(a.score) + " [";
  for (const Reason& r : a.reasons) s += r.klass + ":" + r.term + " ";
  s += "] {";
  for (const Selector& sel : a.selectors) s += sel.kind + ":" + sel.value + " ";
  return s + "}";
}

TEST_F(AnalyzerTest, CasesTable) {
  const std::vector<Case> cases = LoadCases();
  int negatives = 0;
  std::set<std::string> langs;
  for (const Case& c : cases) {
    negatives += c.kind == "neg";
    langs.insert(c.lang);
    const Analysis a = analyzer_->Analyze(c.text);
    EXPECT_EQ(CategoryName(a.category), c.expected)
        << "cases.tsv:" << c.line << " (" << c.lang << ") " << c.text << "\n  got " << Describe(a);
    EXPECT_GE(a.score, 0.0);
    EXPECT_LE(a.score, 1.0);
    if (c.expected == "sale_offer" || c.expected == "sale_request") {
      EXPECT_GE(a.score, 0.5) << "cases.tsv:" << c.line;
    }
    // Every reason's span, read back from the original and normalised on
    // its own, is exactly the term.
    for (const Reason& r : a.reasons) {
      ASSERT_LT(r.span.begin, r.span.end);
      ASSERT_LE(r.span.end, c.text.size());
      const std::string_view orig =
          std::string_view(c.text).substr(r.span.begin, r.span.end - r.span.begin);
      EXPECT_TRUE(IsValidUtf8(orig));
      EXPECT_EQ(normalizer_->NormalizeToString(orig), r.term)
          << "cases.tsv:" << c.line << " " << r.klass << " '" << orig << "'";
    }
    for (const Selector& s : a.selectors) {
      ASSERT_LT(s.span.begin, s.span.end);
      ASSERT_LE(s.span.end, c.text.size());
    }
  }
  EXPECT_GE(cases.size(), 40u);
  EXPECT_GE(negatives, 15);
  EXPECT_EQ(langs, (std::set<std::string>{"ar", "ckb", "en", "kmr"}));
}

TEST_F(AnalyzerTest, ReasonsCarryClassLanguageAndOriginalSpan) {
  const std::string text = "Sabiya for sale, ١٥ سنة";
  const Analysis a = analyzer_->Analyze(text);
  bool saw_sale = false;
  for (const Reason& r : a.reasons) {
    if (r.klass == "sale" && r.term == "for sale") {
      saw_sale = true;
      EXPECT_EQ(r.lang, "en");
      EXPECT_EQ(text.substr(r.span.begin, r.span.end - r.span.begin), "for sale");
    }
  }
  EXPECT_TRUE(saw_sale) << Describe(a);
  const auto ages = Selectors(text, "age");
  ASSERT_EQ(ages.size(), 1u);
  EXPECT_EQ(ages[0].value, "15");
  EXPECT_EQ(text.substr(ages[0].span.begin, ages[0].span.end - ages[0].span.begin), "١٥ سنة");
}

TEST_F(AnalyzerTest, IraqiPhones) {
  EXPECT_THAT(Values("call 0770 123 4567 now", "phone"), ::testing::ElementsAre("+9647701234567"));
  EXPECT_THAT(Values("+964 750 123 4567", "phone"), ::testing::ElementsAre("+9647501234567"));
  EXPECT_THAT(Values("واتساب 07801234567", "phone"), ::testing::ElementsAre("+9647801234567"));
  EXPECT_THAT(Values("0770 123 4567 - 0750 123 4567", "phone"),
              ::testing::ElementsAre("+9647701234567", "+9647501234567"));
}

TEST_F(AnalyzerTest, ArabicIndicDigitPhonesMapBack) {
  const std::string text = "للتواصل ٠٧٧٠١٢٣٤٥٦٧ فقط";
  const auto phones = Selectors(text, "phone");
  ASSERT_EQ(phones.size(), 1u);
  EXPECT_EQ(phones[0].value, "+9647701234567");
  EXPECT_EQ(text.substr(phones[0].span.begin, phones[0].span.end - phones[0].span.begin),
            "٠٧٧٠١٢٣٤٥٦٧");
  EXPECT_THAT(Values("‏+٩٦٤ ٧٥٠ ١٢٣ ٤٥٦٧", "phone"),
              ::testing::ElementsAre("+9647501234567"));
  EXPECT_THAT(Values("۰۷۷۰۱۲۳۴۵۶۷", "phone"), ::testing::ElementsAre("+9647701234567"));
}

TEST_F(AnalyzerTest, SyrianAndTurkishPhones) {
  EXPECT_THAT(Values("+963 944 123 456", "phone"), ::testing::ElementsAre("+963944123456"));
  EXPECT_THAT(Values("رقم 0944 123 456", "phone"), ::testing::ElementsAre("+963944123456"));
  EXPECT_THAT(Values("+90 532 123 45 67", "phone"), ::testing::ElementsAre("+905321234567"));
  EXPECT_THAT(Values("tel 0532 123 45 67", "phone"), ::testing::ElementsAre("+905321234567"));
}

TEST_F(AnalyzerTest, NotPhones) {
  EXPECT_TRUE(Values("2015 model, 3 years old, price 7000", "phone").empty());
  EXPECT_TRUE(Values("12345", "phone").empty());
}

TEST_F(AnalyzerTest, HandlesUrlsEmails) {
  EXPECT_THAT(Values("contact @Seller_01 or @ab", "handle"), ::testing::ElementsAre("@seller_01"));
  EXPECT_THAT(Values("join t.me/Market_X now", "handle"), ::testing::ElementsAre("@market_x"));
  EXPECT_THAT(Values("join t.me/Market_X now", "url"),
              ::testing::ElementsAre("https://t.me/Market_X"));
  EXPECT_THAT(Values("https://instagram.com/some.one_1", "handle"),
              ::testing::ElementsAre("@some"));
  EXPECT_THAT(Values("see https://example.org/a?b=1.", "url"),
              ::testing::ElementsAre("https://example.org/a?b=1"));
  EXPECT_THAT(Values("رابط www.example.com/x", "url"),
              ::testing::ElementsAre("https://www.example.com/x"));
  EXPECT_THAT(Values("mail Someone.X@Example.com.", "email"),
              ::testing::ElementsAre("someone.x@example.com"));
  EXPECT_TRUE(Values("mail someone@example.com", "handle").empty());
}

TEST_F(AnalyzerTest, Prices) {
  EXPECT_THAT(Values("price $500 only", "price"), ::testing::ElementsAre("500 USD"));
  EXPECT_THAT(Values("500 dollars", "price"), ::testing::ElementsAre("500 USD"));
  EXPECT_THAT(Values("1500$", "price"), ::testing::ElementsAre("1500 USD"));
  EXPECT_THAT(Values("٥٠٠ دولار", "price"), ::testing::ElementsAre("500 USD"));
  EXPECT_THAT(Values("USD 2,500", "price"), ::testing::ElementsAre("2500 USD"));
  EXPECT_THAT(Values("3,000,000 IQD", "price"), ::testing::ElementsAre("3000000 IQD"));
  EXPECT_THAT(Values("٢٠٠٠٠٠ دينار", "price"), ::testing::ElementsAre("200000 IQD"));
  EXPECT_THAT(Values("٥ الاف دولار", "price"), ::testing::ElementsAre("5000 USD"));
  EXPECT_THAT(Values("5000 lira", "price"), ::testing::ElementsAre("5000 TRY"));
  EXPECT_THAT(Values("100000 SYP", "price"), ::testing::ElementsAre("100000 SYP"));
  EXPECT_THAT(Values("biha 2000 dolar", "price"), ::testing::ElementsAre("2000 USD"));
  EXPECT_THAT(Values("نرخی ٢٠٠٠ دۆلار", "price"), ::testing::ElementsAre("2000 USD"));
  EXPECT_THAT(Values("price: 750", "price"), ::testing::ElementsAre("750"));
  EXPECT_THAT(Values("$2k", "price"), ::testing::ElementsAre("2000 USD"));
}

TEST_F(AnalyzerTest, Ages) {
  EXPECT_THAT(Values("15 years old", "age"), ::testing::ElementsAre("15"));
  EXPECT_THAT(Values("a 15-year-old", "age"), ::testing::ElementsAre("15"));
  EXPECT_THAT(Values("عمرها ١٥", "age"), ::testing::ElementsAre("15"));
  EXPECT_THAT(Values("15 سنة", "age"), ::testing::ElementsAre("15"));
  EXPECT_THAT(Values("15 salî", "age"), ::testing::ElementsAre("15"));
  EXPECT_THAT(Values("تەمەنی ١٦", "age"), ::testing::ElementsAre("16"));
  EXPECT_THAT(Values("age: 14", "age"), ::testing::ElementsAre("14"));
  EXPECT_TRUE(Values("2014 سنة", "age").empty());  // a year, not an age
}

TEST_F(AnalyzerTest, Wallets) {
  const std::string eth = "0x52908400098527886E0F7030069857D2E4169EE7";
  EXPECT_THAT(Values("pay to " + eth, "wallet"),
              ::testing::ElementsAre("eth:0x52908400098527886e0f7030069857d2e4169ee7"));
  EXPECT_THAT(Values("USDT TRC20: TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "wallet"),
              ::testing::ElementsAre("trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"));
  EXPECT_THAT(Values("btc bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq.", "wallet"),
              ::testing::ElementsAre("btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"));
  EXPECT_THAT(Values("btc 1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "wallet"),
              ::testing::ElementsAre("btc:1BoatSLRHtKNngkdXEeobR76b53LETtpyT"));
  EXPECT_TRUE(Values("call 07701234567070123456712345678", "wallet").empty());
}

TEST_F(AnalyzerTest, ThreadsGetSameResults) {
  const std::vector<Case> cases = LoadCases();
  std::vector<std::string> expected;
  for (const Case& c : cases) expected.push_back(Describe(analyzer_->Analyze(c.text)));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < cases.size(); ++i) {
          const size_t k = (i + static_cast<size_t>(t) * 7) % cases.size();
          if (Describe(analyzer_->Analyze(cases[k].text)) != expected[k]) ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Phone answers are cached per workspace: repeats, misses and a cache that
// fills up and starts over all give the same selectors.
TEST_F(AnalyzerTest, PhoneAnswersDoNotDependOnTheCache) {
  const std::string text = "+964 750 123 4567 / 0770 123 4567";
  const auto first = Selectors(text, "phone");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].value, "+9647501234567");
  EXPECT_EQ(first[1].value, "+9647701234567");
  EXPECT_EQ(first[1].span.begin, 20u);
  EXPECT_EQ(first[1].span.end, 33u);
  for (int k = 0; k < 5000; ++k) {
    const std::string number = std::to_string(10000000 + k * 7919 % 9000000);
    Values("call 0770" + number.substr(1), "phone");
    if (k % 1000 == 0) {
      const auto again = Selectors("see " + text, "phone");
      ASSERT_EQ(again.size(), 2u);
      EXPECT_EQ(again[1].value, "+9647701234567");
      EXPECT_EQ(again[1].span.begin, 24u);
    }
  }
  EXPECT_TRUE(Values("call 0770123 now", "phone").empty());
  EXPECT_TRUE(Values("call 0770123 now", "phone").empty());
  EXPECT_THAT(Values("call 07701234567 now", "phone"), ::testing::ElementsAre("+9647701234567"));
}

TEST_F(AnalyzerTest, HostileInputDoesNotCrash) {
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 37 + 11) % 256);
  const Analysis a = analyzer_->Analyze(junk);
  EXPECT_GE(a.score, 0.0);
  EXPECT_EQ(analyzer_->Analyze("").category, Category::kOther);
  EXPECT_EQ(analyzer_->Analyze(std::string(100000, '7')).category, Category::kOther);
}

class LexiconFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil_lex_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& body) {
    std::ofstream(dir_ / name, std::ios::binary) << body;
  }
  std::filesystem::path dir_;
};

TEST_F(LexiconFileTest, BadLineNamesFileAndLine) {
  Write("xx.txt", "# comment\nperson\tgirl\nbogus\tthing\n");
  auto a = Analyzer::Create(dir_);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kCorrupt);
  EXPECT_THAT(a.status().message(), HasSubstr("xx.txt:3"));
  EXPECT_THAT(a.status().message(), HasSubstr("unknown class 'bogus'"));
}

TEST_F(LexiconFileTest, OtherMalformedLines) {
  const std::pair<std::string, std::string> bad[] = {
      {"person\n", "expected class<TAB>term"},
      {"age\tyears old\n", "age needs attribute"},
      {"currency\tdollar\tdollars\n", "ISO 4217"},
      {"sale\tsell\tUSD\n", "takes no attribute"},
      {"person\t\u200B\n", "normalises to nothing"},
      {"person\t*\n", "empty term"},
      {"person\tgi\xFFrl\n", "UTF-8"},
  };
  for (const auto& [body, why] : bad) {
    Write("yy.txt", "sale\tsell\n" + body);
    auto a = Analyzer::Create(dir_);
    ASSERT_FALSE(a.ok()) << body;
    EXPECT_THAT(a.status().message(), HasSubstr("yy.txt:2")) << body;
    EXPECT_THAT(a.status().message(), HasSubstr(why)) << body;
  }
}

TEST_F(LexiconFileTest, MissingFolderAndEmptyFolder) {
  auto missing = Analyzer::Create(dir_ / "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto empty = Analyzer::Create(dir_);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kNotFound);
}

TEST_F(LexiconFileTest, SmallLexiconWorks) {
  Write("en.txt", "person\tgirl\nsale\tfor sale\ncurrency\t$\tUSD\nperson\tGIRL\n");
  auto a = Analyzer::Create(dir_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const Analysis r = (*a)->Analyze("Girl for sale $100");
  EXPECT_EQ(r.category, Category::kSaleOffer);
  EXPECT_EQ(r.reasons.size(), 3u);  // the duplicate GIRL entry was merged
}

TEST(CategoryNameTest, Names) {
  EXPECT_EQ(CategoryName(Category::kSaleOffer), "sale_offer");
  EXPECT_EQ(CategoryName(Category::kSaleRequest), "sale_request");
  EXPECT_EQ(CategoryName(Category::kAppeal), "appeal");
  EXPECT_EQ(CategoryName(Category::kOther), "other");
  for (Category c :
       {Category::kSaleOffer, Category::kSaleRequest, Category::kAppeal, Category::kOther}) {
    EXPECT_EQ(CategoryFromName(CategoryName(c)), c);
  }
  EXPECT_FALSE(CategoryFromName("sale").has_value());
}

}  // namespace
}  // namespace vigil::text
