// PNG through libpng's progressive-free read API with transforms:
// palette -> RGB, grey < 8 bit -> 8 bit, 16 -> 8 bit (scaled), alpha
// stripped, interlace handled by libpng's pass combining.
//
// libpng reports errors by longjmp. RunPng holds only plain C data between
// its setjmp and the libpng calls (everything lives in PngJob), so no C++
// destructor can be skipped; the one C++ step (allocating the pixel vector)
// runs in a callback that returns normally and never throws.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "src/media/decoders.h"
#include "src/media/formats.h"

namespace vigil::media {
namespace {

enum class PngOutcome { kOk, kCorrupt, kOverLimit, kOutOfMemory, kUnexpectedFormat, kTimedOut };

struct PngJob {
  // Input.
  const uint8_t* data;
  size_t size;
  size_t pos;
  png_uint_32 max_side;
  uint64_t max_pixels;
  const Deadline* deadline;  // asked every kRowsPerCheck rows
  // Called once with the output geometry; returns the w*h*channels buffer or
  // nullptr when it cannot be had.
  uint8_t* (*allocate)(void* ctx, png_uint_32 w, png_uint_32 h, int channels);
  void* ctx;
  // Output.
  PngOutcome outcome;
  char error[200];
  bool over_user_limit;
  png_uint_32 width;
  png_uint_32 height;
};

void PngReadFn(png_structp png, png_bytep out, size_t n) {
  auto* job = static_cast<PngJob*>(png_get_io_ptr(png));
  if (n > job->size - job->pos) png_error(png, "file ends early (truncated)");
  std::memcpy(out, job->data + job->pos, n);
  job->pos += n;
}

[[noreturn]] void PngErrorFn(png_structp png, png_const_charp msg) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  std::snprintf(job->error, sizeof job->error, "%s", msg);
  png_longjmp(png, 1);
}

void PngWarningFn(png_structp png, png_const_charp msg) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  if (std::strstr(msg, "exceeds user limit") != nullptr) job->over_user_limit = true;
}

void RunPng(PngJob* job) {
  job->outcome = PngOutcome::kCorrupt;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job, PngErrorFn, PngWarningFn);
  if (png == nullptr) {
    job->outcome = PngOutcome::kOutOfMemory;
    return;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    job->outcome = PngOutcome::kOutOfMemory;
    return;
  }
  if (setjmp(png_jmpbuf(png))) {
    if (job->width == 0) {
      job->width = png_get_image_width(png, info);
      job->height = png_get_image_height(png, info);
    }
    png_destroy_read_struct(&png, &info, nullptr);
    return;  // outcome stays kCorrupt
  }
  png_set_read_fn(png, job, PngReadFn);
  png_set_user_limits(png, job->max_side, job->max_side);
  png_set_chunk_malloc_max(png, 8u << 20);  // ancillary chunks (iCCP, text)
  png_read_info(png, info);
  const png_uint_32 w = png_get_image_width(png, info);
  const png_uint_32 h = png_get_image_height(png, info);
  job->width = w;
  job->height = h;
  if (static_cast<uint64_t>(w) * h > job->max_pixels) {
    png_destroy_read_struct(&png, &info, nullptr);
    job->outcome = PngOutcome::kOverLimit;
    return;
  }
  const int color_type = png_get_color_type(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16) png_set_scale_16(png);
  png_set_strip_alpha(png);
  const int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const int channels = png_get_channels(png, info);
  if (png_get_bit_depth(png, info) != 8 || (channels != 1 && channels != 3) ||
      png_get_rowbytes(png, info) != static_cast<size_t>(w) * channels) {
    png_destroy_read_struct(&png, &info, nullptr);
    job->outcome = PngOutcome::kUnexpectedFormat;
    return;
  }
  uint8_t* pixels = job->allocate(job->ctx, w, h, channels);
  if (pixels == nullptr) {
    png_destroy_read_struct(&png, &info, nullptr);
    job->outcome = PngOutcome::kOutOfMemory;
    return;
  }
  // With interlace handling each pass merges into the rows already read, so
  // the full-image rows are passed every time.
  constexpr png_uint_32 kRowsPerCheck = 64;
  for (int pass = 0; pass < passes; ++pass) {
    for (png_uint_32 y = 0; y < h; ++y) {
      if (y % kRowsPerCheck == 0 && job->deadline->Expired()) {
        png_destroy_read_struct(&png, &info, nullptr);
        job->outcome = PngOutcome::kTimedOut;
        return;
      }
      png_read_row(png, pixels + static_cast<size_t>(y) * w * channels, nullptr);
    }
  }
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  job->outcome = PngOutcome::kOk;
}

struct AllocContext {
  Image* image;
  Status status;
};

uint8_t* AllocatePng(void* ctx, png_uint_32 w, png_uint_32 h, int channels) {
  auto* c = static_cast<AllocContext*>(ctx);
  c->status = AllocateImage(static_cast<int>(w), static_cast<int>(h), channels, *c->image);
  return c->status.ok() ? c->image->pixels.data() : nullptr;
}

}  // namespace

Result<Image> DecodePng(std::span<const uint8_t> b, const DecodeOptions& options) {
  Image image;
  AllocContext alloc{&image, Status::Ok()};
  PngJob job{};
  job.data = b.data();
  job.size = b.size();
  // One side can be at most max_pixels (the other being 1); libpng's own
  // ceiling is 2^31-1.
  job.max_side =
      static_cast<png_uint_32>(std::min<uint64_t>(options.limits.max_pixels, 0x7fffffffu));
  job.max_pixels = options.limits.max_pixels;
  job.deadline = &options.deadline;
  job.allocate = AllocatePng;
  job.ctx = &alloc;
  RunPng(&job);
  switch (job.outcome) {
    case PngOutcome::kOk:
      return image;
    case PngOutcome::kOverLimit:
      return OverPixelLimit("png", job.width, job.height, options.limits);
    case PngOutcome::kOutOfMemory:
      if (!alloc.status.ok()) return alloc.status;
      return Status::ResourceExhausted("png: libpng is out of memory");
    case PngOutcome::kUnexpectedFormat:
      return Status::Internal("png: libpng transforms gave an unexpected pixel layout");
    case PngOutcome::kTimedOut:
      return options.deadline.Check("png decode");
    case PngOutcome::kCorrupt:
      break;
  }
  if (job.over_user_limit) {
    return Status::ResourceExhausted("png image side exceeds " + std::to_string(job.max_side) +
                                     " pixels (max_pixels " +
                                     std::to_string(options.limits.max_pixels) + ")");
  }
  if (job.width > 0 && job.height > 0 &&
      static_cast<uint64_t>(job.width) * job.height > options.limits.max_pixels) {
    return OverPixelLimit("png", job.width, job.height, options.limits);
  }
  return Status::Corrupt(std::string("png does not decode: ") + job.error);
}

}  // namespace vigil::media
