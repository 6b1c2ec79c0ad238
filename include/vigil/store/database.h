// Database: one vigil database, opened from a URL, and the stores on it.
//
//   auto db = store::Open("demo-out/vigil.db");      // or "sqlite:///abs/vigil.db"
//   (*db)->posts().Write(batch);                     // Store
//   (*db)->registry().AddSighting(row);              // RegistryStore
//   (*db)->accounts().GetAccount("amal");            // AccountStore
//   (*db)->InTransaction([&] { ...both... });        // one transaction
//
// URLs: a plain path, or "sqlite://" followed by the path (so
// "sqlite:///var/lib/vigil.db" is the absolute path /var/lib/vigil.db and
// "sqlite://vigil.db" a relative one). "postgresql://..." is recognised and
// refused with kUnsupported until that backend is built. The backend, its
// driver and its options stay behind this header; callers see only Store and
// RegistryStore.
//
// Opening creates (unless options.create is false) and migrates the schema to
// SchemaVersion(). Failure modes: kInvalidArgument for a URL that is not one
// of the forms above; kNotFound when create is false and there is no database;
// kCorrupt for a file that is not an SQLite database (or a damaged one);
// kUnsupported for another program's database, a schema newer than this build
// or a backend this build lacks; kIoError when it cannot be opened or created.
//
// Writers side by side: every write transaction is short (one batch) and
// waits up to SqliteOptions::busy_timeout_ms for another process's to end;
// past it the write fails with kResourceExhausted saying the database is busy.
//
// Thread-safety: a Database and its stores are used by one thread at a time.
// Open one Database per thread or process.
#ifndef VIGIL_STORE_DATABASE_H_
#define VIGIL_STORE_DATABASE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "vigil/core/status.h"
#include "vigil/store/account_store.h"
#include "vigil/store/registry_store.h"
#include "vigil/store/store.h"

namespace vigil::store {

// Options only the SQLite backend reads.
struct SqliteOptions {
  // The VFS to open the file through (sqlite3_vfs_find); "" = SQLite's
  // default. Tests inject I/O faults through one (src/store/fault_test.cc).
  std::string vfs;
  // How long a write waits for another connection's write transaction.
  int busy_timeout_ms = 60'000;
};

struct OpenOptions {
  // Seconds since the epoch, stamped as posts.first_seen when a post is
  // first written. Injected so that tests and replays are deterministic; the
  // default reads the system clock.
  std::function<int64_t()> now;
  // false: kNotFound when the database does not exist yet (readers).
  bool create = true;
  SqliteOptions sqlite;
};

enum class Backend { kSqlite, kPostgresql };

struct DatabaseUrl {
  Backend backend = Backend::kSqlite;
  std::string path;  // kSqlite: the database file
  std::string text;  // the URL as given
};
// Parses the forms in the file comment (without touching any file).
Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url);

class Database {
 public:
  virtual ~Database() = default;

  virtual Store& posts() = 0;
  virtual RegistryStore& registry() = 0;
  virtual AccountStore& accounts() = 0;
  // Runs `fn` in one write transaction: the writes of both stores inside it
  // are kept together when `fn` returns OK and all undone otherwise (its
  // status is returned). Store methods called inside join it.
  virtual Status InTransaction(const std::function<Status()>& fn) = 0;
  const DatabaseUrl& url() const { return url_; }

 protected:
  explicit Database(DatabaseUrl url) : url_(std::move(url)) {}

 private:
  DatabaseUrl url_;
};

Result<std::unique_ptr<Database>> Open(std::string_view url, const OpenOptions& options = {});

// `url` with the password it may hold shown as ***, for messages and logs.
std::string RedactUrl(std::string_view url);

// The schema version this build migrates to.
int SchemaVersion();

}  // namespace vigil::store

#endif  // VIGIL_STORE_DATABASE_H_
