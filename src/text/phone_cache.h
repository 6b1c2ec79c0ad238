// Memo of libphonenumber's answers for phone candidates (internal to
// src/text). Parsing a candidate costs microseconds of ICU regex work, and
// the same numbers recur across posts (sellers repost their contact), so the
// Analyzer keeps one cache per workspace.
//
// Thread-safety: none; one cache per thread (per Analyzer workspace).
#ifndef VIGIL_SRC_TEXT_PHONE_CACHE_H_
#define VIGIL_SRC_TEXT_PHONE_CACHE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vigil/text/analyzer.h"
#include "vigil/text/normalize.h"

namespace vigil::text {

// One phone in a candidate: E.164 and its byte range within the candidate.
struct PhoneHit {
  std::string e164;
  size_t begin = 0;
  size_t end = 0;
};

class PhoneCache {
 public:
  // The phones found in `candidate` earlier, or null when not cached.
  const std::vector<PhoneHit>* Find(const std::string& candidate) const;
  // Records the phones of `candidate` (possibly none); returns the stored
  // copy, valid until the next Insert. Starts over when full.
  const std::vector<PhoneHit>* Insert(const std::string& candidate, std::vector<PhoneHit> hits);

 private:
  static constexpr size_t kMaxEntries = 4096;
  std::unordered_map<std::string, std::vector<PhoneHit>> hits_;
};

// ExtractContacts (selectors.h) with the phone answers memoised in `cache`
// (may be null).
void ExtractContacts(std::string_view original, const NormalizedText& normalised, PhoneCache* cache,
                     std::vector<Selector>* out);

}  // namespace vigil::text

#endif  // VIGIL_SRC_TEXT_PHONE_CACHE_H_
