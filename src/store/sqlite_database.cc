// The SQLite backend's Database: one connection (WAL), checked to be a
// vigil database, migrated, and shared by the post store and the registry
// store.
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>

#include "src/store/backend.h"
#include "src/store/migrations.h"
#include "src/store/sqlite_connection.h"

namespace vigil::store {
namespace {

// PRAGMA application_id of a vigil database ("VigL"), so that another
// program's SQLite file is refused rather than migrated.
constexpr int64_t kApplicationId = 0x5669674C;

Result<int64_t> PragmaInt(SqliteConnection& db, std::string_view pragma) {
  Result<Stmt> s = db.Prepare(std::string("PRAGMA ") + std::string(pragma), false);
  if (!s.ok()) return s.status();
  if (s->Step() != kRow) return db.Error(std::string("PRAGMA ") + std::string(pragma));
  return s->Int(0);
}

// Refuses files that are not SQLite, SQLite files of other programs, and
// vigil databases newer than this build.
Status CheckIdentity(SqliteConnection& db) {
  Result<int64_t> app = PragmaInt(db, "application_id");
  if (!app.ok()) return app.status();
  Result<int64_t> version = PragmaInt(db, "user_version");
  if (!version.ok()) return version.status();
  Result<int64_t> objects = PragmaInt(db, "schema_version");  // 0 for an empty file
  if (!objects.ok()) return objects.status();
  const int64_t known = static_cast<int64_t>(Migrations().size());
  if (*app == 0 && (*version != 0 || *objects != 0)) {
    return Status::Unsupported("an SQLite database of another program (no vigil application id)");
  }
  if (*app != 0 && *app != kApplicationId) {
    return Status::Unsupported("an SQLite database of another program (application id " +
                               std::to_string(*app) + ")");
  }
  if (*version > known) {
    return Status::Unsupported("schema version " + std::to_string(*version) +
                               " is newer than this build of vigil knows (" +
                               std::to_string(known) + "); use a newer vigil");
  }
  return Status::Ok();
}

Status Migrate(SqliteConnection& db) {
  // Nothing to do (the common case) costs no write lock, so opening a
  // database another process is writing does not wait for it.
  Result<int64_t> current = PragmaInt(db, "user_version");
  if (!current.ok()) return current.status();
  const auto migrations = Migrations();
  if (*current == static_cast<int64_t>(migrations.size())) return Status::Ok();
  WriteTransaction txn(&db);
  VIGIL_RETURN_IF_ERROR(txn.Begin());
  // Re-checked inside the write lock: another process may have migrated.
  VIGIL_RETURN_IF_ERROR(CheckIdentity(db));
  VIGIL_ASSIGN_OR_RETURN(int64_t version, PragmaInt(db, "user_version"));
  for (size_t i = static_cast<size_t>(version); i < migrations.size(); ++i) {
    Status s = db.Exec(migrations[i].sql);
    if (!s.ok()) {
      return Status::Internal("schema migration " + std::string(migrations[i].name) +
                              " failed: " + s.message());
    }
    VIGIL_RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(i + 1) +
                                  "; PRAGMA application_id = " + std::to_string(kApplicationId)));
  }
  return txn.Commit();
}

}  // namespace

Result<std::unique_ptr<Database>> OpenSqliteDatabase(DatabaseUrl url, const OpenOptions& options) {
  const std::string name = url.path;
  auto with_path = [&name](const Status& s) { return Status(s.code(), name + ": " + s.message()); };
  std::error_code ec;
  if (!options.create && !std::filesystem::exists(name, ec)) {
    return Status::NotFound("no database at " + name);
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      name.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
      options.sqlite.vfs.empty() ? nullptr : options.sqlite.vfs.c_str());
  auto db = std::make_unique<SqliteConnection>(DbPtr(raw));
  if (rc != SQLITE_OK) {
    return with_path(SqliteError(rc, "cannot open database",
                                 raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db->get(), options.sqlite.busy_timeout_ms);
  Status s = CheckIdentity(*db);
  if (s.code() == StatusCode::kCorrupt) {
    return with_path(Status::Corrupt("not a vigil database: " + s.message()));
  }
  if (!s.ok()) return with_path(s);
  s = db->Exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
      "PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 8192");
  if (!s.ok()) return with_path(s);
  s = Migrate(*db);
  if (!s.ok()) return with_path(s);
  auto database = std::make_unique<SqlDatabase>(std::move(url), std::move(db));
  s = database->Init(options);
  if (!s.ok()) return with_path(s);
  return std::unique_ptr<Database>(std::move(database));
}

}  // namespace vigil::store
