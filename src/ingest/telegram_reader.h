// Telegram Desktop JSON export reader (internal to ingest).
//
// Streams `result.json` (single-chat form {name,type,id,messages[]} and the
// "export all data" form chats.list[] / left_chats.list[]) with RapidJSON's
// iterative SAX parser over a chunked file stream: only one message object is
// held in memory at a time, so memory is bounded by Limits::max_item_bytes,
// not by the file size.
//
// Failure modes, as Read() reports them:
//  - a message that parses as JSON but is not a usable message (no date,
//    `text` of the wrong type, too large, too deep, not an object) is passed
//    to PostSink::OnError as "message <id>" / "message #<index>" and skipped;
//  - a JSON syntax error (truncated file, garbage) stops the file: Read()
//    returns kCorrupt naming the file and the byte offset. Posts before that
//    point have already been delivered;
//  - a file without any `messages` array returns kUnsupported;
//  - unreadable file: kNotFound / kIoError; file over max_file_bytes:
//    kResourceExhausted.
// Channel fields (name/type/id) are taken as they stream past; tdesktop
// writes them before `messages`, a file that puts them after gets the file
// name as channel id for the messages before them.
// Media paths are resolved against the folder holding the JSON file; paths
// leaving it are refused (MediaRef::missing_reason "outside export").
#ifndef VIGIL_SRC_INGEST_TELEGRAM_READER_H_
#define VIGIL_SRC_INGEST_TELEGRAM_READER_H_

#include <filesystem>
#include <memory>

#include "vigil/ingest/reader.h"

namespace vigil::ingest {

std::unique_ptr<Reader> MakeTelegramReader(const std::filesystem::path& json_file,
                                           const ReaderOptions& options);

}  // namespace vigil::ingest

#endif  // VIGIL_SRC_INGEST_TELEGRAM_READER_H_
