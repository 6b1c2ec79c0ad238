#include "src/ingest/whatsapp_header.h"

#include "vigil/core/utf8.h"

namespace vigil::ingest::whatsapp {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads 1..max_digits ASCII digits at s[i]; fails when there are none or more
// than max_digits (a longer number is not a date/time field).
bool ReadNumber(std::string_view s, size_t& i, int max_digits, int& value, int& len) {
  value = 0;
  len = 0;
  while (i < s.size() && IsDigit(s[i])) {
    if (len == max_digits) return false;
    value = value * 10 + (s[i] - '0');
    ++i;
    ++len;
  }
  return len > 0;
}

bool StartsWith(std::string_view s, size_t i, std::string_view prefix) {
  return s.substr(i, prefix.size()) == prefix;
}

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// True when nothing word-like follows a 12-hour marker ("PM]", "PM - ", end).
bool MarkerBoundary(std::string_view s, size_t i) {
  return i >= s.size() || s[i] == ' ' || s[i] == ']' || s[i] == '-';
}

// Parses an AM/PM marker at s[i]: "AM", "pm", "a. m.", "p.m.", or the Arabic
// "ص" (AM) / "م" (PM). Returns 1 for AM, 2 for PM, 0 for none (i unchanged).
int ReadMeridiem(std::string_view s, size_t& i) {
  size_t j = i;
  if (j < s.size() && (s[j] == 'a' || s[j] == 'A' || s[j] == 'p' || s[j] == 'P')) {
    const int kind = (s[j] == 'a' || s[j] == 'A') ? 1 : 2;
    ++j;
    if (j < s.size() && s[j] == '.') ++j;
    if (j < s.size() && s[j] == ' ') ++j;
    if (j < s.size() && (s[j] == 'm' || s[j] == 'M')) {
      ++j;
      if (j < s.size() && s[j] == '.') ++j;
      if (MarkerBoundary(s, j)) {
        i = j;
        return kind;
      }
    }
    return 0;
  }
  static constexpr std::string_view kArabicAm = "\xD8\xB5";  // U+0635
  static constexpr std::string_view kArabicPm = "\xD9\x85";  // U+0645
  if (StartsWith(s, i, kArabicAm) && MarkerBoundary(s, i + 2)) {
    i += 2;
    return 1;
  }
  if (StartsWith(s, i, kArabicPm) && MarkerBoundary(s, i + 2)) {
    i += 2;
    return 2;
  }
  return 0;
}

bool ValidDate(int year, int month, int day) {
  return ToUnixSeconds(CivilTime{year, month, day, 0, 0, 0}).has_value();
}

// Gregorian year from a year field: 2 digits -> 20YY; Japanese era letter +
// number; Buddhist era (explicit "BE", or implausibly far in the future).
std::optional<int> ResolveYear(int value, int len, char era, bool buddhist) {
  switch (era) {
    case 'R':
      return 2018 + value;  // Reiwa 1 = 2019
    case 'H':
      return 1988 + value;  // Heisei 1 = 1989
    case 'S':
      return 1925 + value;  // Showa 1 = 1926
    case 'T':
      return 1911 + value;  // Taisho 1 = 1912
    default:
      break;
  }
  if (len == 2) return 2000 + value;
  if (len != 4) return std::nullopt;
  if (buddhist || value >= 2400) return value - 543;
  return value;
}

}  // namespace

bool IsInvisibleMark(uint32_t cp) {
  return cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

std::string StripMarks(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const uint32_t cp = DecodeUtf8(s, i);
    if (IsInvisibleMark(cp)) continue;
    if (cp == 0x00A0 || cp == 0x202F) {
      out.push_back(' ');
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  return out;
}

NormalizedLine NormalizeForMatch(std::string_view line, size_t max_bytes) {
  NormalizedLine out;
  const size_t limit = line.size() < max_bytes ? line.size() : max_bytes;
  out.text.reserve(limit);
  out.offsets.reserve(limit + 1);
  size_t i = 0;
  while (i < limit) {
    const size_t start = i;
    const uint32_t cp = DecodeUtf8(line, i);
    auto push = [&](char c) {
      out.text.push_back(c);
      out.offsets.push_back(static_cast<uint32_t>(start));
    };
    if (IsInvisibleMark(cp)) continue;
    if (cp >= 0x0660 && cp <= 0x0669) {
      push(static_cast<char>('0' + (cp - 0x0660)));
    } else if (cp >= 0x06F0 && cp <= 0x06F9) {
      push(static_cast<char>('0' + (cp - 0x06F0)));
    } else if (cp == 0x060C) {
      push(',');
    } else if (cp == 0x00A0 || cp == 0x202F) {
      push(' ');
    } else {
      for (size_t k = start; k < i; ++k) push(line[k]);
    }
  }
  out.offsets.push_back(static_cast<uint32_t>(i));
  return out;
}

std::optional<Header> ParseHeader(std::string_view s) {
  Header h;
  size_t i = 0;
  const bool bracket = !s.empty() && s[0] == '[';
  if (bracket) ++i;

  // Date: three fields with one separator kind, an optional space after each.
  int f1, len1, f2, len2, f3 = 0, len3 = 0;
  if (!ReadNumber(s, i, 4, f1, len1) || len1 == 3) return std::nullopt;
  if (i >= s.size() || (s[i] != '/' && s[i] != '.' && s[i] != '-')) return std::nullopt;
  const char sep = s[i++];
  if (i < s.size() && s[i] == ' ') ++i;
  if (!ReadNumber(s, i, 2, f2, len2)) return std::nullopt;
  if (i >= s.size() || s[i] != sep) return std::nullopt;
  ++i;
  if (i < s.size() && s[i] == ' ') ++i;
  char era = 0;
  if (i + 1 < s.size() && (s[i] == 'R' || s[i] == 'H' || s[i] == 'S' || s[i] == 'T') &&
      IsDigit(s[i + 1]) && len1 != 4) {
    era = s[i++];
    if (!ReadNumber(s, i, 2, f3, len3)) return std::nullopt;
  } else if (!ReadNumber(s, i, len1 == 4 ? 2 : 4, f3, len3)) {
    return std::nullopt;
  }
  bool buddhist = false;
  if (StartsWith(s, i, " BE") && (i + 3 >= s.size() || !IsAsciiAlpha(s[i + 3]))) {
    buddhist = true;
    i += 3;
  }
  if (i < s.size() && (s[i] == ',' || s[i] == '.')) ++i;
  if (i >= s.size() || s[i] != ' ') return std::nullopt;
  // Words between date and time ("klo", "à"): a few non-digit bytes.
  for (int skipped = 0; i < s.size() && !IsDigit(s[i]); ++i, ++skipped) {
    if (skipped == 16 || s[i] == '[' || s[i] == ']' || s[i] == ':' || s[i] == '-') {
      return std::nullopt;
    }
  }

  // Time: h:mm[:ss] with ':' or '.', then an optional 12-hour marker.
  int hour, minute, second = 0, len;
  if (!ReadNumber(s, i, 2, hour, len)) return std::nullopt;
  if (i >= s.size() || (s[i] != ':' && s[i] != '.')) return std::nullopt;
  ++i;
  if (!ReadNumber(s, i, 2, minute, len)) return std::nullopt;
  if (i + 1 < s.size() && (s[i] == ':' || s[i] == '.') && IsDigit(s[i + 1])) {
    ++i;
    if (!ReadNumber(s, i, 2, second, len)) return std::nullopt;
  }
  {
    size_t j = i;
    while (j < s.size() && j - i < 2 && s[j] == ' ') ++j;
    const int meridiem = ReadMeridiem(s, j);
    if (meridiem != 0) {
      i = j;
      // Exporters write "23:59 PM" and "00:04 AM"; an hour > 12 is already 24h.
      if (meridiem == 1 && hour == 12) hour = 0;
      if (meridiem == 2 && hour < 12) hour += 12;
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;

  // Separator: "] ", " - ", ": " or (iOS without brackets) just a space.
  if (bracket) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size() || s[i] != ']') return std::nullopt;
    ++i;
  }
  if (StartsWith(s, i, " -")) {
    i += 2;
  } else if (StartsWith(s, i, " \xE2\x80\x93")) {  // en dash
    i += 4;
  } else if (i < s.size() && s[i] == ':') {
    ++i;
  }
  if (i < s.size()) {
    if (s[i] != ' ') return std::nullopt;
    ++i;
  }

  h.hour = hour;
  h.minute = minute;
  h.second = second;
  h.body = i;
  if (len1 == 4) {
    const auto year = ResolveYear(f1, 4, 0, buddhist);
    if (!year || !ValidDate(*year, f2, f3)) return std::nullopt;
    h.year_first = true;
    h.year = *year;
    h.month_yf = f2;
    h.day_yf = f3;
    return h;
  }
  const auto year = ResolveYear(f3, len3, era, buddhist);
  if (!year) return std::nullopt;
  if (!ValidDate(*year, f2, f1) && !ValidDate(*year, f1, f2)) return std::nullopt;
  h.a = f1;
  h.b = f2;
  h.year = *year;
  return h;
}

std::optional<CivilTime> ResolveTime(const Header& h, DateOrder order) {
  CivilTime t;
  t.year = h.year;
  t.hour = h.hour;
  t.minute = h.minute;
  t.second = h.second;
  if (h.year_first) {
    t.month = h.month_yf;
    t.day = h.day_yf;
  } else {
    const bool day_first_ok = ValidDate(h.year, h.b, h.a);
    const bool month_first_ok = ValidDate(h.year, h.a, h.b);
    bool day_first = order == DateOrder::kDayFirst;
    if (day_first && !day_first_ok) day_first = false;
    if (!day_first && !month_first_ok) day_first = true;
    t.day = day_first ? h.a : h.b;
    t.month = day_first ? h.b : h.a;
  }
  if (!ToUnixSeconds(t)) return std::nullopt;
  return t;
}

void DateOrderVote::AddTo(Side& s, int year, int month, int day) {
  if (!ValidDate(year, month, day)) {
    ++s.invalid;
    return;
  }
  const int64_t key = int64_t{year} * 10000 + month * 100 + day;
  if (s.prev_key >= 0 && key < s.prev_key) ++s.decreases;
  if (s.prev_month >= 0 && month != s.prev_month) ++s.changes;
  s.prev_key = key;
  s.prev_month = month;
}

void DateOrderVote::Add(const Header& h) {
  if (h.year_first) return;
  AddTo(day_first_, h.year, h.b, h.a);
  AddTo(month_first_, h.year, h.a, h.b);
}

DateOrder DateOrderVote::Decide() const {
  const Side& d = day_first_;
  const Side& m = month_first_;
  if (d.invalid != m.invalid) {
    return d.invalid < m.invalid ? DateOrder::kDayFirst : DateOrder::kMonthFirst;
  }
  if (d.decreases != m.decreases) {
    return d.decreases < m.decreases ? DateOrder::kDayFirst : DateOrder::kMonthFirst;
  }
  if (d.changes != m.changes) {
    return d.changes < m.changes ? DateOrder::kDayFirst : DateOrder::kMonthFirst;
  }
  return DateOrder::kDayFirst;
}

std::optional<AuthorSpan> FindAuthor(std::string_view s, size_t body) {
  // "Name: text" or "Name:" at the end of the line. A quote before the colon
  // means a system line quoting a group subject ("... changed the subject to
  // \"a: b\""), never a sender.
  for (size_t i = body; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"' || StartsWith(s, i, "\xE2\x80\x9C")) return std::nullopt;
    if (c != ':') continue;
    if (i == body) return std::nullopt;
    if (i + 1 == s.size()) return AuthorSpan{i, i + 1};
    if (s[i + 1] == ' ') return AuthorSpan{i, i + 2};
  }
  return std::nullopt;
}

}  // namespace vigil::ingest::whatsapp
