// Facebook / Instagram "Download Your Information" JSON reader (internal).
//
// Reads one DYI JSON file:
//  - message_N.json (Messenger and Instagram: participants, title,
//    thread_path, messages[] newest first; also the E2EE form threadName +
//    messages[{senderName,text,timestamp}]). Posts come out oldest first
//    (the file is reversed when its first message is newer than its last).
//  - your_posts_N.json (top-level array of posts; `attachments` as a list of
//    {data:[...]} or, as in some mocks, a single {data:[...]} object).
//  - comments*.json ({"comments_v2": [...]}).
// Posts and comments come out in file order. Every string is passed through
// FixMojibake (DYI writes each UTF-8 byte as its own \u00XX).
//
// A file is small enough (about 10k messages) to be parsed as one DOM, but it
// must not exceed Limits::max_item_bytes (kResourceExhausted otherwise).
// A bad message goes to PostSink::OnError and is skipped; a JSON syntax error
// returns kCorrupt (file and byte offset); a JSON file of another shape
// returns kUnsupported.
//
// Media `uri`s are resolved against the export root: the folder above
// `messages/`, `posts/`, `comments/` or `your_facebook_activity/` (falling
// back to the file's folder); paths leaving the root are refused
// (missing_reason "outside export"), http(s) URLs get "remote url".
// external_id: messages have no id, so it is "<timestamp_ms>:<sender>:<k>"
// with k counting earlier messages of the same sender and timestamp (stable
// across runs); posts "post:<timestamp>:<k>", comments "comment:<timestamp>:<k>".
#ifndef VIGIL_SRC_INGEST_FACEBOOK_READER_H_
#define VIGIL_SRC_INGEST_FACEBOOK_READER_H_

#include <filesystem>
#include <memory>

#include "vigil/ingest/reader.h"

namespace vigil::ingest {

std::unique_ptr<Reader> MakeFacebookReader(const std::filesystem::path& json_file,
                                           const ReaderOptions& options);

// The folder DYI `uri`s are relative to, for a JSON file inside an export.
std::filesystem::path FacebookExportRoot(const std::filesystem::path& json_file);

}  // namespace vigil::ingest

#endif  // VIGIL_SRC_INGEST_FACEBOOK_READER_H_
