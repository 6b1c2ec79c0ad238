// vPDQ hashing: FFmpeg demux/decode, 1 fps sampling, PDQ per kept frame.
#include "vigil/media/video.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace vigil::media {
namespace {

using Clock = std::chrono::steady_clock;

// Demuxers vigil accepts. Everything else (playlists such as hls and concat,
// image sequences, subtitle and audio formats, exotic demuxers) is refused
// before any parsing: less attack surface, and no demuxer that opens further
// files or URLs. Matched against any name in the demuxer's comma list.
constexpr std::string_view kAllowedDemuxers[] = {
    "mov", "matroska", "avi",  "flv",  "mpegts", "mpeg",      "ogg",
    "asf", "ivf",      "h264", "hevc", "m4v",    "mpegvideo",
};

constexpr int kIoBufferBytes = 64 * 1024;

struct FormatCloser {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct CodecFreer {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameFreer {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketFreer {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsFreer {
  void operator()(SwsContext* p) const { sws_freeContext(p); }
};
struct IoFreer {
  void operator()(AVIOContext* p) const {
    av_freep(&p->buffer);  // libavformat may have replaced the buffer we gave it
    avio_context_free(&p);
  }
};
struct AvFreer {
  void operator()(uint8_t* p) const { av_free(p); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

void DiscardLog(void*, int, const char*, va_list) {}

void SilenceFfmpeg() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_level(AV_LOG_QUIET);
    av_log_set_callback(DiscardLog);
  });
}

std::string AvError(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

bool IsAllowedDemuxer(std::string_view names) {
  while (!names.empty()) {
    const size_t comma = names.find(',');
    const std::string_view name = names.substr(0, comma);
    if (std::find(std::begin(kAllowedDemuxers), std::end(kAllowedDemuxers), name) !=
        std::end(kAllowedDemuxers)) {
      return true;
    }
    if (comma == std::string_view::npos) break;
    names.remove_prefix(comma + 1);
  }
  return false;
}

// Random-access bytes behind the custom AVIOContext.
class Source {
 public:
  virtual ~Source() = default;
  // Up to n bytes into buf; 0 at the end; -1 on an I/O error.
  virtual int Read(uint8_t* buf, int n) = 0;
  // New position, or -1.
  virtual int64_t Seek(int64_t offset, int whence) = 0;
  virtual int64_t Size() const = 0;
};

class MemorySource final : public Source {
 public:
  explicit MemorySource(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  int Read(uint8_t* buf, int n) override {
    const size_t left = bytes_.size() - pos_;
    const size_t take = std::min(left, static_cast<size_t>(n));
    std::memcpy(buf, bytes_.data() + pos_, take);
    pos_ += take;
    return static_cast<int>(take);
  }
  int64_t Seek(int64_t offset, int whence) override {
    int64_t base = 0;
    if (whence == SEEK_CUR) base = static_cast<int64_t>(pos_);
    if (whence == SEEK_END) base = Size();
    const int64_t to = base + offset;
    if (to < 0 || to > Size()) return -1;
    pos_ = static_cast<size_t>(to);
    return to;
  }
  int64_t Size() const override { return static_cast<int64_t>(bytes_.size()); }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

class FileSource final : public Source {
 public:
  FileSource(std::unique_ptr<std::FILE, FileCloser> file, int64_t size)
      : file_(std::move(file)), size_(size) {}
  int Read(uint8_t* buf, int n) override {
    const size_t got = std::fread(buf, 1, static_cast<size_t>(n), file_.get());
    if (got == 0 && std::ferror(file_.get())) return -1;
    return static_cast<int>(got);
  }
  // Like MemorySource, refuses to move past the end: demuxers then see a
  // truncated file as an error instead of a quiet end of stream.
  int64_t Seek(int64_t offset, int whence) override {
    int64_t base = 0;
    if (whence == SEEK_CUR) base = ftello(file_.get());
    if (whence == SEEK_END) base = size_;
    const int64_t to = base + offset;
    if (base < 0 || to < 0 || to > size_ || fseeko(file_.get(), to, SEEK_SET) != 0) return -1;
    return to;
  }
  int64_t Size() const override { return size_; }

 private:
  std::unique_ptr<std::FILE, FileCloser> file_;
  int64_t size_;
};

// Shared with FFmpeg's callbacks through an opaque pointer.
struct IoState {
  Source* source = nullptr;
  Clock::time_point deadline;
  bool over_budget = false;
  bool io_error = false;

  bool Expired() {
    if (!over_budget && Clock::now() >= deadline) over_budget = true;
    return over_budget;
  }
};

int ReadCallback(void* opaque, uint8_t* buf, int n) {
  auto* s = static_cast<IoState*>(opaque);
  if (s->Expired()) return AVERROR_EXIT;
  const int got = s->source->Read(buf, n);
  if (got < 0) {
    s->io_error = true;
    return AVERROR(EIO);
  }
  return got == 0 ? AVERROR_EOF : got;
}

int64_t SeekCallback(void* opaque, int64_t offset, int whence) {
  auto* s = static_cast<IoState*>(opaque);
  if (whence & AVSEEK_SIZE) return s->source->Size();
  const int64_t to = s->source->Seek(offset, whence & ~AVSEEK_FORCE);
  return to < 0 ? AVERROR(EINVAL) : to;
}

int InterruptCallback(void* opaque) { return static_cast<IoState*>(opaque)->Expired() ? 1 : 0; }

// Demuxers that reference other files (dref atoms, playlists) must not reach
// the file system or network.
int RefuseIoOpen(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) {
  return AVERROR(EPERM);
}

bool IsJpegRange(int format) {
  switch (format) {
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_YUVJ440P:
    case AV_PIX_FMT_YUVJ411P:
      return true;
    default:
      return false;
  }
}

// Clockwise rotation that makes the stream upright, as the ffmpeg CLI's
// autorotate computes it: 0, 90, 180 or 270.
int DisplayRotation(const AVStream& st) {
  size_t size = 0;
  const uint8_t* m = av_stream_get_side_data(&st, AV_PKT_DATA_DISPLAYMATRIX, &size);
  if (m == nullptr || size < 9 * sizeof(int32_t)) return 0;
  int32_t matrix[9];
  std::memcpy(matrix, m, sizeof matrix);
  const double ccw = av_display_rotation_get(matrix);
  if (std::isnan(ccw)) return 0;
  const int cw = static_cast<int>(std::lround(-ccw));
  const int quarter = ((cw % 360) + 360 + 45) % 360 / 90;
  return quarter * 90;
}

// Rotates a w*h plane clockwise by `degrees`; w/h are updated.
void Rotate(const std::vector<float>& in, int& w, int& h, int degrees, std::vector<float>& out) {
  out.resize(in.size());
  const int ow = degrees == 180 ? w : h;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int ox = x;
      int oy = y;
      if (degrees == 90) {
        ox = h - 1 - y;
        oy = x;
      } else if (degrees == 180) {
        ox = w - 1 - x;
        oy = h - 1 - y;
      } else {  // 270
        ox = y;
        oy = w - 1 - x;
      }
      out[static_cast<size_t>(oy) * ow + ox] = in[static_cast<size_t>(y) * w + x];
    }
  }
  if (degrees != 180) std::swap(w, h);
}

class VideoHasher {
 public:
  VideoHasher(const VideoOptions& options, Source& source, std::string name)
      : options_(options), name_(std::move(name)) {
    io_state_.source = &source;
    // Clamped so that "no budget" (milliseconds::max()) cannot overflow.
    constexpr std::chrono::milliseconds kMaxBudget = std::chrono::hours(24 * 365);
    io_state_.deadline = Clock::now() + std::min(options.time_budget, kMaxBudget);
  }

  Result<VideoHash> Run() {
    if (Status s = Open(); !s.ok()) return s;
    if (Status s = Decode(); !s.ok()) return s;
    if (out_.frames.empty()) {
      return Status::Corrupt(name_ + ": no decodable video frame (" +
                             std::to_string(out_.decode_errors) + " decoder errors)");
    }
    if (out_.duration_seconds <= 0) out_.duration_seconds = last_seconds_;
    return std::move(out_);
  }

 private:
  // A failure from FFmpeg, attributed to the budget or the OS when they caused it.
  Status FfmpegFailure(StatusCode otherwise, const std::string& what, int err) {
    if (io_state_.over_budget) return BudgetExceeded();
    if (io_state_.io_error) return Status::IoError(name_ + ": read failed");
    return Status(otherwise, name_ + ": " + what + ": " + AvError(err));
  }

  Status BudgetExceeded() const {
    return Status::ResourceExhausted(name_ + ": time budget of " +
                                     std::to_string(options_.time_budget.count()) +
                                     " ms exceeded (max_file_seconds)");
  }

  Status Open() {
    uint8_t* buffer = static_cast<uint8_t*>(av_malloc(kIoBufferBytes));
    if (buffer == nullptr) return Status::Internal(name_ + ": out of memory");
    io_.reset(avio_alloc_context(buffer, kIoBufferBytes, 0, &io_state_, ReadCallback, nullptr,
                                 SeekCallback));
    if (!io_) {
      av_free(buffer);
      return Status::Internal(name_ + ": out of memory");
    }

    const AVInputFormat* format = nullptr;
    int err = av_probe_input_buffer2(io_.get(), &format, "", nullptr, 0, 0);
    if (err < 0 || format == nullptr) {
      return FfmpegFailure(StatusCode::kUnsupported, "not a recognised video container", err);
    }
    if (!IsAllowedDemuxer(format->name)) {
      return Status::Unsupported(name_ + ": container '" + format->name +
                                 "' is not a supported video format");
    }
    out_.container = format->name;

    AVFormatContext* ctx = avformat_alloc_context();
    if (ctx == nullptr) return Status::Internal(name_ + ": out of memory");
    ctx->pb = io_.get();
    ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
    ctx->interrupt_callback = {InterruptCallback, &io_state_};
    ctx->io_open = RefuseIoOpen;
    err = avformat_open_input(&ctx, "", format, nullptr);  // frees ctx on failure
    if (err < 0) {
      return FfmpegFailure(StatusCode::kCorrupt,
                           std::string(format->name) + " container does not parse", err);
    }
    fmt_.reset(ctx);
    err = avformat_find_stream_info(fmt_.get(), nullptr);
    if (err < 0) return FfmpegFailure(StatusCode::kCorrupt, "cannot read stream info", err);

    Status s = PickStream();
    if (!s.ok()) return s;
    return OpenDecoder();
  }

  Status PickStream() {
    // Cover art is a video stream too; skip it. Prefer a stream we can decode,
    // then the default one, then the largest.
    int64_t best_score = -1;
    // Other streams are still demuxed (not decoded): their timestamps tell a
    // complete file from a truncated one.
    for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
      AVStream* st = fmt_->streams[i];
      const AVCodecParameters* par = st->codecpar;
      if (par->codec_type != AVMEDIA_TYPE_VIDEO) continue;
      if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) {
        st->discard = AVDISCARD_ALL;
        continue;
      }
      const int64_t area = std::clamp<int64_t>(int64_t{par->width} * par->height, 0, 1ll << 40);
      const int64_t score = (avcodec_find_decoder(par->codec_id) != nullptr ? 1ll << 42 : 0) +
                            ((st->disposition & AV_DISPOSITION_DEFAULT) ? 1ll << 41 : 0) + area;
      if (score > best_score) {
        best_score = score;
        stream_ = st;
      }
    }
    if (stream_ == nullptr) {
      return Status::Unsupported(name_ + ": no video stream (audio only or cover art only)");
    }
    const AVCodecParameters* par = stream_->codecpar;
    out_.codec = avcodec_get_name(par->codec_id);
    out_.width = par->width;
    out_.height = par->height;
    if (Status s = CheckPixels(par->width, par->height); !s.ok()) return s;
    if (fmt_->duration != AV_NOPTS_VALUE && fmt_->duration > 0) {
      out_.duration_seconds = static_cast<double>(fmt_->duration) / AV_TIME_BASE;
      if (fmt_->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE) {
        declared_seconds_ = out_.duration_seconds;
      }
    } else if (stream_->duration != AV_NOPTS_VALUE && stream_->duration > 0) {
      out_.duration_seconds = static_cast<double>(stream_->duration) * av_q2d(stream_->time_base);
    }
    if (out_.duration_seconds > options_.max_seconds) {
      return Status::ResourceExhausted(name_ + ": video lasts " +
                                       std::to_string(out_.duration_seconds) + " s, over " +
                                       std::to_string(options_.max_seconds) + " s");
    }
    if (options_.autorotate) out_.rotation = DisplayRotation(*stream_);
    return Status::Ok();
  }

  Status CheckPixels(int w, int h) const {
    if (int64_t{w} * h > static_cast<int64_t>(std::min<uint64_t>(
                             options_.limits.max_pixels, std::numeric_limits<int64_t>::max()))) {
      return Status::ResourceExhausted(name_ + ": frame of " + std::to_string(w) + "x" +
                                       std::to_string(h) + " exceeds " +
                                       std::to_string(options_.limits.max_pixels) + " pixels");
    }
    return Status::Ok();
  }

  Status OpenDecoder() {
    const AVCodec* decoder = avcodec_find_decoder(stream_->codecpar->codec_id);
    if (decoder == nullptr) {
      return Status::Unsupported(name_ + ": no decoder for video codec " + out_.codec);
    }
    codec_.reset(avcodec_alloc_context3(decoder));
    if (!codec_) return Status::Internal(name_ + ": out of memory");
    int err = avcodec_parameters_to_context(codec_.get(), stream_->codecpar);
    if (err < 0) return FfmpegFailure(StatusCode::kCorrupt, "bad codec parameters", err);
    codec_->pkt_timebase = stream_->time_base;
    codec_->thread_count = std::max(0, options_.decoder_threads);
    codec_->max_pixels = static_cast<int64_t>(
        std::min<uint64_t>(options_.limits.max_pixels, std::numeric_limits<int32_t>::max()));
    err = avcodec_open2(codec_.get(), decoder, nullptr);
    if (err < 0) {
      return FfmpegFailure(StatusCode::kUnsupported, "cannot open " + out_.codec + " decoder", err);
    }
    packet_.reset(av_packet_alloc());
    frame_.reset(av_frame_alloc());
    if (!packet_ || !frame_) return Status::Internal(name_ + ": out of memory");
    return Status::Ok();
  }

  Status Decode() {
    for (;;) {
      if (io_state_.Expired()) return BudgetExceeded();
      const int err = av_read_frame(fmt_.get(), packet_.get());
      if (err == AVERROR_EOF) break;
      if (err == AVERROR(EAGAIN)) continue;
      if (err < 0) {
        if (io_state_.over_budget || io_state_.io_error) {
          return FfmpegFailure(StatusCode::kCorrupt, "demuxing failed", err);
        }
        VIGIL_RETURN_IF_ERROR(Truncated("demuxing failed after " +
                                        std::to_string(out_.decoded_frames) +
                                        " frames: " + AvError(err)));
        break;
      }
      NoteDataEnd(*packet_);
      if (packet_->stream_index != stream_->index) {
        av_packet_unref(packet_.get());
        continue;
      }
      ++video_packets_;
      const int sent = avcodec_send_packet(codec_.get(), packet_.get());
      av_packet_unref(packet_.get());
      if (sent < 0 && sent != AVERROR(EAGAIN)) ++out_.decode_errors;
      VIGIL_RETURN_IF_ERROR(Drain());
    }
    avcodec_send_packet(codec_.get(), nullptr);  // flush delayed frames
    VIGIL_RETURN_IF_ERROR(Drain());
    // Demuxers (mov, matroska, avi) report a file cut short as a normal end
    // of stream. A complete file has some stream reaching the duration its
    // header declares, and as many video packets as its index lists.
    if (out_.truncated) return Status::Ok();
    if (declared_seconds_ > 0 &&
        data_end_seconds_ < declared_seconds_ - std::max(1.0, 0.05 * declared_seconds_)) {
      return Truncated("data ends at " + std::to_string(data_end_seconds_) + " s of the " +
                       std::to_string(declared_seconds_) + " s the header declares");
    }
    const int64_t listed = stream_->nb_frames;
    if (listed > 0 && video_packets_ + std::max<int64_t>(2, listed / 20) < listed) {
      return Truncated(std::to_string(video_packets_) + " of the " + std::to_string(listed) +
                       " video packets the header lists");
    }
    return Status::Ok();
  }

  Status Truncated(const std::string& why) {
    if (!options_.allow_truncated) return Status::Corrupt(name_ + ": truncated: " + why);
    out_.truncated = true;
    return Status::Ok();
  }

  void NoteDataEnd(const AVPacket& p) {
    const int64_t ts = p.pts != AV_NOPTS_VALUE ? p.pts : p.dts;
    if (ts == AV_NOPTS_VALUE) return;
    const AVStream* st = fmt_->streams[p.stream_index];
    const double start = fmt_->start_time != AV_NOPTS_VALUE
                             ? static_cast<double>(fmt_->start_time) / AV_TIME_BASE
                             : 0.0;
    const double end =
        static_cast<double>(ts + std::max<int64_t>(0, p.duration)) * av_q2d(st->time_base) - start;
    data_end_seconds_ = std::max(data_end_seconds_, end);
  }

  Status Drain() {
    for (;;) {
      const int err = avcodec_receive_frame(codec_.get(), frame_.get());
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return Status::Ok();
      if (err < 0) {
        ++out_.decode_errors;
        return Status::Ok();
      }
      Status s = OnFrame(*frame_);
      av_frame_unref(frame_.get());
      if (!s.ok()) return s;
    }
  }

  Status OnFrame(const AVFrame& f) {
    const int64_t index = out_.decoded_frames++;
    if (out_.decoded_frames > options_.max_frames) {
      return Status::ResourceExhausted(name_ + ": more than " +
                                       std::to_string(options_.max_frames) + " frames");
    }
    VIGIL_RETURN_IF_ERROR(CheckPixels(f.width, f.height));
    if (f.width <= 0 || f.height <= 0) {
      ++out_.decode_errors;
      return Status::Ok();
    }

    double t = 0;
    const int64_t pts = f.best_effort_timestamp;
    if (pts != AV_NOPTS_VALUE) {
      if (origin_ == AV_NOPTS_VALUE) {
        origin_ = stream_->start_time != AV_NOPTS_VALUE ? stream_->start_time : pts;
      }
      t = static_cast<double>(pts - origin_) * av_q2d(stream_->time_base);
    } else {
      double fps = av_q2d(stream_->avg_frame_rate);
      if (!(fps > 0)) fps = av_q2d(stream_->r_frame_rate);
      if (!(fps > 0)) fps = 25;
      t = static_cast<double>(index) / fps;
    }
    last_seconds_ = std::max(last_seconds_, t);
    if (t > options_.max_seconds) {
      return Status::ResourceExhausted(name_ + ": video runs past " +
                                       std::to_string(options_.max_seconds) + " s");
    }
    // Timestamps such as 1001/1000 s round a hair below whole seconds.
    constexpr double kEpsilon = 1e-6;
    if (t + kEpsilon < next_sample_seconds_) return Status::Ok();
    next_sample_seconds_ = std::floor(t + kEpsilon) + 1;
    return HashFrame(f, index, t);
  }

  Status HashFrame(const AVFrame& f, int64_t index, double t) {
    int w = f.width;
    int h = f.height;
    const int long_side = std::max(w, h);
    if (options_.max_side > 0 && long_side > options_.max_side) {
      const double scale = static_cast<double>(options_.max_side) / long_side;
      w = std::max(1, static_cast<int>(std::lround(w * scale)));
      h = std::max(1, static_cast<int>(std::lround(h * scale)));
    }
    sws_.reset(sws_getCachedContext(sws_.release(), f.width, f.height,
                                    static_cast<AVPixelFormat>(f.format), w, h, AV_PIX_FMT_RGB24,
                                    SWS_AREA, nullptr, nullptr, nullptr));
    if (!sws_) {
      const char* fmt_name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(f.format));
      return Status::Unsupported(name_ + ": cannot convert pixel format " +
                                 (fmt_name != nullptr ? fmt_name : "?") + " to RGB");
    }
    // Decoders tag the YUV matrix and range per frame; swscale assumes BT.601
    // limited range unless told. AVColorSpace values are the SWS_CS_* values.
    const int full_range = f.color_range == AVCOL_RANGE_JPEG || IsJpegRange(f.format);
    // A damaged stream can carry any number in the colorspace field; read it
    // as a plain int (not the enum) and let unknown values mean the default.
    int colorspace;
    std::memcpy(&colorspace, &f.colorspace, sizeof colorspace);
    if (colorspace < 0 || colorspace >= AVCOL_SPC_NB) colorspace = SWS_CS_DEFAULT;
    sws_setColorspaceDetails(sws_.get(), sws_getCoefficients(colorspace), full_range,
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);

    const int row = w * 3;
    const int stride = (row + 63) & ~63;
    const size_t need = static_cast<size_t>(stride) * h + 64;
    if (rgb_capacity_ < need) {
      rgb_.reset(static_cast<uint8_t*>(av_malloc(need)));
      rgb_capacity_ = rgb_ ? need : 0;
      if (!rgb_) return Status::Internal(name_ + ": out of memory");
    }
    uint8_t* dst[4] = {rgb_.get(), nullptr, nullptr, nullptr};
    int dst_stride[4] = {stride, 0, 0, 0};
    if (sws_scale(sws_.get(), f.data, f.linesize, 0, f.height, dst, dst_stride) != h) {
      ++out_.decode_errors;
      return Status::Ok();
    }
    for (int y = 1; y < h; ++y) {  // pack rows for RgbToLuma
      std::memmove(rgb_.get() + static_cast<size_t>(y) * row,
                   rgb_.get() + static_cast<size_t>(y) * stride, row);
    }
    const size_t pixels = static_cast<size_t>(w) * h;
    luma_.resize(pixels);
    RgbToLuma(std::span<const uint8_t>(rgb_.get(), pixels * 3), w, h, luma_);
    if (out_.rotation != 0) {
      Rotate(luma_, w, h, out_.rotation, rotated_);
      luma_.swap(rotated_);
    }
    const PdqHash pdq = PdqFromLuma(luma_, w, h);
    out_.frames.push_back({index, t, pdq.hash, pdq.quality});
    return Status::Ok();
  }

  const VideoOptions& options_;
  const std::string name_;
  IoState io_state_;
  // Declaration order is destruction order reversed: fmt_ uses io_.
  std::unique_ptr<AVIOContext, IoFreer> io_;
  std::unique_ptr<AVFormatContext, FormatCloser> fmt_;
  std::unique_ptr<AVCodecContext, CodecFreer> codec_;
  std::unique_ptr<AVPacket, PacketFreer> packet_;
  std::unique_ptr<AVFrame, FrameFreer> frame_;
  std::unique_ptr<SwsContext, SwsFreer> sws_;
  std::unique_ptr<uint8_t, AvFreer> rgb_;
  size_t rgb_capacity_ = 0;
  std::vector<float> luma_;
  std::vector<float> rotated_;
  AVStream* stream_ = nullptr;  // owned by fmt_
  int64_t origin_ = AV_NOPTS_VALUE;
  double next_sample_seconds_ = 0;
  double last_seconds_ = 0;
  int64_t video_packets_ = 0;
  double declared_seconds_ = 0;  // container duration, when read from its header
  double data_end_seconds_ = 0;  // latest packet end seen, any stream
  VideoHash out_;
};

Status CheckSize(const std::string& name, uint64_t size, const VideoOptions& options) {
  if (size == 0) return Status::Corrupt(name + ": empty file");
  if (size > options.limits.max_media_bytes) {
    return Status::ResourceExhausted(name + ": " + std::to_string(size) + " bytes exceeds " +
                                     std::to_string(options.limits.max_media_bytes));
  }
  return Status::Ok();
}

}  // namespace

Result<VideoHash> HashVideoBytes(std::span<const uint8_t> bytes, const VideoOptions& options) {
  SilenceFfmpeg();
  const std::string name = "<memory>";
  VIGIL_RETURN_IF_ERROR(CheckSize(name, bytes.size(), options));
  MemorySource source(bytes);
  return VideoHasher(options, source, name).Run();
}

Result<VideoHash> HashVideo(const std::filesystem::path& path, const VideoOptions& options) {
  SilenceFfmpeg();
  const std::string name = path.string();
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) {
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return Status::IoError(name + ": " + ec.message());
    }
    return Status::NotFound(name + ": no such file");
  }
  if (!std::filesystem::is_regular_file(st)) return Status::IoError(name + ": not a regular file");
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return Status::IoError(name + ": " + std::strerror(errno));
  if (fseeko(file.get(), 0, SEEK_END) != 0) return Status::IoError(name + ": cannot seek");
  const int64_t size = ftello(file.get());
  if (size < 0 || fseeko(file.get(), 0, SEEK_SET) != 0) {
    return Status::IoError(name + ": cannot seek");
  }
  VIGIL_RETURN_IF_ERROR(CheckSize(name, static_cast<uint64_t>(size), options));
  FileSource source(std::move(file), size);
  return VideoHasher(options, source, name).Run();
}

}  // namespace vigil::media
