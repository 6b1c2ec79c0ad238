// HugeBuffer<T>: a fixed-size, zero-initialised array of trivially copyable T
// in 2 MiB-aligned memory advised for transparent huge pages. MIH probes land
// at random places in tables of tens of MiB; with 4 KiB pages nearly every
// probe also misses the TLB. Internal to the match module. Not thread-safe to
// mutate; immutable use from many threads is fine.
#ifndef VIGIL_SRC_MATCH_HUGE_BUFFER_H_
#define VIGIL_SRC_MATCH_HUGE_BUFFER_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>

namespace vigil::match::internal {

template <typename T>
class HugeBuffer {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  static constexpr size_t kHugePage = size_t{2} << 20;

  HugeBuffer() = default;
  // Allocates n elements (zeroed). Returns false, leaving the buffer empty, if
  // memory is exhausted.
  bool Allocate(size_t n) {
    data_.reset();
    size_ = 0;
    if (n == 0) return true;
    // Small arrays get cache-line alignment: rounding them up to 2 MiB would
    // waste more than the TLB saves.
    const bool huge = n * sizeof(T) >= 2 * kHugePage;
    const size_t align = huge ? kHugePage : 64;
    bytes_ = (n * sizeof(T) + align - 1) / align * align;
    void* p = std::aligned_alloc(align, bytes_);
    if (p == nullptr) return false;
#ifdef MADV_HUGEPAGE
    if (huge) madvise(p, bytes_, MADV_HUGEPAGE);  // advice only; failure is harmless
#endif
    std::memset(p, 0, bytes_);
    data_.reset(static_cast<T*>(p));
    size_ = n;
    return true;
  }

  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  T& operator[](size_t i) { return data_.get()[i]; }
  const T& operator[](size_t i) const { return data_.get()[i]; }
  size_t size() const { return size_; }
  size_t bytes() const { return data_ ? bytes_ : 0; }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  size_t size_ = 0;
  size_t bytes_ = 0;
};

// Ids below 2^24 take 3 bytes, larger ones 4: at 10M hashes this saves a byte
// per entry per table. Reads load 4 bytes and mask, so the buffer carries one
// byte of slack.
class PackedIds {
 public:
  bool Allocate(size_t n, uint32_t max_id) {
    width_ = max_id < (1u << 24) ? 3 : 4;
    return bytes_.Allocate(n * width_ + 1);
  }
  uint32_t operator[](size_t i) const {
    uint32_t v;
    std::memcpy(&v, bytes_.data() + i * width_, sizeof(v));
    return width_ == 4 ? v : v & 0xffffff;
  }
  void Set(size_t i, uint32_t id) { std::memcpy(bytes_.data() + i * width_, &id, width_); }
  const void* Address(size_t i) const { return bytes_.data() + i * width_; }
  size_t bytes() const { return bytes_.bytes(); }

 private:
  HugeBuffer<uint8_t> bytes_;
  size_t width_ = 4;
};

}  // namespace vigil::match::internal

#endif  // VIGIL_SRC_MATCH_HUGE_BUFFER_H_
