#include "src/ingest/detect.h"

#include <rapidjson/document.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "src/ingest/ingest_util.h"
#include "src/ingest/whatsapp_reader.h"

namespace vigil::ingest {

std::string IngestError::ToString() const {
  std::string out = file;
  if (!item.empty()) out += ": " + item;
  out += ": " + reason;
  return out;
}

namespace {

// Collects the facts DetectHead needs from a (possibly cut-off) JSON head.
class KeyScan {
 public:
  bool Null() { return Value(); }
  bool Bool(bool) { return Value(); }
  bool Int(int) { return Value(); }
  bool Uint(unsigned) { return Value(); }
  bool Int64(int64_t) { return Value(); }
  bool Uint64(uint64_t) { return Value(); }
  bool Double(double) { return Value(); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return Value(); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (key_ == "type" && std::string_view(s, n) == "message") type_message = true;
    return Value();
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    key_.assign(s, n);
    if (key_ == "participants" || key_ == "sender_name" || key_ == "timestamp_ms" ||
        key_ == "thread_path" || key_ == "comments_v2" || key_ == "senderName") {
      facebook_key = true;
    }
    if (key_ == "messages") messages = true;
    if (key_ == "date" || key_ == "date_unixtime" || key_ == "from_id") telegram_key = true;
    if (key_ == "chats" && depth_ == 1) chats = true;
    if (key_ == "timestamp" && depth_ == 2 && top_array_) top_array_timestamp = true;
    return true;
  }
  bool StartObject() { return Open(); }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool StartArray() {
    if (depth_ == 0) top_array_ = true;
    return Open();
  }
  bool EndArray(rapidjson::SizeType) { return Close(); }

  bool facebook_key = false, messages = false, telegram_key = false, type_message = false,
       chats = false, top_array_timestamp = false;

 private:
  bool Value() {
    key_.clear();
    return true;
  }
  bool Open() {
    ++depth_;
    key_.clear();
    return true;
  }
  bool Close() {
    --depth_;
    return true;
  }
  std::string key_;
  int depth_ = 0;
  bool top_array_ = false;
};

bool IsCompleteObject(std::string_view line) {
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size());
  return !doc.HasParseError() && doc.IsObject();
}

}  // namespace

bool IsZipHead(std::string_view head) {
  return head.starts_with(std::string_view("PK\x03\x04", 4)) ||
         head.starts_with(std::string_view("PK\x05\x06", 4));
}

Format DetectHead(std::string_view head, const std::filesystem::path& name) {
  if (SniffImageMime(head)) return Format::kImageFolder;
  if (IsZipHead(head)) return Format::kUnknown;
  std::string_view body = head;
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  const size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (body[first] == '{' || body[first] == '[')) {
    // Reuse the export stream (BOM, \xNN) over the in-memory head.
    std::string copy(head);
    std::unique_ptr<std::FILE, FileCloser> mem(fmemopen(copy.data(), copy.size(), "rb"));
    KeyScan scan;
    if (mem) {
      ChunkedJsonStream stream(mem.get());
      rapidjson::Reader reader;
      reader.Parse<rapidjson::kParseIterativeFlag>(stream, scan);  // stops at the cut
    }
    if (scan.facebook_key || scan.top_array_timestamp) return Format::kFacebookJson;
    if ((scan.messages && (scan.telegram_key || scan.type_message)) || scan.chats) {
      return Format::kTelegramJson;
    }
    const std::string ext = name.extension().string();
    if (body[first] == '{') {
      if (ext == ".jsonl" || ext == ".ndjson") return Format::kJsonl;
      std::string_view rest = body.substr(first);
      const size_t nl = rest.find('\n');
      if (nl != std::string_view::npos && IsCompleteObject(rest.substr(0, nl))) {
        return Format::kJsonl;
      }
    }
    // Not a JSON export; iOS WhatsApp lines also start with '['.
  }
  // Binary files hold NUL bytes; so may a damaged or hostile chat. Only the
  // text before the first NUL is judged: a chat whose header lines come
  // first is still read (its NULs become U+FFFD in the text).
  const std::string_view text = head.substr(0, std::min(head.find('\0'), size_t{16 * 1024}));
  if (LooksLikeWhatsApp(text)) return Format::kWhatsAppText;
  return Format::kUnknown;
}

Format DetectFile(const std::filesystem::path& file) {
  const std::string small = ReadHead(file, 16);
  if (small.empty()) return Format::kUnknown;
  if (SniffImageMime(small)) return Format::kImageFolder;
  if (IsZipHead(small)) return Format::kUnknown;
  return DetectHead(ReadHead(file, kDetectHeadBytes), file);
}

}  // namespace vigil::ingest
