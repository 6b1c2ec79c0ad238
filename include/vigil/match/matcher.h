// Matcher: looks a photo's PDQ hash or a file digest up in every loaded hash
// list at once.
//
// Build() takes ownership of the lists, packs every PDQ entry into one
// HashIndex (each list a consecutive id range, so a list filter or a per-list
// threshold costs nothing per entry) and every MD5 / SHA-1 / SHA-256 entry
// into one sorted array for exact lookup.
//
// Thresholds: a PDQ match at distance d is reported for list L when
// d <= min(query radius, L.pdq_threshold); a list's threshold is its owner's
// policy, the query radius only tightens it.
//
// Thread-safety: immutable after Build; Match/MatchExact may run concurrently
// from any number of threads. Results point into the Matcher (list and entry)
// and stay valid while it lives; moving the Matcher keeps them valid.
#ifndef VIGIL_MATCH_MATCHER_H_
#define VIGIL_MATCH_MATCHER_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/hash256.h"
#include "vigil/core/status.h"
#include "vigil/match/hash_list.h"
#include "vigil/match/index.h"

namespace vigil::match {

struct ListMatch {
  const HashList* list = nullptr;    // list->name, list->labels
  const HashEntry* entry = nullptr;  // entry->labels, category, signal
  int distance = 0;                  // Hamming distance for PDQ; 0 for exact digests
};

struct MatchOptions {
  int radius = 31;                 // 0..256; capped per list by pdq_threshold
  std::vector<std::string> lists;  // names to search; empty = all lists
};

class Matcher {
 public:
  // kInvalidArgument for two lists with one name or a pdq_threshold outside
  // 0..256; index errors (out of memory) pass through.
  static Result<Matcher> Build(std::vector<HashList> lists, const IndexOptions& options = {});

  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;
  ~Matcher();

  // Every PDQ entry within the effective radius of `query`, ordered by
  // (distance, list order, entry order). kInvalidArgument for a radius outside
  // 0..256, kNotFound for an unknown list name.
  Result<std::vector<ListMatch>> Match(const Hash256& query,
                                       const MatchOptions& options = {}) const;

  // Entries whose signal equals `hex` exactly (either case), in list and
  // entry order. For kPdq this is Match at radius 0. kInvalidArgument for
  // malformed hex, kNotFound for an unknown list name.
  Result<std::vector<ListMatch>> MatchExact(SignalType type, std::string_view hex,
                                            std::span<const std::string> lists = {}) const;

  const std::vector<HashList>& lists() const;
  const HashIndex& pdq_index() const;

 private:
  struct Impl;
  explicit Matcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::match

#endif  // VIGIL_MATCH_MATCHER_H_
