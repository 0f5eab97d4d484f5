#include "ocelli/sim/mem_port_model.hpp"

namespace ocelli::sim {

bool MemPortModel::in_storage(std::uint64_t addr, std::uint32_t beats) const {
  return addr % dram::kBeatBytes == 0 &&
         addr + std::uint64_t{beats} * dram::kBeatBytes <= port_.storage().size();
}

const MemPortResponsePins& MemPortModel::drive() {
  out_ = MemPortResponsePins{};
  if (dead_) return out_;

  // A write burst is handed to the timing model once all its beats are in.
  if (write_ && write_complete_) {
    if (port_.submit_write(write_->addr, write_->words.data(), write_->beats, write_->tag)) {
      write_.reset();
      write_complete_ = false;
    }
  }

  if (!beat_) {
    dram::ReadBeat b;
    if (port_.pop_read_beat(b)) beat_ = b;
  }
  if (beat_) {
    out_.rsp_valid = true;
    out_.rsp_data = beat_->data;
    out_.rsp_tag = beat_->tag;
    out_.rsp_last = beat_->last;
  } else if (!errors_.empty() && port_.idle() && !errors_.front().write) {
    const auto& e = errors_.front();
    out_.rsp_valid = true;
    out_.rsp_tag = e.tag;
    out_.rsp_err = true;
    out_.rsp_last = error_beats_sent_ + 1 == e.beats;
  }

  std::uint32_t ack_tag = 0;
  if (port_.pop_write_ack(ack_tag)) {
    out_.ack_valid = true;
    out_.ack_tag = ack_tag;
  } else if (!errors_.empty() && port_.idle() && errors_.front().write && !write_) {
    out_.ack_valid = true;
    out_.ack_tag = errors_.front().tag;
    out_.ack_err = true;
  }

  // Accept a read while the timing model has room; a write needs the single assembly slot.
  out_.req_ready = port_.can_accept() && !write_;
  out_.wdata_ready = write_.has_value() && !write_complete_;
  return out_;
}

void MemPortModel::observe_and_tick(const MemPortRequestPins& pins) {
  if (!dead_) {
    if (out_.rsp_valid && pins.rsp_ready) {
      if (beat_) {
        beat_.reset();
      } else if (++error_beats_sent_ == errors_.front().beats) {
        errors_.pop_front();
        error_beats_sent_ = 0;
        ++error_responses_;
      }
    }
    if (out_.ack_err) {
      errors_.pop_front();
      ++error_responses_;
    }
    if (out_.wdata_ready && pins.wdata_valid) {
      write_->words.push_back(pins.wdata);
      write_complete_ = write_->words.size() == write_->beats;
    }
    if (out_.req_ready && pins.req_valid) {
      const std::uint32_t beats = pins.req_beats_m1 + 1;
      if (!in_storage(pins.req_addr, beats)) {
        // Out of range: a write's beats are still taken (and dropped) before the error ack.
        if (pins.req_write) {
          write_ = WriteInProgress{pins.req_addr, beats, pins.req_tag, {}};
          write_->words.reserve(beats);
          errors_.push_back(ErrorBurst{true, beats, pins.req_tag});
        } else {
          errors_.push_back(ErrorBurst{false, beats, pins.req_tag});
        }
      } else if (pins.req_write) {
        write_ = WriteInProgress{pins.req_addr, beats, pins.req_tag, {}};
        write_->words.reserve(beats);
      } else {
        port_.submit_read(pins.req_addr, beats, pins.req_tag);
      }
    }
    // Beats of an out-of-range write are dropped once collected.
    if (write_ && write_complete_ && !in_storage(write_->addr, write_->beats)) {
      write_.reset();
      write_complete_ = false;
    }
  }
  port_.tick();
}

}  // namespace ocelli::sim
