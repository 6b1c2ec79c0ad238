// WhatsApp text reader.
//
// Two streaming passes over the file: the first only parses header lines to
// vote on the file's day/month order (see DateOrderVote); the second emits
// posts. Memory: one line (<= Limits::max_line_bytes) plus one message
// (<= Limits::max_item_bytes).
//
// Decisions worth knowing:
//  - external_id is "<ordinal>-<hash>": the 1-based position of the header in
//    the file (messages and system lines counted alike) and 8 hex digits of a
//    64-bit FNV-1a over (time, author, text). Identical on re-runs of the same
//    file, unique within it; an export that starts later in the history (the
//    exporter caps its size) shifts the ordinals.
//  - Post.text is the message as written, leading LRM/RLM marks removed; a
//    media placeholder or attachment marker is removed from the text and
//    becomes a MediaRef, while captions and document titles stay.
//  - Invalid UTF-8 is replaced by U+FFFD; one error per file names the first
//    line where it happened.
//  - A line longer than max_line_bytes is cut, a message longer than
//    max_item_bytes stops growing: each reports an error naming the line and
//    the post is emitted with the text read so far (evidence is kept).
//  - Author names lose bidi wrappers and NBSP becomes a space; an author that
//    is a phone number also gets Author.id "+<digits>".
#include "src/ingest/whatsapp_reader.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "src/ingest/ingest_util.h"
#include "src/ingest/whatsapp_export.h"
#include "src/ingest/whatsapp_header.h"
#include "vigil/core/time.h"
#include "vigil/core/utf8.h"

namespace vigil::ingest {
namespace {

namespace fs = std::filesystem;
using whatsapp::DateOrder;

// Drops a UTF-8 sequence cut short at the end of `s` (after truncation).
void TrimIncompleteUtf8(std::string& s) {
  size_t k = s.size();
  size_t cont = 0;
  while (k > 0 && cont < 3 && (static_cast<uint8_t>(s[k - 1]) & 0xC0) == 0x80) {
    --k;
    ++cont;
  }
  if (k == 0) return;
  const auto lead = static_cast<uint8_t>(s[k - 1]);
  if (lead < 0xC0) return;
  const size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  if (need > cont + 1) s.resize(k - 1);
}

// Splits a FILE into lines ("\n" or "\r\n"), keeping at most max_line bytes
// of each; the rest of a longer line is read and dropped.
class LineReader {
 public:
  // Each chunk read is reported to `progress` (when given).
  LineReader(std::FILE* file, size_t max_line, PostSink* progress = nullptr)
      : file_(file), max_line_(max_line), progress_(progress), buf_(kChunkBytes) {}

  // The next line without its terminator; false at end of input or on a
  // read error (then error() is true). `truncated` says the line was cut.
  bool Next(std::string& line, bool& truncated) {
    line.clear();
    truncated = false;
    bool any = false;
    for (;;) {
      if (pos_ == len_ && !Fill()) break;
      any = true;
      const char* start = buf_.data() + pos_;
      const auto* nl = static_cast<const char*>(std::memchr(start, '\n', len_ - pos_));
      const size_t n = nl != nullptr ? static_cast<size_t>(nl - start) : len_ - pos_;
      const size_t room = max_line_ + 1 - line.size();  // +1 leaves room for a '\r'
      if (n > room) truncated = true;
      line.append(start, n < room ? n : room);
      pos_ += n;
      if (nl != nullptr) {
        ++pos_;
        break;
      }
    }
    if (!any) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > max_line_) {
      truncated = true;
      line.resize(max_line_);
    }
    if (truncated) TrimIncompleteUtf8(line);
    return true;
  }

  bool error() const { return error_; }

 private:
  static constexpr size_t kChunkBytes = 64 * 1024;

  bool Fill() {
    pos_ = 0;
    len_ = std::fread(buf_.data(), 1, buf_.size(), file_);
    if (len_ == 0 && std::ferror(file_)) error_ = true;
    if (progress_ != nullptr && len_ > 0) progress_->OnBytesRead(len_);
    return len_ > 0;
  }

  std::FILE* file_;
  size_t max_line_;
  PostSink* progress_;
  std::vector<char> buf_;
  size_t pos_ = 0, len_ = 0;
  bool error_ = false;
};

uint64_t Fnv1a(uint64_t h, std::string_view s) {
  for (const char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return h;
}

std::string ExternalId(int64_t ordinal, const Post& post) {
  uint64_t h = 14695981039346656037ull;
  h = Fnv1a(h, std::to_string(post.time));
  h = Fnv1a(h, std::string_view("\x1f", 1));
  h = Fnv1a(h, post.author.name);
  h = Fnv1a(h, std::string_view("\x1f", 1));
  h = Fnv1a(h, post.text);
  char hex[9];
  std::snprintf(hex, sizeof(hex), "%08x", static_cast<unsigned>((h ^ (h >> 32)) & 0xFFFFFFFFu));
  return std::to_string(ordinal) + "-" + hex;
}

// "+40 521 028 61 88" -> "+405210286188"; empty when `name` is not a phone number.
std::string PhoneId(std::string_view name) {
  if (name.empty() || name[0] != '+') return "";
  std::string id = "+";
  for (size_t i = 1; i < name.size(); ++i) {
    const char c = name[i];
    if (c >= '0' && c <= '9') {
      id.push_back(c);
    } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
      return "";
    }
  }
  return id.size() > 4 ? id : "";
}

// `s` from its first character that is not an invisible mark.
std::string_view SkipLeadingMarks(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    if (!whatsapp::IsInvisibleMark(DecodeUtf8(s, j))) break;
    i = j;
  }
  return s.substr(i);
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

class WhatsAppReader final : public Reader {
 public:
  WhatsAppReader(fs::path chat_file, fs::path media_root, ReaderOptions options)
      : chat_file_(std::move(chat_file)),
        media_root_(media_root.empty() ? chat_file_.parent_path() : std::move(media_root)),
        options_(std::move(options)),
        channel_(whatsapp::ChannelFromPaths(chat_file_, media_root_)) {}

  std::string Describe() const override { return "whatsapp text: " + chat_file_.string(); }
  uint64_t SizeBytes() const override { return FileBytes(chat_file_); }

  Status Read(PostSink& sink) override {
    if (used_) return Status::InvalidArgument(Describe() + ": Read called twice");
    used_ = true;
    std::error_code ec;
    const uintmax_t size = fs::file_size(chat_file_, ec);
    if (!ec && size > options_.limits.max_file_bytes) {
      return Status::ResourceExhausted(chat_file_.string() + ": file larger than max_file_bytes (" +
                                       std::to_string(options_.limits.max_file_bytes) + ")");
    }
    DateOrder order = DateOrder::kDayFirst;
    VIGIL_RETURN_IF_ERROR(VoteDateOrder(order));
    return Emit(order, sink);
  }

 private:
  struct Pending {
    bool active = false;
    bool overflow = false;
    size_t header_line = 0;
    Post post;
    std::string text;
  };

  size_t MaxLine() const { return static_cast<size_t>(options_.limits.max_line_bytes); }
  size_t MaxItem() const { return static_cast<size_t>(options_.limits.max_item_bytes); }

  // Both passes see the same bytes: cut lines, invalid UTF-8 replaced.
  static bool Prepare(std::string& line) {
    if (IsValidUtf8(line)) return true;
    line = SanitizeUtf8(line);
    return false;
  }

  Status VoteDateOrder(DateOrder& order) {
    auto file = OpenForRead(chat_file_);
    if (!file.ok()) return file.status();
    LineReader lines(file->get(), MaxLine());
    whatsapp::DateOrderVote vote;
    std::string line;
    bool truncated = false, any_text = false;
    int64_t headers = 0;
    while (lines.Next(line, truncated)) {
      Prepare(line);
      const auto norm = whatsapp::NormalizeForMatch(line);
      if (auto h = whatsapp::ParseHeader(norm.text)) {
        vote.Add(*h);
        ++headers;
      } else if (!norm.text.empty()) {
        any_text = true;
      }
    }
    if (lines.error()) return Status::IoError(chat_file_.string() + ": read error");
    if (headers == 0 && any_text) {
      return Status::Corrupt(chat_file_.string() + ": no WhatsApp message header found");
    }
    order = vote.Decide();
    return Status::Ok();
  }

  void Error(PostSink& sink, size_t line_no, std::string reason) {
    sink.OnError(
        IngestError{chat_file_.string(), "line " + std::to_string(line_no), std::move(reason)});
  }

  void StartMessage(const std::string& line, const whatsapp::NormalizedLine& norm,
                    const whatsapp::Header& h, const CivilTime& t, size_t line_no) {
    pending_ = Pending{};
    pending_.active = true;
    pending_.header_line = line_no;
    Post& post = pending_.post;
    post.platform = Platform::kWhatsApp;
    post.channel = channel_;
    post.time = *ToUnixSeconds(t);
    post.time_is_utc = false;
    post.local_time = FormatIso8601(post.time, /*with_z=*/false);
    post.source_file = chat_file_.string();
    post.source_item = "line " + std::to_string(line_no);
    size_t text_start = h.body;
    if (auto author = whatsapp::FindAuthor(norm.text, h.body)) {
      const std::string_view raw = std::string_view(line).substr(
          norm.offsets[h.body], norm.offsets[author->author_end] - norm.offsets[h.body]);
      post.author.name = std::string(TrimSpaces(whatsapp::StripMarks(raw)));
      post.author.id = PhoneId(post.author.name);
      text_start = author->text_start;
    } else {
      post.service = true;
    }
    std::string_view text = SkipLeadingMarks(std::string_view(line).substr(
        text_start < norm.offsets.size() ? norm.offsets[text_start] : line.size()));
    if (text.size() > MaxItem()) {
      text = text.substr(0, MaxItem());
      pending_.overflow = true;
    }
    pending_.text.assign(text);
    if (pending_.overflow) TrimIncompleteUtf8(pending_.text);
  }

  Status Flush(PostSink& sink) {
    if (!pending_.active) return Status::Ok();
    pending_.active = false;
    std::string& text = pending_.text;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    Post post = std::move(pending_.post);
    if (!post.service) {
      const size_t nl = text.find('\n');
      const std::string_view first = std::string_view(text).substr(0, nl);
      if (auto m = whatsapp::DetectMedia(first, media_root_)) {
        std::string rebuilt = std::move(m->same_line_text);
        if (nl != std::string::npos) {
          if (!rebuilt.empty()) rebuilt.push_back('\n');
          rebuilt.append(text, nl + 1);
        }
        text = std::move(rebuilt);
        post.media.push_back(std::move(m->media));
      }
    }
    post.text = std::move(text);
    post.external_id = ExternalId(ordinal_, post);
    return sink.OnPost(std::move(post));
  }

  Status Emit(DateOrder order, PostSink& sink) {
    auto file = OpenForRead(chat_file_);
    if (!file.ok()) return file.status();
    LineReader lines(file->get(), MaxLine(), &sink);  // the pass that counts
    std::string line;
    bool truncated = false;
    bool reported_utf8 = false, reported_preamble = false;
    size_t line_no = 0;
    while (lines.Next(line, truncated)) {
      ++line_no;
      if (truncated) {
        Error(sink, line_no,
              "line longer than max_line_bytes (" + std::to_string(MaxLine()) +
                  "); rest of the message skipped");
      }
      if (!Prepare(line) && !reported_utf8) {
        reported_utf8 = true;
        Error(sink, line_no,
              "invalid UTF-8 replaced with U+FFFD (later lines in this file not reported)");
      }
      const auto norm = whatsapp::NormalizeForMatch(line);
      const auto header = whatsapp::ParseHeader(norm.text);
      if (header) {
        VIGIL_RETURN_IF_ERROR(Flush(sink));
        ++ordinal_;
        // ParseHeader guarantees a valid date in at least one order.
        StartMessage(line, norm, *header, *whatsapp::ResolveTime(*header, order), line_no);
        if (truncated) pending_.overflow = true;
        continue;
      }
      if (!pending_.active) {
        if (!norm.text.empty() && !reported_preamble) {
          reported_preamble = true;
          Error(sink, line_no, "text before the first message header ignored");
        }
        continue;
      }
      if (pending_.overflow) continue;
      if (pending_.text.size() + 1 + line.size() > MaxItem()) {
        pending_.overflow = true;
        Error(sink, line_no,
              "message starting at line " + std::to_string(pending_.header_line) +
                  " longer than max_item_bytes (" + std::to_string(MaxItem()) +
                  "); rest of the message skipped");
        continue;
      }
      pending_.text.push_back('\n');
      pending_.text.append(line);
      if (truncated) pending_.overflow = true;
    }
    if (lines.error()) {
      Error(sink, line_no + 1, "read error; rest of the file skipped");
    }
    return Flush(sink);
  }

  const fs::path chat_file_;
  const fs::path media_root_;
  const ReaderOptions options_;
  const Channel channel_;
  bool used_ = false;
  int64_t ordinal_ = 0;
  Pending pending_;
};

}  // namespace

bool LooksLikeWhatsApp(std::string_view head) {
  constexpr int kMaxLines = 40;
  size_t pos = 0;
  for (int n = 0; n < kMaxLines && pos < head.size(); ++n) {
    const size_t nl = head.find('\n', pos);
    std::string line(head.substr(pos, nl == std::string_view::npos ? head.npos : nl - pos));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!IsValidUtf8(line)) line = SanitizeUtf8(line);
    if (whatsapp::ParseHeader(whatsapp::NormalizeForMatch(line).text)) return true;
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

std::unique_ptr<Reader> MakeWhatsAppReader(const fs::path& chat_file, const fs::path& media_root,
                                           const ReaderOptions& options) {
  return std::make_unique<WhatsAppReader>(chat_file, media_root, options);
}

}  // namespace vigil::ingest
