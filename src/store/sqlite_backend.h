// Internal to the store module: the SQLite backend's parts, put together by
// SqliteDatabase (src/store/sqlite_database.cc). Both stores borrow the
// connection the database owns; they must not outlive it.
#ifndef VIGIL_SRC_STORE_SQLITE_BACKEND_H_
#define VIGIL_SRC_STORE_SQLITE_BACKEND_H_

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "vigil/core/status.h"
#include "vigil/store/database.h"

namespace vigil::store {

// Prepares the post store's statements on `db` (already migrated).
Result<std::unique_ptr<Store>> NewSqliteStore(sqlite3* db, std::function<int64_t()> now);
std::unique_ptr<RegistryStore> NewSqliteRegistryStore(sqlite3* db);
std::unique_ptr<AccountStore> NewSqliteAccountStore(sqlite3* db);
Result<std::unique_ptr<Database>> OpenSqliteDatabase(DatabaseUrl url, const OpenOptions& options);

}  // namespace vigil::store

#endif  // VIGIL_SRC_STORE_SQLITE_BACKEND_H_
