// Feeds a vector of words into a valid/ready stream, one word per handshake, with optional random valid gaps.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

namespace ocelli::tb {

template <class T>
class StreamFeeder {
 public:
  StreamFeeder() = default;
  explicit StreamFeeder(const std::vector<T>* words) : words_(words) {}

  // Decide this cycle's valid (keeps a word offered until it is taken, as valid/ready requires).
  bool offer(std::mt19937_64& rng, double valid_prob) {
    if (!words_ || next_ >= words_->size()) return offered_ = false;
    if (!offered_) offered_ = valid_prob >= 1.0 || std::bernoulli_distribution(valid_prob)(rng);
    return offered_;
  }
  T data() const { return words_ && next_ < words_->size() ? (*words_)[next_] : T{}; }
  void handshake(bool ready) {
    if (offered_ && ready) {
      ++next_;
      offered_ = false;
    }
  }
  bool done() const { return !words_ || next_ >= words_->size(); }
  std::size_t sent() const { return next_; }

 private:
  const std::vector<T>* words_ = nullptr;
  std::size_t next_ = 0;
  bool offered_ = false;
};

}  // namespace ocelli::tb
