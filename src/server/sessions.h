// Internal to the server: the in-memory state it keeps beside the database —
// signed-in sessions, failed sign-ins (the rate limit) and review leases (a
// queue item is given to one reviewer at a time). All three take the time
// from the caller (the installation's clock) and are thread-safe.
//
// Sessions live only in the server's memory: a restart signs everyone out,
// and a token never touches the disk. The table is keyed by the token's
// SHA-256, so a lookup never compares secrets byte by byte.
#ifndef VIGIL_SRC_SERVER_SESSIONS_H_
#define VIGIL_SRC_SERVER_SESSIONS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/store/account_store.h"

namespace vigil::server {

struct Session {
  std::string account;
  store::Role role = store::Role::kAnalyst;
  std::string csrf;  // must come back in X-CSRF-Token on every state change
  // Account.updated at sign-in: any later change to the account (disabled,
  // a new password) ends the session.
  int64_t account_updated = 0;
  std::string credential;  // SHA-256 of the password hash at sign-in
  int64_t created = 0;
  int64_t last_seen = 0;
};

class SessionTable {
 public:
  // Sessions end `idle` seconds after their last use, and `max_age` seconds
  // after sign-in at the latest.
  SessionTable(int64_t idle, int64_t max_age) : idle_(idle), max_age_(max_age) {}
  // A new session; returns its token (the cookie value).
  std::string Create(const store::Account& account, int64_t now);
  // The session of `token` when it is live (and marks it used); nullopt
  // otherwise (an expired one is dropped).
  std::optional<Session> Touch(std::string_view token, int64_t now);
  void Remove(std::string_view token);
  // Ends every session of `account` (disabled, or its password changed).
  void RemoveAccount(std::string_view account);
  size_t size();

 private:
  std::mutex mu_;
  int64_t idle_, max_age_;
  std::map<std::string, Session> by_digest_;
};

// Failed sign-ins per key (an account name, an address): after `max_failures`
// within `window` seconds the key is locked until the oldest of them is
// `window` seconds old.
class LoginLimiter {
 public:
  LoginLimiter(int max_failures, int64_t window) : max_(max_failures), window_(window) {}
  // Seconds until `key` may try again; 0 when it may now.
  int64_t RetryAfter(const std::string& key, int64_t now);
  void Fail(const std::string& key, int64_t now);
  void Succeed(const std::string& key);

 private:
  std::mutex mu_;
  int max_;
  int64_t window_;
  std::map<std::string, std::vector<int64_t>> failures_;
};

// Review leases: which reviewer holds which queue item until when.
class LeaseTable {
 public:
  explicit LeaseTable(int64_t seconds) : seconds_(seconds) {}
  // Gives `item` to `account` (again) unless another account holds it.
  bool Claim(const std::string& item, const std::string& account, int64_t now);
  // Who holds `item` now ("" when nobody).
  std::string Holder(const std::string& item, int64_t now);
  void Release(const std::string& item);
  int64_t seconds() const { return seconds_; }

 private:
  struct Lease {
    std::string account;
    int64_t until = 0;
  };
  std::mutex mu_;
  int64_t seconds_;
  std::map<std::string, Lease> leases_;
};

}  // namespace vigil::server

#endif  // VIGIL_SRC_SERVER_SESSIONS_H_
