// AccountStore: the review app's accounts (name, role, password hash,
// disabled), kept in the installation's database beside the posts and the
// registry. The store keeps hashes only; hashing and checking passwords is
// the evidence module's (evidence/password.h).
#ifndef VIGIL_STORE_ACCOUNT_STORE_H_
#define VIGIL_STORE_ACCOUNT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"

namespace vigil::store {

// What an account may do in the review app (README: "Roles").
enum class Role { kAdmin, kCoordinator, kAnalyst, kAuditor };
// "admin", "coordinator", "analyst", "auditor".
std::string_view RoleName(Role r);
std::optional<Role> RoleFromName(std::string_view name);

struct Account {
  std::string name;
  Role role = Role::kAnalyst;
  std::string password_hash;
  bool disabled = false;
  int64_t created = 0;  // seconds since the epoch
  int64_t updated = 0;
  friend bool operator==(const Account&, const Account&) = default;
};

// Fields to change (unset: unchanged).
struct AccountChange {
  std::optional<Role> role;
  std::optional<std::string> password_hash;
  std::optional<bool> disabled;
  int64_t updated = 0;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // kInvalidArgument when the name is taken.
  virtual Status AddAccount(const Account& account) = 0;
  virtual Result<std::optional<Account>> GetAccount(std::string_view name) = 0;
  // Ordered by name.
  virtual Result<std::vector<Account>> ListAccounts() = 0;
  // kNotFound for an unknown name.
  virtual Status UpdateAccount(std::string_view name, const AccountChange& change) = 0;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_ACCOUNT_STORE_H_
