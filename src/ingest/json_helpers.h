// Typed, non-throwing accessors for RapidJSON values (internal to ingest).
// Every accessor tolerates a missing key or a value of the wrong type.
#ifndef VIGIL_SRC_INGEST_JSON_HELPERS_H_
#define VIGIL_SRC_INGEST_JSON_HELPERS_H_

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/core/utf8.h"

namespace vigil::ingest {

inline const rapidjson::Value* Member(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// The string at `v`, made valid UTF-8; nullopt when `v` is not a string.
inline std::optional<std::string> AsString(const rapidjson::Value* v) {
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return SanitizeUtf8(std::string_view(v->GetString(), v->GetStringLength()));
}

inline std::string StringOr(const rapidjson::Value& obj, const char* key,
                            std::string fallback = {}) {
  auto s = AsString(Member(obj, key));
  return s ? *s : fallback;
}

// An integer written as a JSON number or a decimal string.
inline std::optional<int64_t> AsInt64(const rapidjson::Value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsUint64()) return static_cast<int64_t>(v->GetUint64());
  if (v->IsDouble()) {
    const double d = v->GetDouble();
    if (d >= -9.2e18 && d <= 9.2e18) return static_cast<int64_t>(d);
    return std::nullopt;
  }
  if (v->IsString()) {
    std::string_view s(v->GetString(), v->GetStringLength());
    if (s.empty() || s.size() > 19) return std::nullopt;
    bool neg = s[0] == '-';
    if (neg) s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    int64_t out = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      out = out * 10 + (c - '0');
    }
    return neg ? -out : out;
  }
  return std::nullopt;
}

}  // namespace vigil::ingest

#endif  // VIGIL_SRC_INGEST_JSON_HELPERS_H_
