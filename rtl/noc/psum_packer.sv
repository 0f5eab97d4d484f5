// At the top of every column, between pe_array and the GON: pairs the psums of filters 2k and 2k+1 of one output
// position into one psum_pair_t, the layout of a GLB psum word, so the GON and the collector move one word per two
// psums. A column's psums leave in the order image b, column x, filter m (fastest); a counter per column, cleared
// at the pass start, tells m. The even psum waits in a register (always free for it: the odd one before it has
// gone out with its pair); the odd one is offered to the GON together with it as it comes from the column (the
// valid is the top PE's output register gated by the count: no cycle of latency). A pair the GON does not take at
// once waits in a register per column, so the column's PE goes on while the GON serves the other columns (they all
// finish their pairs at about the same time). Filter p-1 of an odd p goes out alone. One process for all columns: a
// simulator evaluates it once per cycle, not per column.
`include "common/ocelli_assert.svh"

module psum_packer
  import ocelli_pkg::*;
#(
  parameter int unsigned Cols = ArrayCols
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,

  input  logic                  start_i,      // a pass starts: every column begins at filter 0
  input  logic [4:0]            p_i,          // filters per column output position

  // pe_array's col_psum_* outputs.
  input  logic [Cols-1:0]       col_valid_i,
  input  psum_t [Cols-1:0]      col_data_i,
  output logic [Cols-1:0]       col_ready_o,

  // To the GON.
  output logic [Cols-1:0]       out_valid_o,
  output psum_pair_t [Cols-1:0] out_data_o,
  input  logic [Cols-1:0]       out_ready_i
);
  logic [Cols-1:0][4:0] m_q;          // filter of the column's next psum
  psum_t [Cols-1:0]     even_q;       // filter m-1's psum while m is odd
  logic [Cols-1:0]      completes;    // the next psum ends a pair (odd m, or the last filter of an odd p)
  logic [Cols-1:0]      take, pair_in, held_q;
  psum_pair_t [Cols-1:0] pair, held_pair_q;  // the pair the column completes; a pair waiting for the GON

  for (genvar c = 0; c < int'(Cols); c++) begin : g_col
    assign completes[c] = m_q[c][0] || m_q[c] == p_i - 5'd1;
    assign pair[c].two  = m_q[c][0];
    assign pair[c].hi   = col_data_i[c];
    assign pair[c].lo   = m_q[c][0] ? even_q[c] : col_data_i[c];
    assign out_data_o[c] = held_q[c] ? held_pair_q[c] : pair[c];
  end
  assign out_valid_o = held_q | (col_valid_i & completes);
  // A completed pair is taken while no pair waits, or while the waiting one leaves.
  assign col_ready_o = ~completes | ~held_q | out_ready_i;
  assign take        = col_valid_i & col_ready_o;
  assign pair_in     = take & completes;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      m_q         <= '0;
      even_q      <= '0;
      held_q      <= '0;
      held_pair_q <= '0;
    end else if (start_i) begin
      m_q <= '0;
    end else if (|{take, held_q}) begin
      for (int c = 0; c < int'(Cols); c++) begin
        if (take[c]) begin
          m_q[c] <= m_q[c] == p_i - 5'd1 ? 5'd0 : m_q[c] + 5'd1;
          if (!completes[c]) even_q[c] <= col_data_i[c];
        end
        // The new pair waits if the GON did not take it directly (it was offered unless a held pair was).
        if (pair_in[c] && (held_q[c] || !out_ready_i[c])) begin
          held_q[c]      <= 1'b1;
          held_pair_q[c] <= pair[c];
        end else if (held_q[c] && out_ready_i[c]) begin
          held_q[c] <= 1'b0;
        end
      end
    end
  end

  // A pass starts with no column half-way through a pair and no pair waiting.
  `OCELLI_ASSERT(a_start_between_pairs, start_i |-> m_q == '0 && held_q == '0)
  for (genvar c = 0; c < int'(Cols); c++) begin : g_check
    `OCELLI_ASSERT_STREAM(a_out_stable, out_valid_o[c], out_ready_i[c], out_data_o[c])
  end
endmodule
