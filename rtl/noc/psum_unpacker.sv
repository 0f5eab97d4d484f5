// Between the psum GIN (one psum_pair_t per transfer) and the bottom PE of every column: each column keeps one pair
// and hands its PE the even filter's psum (lo), then, if the pair carries two, the odd one's (hi). The PE's valid
// is a register; the column takes the next pair in the cycle its last psum leaves, so a column can pass one psum per
// cycle. One process for all columns: a simulator evaluates it once per cycle, not once per column.
`include "common/ocelli_assert.svh"

module psum_unpacker
  import ocelli_pkg::*;
#(
  parameter int unsigned Cols = ArrayCols
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,

  // From the psum GIN (one X-bus of Cols targets).
  input  logic [Cols-1:0]       in_valid_i,
  input  psum_pair_t [Cols-1:0] in_data_i,
  output logic [Cols-1:0]       in_ready_o,

  // To pe_array's psum-in ports of PE row 0.
  output logic [Cols-1:0]       pe_valid_o,
  output psum_t [Cols-1:0]      pe_data_o,
  input  logic [Cols-1:0]       pe_ready_i,

  output logic                  idle_o        // no psum held
);
  logic [Cols-1:0]  valid_q, hi_left_q;  // a psum is offered; the odd one is still to follow
  psum_t [Cols-1:0] data_q, hi_q;
  logic [Cols-1:0]  pop, push;

  assign pop        = valid_q & pe_ready_i;
  // Free, or about to be: its last psum leaves this cycle. Depends on the PE's ready, a registered FIFO flag.
  assign in_ready_o = ~valid_q | (pop & ~hi_left_q);
  assign push       = in_valid_i & in_ready_o;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q   <= '0;
      hi_left_q <= '0;
      data_q    <= '0;
      hi_q      <= '0;
    end else if (|{push, pop}) begin
      for (int c = 0; c < int'(Cols); c++) begin
        if (push[c]) begin
          valid_q[c]   <= 1'b1;
          hi_left_q[c] <= in_data_i[c].two;
          data_q[c]    <= in_data_i[c].lo;
          hi_q[c]      <= in_data_i[c].hi;
        end else if (pop[c]) begin
          valid_q[c]   <= hi_left_q[c];
          hi_left_q[c] <= 1'b0;
          data_q[c]    <= hi_q[c];
        end
      end
    end
  end

  assign pe_valid_o = valid_q;
  assign pe_data_o  = data_q;
  assign idle_o     = valid_q == '0;

  for (genvar c = 0; c < int'(Cols); c++) begin : g_check
    // An offered psum stays offered and unchanged until the PE takes it.
    `OCELLI_ASSERT_STREAM(a_pe_stable, pe_valid_o[c], pe_ready_i[c], pe_data_o[c])
  end
endmodule
