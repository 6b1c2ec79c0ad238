#include "vigil/text/selectors.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumbermatch.h>
#include <phonenumbers/phonenumbermatcher.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <string>

#include "src/text/phone_cache.h"
#include "vigil/core/hex.h"

namespace vigil::text {
namespace {

using i18n::phonenumbers::PhoneNumberMatch;
using i18n::phonenumbers::PhoneNumberMatcher;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr std::array<const char*, 3> kPhoneRegions = {"IQ", "SY", "TR"};
constexpr size_t kMinPhoneDigits = 7;
constexpr size_t kMaxPhoneCandidate = 64;
constexpr size_t kMaxSingleNumberDigits = 15;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }
// prefix + s; spelled out because GCC 12 -O2 warns (-Wrestrict) on
// operator+(const char*, std::string&&).
std::string Concat(std::string_view prefix, std::string_view s) {
  std::string r;
  r.reserve(prefix.size() + s.size());
  r.append(prefix);
  r.append(s);
  return r;
}
std::string LowerAscii(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = Lower(c);
  return r;
}
bool StartsWithCi(std::string_view s, size_t pos, std::string_view prefix) {
  if (s.size() - pos < prefix.size()) return false;
  for (size_t k = 0; k < prefix.size(); ++k) {
    if (Lower(s[pos + k]) != prefix[k]) return false;
  }
  return true;
}

bool IsPhoneChar(char c) {
  return IsDigit(c) || c == '+' || c == '(' || c == ')' || c == '-' || c == '.' || c == ' ' ||
         c == '/';
}

// Regions to try for a candidate, most likely first, so a failed Parse
// (regex work inside libphonenumber) is rare: international numbers need one
// try; national ones are ordered by their trunk prefix (07 Iraqi mobile,
// 09 Syrian mobile, 05 Turkish mobile).
std::span<const char* const> RegionOrder(std::string_view candidate) {
  static constexpr std::array<const char*, 1> kInternational = {"IQ"};
  static constexpr std::array<const char*, 3> kSyrianFirst = {"SY", "IQ", "TR"};
  static constexpr std::array<const char*, 3> kTurkishFirst = {"TR", "IQ", "SY"};
  const size_t d = candidate.find_first_of("0123456789");
  const std::string_view p = candidate.substr(d, 2);
  if (candidate.find('+') != std::string_view::npos || p == "00") return kInternational;
  if (p == "09") return kSyrianFirst;
  if (p == "05") return kTurkishFirst;
  return kPhoneRegions;
}

// Every phone in one candidate (a run of phone characters holding at least
// kMinPhoneDigits digits), with offsets relative to the candidate.
void FindPhones(const std::string& candidate, size_t digits, std::vector<PhoneHit>* hits) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  // One number: Parse + IsValidNumber is much cheaper than the matcher.
  if (digits <= kMaxSingleNumberDigits) {
    for (const char* region : RegionOrder(candidate)) {
      i18n::phonenumbers::PhoneNumber number;
      if (util.Parse(candidate, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
          !util.IsValidNumber(number)) {
        continue;
      }
      std::string e164;
      util.Format(number, PhoneNumberUtil::E164, &e164);
      hits->push_back({std::move(e164), 0, candidate.size()});
      return;
    }
    if (digits <= kMinPhoneDigits + 4) return;
  }
  // Several numbers in a row, or a number among other digits.
  for (const char* region : kPhoneRegions) {
    PhoneNumberMatcher matcher(util, candidate, region, PhoneNumberMatcher::VALID, 20);
    bool found = false;
    while (matcher.HasNext()) {
      PhoneNumberMatch m;
      if (!matcher.Next(&m)) break;
      std::string e164;
      util.Format(m.number(), PhoneNumberUtil::E164, &e164);
      const auto b = static_cast<size_t>(m.start());
      const size_t e = b + static_cast<size_t>(m.length());
      if (b >= e) continue;
      hits->push_back({std::move(e164), b, e});
      found = true;
    }
    if (found) break;
  }
}

void ExtractPhones(const NormalizedText& norm, PhoneCache* cache, std::vector<Selector>* out) {
  const std::string& t = norm.text();
  std::vector<PhoneHit> scratch;
  size_t i = 0;
  while (i < t.size()) {
    if (!(IsDigit(t[i]) || t[i] == '+' || t[i] == '(')) {
      ++i;
      continue;
    }
    size_t j = i;
    size_t digits = 0;
    while (j < t.size() && IsPhoneChar(t[j]) && j - i < kMaxPhoneCandidate) {
      if (IsDigit(t[j])) ++digits;
      ++j;
    }
    const size_t cand_begin = i;
    i = j;
    while (j > cand_begin && !IsDigit(t[j - 1])) --j;
    if (digits < kMinPhoneDigits) continue;
    const std::string candidate = t.substr(cand_begin, j - cand_begin);
    if (candidate.find(',') != std::string::npos) continue;  // "3,000,000": an amount
    const std::vector<PhoneHit>* hits = cache != nullptr ? cache->Find(candidate) : nullptr;
    if (hits == nullptr) {
      scratch.clear();
      FindPhones(candidate, digits, &scratch);
      hits = cache != nullptr ? cache->Insert(candidate, std::move(scratch)) : &scratch;
    }
    for (const PhoneHit& h : *hits) {
      const size_t b = cand_begin + h.begin;
      const size_t e = cand_begin + h.end;
      if (e > t.size() || b >= e) continue;
      out->push_back({"phone", h.e164, norm.ToOriginal(b, e)});
    }
  }
}

// URL-ish characters after the host; stops at white space and non-ASCII
// (Arabic text often follows a link without a space).
bool IsUrlChar(char c) {
  if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) <= 0x20) return false;
  return c != '"' && c != '\'' && c != '<' && c != '>' && c != '`';
}

bool IsHandleChar(char c) { return IsAlnum(c) || c == '_'; }

constexpr std::array<std::string_view, 6> kProfileHosts = {
    "t.me/", "telegram.me/", "telegram.dog/", "instagram.com/", "www.instagram.com/", "www.t.me/"};

// If `url` (scheme stripped, lower-cased) is a profile link, the handle.
std::string ProfileHandle(std::string_view url) {
  for (std::string_view host : kProfileHosts) {
    if (url.substr(0, host.size()) != host) continue;
    std::string_view rest = url.substr(host.size());
    size_t n = 0;
    while (n < rest.size() && IsHandleChar(rest[n])) ++n;
    const std::string_view name = rest.substr(0, n);
    if (n < 3 || n > 32 || name == "joinchat" || name == "share" || name == "addstickers" ||
        name == "proxy" || name == "p" || name == "reel" || name == "explore") {
      return {};
    }
    return Concat("@", name);
  }
  return {};
}

// Bytes that can start a link, a handle or the '@' of an email.
constexpr std::array<bool, 256> kLinkStart = [] {
  std::array<bool, 256> t{};
  for (const char c : {'@', 'h', 'w', 't', 'i', 'H', 'W', 'T', 'I'})
    t[static_cast<uint8_t>(c)] = true;
  return t;
}();

void ExtractLinksAndHandles(std::string_view s, std::vector<Selector>* out) {
  size_t i = 0;
  while (i < s.size()) {
    if (!kLinkStart[static_cast<uint8_t>(s[i])]) {
      ++i;
      continue;
    }
    const bool boundary = i == 0 || !(IsAlnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '/' ||
                                      s[i - 1] == '@' || s[i - 1] == '_' || s[i - 1] == '-');
    size_t scheme_len = 0;
    bool is_url = false;
    if (boundary) {
      if (StartsWithCi(s, i, "https://")) {
        scheme_len = 8;
        is_url = true;
      } else if (StartsWithCi(s, i, "http://")) {
        scheme_len = 7;
        is_url = true;
      } else if (StartsWithCi(s, i, "www.") || StartsWithCi(s, i, "wa.me/")) {
        is_url = true;
      } else {
        for (std::string_view host : kProfileHosts) {
          if (StartsWithCi(s, i, host)) is_url = true;
        }
      }
    }
    if (is_url) {
      size_t j = i + scheme_len;
      while (j < s.size() && IsUrlChar(s[j])) ++j;
      while (j > i + scheme_len && std::strchr(".,;:!?)]}", s[j - 1]) != nullptr) --j;
      if (j > i + scheme_len + 3) {
        const std::string_view raw = s.substr(i, j - i);
        const Span span{i, j};
        out->push_back({"url", scheme_len == 0 ? Concat("https://", raw) : std::string(raw), span});
        std::string handle = ProfileHandle(LowerAscii(raw.substr(scheme_len)));
        if (!handle.empty()) out->push_back({"handle", std::move(handle), span});
        i = j;
        continue;
      }
    }
    if (s[i] == '@') {
      const bool left_ok = i == 0 || !(IsAlnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '_' ||
                                       s[i - 1] == '-' || s[i - 1] == '%' || s[i - 1] == '+');
      if (left_ok) {
        size_t j = i + 1;
        while (j < s.size() && IsHandleChar(s[j])) ++j;
        const size_t n = j - i - 1;
        if (n >= 3 && n <= 32 && IsAlpha(s[i + 1])) {
          out->push_back({"handle", Concat("@", LowerAscii(s.substr(i + 1, n))), Span{i, j}});
        }
        i = j;
        continue;
      }
      // An email: local part before '@', domain with a dot after it.
      size_t b = i;
      while (b > 0 && (IsAlnum(s[b - 1]) || std::strchr("._%+-", s[b - 1]) != nullptr)) --b;
      size_t e = i + 1;
      while (e < s.size() && (IsAlnum(s[e]) || s[e] == '.' || s[e] == '-')) ++e;
      while (e > i + 1 && (s[e - 1] == '.' || s[e - 1] == '-')) --e;
      const std::string_view domain = s.substr(i + 1, e - i - 1);
      const size_t dot = domain.rfind('.');
      if (b < i && dot != std::string_view::npos && dot > 0 && domain.size() - dot - 1 >= 2 &&
          std::all_of(domain.begin() + static_cast<std::ptrdiff_t>(dot) + 1, domain.end(),
                      IsAlpha)) {
        out->push_back({"email", LowerAscii(s.substr(b, e - b)), Span{b, e}});
        i = e;
        continue;
      }
    }
    ++i;
  }
}

bool IsBase58(char c) { return IsAlnum(c) && c != '0' && c != 'O' && c != 'I' && c != 'l'; }
bool IsBech32(char c) {
  return std::strchr("qpzry9x8gf2tvdw0s3jn54khce6mua7l", Lower(c)) != nullptr && c != 0;
}
bool IsHex(char c) { return HexDigitValue(c) >= 0; }

// The shortest address below (bech32).
constexpr size_t kMinWalletLength = 14;

void ExtractWallets(std::string_view s, std::vector<Selector>* out) {
  size_t i = 0;
  while (i < s.size()) {
    if (!IsAlnum(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && IsAlnum(s[j])) ++j;
    const std::string_view tok = s.substr(i, j - i);
    const bool bounded = (i == 0 || (s[i - 1] != '/' && s[i - 1] != '@' && s[i - 1] != '_')) &&
                         (j == s.size() || s[j] != '_');
    const Span span{i, j};
    i = j;
    if (!bounded || tok.size() < kMinWalletLength) continue;
    if (tok.size() == 42 && (tok.substr(0, 2) == "0x" || tok.substr(0, 2) == "0X") &&
        std::all_of(tok.begin() + 2, tok.end(), IsHex)) {
      out->push_back({"wallet", Concat("eth:", LowerAscii(tok)), span});
    } else if (tok.size() == 34 && tok[0] == 'T' && std::all_of(tok.begin(), tok.end(), IsBase58)) {
      out->push_back({"wallet", Concat("trx:", tok), span});
    } else if (tok.size() >= 14 && tok.size() <= 74 && StartsWithCi(tok, 0, "bc1") &&
               std::all_of(tok.begin() + 3, tok.end(), IsBech32) &&
               (std::none_of(tok.begin(), tok.end(), [](char c) { return c >= 'A' && c <= 'Z'; }) ||
                std::none_of(tok.begin(), tok.end(),
                             [](char c) { return c >= 'a' && c <= 'z'; }))) {
      out->push_back({"wallet", Concat("btc:", LowerAscii(tok)), span});
    } else if (tok.size() >= 26 && tok.size() <= 35 && (tok[0] == '1' || tok[0] == '3') &&
               std::count_if(tok.begin(), tok.end(), IsAlpha) >= 5 &&
               std::all_of(tok.begin(), tok.end(), IsBase58)) {
      out->push_back({"wallet", Concat("btc:", tok), span});
    }
  }
}

// A number ending right before `end` in normalised text (after skipping
// spaces), as [begin, end) and its canonical string; false when none.
struct Number {
  size_t begin = 0;
  size_t end = 0;
  std::string value;
};

std::string CanonicalNumber(std::string_view raw) {
  // "1,500" / "1.500" (thousands) -> "1500"; "2.5" -> "2.5".
  std::string r;
  for (size_t k = 0; k < raw.size(); ++k) {
    const char c = raw[k];
    if (c == ',' || c == '.') {
      size_t d = k + 1;
      while (d < raw.size() && IsDigit(raw[d])) ++d;
      if (c == ',' || d - k - 1 == 3) continue;
    }
    r.push_back(c);
  }
  const size_t nz = r.find_first_not_of('0');
  if (nz == std::string::npos) return "0";
  if (r[nz] == '.') return r.substr(nz - 1);
  return r.substr(nz);
}

bool NumberBefore(std::string_view t, size_t end, Number* n) {
  size_t e = end;
  while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == '-')) --e;
  size_t b = e;
  while (b > 0 && (IsDigit(t[b - 1]) || t[b - 1] == ',' || t[b - 1] == '.')) --b;
  while (b < e && !IsDigit(t[b])) ++b;
  while (e > b && !IsDigit(t[e - 1])) --e;
  if (b == e || (b > 0 && IsAlpha(t[b - 1]))) return false;
  *n = {b, e, CanonicalNumber(t.substr(b, e - b))};
  return true;
}

bool NumberAfter(std::string_view t, size_t begin, Number* n) {
  size_t b = begin;
  while (b < t.size() && (t[b] == ' ' || t[b] == ':' || t[b] == '=' || t[b] == '-')) ++b;
  size_t e = b;
  while (e < t.size() && (IsDigit(t[e]) || t[e] == ',' || t[e] == '.')) ++e;
  while (e > b && !IsDigit(t[e - 1])) --e;
  if (b == e || !IsDigit(t[b])) return false;
  if (e < t.size() && IsAlpha(t[e]) && t[e] != 'k') return false;
  *n = {b, e, CanonicalNumber(t.substr(b, e - b))};
  return true;
}

// Multiplier words between a number and a currency ("5 الاف دولار").
constexpr std::array<std::string_view, 6> kThousandWords = {"الف",   "الاف",  "thousand",
                                                            "hezar", "ههزار", "k"};

std::string Multiply(const std::string& value, bool thousand) {
  if (!thousand) return value;
  const size_t dot = value.find('.');
  if (dot == std::string::npos) return value == "0" ? value : value + "000";
  std::string frac = value.substr(dot + 1);
  frac.resize(3, '0');
  return CanonicalNumber(value.substr(0, dot) + frac);
}

bool Overlaps(const std::vector<Selector>& sel, size_t from, const Span& s) {
  for (size_t k = from; k < sel.size(); ++k) {
    if (sel[k].span.begin < s.end && s.begin < sel[k].span.end) return true;
  }
  return false;
}

}  // namespace

const std::vector<PhoneHit>* PhoneCache::Find(const std::string& candidate) const {
  const auto it = hits_.find(candidate);
  return it == hits_.end() ? nullptr : &it->second;
}

const std::vector<PhoneHit>* PhoneCache::Insert(const std::string& candidate,
                                                std::vector<PhoneHit> hits) {
  if (hits_.size() >= kMaxEntries) hits_.clear();
  return &hits_.insert_or_assign(candidate, std::move(hits)).first->second;
}

void ExtractContacts(std::string_view original, const NormalizedText& normalised, PhoneCache* cache,
                     std::vector<Selector>* out) {
  ExtractPhones(normalised, cache, out);
  ExtractLinksAndHandles(original, out);
  ExtractWallets(original, out);
}

void ExtractContacts(std::string_view original, const NormalizedText& normalised,
                     std::vector<Selector>* out) {
  ExtractContacts(original, normalised, nullptr, out);
}

void ExtractAmounts(const NormalizedText& normalised, const std::vector<TermMatch>& matches,
                    const Lexicon& lexicon, std::vector<Selector>* out) {
  const std::string_view t = normalised.text();
  const auto& entries = lexicon.entries();
  const size_t first = out->size();
  // Currencies first, so "biha 2000 dolar" is "2000 USD", not the bare
  // number after the price word.
  for (int pass = 0; pass < 2; ++pass) {
    for (const TermMatch& m : matches) {
      const LexiconEntry& e = entries[m.entry];
      const std::string_view klass = e.klass;
      if ((klass == "currency") != (pass == 0)) continue;
      Number n;
      if (klass == "currency") {
        bool thousand = false;
        bool found = false;
        size_t num_end = m.begin;
        // "500 dollars", "5 الاف دولار", "$500", "USD 500", "500$".
        size_t k = num_end;
        while (k > 0 && t[k - 1] == ' ') --k;
        for (std::string_view w : kThousandWords) {
          if (k >= w.size() && t.substr(k - w.size(), w.size()) == w &&
              (k == w.size() || !IsAlpha(t[k - w.size() - 1]))) {
            thousand = true;
            num_end = k - w.size();
            break;
          }
        }
        const bool digit_before = m.begin > 0 && IsDigit(t[m.begin - 1]);
        const bool digit_after = m.end < t.size() && IsDigit(t[m.end]);
        if (!(digit_after && !digit_before) && NumberBefore(t, num_end, &n)) {
          found = true;
        } else if (NumberAfter(t, m.end, &n)) {
          found = true;
          thousand = n.end < t.size() && t[n.end] == 'k';
          if (thousand) ++n.end;
        }
        if (!found) continue;
        const size_t b = std::min<size_t>(n.begin, m.begin);
        const size_t end = std::max<size_t>(n.end, m.end);
        const Span span = normalised.ToOriginal(b, end);
        if (Overlaps(*out, first, span)) continue;
        out->push_back({"price", Multiply(n.value, thousand) + " " + e.attribute, span});
      } else if (klass == "price") {
        if (!NumberAfter(t, m.end, &n)) continue;
        const Span span = normalised.ToOriginal(m.begin, n.end);
        if (Overlaps(*out, first, span)) continue;
        out->push_back({"price", n.value, span});
      } else if (klass == "age") {
        const bool ok =
            e.attribute == "post" ? NumberBefore(t, m.begin, &n) : NumberAfter(t, m.end, &n);
        if (!ok || n.value.size() > 2 || n.value.find('.') != std::string::npos || n.value == "0") {
          continue;
        }
        const size_t b = std::min<size_t>(n.begin, m.begin);
        const size_t end = std::max<size_t>(n.end, m.end);
        const Span span = normalised.ToOriginal(b, end);
        if (Overlaps(*out, first, span)) continue;  // "عمرها 15 سنة": one age
        out->push_back({"age", n.value, span});
      }
    }
  }
}

}  // namespace vigil::text
