// Test-only: an SQLite VFS that injects I/O faults, for the fault loops of
// src/store/fault_test.cc and src/scan/scan_fault_test.cc, and helpers that
// check what a fault left behind (integrity_check, every row of every table).
//
// The shim (registered as "vigil-fault", not as the default) forwards to
// SQLite's default VFS and counts xWrite, xSync and xTruncate on any file and
// xOpen of rollback journals and WAL files; Arm(n, ...) makes the nth counted
// operation fail (and, when persistent, every later one). A store opens it
// with SqliteOptions::vfs = kFaultVfsName. Not thread-safe: one global state,
// armed and read by the test's thread (SQLite calls it on the thread using
// the connection).
#ifndef VIGIL_SRC_STORE_FAULT_VFS_H_
#define VIGIL_SRC_STORE_FAULT_VFS_H_

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vigil::store::fault {

inline constexpr char kFaultVfsName[] = "vigil-fault";

// What the shim counts and when it fails. Counted operations: xWrite, xSync
// and xTruncate on any file, and xOpen of rollback journals and WAL files.
struct FaultState {
  sqlite3_vfs* real = nullptr;  // SQLite's default VFS
  int64_t fail_at = 0;          // 1-based operation that fails; 0 = never
  bool persistent = true;       // every operation after fail_at fails too
  int error = SQLITE_IOERR;     // what a failed operation returns (xOpen: SQLITE_CANTOPEN)
  int64_t calls = 0;            // counted operations since Arm()
  int64_t fired = 0;            // operations failed since Arm()

  // Counts one operation; true when it must fail.
  bool Fail() {
    if (fail_at == 0) return false;
    ++calls;
    if (calls == fail_at || (persistent && calls > fail_at)) {
      ++fired;
      return true;
    }
    return false;
  }
};

inline FaultState g_fault;

// The shim's file: our methods in front, the default VFS's file right behind.
struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;
};

inline sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

inline int FaultClose(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
inline int FaultRead(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
inline int FaultWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (g_fault.Fail()) return g_fault.error;
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
inline int FaultTruncate(sqlite3_file* f, sqlite3_int64 size) {
  if (g_fault.Fail()) return g_fault.error;
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
inline int FaultSync(sqlite3_file* f, int flags) {
  if (g_fault.Fail()) return g_fault.error;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
inline int FaultFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
inline int FaultLock(sqlite3_file* f, int level) {
  return Real(f)->pMethods->xLock(Real(f), level);
}
inline int FaultUnlock(sqlite3_file* f, int level) {
  return Real(f)->pMethods->xUnlock(Real(f), level);
}
inline int FaultCheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
inline int FaultFileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
inline int FaultSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
inline int FaultDeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
inline int FaultShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
inline int FaultShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
inline void FaultShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
inline int FaultShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
inline int FaultFetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
inline int FaultUnfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

// Version 3, as the unix VFS's methods are (checked in FaultOpen).
inline constexpr sqlite3_io_methods kFaultIo = {
    3,
    FaultClose,
    FaultRead,
    FaultWrite,
    FaultTruncate,
    FaultSync,
    FaultFileSize,
    FaultLock,
    FaultUnlock,
    FaultCheckReservedLock,
    FaultFileControl,
    FaultSectorSize,
    FaultDeviceCharacteristics,
    FaultShmMap,
    FaultShmLock,
    FaultShmBarrier,
    FaultShmUnmap,
    FaultFetch,
    FaultUnfetch,
};

inline int FaultOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags,
                     int* out_flags) {
  auto* f = reinterpret_cast<FaultFile*>(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  if ((flags & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL)) != 0 && g_fault.Fail()) {
    return SQLITE_CANTOPEN;
  }
  const int rc = g_fault.real->xOpen(g_fault.real, name, f->real, flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open.
  if (f->real->pMethods != nullptr) {
    if (f->real->pMethods->iVersion < 3) {
      f->real->pMethods->xClose(f->real);
      return SQLITE_CANTOPEN;
    }
    f->base.pMethods = &kFaultIo;
  }
  return rc;
}
inline int FaultDelete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_fault.real->xDelete(g_fault.real, name, sync_dir);
}
inline int FaultAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_fault.real->xAccess(g_fault.real, name, flags, out);
}
inline int FaultFullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_fault.real->xFullPathname(g_fault.real, name, n, out);
}
inline void* FaultDlOpen(sqlite3_vfs*, const char* name) {
  return g_fault.real->xDlOpen(g_fault.real, name);
}
inline void FaultDlError(sqlite3_vfs*, int n, char* out) {
  g_fault.real->xDlError(g_fault.real, n, out);
}
inline void (*FaultDlSym(sqlite3_vfs*, void* lib, const char* sym))(void) {
  return g_fault.real->xDlSym(g_fault.real, lib, sym);
}
inline void FaultDlClose(sqlite3_vfs*, void* lib) { g_fault.real->xDlClose(g_fault.real, lib); }
inline int FaultRandomness(sqlite3_vfs*, int n, char* out) {
  return g_fault.real->xRandomness(g_fault.real, n, out);
}
inline int FaultSleep(sqlite3_vfs*, int us) { return g_fault.real->xSleep(g_fault.real, us); }
inline int FaultCurrentTime(sqlite3_vfs*, double* out) {
  return g_fault.real->xCurrentTime(g_fault.real, out);
}
inline int FaultGetLastError(sqlite3_vfs*, int n, char* out) {
  return g_fault.real->xGetLastError(g_fault.real, n, out);
}
inline int FaultCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_fault.real->xCurrentTimeInt64(g_fault.real, out);
}

// Registers the shim once (not as the default VFS) and returns its state.
inline FaultState& FaultVfs() {
  static sqlite3_vfs vfs = [] {
    g_fault.real = sqlite3_vfs_find(nullptr);
    sqlite3_vfs v{};
    v.iVersion = 2;
    v.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_fault.real->szOsFile;
    v.mxPathname = g_fault.real->mxPathname;
    v.zName = kFaultVfsName;
    v.xOpen = FaultOpen;
    v.xDelete = FaultDelete;
    v.xAccess = FaultAccess;
    v.xFullPathname = FaultFullPathname;
    v.xDlOpen = FaultDlOpen;
    v.xDlError = FaultDlError;
    v.xDlSym = FaultDlSym;
    v.xDlClose = FaultDlClose;
    v.xRandomness = FaultRandomness;
    v.xSleep = FaultSleep;
    v.xCurrentTime = FaultCurrentTime;
    v.xGetLastError = FaultGetLastError;
    v.xCurrentTimeInt64 = FaultCurrentTimeInt64;
    return v;
  }();
  static const int registered = sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
  EXPECT_EQ(registered, SQLITE_OK);
  return g_fault;
}

inline void Arm(int64_t fail_at, int error, bool persistent) {
  FaultState& f = FaultVfs();
  f.fail_at = fail_at;
  f.error = error;
  f.persistent = persistent;
  f.calls = 0;
  f.fired = 0;
}

inline void Disarm() { FaultVfs().fail_at = 0; }

}  // namespace vigil::store::fault

#endif  // VIGIL_SRC_STORE_FAULT_VFS_H_
