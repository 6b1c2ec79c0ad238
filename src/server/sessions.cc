#include "src/server/sessions.h"

#include <algorithm>

#include "vigil/core/digest.h"
#include "vigil/evidence/credentials.h"

namespace vigil::server {

std::string SessionTable::Create(const store::Account& account, int64_t now) {
  const std::string token = evidence::RandomToken(32);
  Session s;
  s.account = account.name;
  s.role = account.role;
  s.account_updated = account.updated;
  s.credential = Sha256Hex(account.password_hash);
  s.csrf = evidence::RandomToken(32);
  s.created = s.last_seen = now;
  std::lock_guard lock(mu_);
  by_digest_[Sha256Hex(token)] = std::move(s);
  return token;
}

std::optional<Session> SessionTable::Touch(std::string_view token, int64_t now) {
  if (token.empty()) return std::nullopt;
  const std::string key = Sha256Hex(token);
  std::lock_guard lock(mu_);
  auto it = by_digest_.find(key);
  if (it == by_digest_.end()) return std::nullopt;
  Session& s = it->second;
  if (now - s.last_seen >= idle_ || now - s.created >= max_age_) {
    by_digest_.erase(it);
    return std::nullopt;
  }
  s.last_seen = now;
  return s;
}

void SessionTable::Remove(std::string_view token) {
  const std::string key = Sha256Hex(token);
  std::lock_guard lock(mu_);
  by_digest_.erase(key);
}

void SessionTable::RemoveAccount(std::string_view account) {
  std::lock_guard lock(mu_);
  std::erase_if(by_digest_, [&](const auto& kv) { return kv.second.account == account; });
}

size_t SessionTable::size() {
  std::lock_guard lock(mu_);
  return by_digest_.size();
}

int64_t LoginLimiter::RetryAfter(const std::string& key, int64_t now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  auto& times = it->second;
  std::erase_if(times, [&](int64_t t) { return now - t >= window_; });
  if (times.empty()) {
    failures_.erase(it);
    return 0;
  }
  if (static_cast<int>(times.size()) < max_) return 0;
  return times.front() + window_ - now;
}

void LoginLimiter::Fail(const std::string& key, int64_t now) {
  std::lock_guard lock(mu_);
  auto& times = failures_[key];
  times.push_back(now);
  // Keep only what can still count.
  if (static_cast<int>(times.size()) > max_) times.erase(times.begin());
}

void LoginLimiter::Succeed(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

bool LeaseTable::Claim(const std::string& item, const std::string& account, int64_t now) {
  std::lock_guard lock(mu_);
  auto it = leases_.find(item);
  if (it != leases_.end() && it->second.until > now && it->second.account != account) {
    return false;
  }
  leases_[item] = Lease{account, now + seconds_};
  return true;
}

std::string LeaseTable::Holder(const std::string& item, int64_t now) {
  std::lock_guard lock(mu_);
  auto it = leases_.find(item);
  if (it == leases_.end()) return {};
  if (it->second.until <= now) {
    leases_.erase(it);
    return {};
  }
  return it->second.account;
}

void LeaseTable::Release(const std::string& item) {
  std::lock_guard lock(mu_);
  leases_.erase(item);
}

}  // namespace vigil::server
