#include "vigil/faces/faces.h"

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "src/faces/face_net.h"
#include "vigil/core/digest.h"

namespace vigil::faces {
namespace {

namespace fs = std::filesystem;
using internal::kChipSide;
using internal::kInputMean;

// The files scripts/install-models puts under <model_dir>/face-api/ (npm
// @vladmandic/face-api 1.7.15, package/model/).
constexpr const char* kWeightsDir = "face-api";
constexpr const char* kWeightsFile = "face_recognition_model.bin";
constexpr const char* kManifestFile = "face_recognition_model-weights_manifest.json";
constexpr const char* kWeightsSha256 =
    "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589";
// Chips embedded per network call: bounds the activations' memory (~40 MB).
constexpr size_t kBatch = 16;
// Upsampling stops once the detection image's long side would exceed this.
constexpr long kMaxUpsampledSide = 4000;

Result<std::string> ReadWhole(const fs::path& path, uint64_t limit) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Status::NotFound("faces: model file " + path.string() +
                            " is missing; run scripts/install-models (or `make demo`, which "
                            "installs it)");
  }
  const auto size = fs::file_size(path, ec);
  if (ec) return Status::IoError("faces: " + path.string() + ": " + ec.message());
  if (size > limit) return Status::Corrupt("faces: " + path.string() + " is too large");
  std::ifstream in(path, std::ios::binary);
  std::string bytes(size, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    return Status::IoError("faces: " + path.string() + ": read failed");
  }
  return bytes;
}

using RgbImage = dlib::matrix<dlib::rgb_pixel>;

RgbImage ToRgb(const media::Image& image) {
  RgbImage out(image.height, image.width);
  const uint8_t* p = image.pixels.data();
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      if (image.channels == 3) {
        out(y, x) = dlib::rgb_pixel(p[0], p[1], p[2]);
        p += 3;
      } else {
        out(y, x) = dlib::rgb_pixel(p[0], p[0], p[0]);
        p += 1;
      }
    }
  }
  return out;
}

// Appends one chip, planar RGB, as the network's input: (x - mean) / 255.
void AppendChip(const uint8_t* rgb, std::vector<float>* input) {
  const size_t plane = static_cast<size_t>(kChipSide) * kChipSide;
  const size_t base = input->size();
  input->resize(base + 3 * plane);
  float* out = input->data() + base;
  for (size_t i = 0; i < plane; ++i) {
    for (int c = 0; c < 3; ++c) out[c * plane + i] = (rgb[i * 3 + c] - kInputMean[c]) / 255.0f;
  }
}

}  // namespace

float Distance(const Embedding& a, const Embedding& b) {
  float sum = 0;
  for (int i = 0; i < kEmbeddingDims; ++i) {
    const float d = a[i] - b[i];
    sum += d * d;
  }
  return std::sqrt(sum);
}

fs::path DefaultModelDir(const fs::path& data_dir) { return data_dir / "models"; }

struct FaceEngine::Impl {
  std::unique_ptr<internal::FaceNet> net;
  dlib::frontal_face_detector detector;
  std::shared_ptr<const dlib::shape_predictor> landmarks;
  size_t last_found = 0;

  Result<std::vector<Embedding>> EmbedRgbChips(const std::vector<const uint8_t*>& chips,
                                               const Deadline& deadline = Deadline::Never()) {
    std::vector<Embedding> out;
    out.reserve(chips.size());
    std::vector<float> input;
    for (size_t begin = 0; begin < chips.size(); begin += kBatch) {
      VIGIL_RETURN_IF_ERROR(deadline.Check("faces: embedding"));
      const size_t end = std::min(chips.size(), begin + kBatch);
      input.clear();
      for (size_t i = begin; i < end; ++i) AppendChip(chips[i], &input);
      auto e = net->Run(input, end - begin);
      if (!e.ok()) return e.status();
      out.insert(out.end(), e->begin(), e->end());
    }
    return out;
  }
};

FaceEngine::FaceEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaceEngine::~FaceEngine() = default;

Result<std::unique_ptr<FaceEngine>> FaceEngine::Load(const fs::path& model_dir,
                                                     const fs::path& landmarks_file) {
  const fs::path dir = model_dir / kWeightsDir;
  auto weights = ReadWhole(dir / kWeightsFile, 64ull << 20);
  if (!weights.ok()) return weights.status();
  auto manifest = ReadWhole(dir / kManifestFile, 1ull << 20);
  if (!manifest.ok()) return manifest.status();
  const std::string sha = Sha256Hex(*weights);
  if (sha != kWeightsSha256) {
    return Status::Corrupt("faces: " + (dir / kWeightsFile).string() + " has SHA-256 " + sha +
                           ", not face-api 1.7.15's " + kWeightsSha256 +
                           "; rerun scripts/install-models");
  }
  auto impl = std::make_unique<Impl>();
  auto net = internal::FaceNet::Load(
      *manifest, {reinterpret_cast<const uint8_t*>(weights->data()), weights->size()});
  if (!net.ok()) return net.status();
  impl->net = std::move(*net);

  std::error_code ec;
  if (!fs::is_regular_file(landmarks_file, ec)) {
    return Status::NotFound("faces: landmark model " + landmarks_file.string() +
                            " is missing; install Debian package libdlib-data "
                            "(scripts/install-deps does)");
  }
  try {
    auto sp = std::make_shared<dlib::shape_predictor>();
    dlib::deserialize(landmarks_file.string()) >> *sp;
    if (sp->num_parts() != 68) {
      return Status::Corrupt("faces: " + landmarks_file.string() + " is not a 68-point model");
    }
    impl->landmarks = std::move(sp);
    impl->detector = dlib::get_frontal_face_detector();
  } catch (const std::exception& e) {
    return Status::Corrupt("faces: " + landmarks_file.string() + ": " + e.what());
  }
  return std::unique_ptr<FaceEngine>(new FaceEngine(std::move(impl)));
}

std::unique_ptr<FaceEngine> FaceEngine::Clone() const {
  auto impl = std::make_unique<Impl>();
  impl->net = impl_->net->Clone();
  impl->detector = impl_->detector;
  impl->landmarks = impl_->landmarks;
  return std::unique_ptr<FaceEngine>(new FaceEngine(std::move(impl)));
}

size_t FaceEngine::last_found() const { return impl_->last_found; }

Result<std::vector<Face>> FaceEngine::Detect(const media::Image& image,
                                             const FaceOptions& options) {
  impl_->last_found = 0;
  if (image.width <= 0 || image.height <= 0 || (image.channels != 1 && image.channels != 3) ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * image.channels) {
    return Status::InvalidArgument("faces: image must be non-empty 8-bit grey or RGB");
  }
  try {
    const RgbImage rgb = ToRgb(image);
    // Detection runs on a copy no larger than max_side, upsampled for small faces.
    const long long_side = std::max(image.width, image.height);
    const int max_side = std::max(options.max_side, 64);
    double scale = 1.0;  // detection pixels per image pixel
    RgbImage work;
    if (long_side > max_side) {
      scale = static_cast<double>(max_side) / long_side;
      work.set_size(std::max(1L, std::lround(image.height * scale)),
                    std::max(1L, std::lround(image.width * scale)));
      dlib::resize_image(rgb, work, dlib::interpolate_bilinear());
    } else {
      work = rgb;
    }
    const long work_side = std::max(work.nr(), work.nc());
    auto allowed = [&](int passes) { return (work_side << passes) <= kMaxUpsampledSide; };
    int passes = 0;
    std::vector<dlib::rect_detection> dets;
    bool late = false;
    auto detect_at = [&](int want) {
      if (late || (late = options.deadline.Expired())) return;
      while (passes < want) {
        dlib::pyramid_up(work);
        ++passes;
      }
      dets.clear();
      impl_->detector(work, dets);
    };
    int want = std::max(0, options.upsample);
    while (want > 0 && !allowed(want)) --want;
    detect_at(want);
    if (dets.empty() && allowed(want + 1)) detect_at(want + 1);  // small faces: one more pass
    if (late) return options.deadline.Check("faces: detection");

    const double to_image = 1.0 / (scale * std::ldexp(1.0, passes));
    std::vector<std::pair<dlib::rectangle, double>> found;
    for (const auto& d : dets) {
      const dlib::rectangle r(std::lround(d.rect.left() * to_image),
                              std::lround(d.rect.top() * to_image),
                              std::lround((d.rect.right() + 1) * to_image) - 1,
                              std::lround((d.rect.bottom() + 1) * to_image) - 1);
      const dlib::rectangle clipped = r.intersect(dlib::get_rect(rgb));
      if (clipped.is_empty()) continue;
      found.emplace_back(r, d.detection_confidence);
    }
    impl_->last_found = found.size();
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.first.area() > b.first.area(); });
    if (found.size() > options.max_faces) found.resize(options.max_faces);

    std::vector<Face> faces(found.size());
    std::vector<RgbImage> chips;
    std::vector<size_t> chip_face;
    for (size_t i = 0; i < found.size(); ++i) {
      const dlib::rectangle& r = found[i].first;
      const dlib::rectangle c = r.intersect(dlib::get_rect(rgb));
      Face& f = faces[i];
      f.box = {static_cast<int>(c.left()), static_cast<int>(c.top()), static_cast<int>(c.width()),
               static_cast<int>(c.height())};
      f.detection_score = static_cast<float>(found[i].second);
      const dlib::full_object_detection shape = (*impl_->landmarks)(rgb, r);
      if (shape.num_parts() != 68) continue;
      const dlib::chip_details details = dlib::get_face_chip_details(shape, kChipSide, 0.25);
      if (details.rect.is_empty()) continue;
      RgbImage chip;
      dlib::extract_image_chip(rgb, details, chip);
      if (chip.nr() != kChipSide || chip.nc() != kChipSide) continue;
      chips.push_back(std::move(chip));
      chip_face.push_back(i);
    }
    std::vector<const uint8_t*> ptrs;
    for (const RgbImage& c : chips) ptrs.push_back(reinterpret_cast<const uint8_t*>(&c(0, 0)));
    auto embeddings = impl_->EmbedRgbChips(ptrs, options.deadline);
    if (!embeddings.ok()) return embeddings.status();
    for (size_t j = 0; j < chip_face.size(); ++j) {
      faces[chip_face[j]].embedding = (*embeddings)[j];
      faces[chip_face[j]].landmarks_ok = true;
    }
    return faces;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("faces: detection failed: ") + e.what());
  }
}

Result<std::vector<Face>> FaceEngine::DetectInFile(std::span<const uint8_t> bytes,
                                                   const FaceOptions& options,
                                                   const Limits& limits) {
  media::DecodeOptions decode;
  decode.limits = limits;
  decode.deadline = options.deadline;
  auto image = media::DecodeImage(bytes, decode);
  if (!image.ok()) {
    return Status(image.status().code(), "faces: " + image.status().message());
  }
  return Detect(*image, options);
}

Result<Embedding> FaceEngine::EmbedWholeImage(const media::Image& image) {
  if (image.width <= 0 || image.height <= 0 || (image.channels != 1 && image.channels != 3) ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * image.channels) {
    return Status::InvalidArgument("faces: image must be non-empty 8-bit grey or RGB");
  }
  // face-api's padToSquare(centred): round(diff / 2) zero columns (or rows)
  // after the image, the rest before it.
  const int w = image.width, h = image.height, side = std::max(w, h);
  const int diff = side - std::min(w, h);
  const int before = diff - static_cast<int>(std::floor(diff * 0.5 + 0.5));
  const int x0 = w < h ? before : 0, y0 = h < w ? before : 0;
  std::vector<float> square(static_cast<size_t>(side) * side * 3, 0.0f);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const uint8_t* p = &image.pixels[(static_cast<size_t>(y) * w + x) * image.channels];
      float* q = &square[(static_cast<size_t>(y + y0) * side + x + x0) * 3];
      for (int c = 0; c < 3; ++c) q[c] = p[image.channels == 3 ? c : 0];
    }
  }
  // tf.image.resizeBilinear(alignCorners=false, halfPixelCenters=false).
  const size_t plane = static_cast<size_t>(kChipSide) * kChipSide;
  std::vector<float> input(3 * plane);
  const double ratio = static_cast<double>(side) / kChipSide;
  for (int r = 0; r < kChipSide; ++r) {
    const double fy = ratio * r;
    const int ya = static_cast<int>(std::floor(fy)),
              yb = std::min(side - 1, static_cast<int>(std::ceil(fy)));
    const float dy = static_cast<float>(fy - ya);
    for (int col = 0; col < kChipSide; ++col) {
      const double fx = ratio * col;
      const int xa = static_cast<int>(std::floor(fx)),
                xb = std::min(side - 1, static_cast<int>(std::ceil(fx)));
      const float dx = static_cast<float>(fx - xa);
      for (int c = 0; c < 3; ++c) {
        auto at = [&](int yy, int xx) {
          return square[(static_cast<size_t>(yy) * side + xx) * 3 + c];
        };
        const float top = at(ya, xa) + (at(ya, xb) - at(ya, xa)) * dx;
        const float bottom = at(yb, xa) + (at(yb, xb) - at(yb, xa)) * dx;
        const float v = top + (bottom - top) * dy;
        input[c * plane + static_cast<size_t>(r) * kChipSide + col] = (v - kInputMean[c]) / 255.0f;
      }
    }
  }
  auto e = impl_->net->Run(input, 1);
  if (!e.ok()) return e.status();
  return (*e)[0];
}

Result<std::vector<Embedding>> FaceEngine::EmbedChips(std::span<const std::vector<uint8_t>> chips) {
  std::vector<const uint8_t*> ptrs;
  for (const auto& c : chips) {
    if (c.size() != static_cast<size_t>(kChipSide) * kChipSide * 3) {
      return Status::InvalidArgument("faces: a chip must be 150x150 RGB (67500 bytes)");
    }
    ptrs.push_back(c.data());
  }
  return impl_->EmbedRgbChips(ptrs);
}

}  // namespace vigil::faces
