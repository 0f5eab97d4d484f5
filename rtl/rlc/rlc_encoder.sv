// Run-length encoder of activations on the ofmap path to DRAM (format: docs/numerics.md, "Run-length code").
// Consumes one 16-bit element per cycle; each element yields at most one (run, level) pair, three pairs fill a
// 64-bit word, and the word holding the tensor's last pair carries the terminator bit with (0, 0) padding.
`include "common/ocelli_assert.svh"

`include "common/ocelli_assert.svh"

module rlc_encoder
  import ocelli_pkg::*;
(
  input  logic        clk_i,
  input  logic        rst_ni,

  input  logic        in_valid_i,
  output logic        in_ready_o,
  input  data_t       in_data_i,
  input  logic        in_last_i,   // marks the tensor's final element

  output logic        out_valid_o,
  input  logic        out_ready_i,
  output dram_word_t  out_word_o,
  output logic        out_last_o   // the word with the terminator bit
);

  logic [RlcRunWidth-1:0]   zeros_d, zeros_q;      // zeros seen since the last emitted pair
  logic [1:0]               pair_idx_d, pair_idx_q;  // next free pair slot of the word being filled
  logic [DramWidth-2:0]     pairs_d, pairs_q;      // the 63 pair bits of the word being filled
  dram_word_t               out_word_d, out_word_q;
  logic                     out_valid_d, out_valid_q;
  logic                     out_last_d, out_last_q;

  logic                     accept;
  logic                     emit_pair;
  logic [RlcPairWidth-1:0]  pair;
  logic [DramWidth-2:0]     pairs_with_new;

  // A new element may enter when the output register is free or drains this cycle; every element can complete a word.
  assign in_ready_o = !out_valid_q || out_ready_i;
  assign accept     = in_valid_i && in_ready_o;

  // A nonzero element always ends a pair; a zero ends one when the run field is full or the tensor ends.
  assign emit_pair = (in_data_i != '0) || (zeros_q == RlcRunWidth'(RlcMaxRun)) || in_last_i;
  assign pair      = {in_data_i, zeros_q};

  always_comb begin
    pairs_with_new = pairs_q;
    unique case (pair_idx_q)
      2'd0:    pairs_with_new[0*RlcPairWidth +: RlcPairWidth] = pair;
      2'd1:    pairs_with_new[1*RlcPairWidth +: RlcPairWidth] = pair;
      default: pairs_with_new[2*RlcPairWidth +: RlcPairWidth] = pair;
    endcase
  end

  always_comb begin
    zeros_d     = zeros_q;
    pair_idx_d  = pair_idx_q;
    pairs_d     = pairs_q;
    out_word_d  = out_word_q;
    out_last_d  = out_last_q;
    out_valid_d = out_valid_q && !out_ready_i;

    if (accept) begin
      if (!emit_pair) begin
        zeros_d = zeros_q + 1'b1;
      end else begin
        zeros_d = '0;
        if (pair_idx_q == 2'd2 || in_last_i) begin
          // Word complete: hand it to the output register and start an empty one.
          out_word_d  = {in_last_i, pairs_with_new};
          out_last_d  = in_last_i;
          out_valid_d = 1'b1;
          pairs_d     = '0;
          pair_idx_d  = '0;
        end else begin
          pairs_d    = pairs_with_new;
          pair_idx_d = pair_idx_q + 1'b1;
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      zeros_q     <= '0;
      pair_idx_q  <= '0;
      pairs_q     <= '0;
      out_word_q  <= '0;
      out_valid_q <= 1'b0;
      out_last_q  <= 1'b0;
    end else begin
      zeros_q     <= zeros_d;
      pair_idx_q  <= pair_idx_d;
      pairs_q     <= pairs_d;
      out_word_q  <= out_word_d;
      out_valid_q <= out_valid_d;
      out_last_q  <= out_last_d;
    end
  end

  assign out_valid_o = out_valid_q;
  assign out_word_o  = out_word_q;
  assign out_last_o  = out_last_q;

`ifndef SYNTHESIS
  // A word offered downstream stays unchanged until it is taken.
  `OCELLI_ASSERT_STREAM(a_out_stable, out_valid_o, out_ready_i, {out_word_o, out_last_o})
  // The pair slot index never leaves 0..2.
  `OCELLI_ASSERT(a_pair_idx, pair_idx_q != 2'd3)
`endif

endmodule
