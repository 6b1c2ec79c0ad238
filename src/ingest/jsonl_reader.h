// JSONL reader: one post per line, for exports vigil has no dedicated reader
// for (scrapers, other tools). The schema is documented at the top of
// jsonl_reader.cc. Internal to ingest.
//
// Streams the file in chunks: memory is bounded by Limits::max_line_bytes.
// A line over that limit is reported ("line N") and skipped without being
// buffered; a line that is not valid UTF-8, not a JSON object or breaks the
// schema is reported and skipped. Read() fails only when the file cannot be
// opened or read (kNotFound / kIoError), or when the sink stops it.
#ifndef VIGIL_SRC_INGEST_JSONL_READER_H_
#define VIGIL_SRC_INGEST_JSONL_READER_H_

#include <filesystem>
#include <memory>

#include "vigil/ingest/reader.h"

namespace vigil::ingest {

std::unique_ptr<Reader> MakeJsonlReader(const std::filesystem::path& file,
                                        const ReaderOptions& options);

}  // namespace vigil::ingest

#endif  // VIGIL_SRC_INGEST_JSONL_READER_H_
