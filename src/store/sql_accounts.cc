// The SQLite backend's AccountStore (table accounts, schema 007).
#include <string>

#include "src/store/backend.h"
#include "src/store/sql.h"

namespace vigil::store {
namespace {

constexpr std::string_view kColumns = "name, role, password_hash, disabled, created, updated";

Account ToAccount(const Stmt& s) {
  Account a;
  a.name = s.String(0);
  // The CHECK constraint admits only RoleName values.
  a.role = RoleFromName(s.Text(1)).value_or(Role::kAnalyst);
  a.password_hash = s.String(2);
  a.disabled = s.Int(3) != 0;
  a.created = s.Int(4);
  a.updated = s.Int(5);
  return a;
}

class SqlAccountStore final : public AccountStore {
 public:
  explicit SqlAccountStore(Connection* db) : db_(db) {}

  Status AddAccount(const Account& a) override {
    VIGIL_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO accounts (" + std::string(kColumns) +
                                                    ") VALUES (?, ?, ?, ?, ?, ?)",
                                                false));
    s.BindText(1, a.name);
    s.BindText(2, RoleName(a.role));
    s.BindText(3, a.password_hash);
    s.Bind(4, a.disabled ? 1 : 0);
    s.Bind(5, a.created);
    s.Bind(6, a.updated);
    const int rc = s.Step();
    if (rc == kDuplicateKey) {
      return Status::InvalidArgument("account '" + a.name + "' exists already");
    }
    if (rc != kDone) return db_->Error("add account");
    return Status::Ok();
  }

  Result<std::optional<Account>> GetAccount(std::string_view name) override {
    VIGIL_ASSIGN_OR_RETURN(std::vector<Account> rows, Select("WHERE name = ?1", name));
    if (rows.empty()) return std::optional<Account>();
    return std::optional<Account>(std::move(rows.front()));
  }

  Result<std::vector<Account>> ListAccounts() override { return Select("WHERE ?1 = ''", ""); }

  Status UpdateAccount(std::string_view name, const AccountChange& c) override {
    VIGIL_ASSIGN_OR_RETURN(
        Stmt s, db_->Prepare("UPDATE accounts SET role = coalesce(?2, role), "
                             "password_hash = coalesce(?3, password_hash), "
                             "disabled = coalesce(?4, disabled), updated = ?5 WHERE name = ?1",
                             false));
    s.BindText(1, name);
    if (c.role) {
      s.BindText(2, RoleName(*c.role));
    } else {
      s.BindNull(2);
    }
    if (c.password_hash) {
      s.BindText(3, *c.password_hash);
    } else {
      s.BindNull(3);
    }
    s.BindOptional(4, c.disabled);
    s.Bind(5, c.updated);
    if (s.Step() != kDone) return db_->Error("update account");
    if (db_->Changes() == 0) return Status::NotFound("no account '" + std::string(name) + "'");
    return Status::Ok();
  }

 private:
  Result<std::vector<Account>> Select(std::string_view where, std::string_view arg) {
    VIGIL_ASSIGN_OR_RETURN(Stmt s,
                           db_->Prepare("SELECT " + std::string(kColumns) + " FROM accounts " +
                                            std::string(where) + " ORDER BY name",
                                        false));
    s.BindText(1, arg);
    std::vector<Account> out;
    int rc;
    while ((rc = s.Step()) == kRow) out.push_back(ToAccount(s));
    if (rc != kDone) return db_->Error("accounts");
    return out;
  }

  Connection* db_;
};

}  // namespace

std::unique_ptr<AccountStore> NewSqlAccountStore(Connection* db) {
  return std::make_unique<SqlAccountStore>(db);
}

}  // namespace vigil::store
