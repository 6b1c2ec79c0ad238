// Safe extraction of a .zip export (internal to ingest), using libarchive.
//
// Protections: entries with absolute paths, drive letters or `..` components
// (zip slip) and symlink / hardlink / device entries are skipped and
// reported; files are created with O_EXCL|O_NOFOLLOW inside a folder this
// code just created; the archive fails as a whole when it exceeds
// Limits::max_archive_entries or max_archive_bytes, when one entry inflates
// more than max_archive_ratio times its compressed size (zip bombs), or when
// it is truncated or corrupt. On failure the partial extraction is removed.
#ifndef VIGIL_SRC_INGEST_ZIP_EXTRACT_H_
#define VIGIL_SRC_INGEST_ZIP_EXTRACT_H_

#include <filesystem>
#include <vector>

#include "vigil/core/limits.h"
#include "vigil/core/status.h"
#include "vigil/ingest/reader.h"

namespace vigil::ingest {

// Extracts `zip` into `dest` (an existing, empty folder). Skipped entries are
// appended to `errors`. Returns kCorrupt (truncated/corrupt archive),
// kResourceExhausted (a limit), kIoError (writing) or OK.
Status ExtractZip(const std::filesystem::path& zip, const std::filesystem::path& dest,
                  const Limits& limits, std::vector<IngestError>& errors);

}  // namespace vigil::ingest

#endif  // VIGIL_SRC_INGEST_ZIP_EXTRACT_H_
