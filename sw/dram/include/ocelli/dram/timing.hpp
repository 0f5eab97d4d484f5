// Cycle-level DRAM timing: when each request is accepted and each response beat is due, in core cycles.
// Pure function of the request sequence and the submit/pop cycles: it never looks at storage or wall time,
// so every storage backend yields the same cycle counts (docs/dram-model.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ocelli::dram {

constexpr uint32_t kBeatBytes = 8;  // one 64-bit port word

struct TimingConfig {
  std::string name = "default";
  uint32_t latency_cycles = 20;   // accept -> first read beat (if the link is free); last write beat -> ack
  uint32_t beat_period_num = 1;   // core cycles per 64-bit beat = num / den, exact rational
  uint32_t beat_period_den = 1;
  uint32_t max_outstanding = 16;  // requests accepted and not yet fully answered
  uint32_t max_burst_beats = 256;

  // "default": 1 beat/cycle, 20 cycles latency. "eyeriss": 64-bit link at 60 MHz vs 200 MHz core (10/3 cycles/beat).
  static TimingConfig preset(std::string_view preset_name);
  void validate() const;  // throws std::invalid_argument naming the bad field
};

enum class Op : uint8_t { kRead, kWrite };

struct Request {
  Op op = Op::kRead;
  uint64_t addr = 0;    // byte address, 8-byte aligned
  uint32_t beats = 1;   // 1..max_burst_beats
  uint32_t tag = 0;     // echoed in beats / acks
};

struct ReadBeatSlot {
  uint32_t tag = 0;
  uint64_t addr = 0;    // address of this beat
  uint32_t index = 0;   // beat index within the burst
  uint32_t beats = 0;   // burst length
  bool last = false;
};

struct TimingStats {
  uint64_t reads_accepted = 0;
  uint64_t writes_accepted = 0;
  uint64_t read_beats = 0;
  uint64_t write_beats = 0;
  uint64_t rejected_submits = 0;  // back-pressure seen by the requester
};

// One 64-bit port in front of one link. Call order per simulated cycle: any number of can_accept/submit
// (at most one accepted per cycle), pop_read_beat (at most one per cycle), pop_write_ack, then tick().
// No allocation after construction.
class TimingModel {
 public:
  explicit TimingModel(TimingConfig config);

  bool can_accept() const;
  // Accepts the request in the current cycle, or returns false (back-pressure). Throws on a malformed request.
  bool submit(const Request& request);
  void tick() { ++cycle_; }

  // The next read beat if it is due in this cycle (or overdue because the consumer stalled).
  bool pop_read_beat(ReadBeatSlot& out);
  // The tag of the next write whose acknowledgement is due.
  bool pop_write_ack(uint32_t& tag);

  uint64_t cycle() const { return cycle_; }
  uint32_t outstanding() const { return outstanding_; }
  bool idle() const { return outstanding_ == 0; }
  const TimingConfig& config() const { return config_; }
  const TimingStats& stats() const { return stats_; }

 private:
  struct PendingRead {
    uint32_t tag;
    uint64_t addr;
    uint32_t beats;
    uint32_t next_beat;
    uint64_t next_due_cycle;   // ceil(end_ticks / den) of the next beat (ticks = 1/den core cycle)
    uint64_t next_due_slack;   // next_due_cycle * den - end_ticks, in [0, den): steps the beats without division
  };
  struct PendingWrite {
    uint32_t tag;
    uint64_t ack_cycle;
  };
  template <class T>
  class Ring {  // fixed capacity FIFO, no allocation after construction
   public:
    explicit Ring(std::size_t capacity) : items_(capacity) {}
    bool empty() const { return count_ == 0; }
    bool full() const { return count_ == items_.size(); }
    T& front() { return items_[head_]; }
    void push(const T& item) {
      items_[(head_ + count_) % items_.size()] = item;
      ++count_;
    }
    void pop() {
      head_ = (head_ + 1) % items_.size();
      --count_;
    }

   private:
    std::vector<T> items_;
    std::size_t head_ = 0;
    std::size_t count_ = 0;
  };

  uint64_t ceil_cycles(uint64_t ticks) const {
    return (ticks + config_.beat_period_den - 1) / config_.beat_period_den;
  }

  TimingConfig config_;
  uint64_t period_whole_ = 0;  // beat period = period_whole_ + period_frac_ / den core cycles
  uint64_t period_frac_ = 0;
  uint64_t cycle_ = 0;
  uint64_t last_accept_cycle_ = UINT64_MAX;
  uint64_t last_read_beat_cycle_ = UINT64_MAX;
  uint64_t link_end_ticks_ = 0;  // when the last scheduled beat finishes crossing the link
  uint32_t outstanding_ = 0;
  Ring<PendingRead> reads_;
  Ring<PendingWrite> writes_;
  TimingStats stats_;
};

}  // namespace ocelli::dram
