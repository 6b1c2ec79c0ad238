#include "vigil/match/matcher.h"

#include <algorithm>
#include <set>

namespace vigil::match {
namespace {

struct ExactKey {
  Signal signal;
  uint32_t list = 0;
  uint32_t entry = 0;
};

bool BySignal(const ExactKey& a, const ExactKey& b) {
  if (a.signal != b.signal) return a.signal < b.signal;
  return a.list != b.list ? a.list < b.list : a.entry < b.entry;
}

}  // namespace

struct Matcher::Impl {
  std::vector<HashList> lists;
  // PDQ entries of list L occupy index ids [pdq_begin[L], pdq_begin[L + 1]).
  std::vector<uint32_t> pdq_begin;
  std::vector<uint32_t> pdq_entry;  // index id -> entry within its list
  std::optional<HashIndex> index;
  std::vector<ExactKey> exact;  // sorted by signal

  // Lists selected by name, in list order; all when `names` is empty.
  Result<std::vector<uint32_t>> Select(std::span<const std::string> names) const {
    std::vector<uint32_t> out;
    if (names.empty()) {
      for (uint32_t l = 0; l < lists.size(); ++l) out.push_back(l);
      return out;
    }
    for (const std::string& name : names) {
      auto it = std::find_if(lists.begin(), lists.end(),
                             [&](const HashList& l) { return l.name == name; });
      if (it == lists.end()) return Status::NotFound("matcher: no list named '" + name + "'");
      out.push_back(static_cast<uint32_t>(it - lists.begin()));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  uint32_t ListOf(uint32_t id) const {
    return static_cast<uint32_t>(std::upper_bound(pdq_begin.begin(), pdq_begin.end(), id) -
                                 pdq_begin.begin() - 1);
  }
};

Matcher::Matcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;
Matcher::~Matcher() = default;

Result<Matcher> Matcher::Build(std::vector<HashList> lists, const IndexOptions& options) {
  std::set<std::string> names;
  for (const HashList& l : lists) {
    if (!names.insert(l.name).second) {
      return Status::InvalidArgument("matcher: two lists are named '" + l.name + "'");
    }
    if (l.pdq_threshold < 0 || l.pdq_threshold > HashIndex::kMaxRadius) {
      return Status::InvalidArgument("matcher: list '" + l.name + "' has PDQ threshold " +
                                     std::to_string(l.pdq_threshold) + ", outside 0..256");
    }
  }
  auto impl = std::make_unique<Impl>();
  std::vector<Hash256> pdq;
  for (uint32_t l = 0; l < lists.size(); ++l) {
    impl->pdq_begin.push_back(static_cast<uint32_t>(pdq.size()));
    for (uint32_t e = 0; e < lists[l].entries.size(); ++e) {
      const Signal& s = lists[l].entries[e].signal;
      if (s.type == SignalType::kPdq) {
        pdq.push_back(s.ToPdq());
        impl->pdq_entry.push_back(e);
      } else {
        impl->exact.push_back({s, l, e});
      }
    }
  }
  impl->pdq_begin.push_back(static_cast<uint32_t>(pdq.size()));
  std::sort(impl->exact.begin(), impl->exact.end(), BySignal);
  impl->exact.shrink_to_fit();
  Result<HashIndex> index = HashIndex::Build(std::move(pdq), options);
  if (!index.ok()) return index.status();
  impl->index.emplace(std::move(index).value());
  impl->lists = std::move(lists);
  return Matcher(std::move(impl));
}

Result<std::vector<ListMatch>> Matcher::Match(const Hash256& query,
                                              const MatchOptions& options) const {
  if (options.radius < 0 || options.radius > HashIndex::kMaxRadius) {
    return Status::InvalidArgument("matcher: radius " + std::to_string(options.radius) +
                                   " outside 0..256");
  }
  Result<std::vector<uint32_t>> selected = impl_->Select(options.lists);
  if (!selected.ok()) return selected.status();
  std::vector<IdRange> ranges;
  for (uint32_t l : *selected) {
    const uint32_t b = impl_->pdq_begin[l];
    const uint32_t e = impl_->pdq_begin[l + 1];
    if (b == e) continue;
    ranges.push_back({b, e, std::min(options.radius, impl_->lists[l].pdq_threshold)});
  }
  std::vector<Neighbor> found;
  VIGIL_RETURN_IF_ERROR(impl_->index->Search(query, ranges, &found));
  // Index order is (distance, id) and ids follow list then entry order.
  std::vector<ListMatch> out;
  out.reserve(found.size());
  for (const Neighbor& n : found) {
    const uint32_t l = impl_->ListOf(n.id);
    const HashList& list = impl_->lists[l];
    out.push_back({&list, &list.entries[impl_->pdq_entry[n.id]], n.distance});
  }
  return out;
}

Result<std::vector<ListMatch>> Matcher::MatchExact(SignalType type, std::string_view hex,
                                                   std::span<const std::string> lists) const {
  Result<Signal> signal = Signal::FromHex(type, hex);
  if (!signal.ok()) return Status::InvalidArgument("matcher: " + signal.status().message());
  if (type == SignalType::kPdq) {
    MatchOptions o;
    o.radius = 0;
    o.lists.assign(lists.begin(), lists.end());
    return Match(signal->ToPdq(), o);
  }
  Result<std::vector<uint32_t>> selected = impl_->Select(lists);
  if (!selected.ok()) return selected.status();
  const ExactKey key{*signal, 0, 0};
  auto it = std::lower_bound(impl_->exact.begin(), impl_->exact.end(), key, BySignal);
  std::vector<ListMatch> out;
  for (; it != impl_->exact.end() && it->signal == *signal; ++it) {
    if (!std::binary_search(selected->begin(), selected->end(), it->list)) continue;
    const HashList& list = impl_->lists[it->list];
    out.push_back({&list, &list.entries[it->entry], 0});
  }
  return out;
}

const std::vector<HashList>& Matcher::lists() const { return impl_->lists; }
const HashIndex& Matcher::pdq_index() const { return *impl_->index; }

}  // namespace vigil::match
