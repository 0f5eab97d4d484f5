// Run-length decoder of activations on the ifmap path from DRAM (format: docs/numerics.md, "Run-length code").
// Told the element count and the word budget of a tensor, it emits exactly that many 16-bit elements and checks the
// stream as the golden codec does: a corrupt stream ends in the error state with the code and the offset of the
// offending word, never in a silently short tensor or a hang. Throughput: a run's zeros are offered in groups of up
// to RlcZeroGroup (out_count_o; the consumer says how many it takes, out_take_i), a level one per cycle, and the next
// word is taken in the cycle that emits the last level of a word, so a row of sparse activations decodes in about
// one cycle per pair plus one per group of four zeros (was one per element plus one per word).
`include "common/ocelli_assert.svh"

module rlc_decoder
  import ocelli_pkg::*;
(
  input  logic        clk_i,
  input  logic        rst_ni,

  input  logic        start_i,      // begin a tensor (ignored while busy)
  input  logic [31:0] count_i,      // elements to produce
  input  logic [31:0] max_words_i,  // words the stream holds

  input  logic        in_valid_i,
  output logic        in_ready_o,
  input  dram_word_t  in_word_i,

  output logic        out_valid_o,
  input  logic        out_ready_i,
  output data_t       out_data_o,   // the level, or 0 for every element of a zero group
  output logic [2:0]  out_count_o,  // elements offered: 1..RlcZeroGroup zeros of the current run, or 1 (the level)
  input  logic [2:0]  out_take_i,   // elements taken with the handshake, 1..out_count_o
  output logic        out_last_o,   // the offer is the tensor's last element (always a single level)

  output logic        busy_o,
  output logic        done_o,       // the whole tensor was produced and the stream was well formed
  output logic        error_o,
  output rlc_err_e    err_code_o,
  output logic [31:0] err_word_o    // offset (in words) of the offending word
);

  typedef enum logic [2:0] {
    StIdle, StFetch, StEmit, StTail, StDone, StError
  } state_e;

  localparam int unsigned RlcZeroGroup = 4;  // one GLB word of elements

  state_e                  state_d, state_q;
  dram_word_t              word_d, word_q;
  logic [1:0]              pair_idx_d, pair_idx_q;     // in StTail: first pair that must be padding (3 = none)
  logic [RlcRunWidth-1:0]  zeros_sent_d, zeros_sent_q; // zeros of the current pair already emitted
  logic [31:0]             remaining_d, remaining_q;   // elements still to produce
  logic [31:0]             words_seen_d, words_seen_q;
  logic [31:0]             budget_d, budget_q;
  rlc_err_e                err_code_d, err_code_q;
  logic [31:0]             err_word_d, err_word_q;

  logic [RlcRunWidth-1:0]  run;
  data_t                   level;
  logic                    pair_fits;
  logic                    in_zero_part;
  logic                    emit;
  logic                    bad_padding;
  logic [RlcRunWidth-1:0]  zeros_left;
  logic                    next_word;   // the last level of a word goes out and the next word comes in together

  assign run   = word_q[pair_idx_q * RlcPairWidth +: RlcRunWidth];
  assign level = word_q[pair_idx_q * RlcPairWidth + RlcRunWidth +: DataWidth];
  // The pair's zeros still to send plus its level must fit in what is left.
  assign pair_fits    = {27'd0, run - zeros_sent_q} < remaining_q;
  assign in_zero_part = zeros_sent_q < run;

  assign zeros_left   = run - zeros_sent_q;
  assign out_valid_o  = (state_q == StEmit) && pair_fits;
  assign out_data_o   = in_zero_part ? '0 : level;
  assign out_count_o  = !in_zero_part ? 3'd1 :
                        (zeros_left > RlcRunWidth'(RlcZeroGroup)) ? 3'(RlcZeroGroup) : 3'(zeros_left);
  assign out_last_o   = remaining_q == 32'd1;
  assign emit         = out_valid_o && out_ready_i;
  assign next_word    = emit && !in_zero_part && (pair_idx_q == 2'd2) && (remaining_q != 32'd1) &&
                        !word_q[DramWidth-1] && (words_seen_q != budget_q);
  assign in_ready_o   = ((state_q == StFetch) && (words_seen_q != budget_q)) || next_word;

  always_comb begin
    bad_padding = 1'b0;
    for (int k = 0; k < int'(RlcPairsPerWord); k++) begin
      if (k >= int'(pair_idx_q) && word_q[k * RlcPairWidth +: RlcPairWidth] != '0) begin
        bad_padding = 1'b1;
      end
    end
  end

  always_comb begin
    state_d      = state_q;
    word_d       = word_q;
    pair_idx_d   = pair_idx_q;
    zeros_sent_d = zeros_sent_q;
    remaining_d  = remaining_q;
    words_seen_d = words_seen_q;
    budget_d     = budget_q;
    err_code_d   = err_code_q;
    err_word_d   = err_word_q;

    unique case (state_q)
      StIdle, StDone, StError: begin
        if (start_i) begin
          state_d      = StFetch;
          remaining_d  = count_i;
          budget_d     = max_words_i;
          words_seen_d = '0;
          err_code_d   = RlcOk;
          err_word_d   = '0;
        end
      end
      StFetch: begin
        if (words_seen_q == budget_q) begin
          state_d    = StError;
          err_code_d = RlcErrTruncated;
          err_word_d = words_seen_q;
        end else if (in_valid_i) begin
          word_d       = in_word_i;
          words_seen_d = words_seen_q + 1;
          pair_idx_d   = '0;
          zeros_sent_d = '0;
          // An empty tensor is a single word of padding with the terminator.
          state_d      = (remaining_q == '0) ? StTail : StEmit;
        end
      end
      StEmit: begin
        if (!pair_fits) begin
          state_d    = StError;
          err_code_d = RlcErrRunPastEnd;
          err_word_d = words_seen_q - 1;
        end else if (emit) begin
          if (in_zero_part) begin
            remaining_d  = remaining_q - 32'(out_take_i);
            zeros_sent_d = zeros_sent_q + RlcRunWidth'(out_take_i);
          end else begin
            remaining_d  = remaining_q - 1;
            zeros_sent_d = '0;
            if (remaining_q == 32'd1) begin
              state_d    = StTail;
              pair_idx_d = pair_idx_q + 1'b1;
            end else if (pair_idx_q == 2'd2) begin
              if (word_q[DramWidth-1]) begin
                state_d    = StError;
                err_code_d = RlcErrEarlyTerm;
                err_word_d = words_seen_q - 1;
              end else if (next_word && in_valid_i) begin
                word_d       = in_word_i;
                words_seen_d = words_seen_q + 1;
                pair_idx_d   = '0;
              end else begin
                state_d = StFetch;
              end
            end else begin
              pair_idx_d = pair_idx_q + 1'b1;
            end
          end
        end
      end
      StTail: begin
        state_d = StError;
        err_word_d = words_seen_q - 1;
        if (bad_padding) begin
          err_code_d = RlcErrBadPadding;
        end else if (!word_q[DramWidth-1]) begin
          err_code_d = RlcErrMissingTerm;
        end else if (words_seen_q != budget_q) begin
          err_code_d = RlcErrTrailingWords;
          err_word_d = words_seen_q;
        end else begin
          state_d = StDone;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StIdle;
      word_q       <= '0;
      pair_idx_q   <= '0;
      zeros_sent_q <= '0;
      remaining_q  <= '0;
      words_seen_q <= '0;
      budget_q     <= '0;
      err_code_q   <= RlcOk;
      err_word_q   <= '0;
    end else begin
      state_q      <= state_d;
      word_q       <= word_d;
      pair_idx_q   <= pair_idx_d;
      zeros_sent_q <= zeros_sent_d;
      remaining_q  <= remaining_d;
      words_seen_q <= words_seen_d;
      budget_q     <= budget_d;
      err_code_q   <= err_code_d;
      err_word_q   <= err_word_d;
    end
  end

  assign busy_o     = (state_q == StFetch) || (state_q == StEmit) || (state_q == StTail);
  assign done_o     = state_q == StDone;
  assign error_o    = state_q == StError;
  assign err_code_o = err_code_q;
  assign err_word_o = err_word_q;

`ifndef SYNTHESIS
  // An offered element stays unchanged until it is taken.
  `OCELLI_ASSERT(a_out_stable, (out_valid_o && !out_ready_i) |=> (out_valid_o && $stable(out_data_o) && $stable(out_last_o) &&
      $stable(out_count_o)))
  // The consumer takes between one element and the offered count.
  `OCELLI_ASSERT(a_take_in_range, emit |-> (out_take_i != '0) && (out_take_i <= out_count_o))
  // Never more elements than asked for.
  `OCELLI_ASSERT(a_no_overrun, out_valid_o |-> remaining_q != '0)
`endif

endmodule
