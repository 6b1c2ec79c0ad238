// Deadline: a point on the monotonic clock after which work on one untrusted
// file stops (Limits::max_file_seconds). Long loops over one file (PNG rows,
// video packets, face embeddings) ask Expired() between steps; a step that
// finds it expired returns ResourceExhausted naming max_file_seconds, and the
// caller reports the file and goes on with the next one.
//
// Thread-safety: a value type; const methods may run on any thread.
#ifndef VIGIL_CORE_DEADLINE_H_
#define VIGIL_CORE_DEADLINE_H_

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "vigil/core/limits.h"
#include "vigil/core/status.h"

namespace vigil {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  Deadline() = default;  // never expires
  static Deadline Never() { return Deadline(); }
  // `seconds` from now; 0 or less has already expired; NaN, infinity and
  // anything past a century never expire.
  static Deadline In(double seconds) {
    Deadline d;
    if (std::isnan(seconds) || seconds >= kCenturySeconds) return d;
    const auto left = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(std::max(seconds, 0.0)));
    d.at_ = Clock::now() + left;
    return d;
  }
  // The per-file deadline for one file opened now.
  static Deadline ForFile(const Limits& limits) { return In(limits.max_file_seconds); }

  bool Expired() const { return at_ != Clock::time_point::max() && Clock::now() >= at_; }
  bool IsNever() const { return at_ == Clock::time_point::max(); }
  // Time left (zero once expired; Clock::duration::max() for Never).
  Clock::duration Left() const {
    if (IsNever()) return Clock::duration::max();
    const auto now = Clock::now();
    return now >= at_ ? Clock::duration::zero() : at_ - now;
  }
  // ResourceExhausted for work on `what` that ran out of time, or Ok.
  Status Check(const std::string& what) const {
    if (!Expired()) return Status::Ok();
    return Status::ResourceExhausted(what + ": stopped, over the time allowed for one file" +
                                     " (max_file_seconds)");
  }

 private:
  static constexpr double kCenturySeconds = 100.0 * 365 * 24 * 3600;
  Clock::time_point at_ = Clock::time_point::max();
};

}  // namespace vigil

#endif  // VIGIL_CORE_DEADLINE_H_
