#include "vigil/text/normalize.h"

#include <gtest/gtest.h>

#include <string>

#include "vigil/core/utf8.h"

namespace vigil::text {
namespace {

class NormalizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Create();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    normalizer_ = std::make_unique<Normalizer>(std::move(n).value());
  }
  std::string N(std::string_view s) const { return normalizer_->NormalizeToString(s); }

  // The original bytes that normalised `needle` came from.
  std::string OriginalOf(std::string_view original, std::string_view needle) const {
    NormalizedText t;
    normalizer_->Normalize(original, &t);
    const size_t pos = t.text().find(needle);
    if (pos == std::string::npos) return "<not found in '" + t.text() + "'>";
    const Span s = t.ToOriginal(pos, pos + needle.size());
    return std::string(original.substr(s.begin, s.end - s.begin));
  }

  std::unique_ptr<Normalizer> normalizer_;
};

TEST_F(NormalizeTest, CaseFoldAndNfkc) {
  EXPECT_EQ(N("FOR SALE"), "for sale");
  EXPECT_EQ(N("ＳＡＬＥ １５"), "sale 15");  // fullwidth
  EXPECT_EQ(N("\xEF\xBB\xBB"), "لا");        // U+FEFB lam-alef ligature
  EXPECT_EQ(N("ﺳﺒﻴﺔ"), "سبيه");              // presentation forms
}

TEST_F(NormalizeTest, LatinDiacriticsFoldForKurmanji) {
  EXPECT_EQ(N("Keçikê FIROŞTIN dîlgirtî"), "kecike firostin dilgirti");
  EXPECT_EQ(N("İstanbul ılık"), "istanbul ilik");
  EXPECT_EQ(N("e\xCC\x81t\xC3\xA9"), "ete");  // decomposed and precomposed é
}

TEST_F(NormalizeTest, ArabicHarakatAndTatweel) {
  EXPECT_EQ(N("سَبِيَّةٌ"), "سبيه");
  EXPECT_EQ(N("لـــلـــبـــيـــع"), "للبيع");
  EXPECT_EQ(N("ٱلْقُرْآنِ ۖ"), "القران");  // wasla, madda, Quranic pause mark
}

TEST_F(NormalizeTest, ArabicLetterFolding) {
  EXPECT_EQ(N("أب إب آب ٱب"), "اب اب اب اب");
  EXPECT_EQ(N("مؤمن"), "مومن");
  EXPECT_EQ(N("سائل"), "سايل");
  EXPECT_EQ(N("على"), "علي");
  EXPECT_EQ(N("کچی"), "كچي");  // Sorani keheh and Persian yeh
  EXPECT_EQ(N("سبية"), "سبيه");
  EXPECT_EQ(N("ئافرەت"), "يافرهت");
  EXPECT_EQ(N("ساڵ ڕاپۆرت ێ"), "سال راپورت ي");
  EXPECT_EQ(N("ا\xD9\x94"), "ا");  // alef + combining hamza above
}

TEST_F(NormalizeTest, Digits) {
  EXPECT_EQ(N("٠١٢٣٤٥٦٧٨٩"), "0123456789");
  EXPECT_EQ(N("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
  EXPECT_EQ(N("٣٬٠٠٠"), "3,000");
}

TEST_F(NormalizeTest, InvisibleCharactersAndSpace) {
  EXPECT_EQ(N("s\u200Ba\u200Cl\u200De\u200E!\u200F"), "sale!");
  EXPECT_EQ(N("\u202Ab\u202Bu\u202Cy\u202D \u202Eok\u2066x\u2067y\u2068z\u2069"), "buy okxyz");
  EXPECT_EQ(N("\uFEFFso\u00ADld"), "sold");
  EXPECT_EQ(N("  a \n\t\u00A0 b\r\n"), "a b");
}

TEST_F(NormalizeTest, LetterSpacingIsUndone) {
  EXPECT_EQ(N("ل.ل.ب.ي.ع"), "للبيع");
  EXPECT_EQ(N("s.a.l.e now"), "sale now");
  EXPECT_EQ(N("S-A-L-E"), "sale");
  EXPECT_EQ(N("girl s a l e here"), "girl sale here");
  EXPECT_EQ(N("ل ل ب ي ع"), "للبيع");
}

TEST_F(NormalizeTest, LetterSpacingLeavesWordsAlone) {
  EXPECT_EQ(N("I am a big fan"), "i am a big fan");
  EXPECT_EQ(N("e.g. the U.S. plan"), "e.g. the u.s. plan");
  EXPECT_EQ(N("plan b. a c d"), "plan b. a c d");  // three spaced letters are not enough
  EXPECT_EQ(N("وصل و ذهب"), "وصل و ذهب");
}

TEST_F(NormalizeTest, LeetspeakInsideWords) {
  EXPECT_EQ(N("s@baya"), "sabaya");
  EXPECT_EQ(N("f0r s4le"), "for sale");
  EXPECT_EQ(N("vi7gin gi3l"), "vitgin giel");
  EXPECT_EQ(N("$500 @handle a$$et 5ale"), "$500 @handle asset 5ale");
  EXPECT_EQ(N("mp3 2015 x5"), "mp3 2015 x5");
}

TEST_F(NormalizeTest, OffsetsMapBackToOriginalSpans) {
  EXPECT_EQ(OriginalOf("Contact: S.A.L.E today", "sale"), "S.A.L.E");
  EXPECT_EQ(OriginalOf("عرض ل.ل.ب.ي.ع الآن", "للبيع"), "ل.ل.ب.ي.ع");
  EXPECT_EQ(OriginalOf("\u200Fسبية لـــلـــبـــيـــع", "للبيع"), "لـــلـــبـــيـــع");
  EXPECT_EQ(OriginalOf("\u200Fسَبِيَّةٌ للبيع", "سبيه"), "سَبِيَّةٌ");
  EXPECT_EQ(OriginalOf("x s@baya y", "sabaya"), "s@baya");
  EXPECT_EQ(OriginalOf("عمرها ١٥ سنة", "15"), "١٥");
  EXPECT_EQ(OriginalOf("Keçikê FIROTIN", "firotin"), "FIROTIN");
  EXPECT_EQ(OriginalOf("ＳＡＬＥ", "sale"), "ＳＡＬＥ");
}

TEST_F(NormalizeTest, OffsetMapIsMonotoneAndInBounds) {
  const std::string original =
      "‏سَبِيَّةٌ ل.ل.ب.ي.ع Keçik S@BAYA ١٥ سنة ﻻ \xFF\xFE bad bytes "
      "ＦＵＬＬ";
  NormalizedText t;
  normalizer_->Normalize(original, &t);
  ASSERT_TRUE(IsValidUtf8(t.text()));
  size_t last_begin = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const Span s = t.ToOriginal(i, i + 1);
    EXPECT_LT(s.begin, s.end);
    EXPECT_LE(s.end, original.size());
    EXPECT_GE(s.begin, last_begin);
    last_begin = s.begin;
  }
}

// Sequences that combine go through ICU; single code points use the table
// built from it, including ones whose output is long or holds spaces.
TEST_F(NormalizeTest, CombiningSequencesLigaturesAndSupplementary) {
  EXPECT_EQ(N("\u1100\u1161"), "\uAC00");                            // conjoining jamo compose
  EXPECT_EQ(N("\U0001D412\U0001D400\U0001D40B\U0001D404"), "sale");  // math bold
  EXPECT_EQ(N("x\U0001F600y"), "x\U0001F600y");
  EXPECT_EQ(N("ﻻ ﷺ ﷲ ½ ㈱ ﬁ Ⅻ"), "لا صلي الله عليه وسلم الله 1⁄2 (株) fi xii");
  EXPECT_EQ(N("Ａ　Ｂ\u00A0\u2003C"), "a b c");
}

// Longer texts take the sixteen-bytes-at-a-time search for rewrites; the
// result must not depend on where in a block a rewrite falls.
TEST_F(NormalizeTest, RewritesAtEveryOffsetOfLongTexts) {
  const char* const kWords[] = {"xy ", "abc ", "wxyz "};
  std::string pad;
  for (int k = 0; k < 40; ++k) {
    EXPECT_EQ(N(pad + "girl s.a.l.e s@baya f0r sale, call now please"),
              pad + "girl sale sabaya for sale, call now please")
        << k;
    EXPECT_EQ(N(pad + "l.l.b.y.e and vi7gin"), pad + "llbye and vitgin") << k;
    pad += kWords[k % 3];
  }
}

TEST_F(NormalizeTest, ManyLeetspeakRunsWithAndWithoutLetterSpacing) {
  std::string many;
  std::string folded;
  for (int k = 0; k < 40; ++k) {
    many += "x4y ";
    folded += "xay ";
  }
  EXPECT_EQ(N(many + "then s.a.l.e"), folded + "then sale");
  EXPECT_EQ(N("then s.a.l.e " + many), "then sale " + folded.substr(0, folded.size() - 1));
  EXPECT_EQ(N(many), folded.substr(0, folded.size() - 1));
}

TEST_F(NormalizeTest, EmptyAndReuse) {
  NormalizedText t;
  normalizer_->Normalize("LONG TEXT FIRST", &t);
  normalizer_->Normalize("", &t);
  EXPECT_EQ(t.text(), "");
  normalizer_->Normalize("\u200B\u200B", &t);
  EXPECT_EQ(t.size(), 0u);
}

}  // namespace
}  // namespace vigil::text
