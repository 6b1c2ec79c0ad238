// The PostgreSQL backend's Database: one libpq connection, checked to be a
// vigil database (or an empty one), migrated under an advisory lock (several
// workers may start at once), and shared by the three SQL stores.
#include <string>
#include <utility>

#include "src/store/backend.h"
#include "src/store/migrations.h"
#include "src/store/pg_connection.h"

namespace vigil::store {
namespace {

// pg_advisory_xact_lock key for migrations ("VigL", as SQLite's application id).
constexpr int64_t kMigrationLock = 0x5669674C;

Result<int64_t> QueryInt(PgConnection& db, std::string_view sql, std::string_view what) {
  VIGIL_ASSIGN_OR_RETURN(Stmt s, db.Prepare(sql, false));
  if (s.Step() != kRow) return db.Error(what);
  return s.Int(0);
}

// The version a migration file brings the database to: its number.
int FileVersion(std::string_view name) { return std::stoi(std::string(name.substr(0, 3))); }

Status Migrate(PgConnection& db, bool create) {
  WriteTransaction txn(&db);
  VIGIL_RETURN_IF_ERROR(txn.Begin());
  VIGIL_RETURN_IF_ERROR(
      db.Exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")"));
  VIGIL_ASSIGN_OR_RETURN(
      int64_t has_schema,
      QueryInt(db,
               "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND "
               "tablename = 'vigil_schema'",
               "look for vigil's schema"));
  int64_t version = 0;
  if (has_schema == 0) {
    VIGIL_ASSIGN_OR_RETURN(
        int64_t tables,
        QueryInt(db, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
                 "list tables"));
    if (tables != 0) {
      return Status::Unsupported(
          "a PostgreSQL database of another program (tables, but no "
          "vigil_schema)");
    }
    if (!create) return Status::NotFound("no vigil database (an empty PostgreSQL database)");
    VIGIL_RETURN_IF_ERROR(
        db.Exec("CREATE TABLE vigil_schema (version BIGINT NOT NULL); "
                "INSERT INTO vigil_schema VALUES (0)"));
  } else {
    VIGIL_ASSIGN_OR_RETURN(version,
                           QueryInt(db, "SELECT version FROM vigil_schema", "read schema version"));
  }
  const int known = SchemaVersion();
  if (version > known) {
    return Status::Unsupported("schema version " + std::to_string(version) +
                               " is newer than this build of vigil knows (" +
                               std::to_string(known) + "); use a newer vigil");
  }
  for (const Migration& m : PostgresMigrations()) {
    const int to = FileVersion(m.name);
    if (to <= version) continue;
    if (Status s = db.Exec(m.sql); !s.ok()) {
      return Status::Internal("schema migration postgresql/" + std::string(m.name) +
                              " failed: " + s.message());
    }
    VIGIL_RETURN_IF_ERROR(db.Exec("UPDATE vigil_schema SET version = " + std::to_string(to)));
    version = to;
  }
  if (version != known) {
    return Status::Internal("the PostgreSQL migrations end at version " + std::to_string(version) +
                            ", not " + std::to_string(known));
  }
  return txn.Commit();
}

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgresDatabase(DatabaseUrl url,
                                                       const OpenOptions& options) {
  const std::string name = RedactUrl(url.text);
  auto with_name = [&name](const Status& s) { return Status(s.code(), name + ": " + s.message()); };
  Result<std::unique_ptr<PgConnection>> conn = PgConnection::Connect(url.text);
  if (!conn.ok()) return with_name(conn.status());
  Status s = Migrate(**conn, options.create);
  if (!s.ok()) return with_name(s);
  auto database = std::make_unique<SqlDatabase>(std::move(url), std::move(*conn));
  s = database->Init(options);
  if (!s.ok()) return with_name(s);
  return std::unique_ptr<Database>(std::move(database));
}

}  // namespace vigil::store
