#include "ocelli/dram/timing.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>

namespace ocelli::dram {

TimingConfig TimingConfig::preset(std::string_view preset_name) {
  TimingConfig c;
  if (preset_name == "default") {
    return c;
  }
  if (preset_name == "eyeriss") {
    // 64-bit link clocked at 60 MHz against a 200 MHz core: one beat every 200/60 = 10/3 core cycles.
    c.name = "eyeriss";
    c.beat_period_num = 10;
    c.beat_period_den = 3;
    return c;
  }
  throw std::invalid_argument(
      fmt::format("unknown DRAM timing preset '{}' (known: default, eyeriss)", preset_name));
}

void TimingConfig::validate() const {
  auto fail = [this](const char* field, uint64_t value, const char* rule) {
    throw std::invalid_argument(
        fmt::format("DRAM timing config '{}': {} = {} {}", name, field, value, rule));
  };
  if (beat_period_num == 0) fail("beat_period_num", beat_period_num, "must be > 0");
  if (beat_period_den == 0) fail("beat_period_den", beat_period_den, "must be > 0");
  if (max_outstanding == 0) fail("max_outstanding", max_outstanding, "must be > 0");
  if (max_burst_beats == 0) fail("max_burst_beats", max_burst_beats, "must be > 0");
}

TimingModel::TimingModel(TimingConfig config)
    : config_((config.validate(), std::move(config))),
      period_whole_(config_.beat_period_num / config_.beat_period_den),
      period_frac_(config_.beat_period_num % config_.beat_period_den),
      reads_(config_.max_outstanding),
      writes_(config_.max_outstanding) {}

bool TimingModel::can_accept() const {
  return outstanding_ < config_.max_outstanding && last_accept_cycle_ != cycle_;
}

bool TimingModel::submit(const Request& r) {
  if (r.beats == 0 || r.beats > config_.max_burst_beats) {
    throw std::invalid_argument(fmt::format("DRAM request tag {}: beats = {} (allowed 1..{})", r.tag,
                                            r.beats, config_.max_burst_beats));
  }
  if (r.addr % kBeatBytes != 0) {
    throw std::invalid_argument(
        fmt::format("DRAM request tag {}: address 0x{:x} is not {}-byte aligned", r.tag, r.addr, kBeatBytes));
  }
  if (!can_accept()) {
    ++stats_.rejected_submits;
    return false;
  }
  const uint64_t den = config_.beat_period_den;
  const uint64_t num = config_.beat_period_num;
  const uint64_t span = static_cast<uint64_t>(r.beats - 1) * num;
  if (r.op == Op::kRead) {
    // Data is ready at the memory `latency` cycles after acceptance, then crosses the link in FIFO order.
    const uint64_t ready_ticks = (cycle_ + config_.latency_cycles) * den;
    const uint64_t first_end = std::max(ready_ticks, link_end_ticks_ + num);
    link_end_ticks_ = first_end + span;
    const uint64_t due = ceil_cycles(first_end);
    reads_.push(PendingRead{r.tag, r.addr, r.beats, 0, due, due * den - first_end});
    ++stats_.reads_accepted;
  } else {
    // Write data crosses the link from acceptance on; the ack returns `latency` cycles after the last beat.
    const uint64_t first_end = std::max(cycle_ * den + num, link_end_ticks_ + num);
    link_end_ticks_ = first_end + span;
    writes_.push(PendingWrite{r.tag, ceil_cycles(link_end_ticks_) + config_.latency_cycles});
    ++stats_.writes_accepted;
    stats_.write_beats += r.beats;
  }
  ++outstanding_;
  last_accept_cycle_ = cycle_;
  return true;
}

bool TimingModel::pop_read_beat(ReadBeatSlot& out) {
  if (reads_.empty() || last_read_beat_cycle_ == cycle_) return false;  // the port moves one beat per cycle
  PendingRead& head = reads_.front();
  if (head.next_due_cycle > cycle_) return false;
  out.tag = head.tag;
  out.addr = head.addr + static_cast<uint64_t>(head.next_beat) * kBeatBytes;
  out.index = head.next_beat;
  out.beats = head.beats;
  out.last = head.next_beat + 1 == head.beats;
  last_read_beat_cycle_ = cycle_;
  ++stats_.read_beats;
  if (out.last) {
    reads_.pop();
    --outstanding_;
  } else {
    // end += num, i.e. end = (due + whole) * den + (frac - slack): carry one cycle when frac exceeds the slack.
    ++head.next_beat;
    head.next_due_cycle += period_whole_;
    if (period_frac_ > head.next_due_slack) {
      head.next_due_cycle += 1;
      head.next_due_slack += config_.beat_period_den - period_frac_;
    } else {
      head.next_due_slack -= period_frac_;
    }
  }
  return true;
}

bool TimingModel::pop_write_ack(uint32_t& tag) {
  if (writes_.empty() || writes_.front().ack_cycle > cycle_) return false;
  tag = writes_.front().tag;
  writes_.pop();
  --outstanding_;
  return true;
}

}  // namespace ocelli::dram
