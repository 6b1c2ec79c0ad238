// WhatsApp "Export chat" header-line grammar (internal to ingest).
//
// A WhatsApp export is a text file where each message starts with a header
// line: a date, a time and then either "Author: text" (a message) or plain
// text (a system message). Lines without a header continue the previous
// message. Exporters differ by platform and locale:
//
//   Android  `29.01.18, 23:33 - Alice: hi`      `1/29/18, 11:33 PM - You added Bob`
//   iOS      `[1/29/18, 11:33:03 PM] Alice: hi` `[3/27/22 21:41:55] ...` (no comma)
//   Arabic   `[٢٧‏/٣‏/٢٠٢٢، ٩:٤١:٥٥ م] ...`  (Arabic-Indic digits, RLM, U+060C,
//   NBSP) others   `2018/06/13, 21:25 - ...`, `13.6.2018 klo 21.25.15 - ...`,
//            `[3/27/2565 BE, ...]` (Buddhist era), `[3/27/R4, ...]` (Japanese era)
//
// Matching runs on a normalised COPY of the start of the line (see
// NormalizeForMatch); the offsets it keeps map every matched position back to
// the original bytes so that message text keeps its original characters.
// Everything here is pure and thread-compatible.
#ifndef VIGIL_SRC_INGEST_WHATSAPP_HEADER_H_
#define VIGIL_SRC_INGEST_WHATSAPP_HEADER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/time.h"

namespace vigil::ingest::whatsapp {

// How many bytes of a line are normalised for matching. The header and the
// author name must fit in it; the rest of the line is only copied as text.
inline constexpr size_t kMatchPrefixBytes = 1024;

// True for the invisible formatting marks exporters sprinkle into lines:
// U+200E, U+200F, U+202A-U+202E, U+2066-U+2069 and U+FEFF.
bool IsInvisibleMark(uint32_t cp);

// `s` without invisible marks, NBSP and U+202F turned into ' ' (names,
// attachment markers). `s` must be valid UTF-8.
std::string StripMarks(std::string_view s);

// The matching copy of (a prefix of) a line: invisible marks removed,
// Arabic-Indic (U+0660-0669) and Persian (U+06F0-06F9) digits mapped to
// ASCII, U+060C to ',', NBSP and U+202F to ' '. offsets[i] is the byte in
// the original line that text[i] came from; offsets[text.size()] is the end
// of the consumed original prefix. `line` must be valid UTF-8.
struct NormalizedLine {
  std::string text;
  std::vector<uint32_t> offsets;
};
NormalizedLine NormalizeForMatch(std::string_view line, size_t max_bytes = kMatchPrefixBytes);

// A syntactically valid header. The first two date fields are kept raw
// because their order (day/month or month/day) is decided per file.
struct Header {
  int a = 0, b = 0;              // first two date fields (unless year_first)
  int year = 0;                  // Gregorian year after 2-digit / era / Buddhist fixes
  int month_yf = 0, day_yf = 0;  // when year_first ("2018/06/13")
  bool year_first = false;
  int hour = 0, minute = 0, second = 0;  // 24h, after AM/PM conversion
  size_t body = 0;  // offset in the normalised text where "Author: text" starts
};

// Parses a header at the start of a normalised line. Returns nullopt unless
// the line is a header whose time is valid and whose date is valid in at
// least one field order.
std::optional<Header> ParseHeader(std::string_view normalized);

enum class DateOrder { kDayFirst, kMonthFirst };

// The civil time of `h` read in `order`; when the date is impossible in that
// order but possible in the other (a file mixing locales) the other is used.
// nullopt only when neither order gives a valid date.
std::optional<CivilTime> ResolveTime(const Header& h, DateOrder order);

// Decides a file's day/month order from its headers, fed in file order:
// 1) the order with fewer impossible dates (a field > 12, day 31 in April);
// 2) the order whose dates decrease less often (exports run forward in time);
// 3) the order where the "month" field changes less often;
// 4) day-first.
class DateOrderVote {
 public:
  void Add(const Header& h);
  DateOrder Decide() const;

 private:
  struct Side {
    int64_t invalid = 0, decreases = 0, changes = 0;
    int64_t prev_key = -1;
    int prev_month = -1;
  };
  static void AddTo(Side& s, int year, int month, int day);
  Side day_first_, month_first_;
};

// Where the author ends in the header body: for "Alice: hi" the author is
// normalized[body, author_end) and the text starts at text_start. nullopt
// for a system message (no "Name: " before the first quote).
struct AuthorSpan {
  size_t author_end = 0;
  size_t text_start = 0;
};
std::optional<AuthorSpan> FindAuthor(std::string_view normalized, size_t body);

}  // namespace vigil::ingest::whatsapp

#endif  // VIGIL_SRC_INGEST_WHATSAPP_HEADER_H_
