// The indices of a nest of counting loops, level 0 innermost, level l counting 0 .. last_i[l]. A step advances level
// 0; a level at its last index goes back to 0 and advances the next one out. wrap_o[l] says level l goes back to 0
// with this step (it and every level inside it are at their last index), so wrap_o[Levels-1] marks the nest's last
// step, after which every index is 0 again. The blocks that walk the GLB and DRAM in loops (feeders, loaders) keep
// their address accumulators beside it and step them with wrap_o. A testbench of its own
// (tb/cells/test_loop_nest.cpp).
`include "common/ocelli_assert.svh"

module loop_nest #(
  parameter int unsigned Levels = 2,
  parameter int unsigned Width  = 8
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  input  logic                         clear_i,  // every index to 0 (before a step of the same cycle)
  input  logic                         step_i,
  input  logic [Levels-1:0][Width-1:0] last_i,   // each level's last index (its count - 1), stable while stepping
  output logic [Levels-1:0][Width-1:0] idx_o,
  output logic [Levels-1:0]            last_o,   // level l is at its last index
  output logic [Levels-1:0]            wrap_o    // level l goes back to 0 with this step
);
  logic [Levels-1:0][Width-1:0] idx_q;
  logic [Levels-1:0]            carry;  // level l advances with this step

  // (prefix ANDs of last_o, not wrap_o[l-1]: no bit of a vector depends on another bit of it)
  for (genvar l = 0; l < int'(Levels); l++) begin : g_level
    assign last_o[l] = idx_q[l] == last_i[l];
    assign wrap_o[l] = step_i && (&last_o[l:0]);
    if (l == 0) begin : g_inner
      assign carry[l] = step_i;
    end else begin : g_outer
      assign carry[l] = step_i && (&last_o[l-1:0]);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      idx_q <= '0;
    end else if (clear_i) begin
      idx_q <= '0;
    end else begin
      for (int unsigned l = 0; l < Levels; l++) begin
        if (carry[l]) idx_q[l] <= wrap_o[l] ? '0 : idx_q[l] + 1'b1;
      end
    end
  end

  assign idx_o = idx_q;

  `OCELLI_ASSERT(a_step_in_range, step_i && !clear_i |-> idx_q[0] <= last_i[0])
endmodule
