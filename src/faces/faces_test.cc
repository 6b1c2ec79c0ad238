// FaceEngine against the shared fixtures: face-api.js's reference
// descriptors (oracle), labelled photos (accuracy), group photos, bad input.
// Needs the weights from scripts/install-models (run by install-deps): if they
// are missing the tests fail; only absent shared fixtures skip them.
#include "vigil/faces/faces.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "vigil/media/decode.h"

namespace vigil::faces {
namespace {

namespace fs = std::filesystem;

const fs::path kShared = VIGIL_SHARED_TESTDATA;
const fs::path kFaces = kShared / "faces";
const fs::path kOracle = kShared / "faces_oracle";

std::vector<uint8_t> ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

media::Image Decode(const fs::path& p) {
  const std::vector<uint8_t> bytes = ReadBytes(p);
  auto image = media::DecodeImage(bytes, {});
  EXPECT_TRUE(image.ok()) << p << ": " << image.status().ToString();
  return image.ok() ? std::move(*image) : media::Image{};
}

// Bilinear resize (good enough to make test scenes).
media::Image Resize(const media::Image& in, int w, int h) {
  media::Image out{w, h, in.channels, std::vector<uint8_t>(size_t(w) * h * in.channels), w, h};
  for (int y = 0; y < h; ++y) {
    const double fy = std::max(0.0, (y + 0.5) * in.height / h - 0.5);
    const int y0 = std::min(int(fy), in.height - 1), y1 = std::min(y0 + 1, in.height - 1);
    for (int x = 0; x < w; ++x) {
      const double fx = std::max(0.0, (x + 0.5) * in.width / w - 0.5);
      const int x0 = std::min(int(fx), in.width - 1), x1 = std::min(x0 + 1, in.width - 1);
      for (int c = 0; c < in.channels; ++c) {
        auto at = [&](int yy, int xx) {
          return in.pixels[(size_t(yy) * in.width + xx) * in.channels + c];
        };
        const double top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * (fx - x0);
        const double bot = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * (fx - x0);
        out.pixels[(size_t(y) * w + x) * in.channels + c] =
            static_cast<uint8_t>(std::lround(top + (bot - top) * (fy - y0)));
      }
    }
  }
  return out;
}

media::Image Canvas(int w, int h, uint8_t value) {
  return {w, h, 3, std::vector<uint8_t>(size_t(w) * h * 3, value), w, h};
}

void Paste(const media::Image& src, int x0, int y0, media::Image* dst) {
  for (int y = 0; y < src.height; ++y) {
    for (int x = 0; x < src.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        dst->pixels[(size_t(y + y0) * dst->width + x + x0) * 3 + c] =
            src.pixels[(size_t(y) * src.width + x) * src.channels + (src.channels == 3 ? c : 0)];
      }
    }
  }
}

media::Image ToGrey(const media::Image& in) {
  media::Image out{in.width, in.height, 1, std::vector<uint8_t>(size_t(in.width) * in.height),
                   in.width, in.height};
  for (size_t i = 0; i < out.pixels.size(); ++i) {
    const uint8_t* p = &in.pixels[i * 3];
    out.pixels[i] = static_cast<uint8_t>(std::lround(0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]));
  }
  return out;
}

class FacesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto e = FaceEngine::Load(DefaultModelDir(fs::path(VIGIL_SOURCE_DIR) / "data"));
    if (e.ok()) {
      engine_ = std::move(*e).release();
    } else {
      load_error_ = e.status().ToString();
    }
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  void SetUp() override {
    if (!fs::exists(kFaces) || !fs::exists(kOracle)) {
      GTEST_SKIP() << "shared face fixtures not found under " << kShared;
    }
    // Missing models are a failure, not a skip: install-deps brings them.
    ASSERT_NE(engine_, nullptr) << load_error_;
  }
  static FaceEngine* engine_;
  static std::string load_error_;
};
FaceEngine* FacesTest::engine_ = nullptr;
std::string FacesTest::load_error_;

Embedding ParseDescriptor(const rapidjson::Value& v) {
  Embedding e{};
  EXPECT_TRUE(v.IsArray() && v.Size() == kEmbeddingDims);
  if (!v.IsArray() || v.Size() != kEmbeddingDims) return e;
  for (int i = 0; i < kEmbeddingDims; ++i) e[i] = v[i].GetFloat();
  return e;
}

rapidjson::Document ParseJsonFile(const fs::path& p) {
  const std::vector<uint8_t> bytes = ReadBytes(p);
  rapidjson::Document d;
  d.Parse(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  EXPECT_FALSE(d.HasParseError()) << p;
  return d;
}

// The network alone, on face-api's own input pipeline (whole image, centred
// square padding, bilinear 150x150): face-api.js's stored references within
// 0.05 (quantised weights cost ~0.04), the same npm weights run by face-api
// on tfjs-wasm within 1e-3.
TEST_F(FacesTest, OracleDescriptors) {
  const rapidjson::Document wasm = ParseJsonFile(kOracle / "faceapi_1.7.15_wasm_descriptors.json");
  ASSERT_TRUE(wasm.IsObject());
  const std::pair<const char*, const char*> cases[] = {
      {"face1.png", "faceDescriptor1.json"},
      {"face2.png", "faceDescriptor2.json"},
      {"face_rectangular.png", "faceDescriptorRect.json"}};
  for (const auto& [image_name, ref_name] : cases) {
    SCOPED_TRACE(image_name);
    auto e = engine_->EmbedWholeImage(Decode(kOracle / image_name));
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    const Embedding ref = ParseDescriptor(ParseJsonFile(kOracle / ref_name));
    ASSERT_TRUE(wasm.HasMember(image_name));
    const Embedding wasm_ref = ParseDescriptor(wasm[image_name]);
    const float d_ref = Distance(*e, ref), d_wasm = Distance(*e, wasm_ref);
    std::printf("%s: distance to face-api.js reference %.4f, to face-api 1.7.15 wasm %.2e\n",
                image_name, d_ref, d_wasm);
    EXPECT_LT(d_ref, 0.05f);
    EXPECT_LT(d_wasm, 1e-3f);
  }
}

// One engine's embedding, a clone's, and a batch's agree.
TEST_F(FacesTest, CloneAndBatchAgree) {
  const media::Image image = Decode(kOracle / "face_rectangular.png");
  auto a = engine_->EmbedWholeImage(image);
  auto clone = engine_->Clone();
  auto b = clone->EmbedWholeImage(image);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LT(Distance(*a, *b), 1e-6f);
  auto faces = engine_->Detect(Decode(kFaces / "bbt_amy" / "amy1.png"));
  ASSERT_TRUE(faces.ok()) << faces.status().ToString();
  ASSERT_FALSE(faces->empty());
  auto again = clone->Detect(Decode(kFaces / "bbt_amy" / "amy1.png"));
  ASSERT_TRUE(again.ok() && !again->empty());
  EXPECT_LT(Distance((*faces)[0].embedding, (*again)[0].embedding), 1e-5f);
}

// Acceptance rates (percent of pairs) measured on testdata/faces, less (or
// plus) a small margin; see AccuracyOnLabelledPhotos.
// Measured: 99.4% / 0% at 0.6, 90.6% / 0% at 0.5 (170 genuine, 2990 impostor pairs).
constexpr double kMinGenuine06 = 98.5, kMaxImpostor06 = 0.1, kMinGenuine05 = 89.0,
                 kMaxImpostor05 = 0.1;

// Faces per group photo, counted by eye: every frontal face. Not counted
// (the frontal HOG detector misses them, with upsample 1 or 2): bbt2's
// blurred profile faces in the background, and the selfie's three faces cut
// by the frame or tilted past ~30 degrees.
const std::map<std::string, size_t> kSceneFaces = {{"bbt1.jpg", 4},
                                                   {"bbt2.jpg", 2},
                                                   {"bbt3.jpg", 5},
                                                   {"bbt4.jpg", 6},
                                                   {"bbt5.jpg", 5},
                                                   {"deepface_couple.jpg", 2},
                                                   {"deepface_img11_reflection.jpg", 1},
                                                   {"deepface_selfie-many-people.jpg", 4}};

struct Labelled {
  std::string identity, file;
  Embedding embedding;
};

// Every same-person and different-person pair of the labelled photos (one
// folder per person), largest face per photo.
TEST_F(FacesTest, AccuracyOnLabelledPhotos) {
  std::vector<Labelled> photos;
  std::vector<std::string> missed;
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(kFaces)) {
    if (d.is_directory() && d.path().filename().string()[0] != '_') dirs.push_back(d.path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(dir)) files.push_back(f.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      const std::vector<uint8_t> bytes = ReadBytes(f);
      auto faces = engine_->DetectInFile(bytes);
      ASSERT_TRUE(faces.ok()) << f << ": " << faces.status().ToString();
      if (faces->empty() || !(*faces)[0].landmarks_ok) {
        missed.push_back(f.string());
        continue;
      }
      photos.push_back({dir.filename().string(), f.string(), (*faces)[0].embedding});
    }
  }
  EXPECT_TRUE(missed.empty()) << "no face found in " << missed.size() << " photos, e.g. "
                              << (missed.empty() ? "" : missed[0]);
  int genuine = 0, impostor = 0, genuine_06 = 0, genuine_05 = 0, impostor_06 = 0, impostor_05 = 0;
  for (size_t i = 0; i < photos.size(); ++i) {
    for (size_t j = i + 1; j < photos.size(); ++j) {
      const float d = Distance(photos[i].embedding, photos[j].embedding);
      if (photos[i].identity == photos[j].identity) {
        ++genuine;
        genuine_06 += d <= kPossibleMatch;
        genuine_05 += d <= kStrongMatch;
      } else {
        ++impostor;
        impostor_06 += d <= kPossibleMatch;
        impostor_05 += d <= kStrongMatch;
      }
    }
  }
  const double g6 = 100.0 * genuine_06 / genuine, g5 = 100.0 * genuine_05 / genuine;
  const double i6 = 100.0 * impostor_06 / impostor, i5 = 100.0 * impostor_05 / impostor;
  std::printf("%zu photos, %zu people; %d genuine pairs, %d impostor pairs\n", photos.size(),
              dirs.size(), genuine, impostor);
  std::printf("at 0.6: genuine accepted %.1f%% (%d), impostor accepted %.2f%% (%d)\n", g6,
              genuine_06, i6, impostor_06);
  std::printf("at 0.5: genuine accepted %.1f%% (%d), impostor accepted %.2f%% (%d)\n", g5,
              genuine_05, i5, impostor_05);
  ASSERT_GT(genuine, 100);
  ASSERT_GT(impostor, 1000);
  // Measured on this set (see bench/README.md "Faces"), with a small margin.
  EXPECT_GE(g6, kMinGenuine06);
  EXPECT_LE(i6, kMaxImpostor06);
  EXPECT_GE(g5, kMinGenuine05);
  EXPECT_LE(i5, kMaxImpostor05);
}

// Group photos: every face is found and embedded on its own. Distinct
// people in one photo are not strong matches of each other (bbt2's two men
// are 0.598 apart: a real near-miss at 0.6), and each face's embedding
// matches the same face cut out of the photo alone.
TEST_F(FacesTest, MultiFaceScenes) {
  for (const auto& [name, want] : kSceneFaces) {
    SCOPED_TRACE(name);
    const media::Image image = Decode(kFaces / "_multi_face_scenes" / name);
    auto faces = engine_->Detect(image);
    ASSERT_TRUE(faces.ok()) << faces.status().ToString();
    std::printf("%s: %zu faces\n", name.c_str(), faces->size());
    EXPECT_EQ(faces->size(), want);
    for (size_t i = 0; i < faces->size(); ++i) {
      const Face& a = (*faces)[i];
      EXPECT_TRUE(a.landmarks_ok);
      for (size_t j = i + 1; j < faces->size(); ++j) {
        EXPECT_GT(Distance(a.embedding, (*faces)[j].embedding), kStrongMatch)
            << "faces " << i << " and " << j;
      }
      // The face alone: its box plus half a box of margin on every side.
      const int x0 = std::max(0, a.box[0] - a.box[2] / 2),
                y0 = std::max(0, a.box[1] - a.box[3] / 2);
      const int x1 = std::min(image.width, a.box[0] + a.box[2] * 3 / 2);
      const int y1 = std::min(image.height, a.box[1] + a.box[3] * 3 / 2);
      media::Image crop{x1 - x0, y1 - y0, image.channels, {}, x1 - x0, y1 - y0};
      for (int y = y0; y < y1; ++y) {
        const auto row = image.pixels.begin() + (ptrdiff_t(y) * image.width + x0) * image.channels;
        crop.pixels.insert(crop.pixels.end(), row, row + ptrdiff_t(x1 - x0) * image.channels);
      }
      auto alone = engine_->Detect(crop);
      ASSERT_TRUE(alone.ok());
      ASSERT_FALSE(alone->empty()) << "face " << i << " not found alone";
      // The crop changes the detector's box a little, and the landmarks and
      // chip with it (up to ~0.2 here); the face still matches itself and
      // no other face of the photo.
      const Embedding& solo = (*alone)[0].embedding;
      EXPECT_LT(Distance(a.embedding, solo), 0.25f) << "face " << i;
      for (size_t j = 0; j < faces->size(); ++j) {
        if (j != i) {
          EXPECT_LT(Distance(a.embedding, solo), Distance((*faces)[j].embedding, solo))
              << "face " << i << " alone is nearer face " << j;
        }
      }
    }
  }
}

TEST_F(FacesTest, NoFaceIsEmptyNotError) {
  media::Image plain = Canvas(320, 240, 128);
  for (int y = 0; y < 240; ++y) {
    for (int x = 0; x < 320; ++x) plain.pixels[(size_t(y) * 320 + x) * 3] = uint8_t(x);
  }
  auto faces = engine_->Detect(plain);
  ASSERT_TRUE(faces.ok()) << faces.status().ToString();
  EXPECT_TRUE(faces->empty());
  EXPECT_EQ(engine_->last_found(), 0u);
}

TEST_F(FacesTest, BadBytesAreClearErrors) {
  std::vector<uint8_t> jpeg = ReadBytes(kFaces / "_multi_face_scenes" / "bbt2.jpg");
  ASSERT_GT(jpeg.size(), 2000u);
  jpeg.resize(600);  // headers, then nothing
  auto truncated = engine_->DetectInFile(jpeg);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kCorrupt) << truncated.status().ToString();
  EXPECT_NE(truncated.status().message().find("faces: "), std::string::npos);

  auto empty = engine_->DetectInFile({});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kCorrupt);

  const std::vector<uint8_t> junk(1000, 0x5a);
  auto unknown = engine_->DetectInFile(junk);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kUnsupported) << unknown.status().ToString();

  media::Image bad = Canvas(10, 10, 0);
  bad.channels = 4;
  auto four = engine_->Detect(bad);
  ASSERT_FALSE(four.ok());
  EXPECT_EQ(four.status().code(), StatusCode::kInvalidArgument);
  auto empty_image = engine_->Detect(media::Image{});
  EXPECT_EQ(empty_image.status().code(), StatusCode::kInvalidArgument);
}

// FaceOptions::deadline (the scan's max_file_seconds): a file whose time is up
// is not decoded, and an image is not searched; with time left both work.
TEST_F(FacesTest, StopsWhenTheFilesTimeIsUp) {
  const std::vector<uint8_t> jpeg = ReadBytes(kFaces / "_multi_face_scenes" / "bbt2.jpg");
  FaceOptions late;
  late.deadline = Deadline::In(0);
  auto r = engine_->DetectInFile(jpeg, late);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("max_file_seconds"), std::string::npos);

  media::DecodeOptions decode;
  auto image = media::DecodeImage(jpeg, decode);
  ASSERT_TRUE(image.ok());
  auto d = engine_->Detect(*image, late);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kResourceExhausted) << d.status().ToString();
  EXPECT_NE(d.status().message().find("faces: detection"), std::string::npos);

  FaceOptions in_time;
  in_time.deadline = Deadline::In(3600);
  auto found = engine_->Detect(*image, in_time);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_FALSE(found->empty());
}

// A grey-scale photo (one channel) gives the same person's embedding.
TEST_F(FacesTest, GreyScale) {
  const std::vector<uint8_t> bytes = ReadBytes(kFaces / "deepface_id01" / "img1.jpg");
  auto colour = engine_->DetectInFile(bytes);
  ASSERT_TRUE(colour.ok() && !colour->empty());
  media::Image image = Decode(kFaces / "deepface_id01" / "img1.jpg");
  ASSERT_EQ(image.channels, 3);
  auto grey = engine_->Detect(ToGrey(image));
  ASSERT_TRUE(grey.ok()) << grey.status().ToString();
  ASSERT_FALSE(grey->empty());
  EXPECT_TRUE((*grey)[0].landmarks_ok);
  const float d = Distance((*grey)[0].embedding, (*colour)[0].embedding);
  std::printf("grey vs colour: %.3f\n", d);
  EXPECT_LT(d, kStrongMatch);
}

// A 48-px face in a larger picture: found thanks to pyramid_up, box where it
// was put, and still the same person.
TEST_F(FacesTest, TinyFace) {
  const media::Image face = Decode(kFaces / "bbt_sheldon" / "sheldon1.png");
  auto big = engine_->Detect(face);
  ASSERT_TRUE(big.ok() && !big->empty());
  media::Image scene = Canvas(480, 360, 110);
  const int side = 60;  // the crop has a margin: the face itself is ~45 px
  Paste(Resize(face, side, side), 300, 200, &scene);
  auto faces = engine_->Detect(scene);
  ASSERT_TRUE(faces.ok()) << faces.status().ToString();
  ASSERT_EQ(faces->size(), 1u);
  const Face& f = (*faces)[0];
  std::printf("tiny face box %d,%d %dx%d, distance %.3f\n", f.box[0], f.box[1], f.box[2], f.box[3],
              Distance(f.embedding, (*big)[0].embedding));
  EXPECT_GE(f.box[0] + f.box[2], 300);
  EXPECT_LE(f.box[0], 300 + side);
  EXPECT_GE(f.box[1] + f.box[3], 200);
  EXPECT_LE(f.box[1], 200 + side);
  EXPECT_LT(f.box[2], 2 * side);
  EXPECT_TRUE(f.landmarks_ok);
  EXPECT_LT(Distance(f.embedding, (*big)[0].embedding), kPossibleMatch);
}

// A picture tiled with ~100 faces: at most max_faces come back, largest first,
// and last_found() tells how many there were.
TEST_F(FacesTest, ManyFacesCapped) {
  const media::Image face = Resize(Decode(kFaces / "bbt_penny" / "penny1.png"), 90, 90);
  media::Image scene = Canvas(900, 900, 90);
  for (int row = 0; row < 10; ++row) {
    for (int col = 0; col < 10; ++col) Paste(face, col * 90, row * 90, &scene);
  }
  FaceOptions options;
  options.max_faces = 50;
  auto faces = engine_->Detect(scene, options);
  ASSERT_TRUE(faces.ok()) << faces.status().ToString();
  std::printf("tiled: %zu found, %zu kept\n", engine_->last_found(), faces->size());
  EXPECT_GT(engine_->last_found(), 50u);
  EXPECT_EQ(faces->size(), 50u);
  for (const Face& f : *faces) EXPECT_TRUE(f.landmarks_ok);
}

// Large images are detected on a downscaled copy; boxes still come back in
// the image's own pixels.
TEST_F(FacesTest, MaxSideDownscaleKeepsBoxesInImagePixels) {
  const media::Image image = Decode(kFaces / "_multi_face_scenes" / "deepface_couple.jpg");
  FaceOptions full;
  full.max_side = 4000;
  full.upsample = 0;
  FaceOptions small;
  small.max_side = 800;
  auto a = engine_->Detect(image, full);
  auto b = engine_->Detect(image, small);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 2u);
  ASSERT_EQ(b->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    // The two faces are the same size: pair them by position, not order.
    const auto& p = (*a)[i].box;
    const size_t j = std::abs((*b)[0].box[0] - p[0]) < std::abs((*b)[1].box[0] - p[0]) ? 0 : 1;
    const auto& q = (*b)[j].box;
    EXPECT_NEAR(p[0] + p[2] / 2, q[0] + q[2] / 2, p[2] / 5);
    EXPECT_NEAR(p[1] + p[3] / 2, q[1] + q[3] / 2, p[3] / 5);
    EXPECT_LT(Distance((*a)[i].embedding, (*b)[j].embedding), 0.2f);
  }
}

TEST(FaceEngineLoad, MissingModelsNameTheFixAndBadWeightsAreCorrupt) {
  const fs::path dir =
      fs::temp_directory_path() / ("vigil_faces_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "face-api");
  auto missing = FaceEngine::Load(dir);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("install-models"), std::string::npos);

  const fs::path real = DefaultModelDir(fs::path(VIGIL_SOURCE_DIR) / "data") / "face-api";
  ASSERT_TRUE(fs::exists(real / "face_recognition_model.bin"))
      << "run scripts/install-models (install-deps does)";
  fs::copy_file(real / "face_recognition_model-weights_manifest.json",
                dir / "face-api" / "face_recognition_model-weights_manifest.json");
  std::vector<uint8_t> bin = ReadBytes(real / "face_recognition_model.bin");
  bin[1000] ^= 1;
  std::ofstream(dir / "face-api" / "face_recognition_model.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(bin.data()), std::streamsize(bin.size()));
  auto corrupt = FaceEngine::Load(dir);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().code(), StatusCode::kCorrupt) << corrupt.status().ToString();

  auto no_landmarks =
      FaceEngine::Load(DefaultModelDir(fs::path(VIGIL_SOURCE_DIR) / "data"), dir / "nope.dat");
  ASSERT_FALSE(no_landmarks.ok());
  EXPECT_EQ(no_landmarks.status().code(), StatusCode::kNotFound);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigil::faces
