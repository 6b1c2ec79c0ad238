// WhatsApp "Export chat" text reader (internal to ingest).
#ifndef VIGIL_SRC_INGEST_WHATSAPP_READER_H_
#define VIGIL_SRC_INGEST_WHATSAPP_READER_H_

#include <filesystem>
#include <memory>
#include <string_view>

#include "vigil/ingest/reader.h"

namespace vigil::ingest {

// True when the first bytes of a text file (up to a few KiB) contain at least
// one WhatsApp message header line in any of the supported locales.
bool LooksLikeWhatsApp(std::string_view head);

// A reader for one chat text file. Attachment names in the chat are resolved
// against `media_root` (the folder holding the chat file, or the extracted
// zip); a name that is not there gives a MediaRef with missing_reason set.
std::unique_ptr<Reader> MakeWhatsAppReader(const std::filesystem::path& chat_file,
                                           const std::filesystem::path& media_root,
                                           const ReaderOptions& options);

}  // namespace vigil::ingest

#endif  // VIGIL_SRC_INGEST_WHATSAPP_READER_H_
