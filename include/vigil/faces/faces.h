// Faces: find faces in decoded images, describe each by a 128-d embedding,
// and search a set of embeddings for the nearest ones.
//
// Route (every step offline, nothing downloads at run time):
//   detection   dlib's frontal HOG detector, with pyramid_up passes
//               (FaceOptions::upsample) so faces down to ~40 px are found;
//   landmarks   dlib's 68-point shape predictor
//               (/usr/share/dlib/shape_predictor_68_face_landmarks.dat,
//               Debian libdlib-data);
//   alignment   get_face_chip_details(shape, 150, 0.25): an upright,
//               centred 150x150 RGB chip;
//   embedding   dlib's ResNet (the dnn_face_recognition_ex network) running
//               on OpenBLAS, with the face-recognition weights of npm
//               @vladmandic/face-api 1.7.15 (installed by
//               scripts/install-models into <data>/models/face-api/). Input
//               is normalised as face-api does, (x - mean) / 255, so the
//               embeddings are face-api.js's to ~1e-5.
// Two embeddings of one person are usually within 0.6 (Euclidean); the
// thresholds below are the ones vigil ranks matches with.
//
// Thread-safety: FaceEngine is not thread-safe (the network and the detector
// keep per-call scratch); use Clone() for one engine per worker thread.
// FaceIndex is safe for concurrent Search() calls once no Add() runs.
// Distance() is pure.
#ifndef VIGIL_FACES_FACES_H_
#define VIGIL_FACES_FACES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "vigil/core/deadline.h"
#include "vigil/core/limits.h"
#include "vigil/core/status.h"
#include "vigil/media/decode.h"

namespace vigil::faces {

inline constexpr int kEmbeddingDims = 128;
using Embedding = std::array<float, kEmbeddingDims>;

// Distance thresholds: at or below kStrongMatch two faces are very likely
// the same person, at or below kPossibleMatch they are worth a human look.
inline constexpr float kStrongMatch = 0.5f;
inline constexpr float kPossibleMatch = 0.6f;

struct Face {
  std::array<int, 4> box{};   // x, y, w, h in the pixels of the image as given
  bool landmarks_ok = false;  // 68 landmarks found and the aligned chip was embedded
  float detection_score = 0;  // HOG detector confidence (higher is surer; ~0 is borderline)
  Embedding embedding{};      // valid when landmarks_ok
};

struct FaceOptions {
  // pyramid_up passes before detection (each doubles the image side, ~4x the
  // detection time). 1 finds faces of ~40 px and more; 0 only ~80 px and more.
  // Passes that would take the detection image's long side past 4000 px are
  // skipped (faces in such images are large enough). When an image yields no
  // face, one more pass is tried within the same 4000 px.
  int upsample = 1;
  // More faces than this: the largest are kept, in detection-score order.
  size_t max_faces = 64;
  // Images are downscaled so their long side is at most this before detection
  // (boxes are mapped back to the image as given). Chips are cut from the
  // image as given, so a downscale does not blur the embedding.
  int max_side = 2000;
  // Checked after decoding, before each detection pass and each embedding
  // batch: once passed, ResourceExhausted naming max_file_seconds.
  Deadline deadline;
};

// Threads OpenBLAS may use for each embedding batch (process-wide). A scan
// that runs one engine per core sets 1, so that workers do not oversubscribe
// the cores; a single engine may use all of them (OpenBLAS's default).
void SetBlasThreads(int n);

// Euclidean distance between two embeddings.
float Distance(const Embedding& a, const Embedding& b);

// data_dir/models: where scripts/install-models puts face-api/.
std::filesystem::path DefaultModelDir(const std::filesystem::path& data_dir);

// The default 68-point landmark model (Debian libdlib-data).
inline constexpr const char* kDefaultLandmarksFile =
    "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

class FaceEngine {
 public:
  // Loads model_dir/face-api/face_recognition_model.bin (+ its
  // -weights_manifest.json) and the landmark model, once.
  // Failure modes:
  //   NotFound  a model file is missing; the message names the file and says
  //             to run scripts/install-models (or `make demo`).
  //   Corrupt   the weights' SHA-256 is not the pinned face-api 1.7.15 one, the
  //             manifest does not describe the network, or the landmark file
  //             does not deserialize.
  static Result<std::unique_ptr<FaceEngine>> Load(
      const std::filesystem::path& model_dir,
      const std::filesystem::path& landmarks_file = kDefaultLandmarksFile);

  ~FaceEngine();
  FaceEngine(const FaceEngine&) = delete;
  FaceEngine& operator=(const FaceEngine&) = delete;

  // An independent engine for another thread: its own network, detector and
  // scratch; the immutable landmark model is shared.
  std::unique_ptr<FaceEngine> Clone() const;

  // Detects, aligns and embeds every face in an image from
  // media::DecodeImage (1 or 3 channels). No face is an empty vector, not an
  // error. Faces come largest first. Faces whose chip cannot be cut
  // (landmarks_ok false) keep their box and a zero embedding.
  // InvalidArgument for an empty image or a channel count other than 1 or 3.
  Result<std::vector<Face>> Detect(const media::Image& image, const FaceOptions& options = {});

  // Faces the last Detect() found before the max_faces cut (so a caller can
  // say "kept 64 of 80").
  size_t last_found() const;

  // Decodes through vigil::media (JPEG, PNG, WebP, GIF, BMP), then Detect().
  // The decoder's Status (Corrupt, Unsupported, ResourceExhausted) passes
  // through, with "faces: " prefixed to the message.
  Result<std::vector<Face>> DetectInFile(std::span<const uint8_t> bytes,
                                         const FaceOptions& options = {},
                                         const Limits& limits = {});

  // face-api.js's own input pipeline, for checking the network against its
  // reference descriptors: the whole image is zero-padded to a square
  // (centred), resized bilinearly (TensorFlow's legacy, corner-aligned-off
  // sampling) to 150x150 and embedded. No detection or alignment.
  Result<Embedding> EmbedWholeImage(const media::Image& image);

  // Embeds ready 150x150 RGB chips (150*150*3 bytes each, row-major), in one
  // batch. InvalidArgument if a chip has the wrong size.
  Result<std::vector<Embedding>> EmbedChips(std::span<const std::vector<uint8_t>> chips);

 private:
  struct Impl;
  explicit FaceEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Flat exact search over registry embeddings: every query is compared with
// every stored embedding, first through int8 codes (a quarter of the memory
// traffic), then exactly in float for the rows that may be within reach; the
// result equals a plain float scan's. AVX2 when the CPU has it (checked at run
// time). 648 bytes a face. Fine to ~10^6 embeddings (see bench/README.md
// "Faces"); beyond that an ANN index (e.g. FAISS IVF/HNSW) is the next step.
// A very large max_distance makes every row a candidate: still exact, slower.
struct FaceHit {
  int64_t id = 0;
  float distance = 0;
};

class FaceIndex {
 public:
  void Add(int64_t id, const Embedding& e);
  size_t size() const { return ids_.size(); }
  void Reserve(size_t n);

  // Up to k nearest with distance <= max_distance, nearest first; ties by id.
  std::vector<FaceHit> Search(const Embedding& q, size_t k,
                              float max_distance = kPossibleMatch) const;

 private:
  std::vector<int64_t> ids_;
  std::vector<float> data_;         // size() rows of kEmbeddingDims floats
  std::vector<int8_t> codes_;       // the same rows as int8 codes
  std::vector<uint32_t> outliers_;  // rows whose codes lost too much; always compared in float
};

}  // namespace vigil::faces

#endif  // VIGIL_FACES_FACES_H_
