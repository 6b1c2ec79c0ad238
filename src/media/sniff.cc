// Type sniffing by magic bytes. Only the first bytes are read; a name or a
// declared mime is never trusted.
#include <algorithm>
#include <cstring>
#include <string_view>

#include "src/media/formats.h"
#include "vigil/media/inspect.h"

namespace vigil::media {
namespace {

bool StartsWith(std::span<const uint8_t> b, size_t at, std::string_view magic) {
  return b.size() >= at + magic.size() &&
         std::memcmp(b.data() + at, magic.data(), magic.size()) == 0;
}

uint32_t Le32(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint32_t>(b[at]) | static_cast<uint32_t>(b[at + 1]) << 8 |
         static_cast<uint32_t>(b[at + 2]) << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}

uint32_t Be32(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint32_t>(b[at]) << 24 | static_cast<uint32_t>(b[at + 1]) << 16 |
         static_cast<uint32_t>(b[at + 2]) << 8 | static_cast<uint32_t>(b[at + 3]);
}

// ISO base media (ftyp box): the major brand and compatible brands decide
// between HEIC, AVIF, QuickTime, 3GP and MP4.
std::string SniffFtyp(std::span<const uint8_t> b) {
  const uint32_t box = Be32(b, 0);
  const size_t end = std::min<size_t>(b.size(), box >= 16 ? box : 16);
  auto has_brand = [&](std::string_view brand) {
    if (StartsWith(b, 8, brand)) return true;
    for (size_t at = 16; at + 4 <= end; at += 4) {
      if (StartsWith(b, at, brand)) return true;
    }
    return false;
  };
  if (StartsWith(b, 8, "avif") || StartsWith(b, 8, "avis")) return "avif";
  for (std::string_view brand : {"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"}) {
    if (StartsWith(b, 8, brand)) return has_brand("avif") ? "avif" : "heic";
  }
  if (StartsWith(b, 8, "qt  ")) return "mov";
  if (StartsWith(b, 8, "3gp") || StartsWith(b, 8, "3g2")) return "3gp";
  if (StartsWith(b, 8, "M4A ")) return "m4a";
  return "mp4";
}

// MPEG transport stream: the 0x47 sync byte opens every packet, 188 bytes
// apart (192 in Blu-ray M2TS, after a 4-byte timestamp). One 'G' is too weak
// (a text file may start with it): at least 3 packets must line up, and every
// packet the head holds, up to 5.
bool IsTransportStream(std::span<const uint8_t> b, size_t first, size_t stride) {
  constexpr size_t kMinPackets = 3, kMaxPackets = 5;
  if (b.size() <= first) return false;
  const size_t packets = std::min(kMaxPackets, (b.size() - first + stride - 1) / stride);
  if (packets < kMinPackets) return false;
  for (size_t i = 0; i < packets; ++i) {
    if (b[first + i * stride] != 0x47) return false;
  }
  return true;
}

bool IsMp3FrameSync(std::span<const uint8_t> b) {
  if (b.size() < 4 || b[0] != 0xFF || (b[1] & 0xE0) != 0xE0) return false;
  const int version = (b[1] >> 3) & 3;    // 1 is reserved
  const int layer = (b[1] >> 1) & 3;      // 0 is reserved (and ADTS AAC)
  const int bitrate = (b[2] >> 4) & 0xF;  // 15 is invalid
  const int rate = (b[2] >> 2) & 3;       // 3 is reserved
  return version != 1 && layer != 0 && bitrate != 15 && rate != 3;
}

}  // namespace

std::string SniffType(std::span<const uint8_t> b) {
  if (StartsWith(b, 0, "\xFF\xD8\xFF")) return "jpeg";
  if (StartsWith(b, 0, "\x89PNG\r\n\x1a\n")) return "png";
  if (StartsWith(b, 0, "GIF87a") || StartsWith(b, 0, "GIF89a")) return "gif";
  if (StartsWith(b, 0, "RIFF") && b.size() >= 12) {
    if (StartsWith(b, 8, "WEBP")) return "webp";
    if (StartsWith(b, 8, "WAVE")) return "wav";
    if (StartsWith(b, 8, "AVI ")) return "avi";
  }
  // "BM" alone is too weak (a text file may start with it): also require a
  // known DIB header size.
  if (StartsWith(b, 0, "BM") && b.size() >= 18) {
    const uint32_t dib = Le32(b, 14);
    if (dib == 12 || dib == 16 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 ||
        dib == 124) {
      return "bmp";
    }
  }
  if (StartsWith(b, 0, std::string_view("II*\0", 4)) ||
      StartsWith(b, 0, std::string_view("MM\0*", 4))) {
    return "tiff";
  }
  if (StartsWith(b, 4, "ftyp") && b.size() >= 12) return SniffFtyp(b);
  if (StartsWith(b, 0, "\x1A\x45\xDF\xA3")) {
    const size_t n = std::min<size_t>(b.size(), 64);
    const std::string_view head(reinterpret_cast<const char*>(b.data()), n);
    return head.find("webm") != std::string_view::npos ? "webm" : "mkv";
  }
  if (StartsWith(b, 0, "OggS")) return "ogg";
  if (StartsWith(b, 0, "FLV\x01")) return "flv";
  if (StartsWith(b, 0, "DKIF")) return "ivf";
  // ASF (WMV, WMA): the header object's GUID 75B22630-668E-11CF-A6D9-00AA0062CE6C.
  constexpr std::string_view kAsfHeader(
      "\x30\x26\xB2\x75\x8E\x66\xCF\x11\xA6\xD9\x00\xAA\x00\x62\xCE\x6C", 16);
  if (StartsWith(b, 0, kAsfHeader)) return "asf";
  if (IsTransportStream(b, 0, 188) || IsTransportStream(b, 4, 192)) return "ts";
  if (StartsWith(b, 0, "ID3") || IsMp3FrameSync(b)) return "mp3";
  if (StartsWith(b, 0, "%PDF-")) return "pdf";
  if (StartsWith(b, 0, "PK\x03\x04") || StartsWith(b, 0, "PK\x05\x06")) return "zip";
  return "unknown";
}

std::string_view MimeForType(std::string_view type) {
  static constexpr std::pair<std::string_view, std::string_view> kMimes[] = {
      {"jpeg", "image/jpeg"},     {"png", "image/png"},        {"gif", "image/gif"},
      {"webp", "image/webp"},     {"bmp", "image/bmp"},        {"tiff", "image/tiff"},
      {"heic", "image/heic"},     {"avif", "image/avif"},      {"mp4", "video/mp4"},
      {"mov", "video/quicktime"}, {"3gp", "video/3gpp"},       {"m4a", "audio/mp4"},
      {"webm", "video/webm"},     {"mkv", "video/x-matroska"}, {"ogg", "audio/ogg"},
      {"mp3", "audio/mpeg"},      {"wav", "audio/wav"},        {"avi", "video/x-msvideo"},
      {"pdf", "application/pdf"}, {"zip", "application/zip"},  {"flv", "video/x-flv"},
      {"ts", "video/mp2t"},       {"asf", "video/x-ms-asf"},   {"ivf", "video/x-ivf"},
  };
  for (const auto& [t, mime] : kMimes) {
    if (t == type) return mime;
  }
  return "application/octet-stream";
}

}  // namespace vigil::media
