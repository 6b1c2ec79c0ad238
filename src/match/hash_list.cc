#include "vigil/match/hash_list.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <span>
#include <system_error>

#include "src/match/hash_list_internal.h"
#include "vigil/core/csv.h"
#include "vigil/core/hex.h"
#include "vigil/core/utf8.h"

namespace vigil::match {
namespace {

using internal::ImportSink;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits on any of `seps`, trimming and dropping empty pieces.
std::vector<std::string> SplitLabels(std::string_view s, std::string_view seps) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    const size_t j = std::min(s.find_first_of(seps, i), s.size());
    const std::string_view piece = Trim(s.substr(i, j - i));
    if (!piece.empty()) out.push_back(SanitizeUtf8(piece));
    i = j + 1;
  }
  return out;
}

// --- vigil CSV labels: ';'-separated, '\' escapes ';' and '\'. ---

std::string JoinEscaped(const std::vector<std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ';';
    for (char c : labels[i]) {
      if (c == ';' || c == '\\') out += '\\';
      out += c;
    }
  }
  return out;
}

std::vector<std::string> SplitEscaped(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  auto finish = [&] {
    if (!Trim(cur).empty()) out.push_back(SanitizeUtf8(cur));
    cur.clear();
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      cur += s[++i];
    } else if (s[i] == ';') {
      finish();
    } else {
      cur += s[i];
    }
  }
  finish();
  return out;
}

// --- CSV formats ---

struct CsvColumns {
  int type = -1;
  int value = -1;
  int labels = -1;
  int category = -1;
  int source = -1;
};

bool AllBlank(const std::vector<std::string>& fields) {
  return std::all_of(fields.begin(), fields.end(),
                     [](const std::string& f) { return Trim(f).empty(); });
}

std::string_view Field(const std::vector<std::string>& fields, int column) {
  return column >= 0 && static_cast<size_t>(column) < fields.size()
             ? std::string_view(fields[column])
             : std::string_view();
}

Status ImportCsv(std::string_view content, bool threatexchange, ImportSink& sink) {
  CsvReader reader(content, sink.limits().max_line_bytes);
  std::vector<std::string> fields;
  uint64_t line = 0;
  std::string error;
  std::optional<CsvColumns> cols;
  while (true) {
    const auto outcome = reader.Next(&fields, &line, &error);
    if (outcome == CsvReader::Outcome::kEnd) break;
    if (outcome == CsvReader::Outcome::kError) {
      if (!cols) return Status::Corrupt(sink.file() + ":" + std::to_string(line) + ": " + error);
      sink.Error(line, error);
      continue;
    }
    if (AllBlank(fields)) continue;
    if (!cols) {
      CsvColumns c;
      for (size_t i = 0; i < fields.size(); ++i) {
        const std::string name = Lower(Trim(fields[i]));
        const int col = static_cast<int>(i);
        if (threatexchange) {
          if (name == "signal_type") c.type = col;
          if (name == "signal_str") c.value = col;
          if (name == "tags") c.labels = col;
          if (name == "category") c.category = col;
          if (name == "collab") c.source = col;
        } else {
          if (name == "type") c.type = col;
          if (name == "value") c.value = col;
          if (name == "labels") c.labels = col;
          if (name == "category") c.category = col;
          if (name == "source") c.source = col;
        }
      }
      if (c.type < 0 || c.value < 0) {
        return Status::Corrupt(sink.file() + ":" + std::to_string(line) + ": header must name " +
                               (threatexchange ? "signal_type and signal_str" : "type and value") +
                               " columns");
      }
      cols = c;
      continue;
    }
    HashEntry entry;
    const std::string_view type_name = Trim(Field(fields, cols->type));
    const std::optional<SignalType> type = SignalTypeFromName(type_name);
    if (!type) {
      sink.Error(line, "unknown signal type '" + SanitizeUtf8(type_name.substr(0, 40)) + "'");
      continue;
    }
    Result<Signal> signal = Signal::FromHex(*type, Trim(Field(fields, cols->value)));
    if (!signal.ok()) {
      sink.Error(line, signal.status().message());
      continue;
    }
    entry.signal = *signal;
    entry.labels = threatexchange ? SplitLabels(Field(fields, cols->labels), " \t,")
                                  : SplitEscaped(Field(fields, cols->labels));
    entry.category = SanitizeUtf8(Trim(Field(fields, cols->category)));
    entry.source = SanitizeUtf8(Trim(Field(fields, cols->source)));
    sink.Add(std::move(entry));
  }
  if (!cols) return Status::Corrupt(sink.file() + ": empty; a header row is required");
  return Status::Ok();
}

std::string ExportThreatExchangeCsv(const HashList& list) {
  std::string out = "collab,signal_type,signal_str,category,tags\n";
  for (const HashEntry& e : list.entries) {
    AppendCsvField(out, e.source);
    out += ',';
    out += SignalTypeName(e.signal.type);
    out += ',';
    out += e.signal.ToHex();
    out += ',';
    AppendCsvField(out, e.category);
    out += ',';
    std::string tags;
    for (const std::string& label : e.labels) {
      if (!tags.empty()) tags += ' ';
      for (char c : label) tags += (c == ' ' || c == ',' || c == '\t') ? '_' : c;
    }
    AppendCsvField(out, tags);
    out += '\n';
  }
  return out;
}

std::string ExportVigilCsv(const HashList& list) {
  std::string out = "type,value,labels,category,source\n";
  for (const HashEntry& e : list.entries) {
    out += SignalTypeName(e.signal.type);
    out += ',';
    out += e.signal.ToHex();
    out += ',';
    AppendCsvField(out, JoinEscaped(e.labels));
    out += ',';
    AppendCsvField(out, e.category);
    out += ',';
    AppendCsvField(out, e.source);
    out += '\n';
  }
  return out;
}

// --- plain ---

Status ImportPlain(std::string_view content, ImportSink& sink) {
  const uint64_t max_line = sink.limits().max_line_bytes;
  uint64_t line_no = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    ++line_no;
    const size_t nl = std::min(content.find('\n', pos), content.size());
    const std::string_view raw = content.substr(pos, nl - pos);
    pos = nl + 1;
    if (raw.size() > max_line) {
      sink.Error(line_no, "line longer than " + std::to_string(max_line) + " bytes");
      continue;
    }
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const size_t space = line.find_first_of(" \t");
    std::optional<SignalType> type;
    std::string_view hex = line;
    if (space != std::string_view::npos) {
      const std::string_view name = line.substr(0, space);
      hex = Trim(line.substr(space));
      if (hex.find_first_of(" \t") != std::string_view::npos) {
        sink.Error(line_no, "expected '<type> <hex>' or a bare hex signal");
        continue;
      }
      type = SignalTypeFromName(name);
      if (!type) {
        sink.Error(line_no, "unknown signal type '" + SanitizeUtf8(name.substr(0, 40)) + "'");
        continue;
      }
    } else if (hex.size() == 64) {
      type = SignalType::kPdq;
    } else if (hex.size() == 40) {
      type = SignalType::kSha1;
    } else if (hex.size() == 32) {
      type = SignalType::kMd5;
    } else {
      sink.Error(line_no, "bare signal of " + std::to_string(hex.size()) +
                              " characters; expected 64 (pdq), 40 (sha1) or 32 (md5) hex digits");
      continue;
    }
    Result<Signal> signal = Signal::FromHex(*type, hex);
    if (!signal.ok()) {
      sink.Error(line_no, signal.status().message());
      continue;
    }
    HashEntry entry;
    entry.signal = *signal;
    sink.Add(std::move(entry));
  }
  return Status::Ok();
}

std::string ExportPlain(const HashList& list) {
  std::string out;
  for (const HashEntry& e : list.entries) {
    out += SignalTypeName(e.signal.type);
    out += ' ';
    out += e.signal.ToHex();
    out += '\n';
  }
  return out;
}

}  // namespace

std::string_view SignalTypeName(SignalType type) {
  switch (type) {
    case SignalType::kPdq:
      return "pdq";
    case SignalType::kMd5:
      return "md5";
    case SignalType::kSha1:
      return "sha1";
    case SignalType::kSha256:
      return "sha256";
  }
  return "unknown";
}

std::optional<SignalType> SignalTypeFromName(std::string_view name) {
  const std::string n = Lower(Trim(name));
  if (n == "pdq" || n == "pdq_hash" || n == "hash_pdq") return SignalType::kPdq;
  if (n == "md5" || n == "video_md5" || n == "photo_md5" || n == "hash_md5") {
    return SignalType::kMd5;
  }
  if (n == "sha1" || n == "sha-1" || n == "hash_sha1") return SignalType::kSha1;
  if (n == "sha256" || n == "sha-256" || n == "video_sha256" || n == "hash_sha256") {
    return SignalType::kSha256;
  }
  return std::nullopt;
}

size_t DigestBytes(SignalType type) {
  switch (type) {
    case SignalType::kPdq:
      return 32;
    case SignalType::kMd5:
      return 16;
    case SignalType::kSha1:
      return 20;
    case SignalType::kSha256:
      return 32;
  }
  return 0;
}

Result<Signal> Signal::FromHex(SignalType type, std::string_view hex) {
  const size_t digits = 2 * DigestBytes(type);
  if (hex.size() != digits) {
    return Status::InvalidArgument(std::string(SignalTypeName(type)) + " needs " +
                                   std::to_string(digits) + " hex digits, got " +
                                   std::to_string(hex.size()));
  }
  Signal s;
  s.type = type;
  if (!HexDecodeTo(hex, std::span(s.bytes).first(digits / 2))) {
    size_t bad = 0;
    while (HexDigitValue(hex[bad]) >= 0) ++bad;
    return Status::InvalidArgument(std::string(SignalTypeName(type)) +
                                   " is not hexadecimal (character " + std::to_string(bad + 1) +
                                   ")");
  }
  return s;
}

Signal Signal::FromPdq(const Hash256& hash) {
  Signal s;
  s.type = SignalType::kPdq;
  s.bytes = hash.ToBytes();
  return s;
}

Hash256 Signal::ToPdq() const { return Hash256::FromBytes(bytes); }

std::string Signal::ToHex() const { return HexEncode(std::span(bytes).first(DigestBytes(type))); }

std::string_view ListFormatName(ListFormat format) {
  switch (format) {
    case ListFormat::kThreatExchangeCsv:
      return "te-csv";
    case ListFormat::kPlain:
      return "plain";
    case ListFormat::kVicsJson:
      return "vics";
    case ListFormat::kVigilCsv:
      return "vigil-csv";
  }
  return "unknown";
}

std::optional<ListFormat> ListFormatFromName(std::string_view name) {
  const std::string n = Lower(Trim(name));
  for (ListFormat f : {ListFormat::kThreatExchangeCsv, ListFormat::kPlain, ListFormat::kVicsJson,
                       ListFormat::kVigilCsv}) {
    if (n == ListFormatName(f)) return f;
  }
  return std::nullopt;
}

std::string ImportError::ToString() const {
  return file + ":" + std::to_string(line) + ": " + reason;
}

namespace internal {

void ImportSink::Error(uint64_t line, std::string reason) {
  ++result_.error_count;
  if (result_.errors.size() < limits_.max_errors) {
    result_.errors.push_back({file_, line, std::move(reason)});
  }
}

}  // namespace internal

Result<ImportResult> ImportHashList(std::string_view content, ListFormat format,
                                    std::string_view file_name, const ImportLimits& limits) {
  const std::string file = SanitizeUtf8(file_name);
  if (content.size() > limits.max_file_bytes) {
    return Status::ResourceExhausted(file + ": " + std::to_string(content.size()) +
                                     " bytes; the limit is " +
                                     std::to_string(limits.max_file_bytes));
  }
  // Spreadsheet tools often save CSV with a UTF-8 byte order mark.
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
  ImportSink sink(file, limits);
  switch (format) {
    case ListFormat::kThreatExchangeCsv:
      VIGIL_RETURN_IF_ERROR(ImportCsv(content, true, sink));
      break;
    case ListFormat::kVigilCsv:
      VIGIL_RETURN_IF_ERROR(ImportCsv(content, false, sink));
      break;
    case ListFormat::kPlain:
      VIGIL_RETURN_IF_ERROR(ImportPlain(content, sink));
      break;
    case ListFormat::kVicsJson:
      VIGIL_RETURN_IF_ERROR(internal::ImportVicsJson(content, sink));
      break;
  }
  ImportResult result = sink.Take();
  result.list.name = file;
  return result;
}

Result<ImportResult> ImportHashListFile(const std::filesystem::path& path, ListFormat format,
                                        const ImportLimits& limits) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) {
      return Status::NotFound(path.string() + ": no such file");
    }
    return Status::IoError(path.string() + ": " + ec.message());
  }
  if (size > limits.max_file_bytes) {
    return Status::ResourceExhausted(path.string() + ": " + std::to_string(size) +
                                     " bytes; the limit is " +
                                     std::to_string(limits.max_file_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path.string() + ": cannot open");
  std::string content(static_cast<size_t>(size), '\0');
  in.read(content.data(), static_cast<std::streamsize>(size));
  if (static_cast<uintmax_t>(in.gcount()) != size) {
    return Status::IoError(path.string() + ": short read");
  }
  return ImportHashList(content, format, path.string(), limits);
}

std::string ExportHashList(const HashList& list, ListFormat format) {
  switch (format) {
    case ListFormat::kThreatExchangeCsv:
      return ExportThreatExchangeCsv(list);
    case ListFormat::kVigilCsv:
      return ExportVigilCsv(list);
    case ListFormat::kPlain:
      return ExportPlain(list);
    case ListFormat::kVicsJson:
      return internal::ExportVicsJson(list);
  }
  return {};
}

}  // namespace vigil::match
