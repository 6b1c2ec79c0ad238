// Calendar arithmetic in UTC, without the C library's locale/timezone state
// (thread-safe, and exports carry their own notion of local time).
#ifndef VIGIL_CORE_TIME_H_
#define VIGIL_CORE_TIME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

struct CivilTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
};

// Seconds since the epoch of a civil time read as UTC; nullopt when a field is
// out of range (month 13, day 31 in April, hour 24, ...).
std::optional<int64_t> ToUnixSeconds(const CivilTime& t);
CivilTime FromUnixSeconds(int64_t s);

// "2024-03-05T07:08:09Z" (with_z) or "2024-03-05T07:08:09".
std::string FormatIso8601(int64_t unix_seconds, bool with_z = true);
// Parses "YYYY-MM-DDTHH:MM:SS" with optional fraction and optional "Z" or
// "+hh:mm"/"-hh:mm". Sets *offset_minutes when an offset was present (Z = 0).
std::optional<int64_t> ParseIso8601(std::string_view s,
                                    std::optional<int>* offset_minutes = nullptr);

// "2024-03" for grouping by month.
std::string MonthKey(int64_t unix_seconds);

}  // namespace vigil

#endif  // VIGIL_CORE_TIME_H_
