// Format detection from a file's first bytes (internal to ingest; the public
// entry point is DetectFile in vigil/ingest/reader.h).
#ifndef VIGIL_SRC_INGEST_DETECT_H_
#define VIGIL_SRC_INGEST_DETECT_H_

#include <filesystem>
#include <string_view>

#include "vigil/ingest/reader.h"

namespace vigil::ingest {

// How many bytes DetectFile looks at.
inline constexpr size_t kDetectHeadBytes = 64 * 1024;

// True for a ZIP local file header or an empty archive's end record.
bool IsZipHead(std::string_view head);

// Classifies `head` (the first bytes of a file named `name`; only the
// extension is used, as a tie-breaker for JSONL). Rules, in order:
//  1. image magic (JPEG, PNG, GIF, WebP, BMP) -> kImageFolder;
//  2. after a BOM and whitespace, '{' or '[' -> the keys seen in the head:
//     participants / sender_name / timestamp_ms / thread_path / comments_v2,
//     or a top-level array of objects with "timestamp" -> kFacebookJson;
//     "messages" with date / date_unixtime / from_id / "type":"message", or
//     a top-level "chats" -> kTelegramJson; a .jsonl/.ndjson name, or a first
//     line that is a complete JSON object followed by more lines -> kJsonl;
//  3. text (no NUL bytes) that LooksLikeWhatsApp -> kWhatsAppText;
//  4. anything else (ZIP included) -> kUnknown. A head starting with '[' that
//     is no JSON export may still be WhatsApp (iOS lines start with '[').
Format DetectHead(std::string_view head, const std::filesystem::path& name);

}  // namespace vigil::ingest

#endif  // VIGIL_SRC_INGEST_DETECT_H_
