// At the top of every column, between pe_array and the GON: pairs the psums of filters 2k and 2k+1 of one output
// position into one psum_pair_t, the layout of a GLB psum word, so the GON and the collector move one word per two
// psums. A column's psums leave in the order image b, column x, filter m (fastest); a counter per column, cleared
// at the pass start, tells m. The even psum waits in a register (always free for it: the odd one before it has
// gone out with its pair); the completed pair goes into an output register per column, the GON's valid, so the
// column's top PE goes on while the GON serves the other columns (they finish their pairs at about the same time).
// Filter p-1 of an odd p goes out alone. One process for all columns: a simulator evaluates it once per cycle, not
// once per column.
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
  logic [Cols-1:0]      out_valid_q;
  psum_pair_t [Cols-1:0] out_q;
  logic [Cols-1:0]      completes;    // the next psum ends a pair (odd m, or the last filter of an odd p)
  logic [Cols-1:0]      take, sent;

  for (genvar c = 0; c < int'(Cols); c++) begin : g_col
    assign completes[c] = m_q[c][0] || m_q[c] == p_i - 5'd1;
  end
  assign sent        = out_valid_q & out_ready_i;
  assign col_ready_o = ~completes | ~out_valid_q | out_ready_i;
  assign take        = col_valid_i & col_ready_o;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      m_q         <= '0;
      even_q      <= '0;
      out_valid_q <= '0;
      out_q       <= '0;
    end else if (start_i) begin
      m_q <= '0;
    end else if (|{take, sent}) begin
      for (int c = 0; c < int'(Cols); c++) begin
        if (sent[c]) out_valid_q[c] <= 1'b0;
        if (take[c]) begin
          m_q[c] <= m_q[c] == p_i - 5'd1 ? 5'd0 : m_q[c] + 5'd1;
          if (completes[c]) begin
            out_valid_q[c] <= 1'b1;
            out_q[c].two   <= m_q[c][0];
            out_q[c].hi    <= col_data_i[c];
            out_q[c].lo    <= m_q[c][0] ? even_q[c] : col_data_i[c];
          end else begin
            even_q[c] <= col_data_i[c];
          end
        end
      end
    end
  end

  assign out_valid_o = out_valid_q;
  assign out_data_o  = out_q;

  // A pass starts with no column half-way through a pair and nothing waiting for the GON.
  `OCELLI_ASSERT(a_start_between_pairs, start_i |-> m_q == '0 && out_valid_q == '0)
  for (genvar c = 0; c < int'(Cols); c++) begin : g_check
    `OCELLI_ASSERT_STREAM(a_out_stable, out_valid_o[c], out_ready_i[c], out_data_o[c])
  end
endmodule
