#include "src/evidence/zip_writer.h"

#include <array>

namespace vigil::evidence::internal {
namespace {

constexpr uint16_t kFlags = 0x0808;    // data descriptor + UTF-8 names
constexpr uint16_t kDosDate = 0x0021;  // 1980-01-01, time 00:00:00

const std::array<uint32_t, 256>& CrcTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

void Put16(std::string& s, uint16_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>(v >> 8);
}
void Put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

uint32_t Crc32Update(uint32_t crc, std::string_view bytes) {
  const auto& t = CrcTable();
  crc = ~crc;
  for (unsigned char b : bytes) crc = t[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

Status ZipWriter::Emit(std::string_view b) {
  offset_ += b.size();
  return out_(b);
}

Status ZipWriter::BeginEntry(std::string_view name) {
  if (open_ || name.empty() || name.size() > 0xffff) {
    return Status::InvalidArgument("zip: bad entry name or entry already open");
  }
  if (central_.size() >= 0xfffe || offset_ > 0xffffffffu) {
    return Status::ResourceExhausted("zip: too many entries or too large (no zip64)");
  }
  open_ = true;
  crc_ = 0;
  size_ = 0;
  entry_offset_ = offset_;
  name_ = std::string(name);
  std::string h;
  Put32(h, 0x04034b50);
  Put16(h, 20);
  Put16(h, kFlags);
  Put16(h, 0);  // stored
  Put16(h, 0);
  Put16(h, kDosDate);
  Put32(h, 0);
  Put32(h, 0);
  Put32(h, 0);
  Put16(h, static_cast<uint16_t>(name.size()));
  Put16(h, 0);
  h += name;
  return Emit(h);
}

Status ZipWriter::Write(std::string_view bytes) {
  crc_ = Crc32Update(crc_, bytes);
  size_ += bytes.size();
  if (size_ >= 0xffffffffu) return Status::ResourceExhausted("zip: entry over 4 GiB (no zip64)");
  return Emit(bytes);
}

Status ZipWriter::EndEntry() {
  if (!open_) return Status::Internal("zip: no open entry");
  std::string d;
  Put32(d, 0x08074b50);
  Put32(d, crc_);
  Put32(d, static_cast<uint32_t>(size_));
  Put32(d, static_cast<uint32_t>(size_));
  VIGIL_RETURN_IF_ERROR(Emit(d));
  central_.push_back(
      {name_, crc_, static_cast<uint32_t>(size_), static_cast<uint32_t>(entry_offset_)});
  regions_.push_back({name_, entry_offset_, offset_ - entry_offset_});
  open_ = false;
  return Status::Ok();
}

Status ZipWriter::Finish() {
  if (open_) return Status::Internal("zip: entry still open");
  if (offset_ > 0xffffffffu) return Status::ResourceExhausted("zip: over 4 GiB (no zip64)");
  const uint64_t cd_start = offset_;
  std::string c;
  for (const Central& e : central_) {
    Put32(c, 0x02014b50);
    Put16(c, 20);
    Put16(c, 20);
    Put16(c, kFlags);
    Put16(c, 0);
    Put16(c, 0);
    Put16(c, kDosDate);
    Put32(c, e.crc);
    Put32(c, e.size);
    Put32(c, e.size);
    Put16(c, static_cast<uint16_t>(e.name.size()));
    Put16(c, 0);
    Put16(c, 0);
    Put16(c, 0);
    Put16(c, 0);
    Put32(c, 0);
    Put32(c, e.offset);
    c += e.name;
  }
  const uint32_t cd_size = static_cast<uint32_t>(c.size());
  Put32(c, 0x06054b50);
  Put16(c, 0);
  Put16(c, 0);
  Put16(c, static_cast<uint16_t>(central_.size()));
  Put16(c, static_cast<uint16_t>(central_.size()));
  Put32(c, cd_size);
  Put32(c, static_cast<uint32_t>(cd_start));
  Put16(c, 0);
  VIGIL_RETURN_IF_ERROR(Emit(c));
  regions_.push_back({"central directory", cd_start, offset_ - cd_start});
  return Status::Ok();
}

}  // namespace vigil::evidence::internal
