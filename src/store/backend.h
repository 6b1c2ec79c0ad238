// Internal to the store module: the stores written once over Connection
// (sql.h), and the Database that puts them on one connection. Each backend's
// Open connects, checks and migrates, then hands its Connection to
// SqlDatabase. The stores borrow the connection the database owns.
#ifndef VIGIL_SRC_STORE_BACKEND_H_
#define VIGIL_SRC_STORE_BACKEND_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "src/store/sql.h"
#include "vigil/core/status.h"
#include "vigil/store/database.h"

namespace vigil::store {

// Prepares the post store's statements on `db` (already migrated).
Result<std::unique_ptr<Store>> NewSqlStore(Connection* db, std::function<int64_t()> now);
std::unique_ptr<RegistryStore> NewSqlRegistryStore(Connection* db);
std::unique_ptr<AccountStore> NewSqlAccountStore(Connection* db);

// One connection and the three stores on it.
class SqlDatabase final : public Database {
 public:
  SqlDatabase(DatabaseUrl url, std::unique_ptr<Connection> db)
      : Database(std::move(url)), db_(std::move(db)) {}
  Status Init(const OpenOptions& options);

  Store& posts() override { return *posts_; }
  RegistryStore& registry() override { return *registry_; }
  AccountStore& accounts() override { return *accounts_; }
  Status InTransaction(const std::function<Status()>& fn) override;

 private:
  std::unique_ptr<Connection> db_;  // first: closed after the stores' statements
  std::unique_ptr<Store> posts_;
  std::unique_ptr<RegistryStore> registry_;
  std::unique_ptr<AccountStore> accounts_;
};

// The system clock, in seconds since the epoch (OpenOptions::now's default).
int64_t SystemNow();

Result<std::unique_ptr<Database>> OpenSqliteDatabase(DatabaseUrl url, const OpenOptions& options);
Result<std::unique_ptr<Database>> OpenPostgresDatabase(DatabaseUrl url, const OpenOptions& options);

}  // namespace vigil::store

#endif  // VIGIL_SRC_STORE_BACKEND_H_
