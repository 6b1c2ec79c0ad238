#include "vigil/core/time.h"

#include <charconv>
#include <cstdio>

namespace vigil {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// well-known civil calendar algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool ParseInt(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return std::from_chars(s.data() + pos, s.data() + pos + len, out).ec == std::errc();
}

}  // namespace

std::optional<int64_t> ToUnixSeconds(const CivilTime& t) {
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > DaysInMonth(t.year, t.month) ||
      t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 60) {
    return std::nullopt;
  }
  const int64_t days =
      DaysFromCivil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  return days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

CivilTime FromUnixSeconds(int64_t s) {
  int64_t days = s / 86400;
  int64_t rem = s % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  CivilTime t;
  t.year = static_cast<int>(y + (m <= 2));
  t.month = static_cast<int>(m);
  t.day = static_cast<int>(d);
  t.hour = static_cast<int>(rem / 3600);
  t.minute = static_cast<int>((rem % 3600) / 60);
  t.second = static_cast<int>(rem % 60);
  return t;
}

std::string FormatIso8601(int64_t unix_seconds, bool with_z) {
  const CivilTime t = FromUnixSeconds(unix_seconds);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%s", t.year, t.month, t.day, t.hour,
                t.minute, t.second, with_z ? "Z" : "");
  return buf;
}

std::optional<int64_t> ParseIso8601(std::string_view s, std::optional<int>* offset_minutes) {
  CivilTime t;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  if (!ParseInt(s, 0, 4, t.year) || !ParseInt(s, 5, 2, t.month) || !ParseInt(s, 8, 2, t.day) ||
      !ParseInt(s, 11, 2, t.hour) || !ParseInt(s, 14, 2, t.minute) ||
      !ParseInt(s, 17, 2, t.second)) {
    return std::nullopt;
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
  }
  std::optional<int> offset;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      offset = 0;
    } else if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
      int hh, mm;
      if (!ParseInt(s, pos + 1, 2, hh) || !ParseInt(s, pos + 4, 2, mm)) return std::nullopt;
      offset = (s[pos] == '-' ? -1 : 1) * (hh * 60 + mm);
    } else {
      return std::nullopt;
    }
  }
  auto secs = ToUnixSeconds(t);
  if (!secs) return std::nullopt;
  if (offset) *secs -= static_cast<int64_t>(*offset) * 60;
  if (offset_minutes) *offset_minutes = offset;
  return secs;
}

std::string MonthKey(int64_t unix_seconds) {
  const CivilTime t = FromUnixSeconds(unix_seconds);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", t.year, t.month);
  return buf;
}

}  // namespace vigil
