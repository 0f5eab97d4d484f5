// Global output network (docs/glb-noc.md): collects the per-column psum outputs of pe_array into one stream
// towards the global buffer, each word tagged with its column index. A round-robin arbiter (priority moves to the
// column after the last winner) picks one valid column per cycle into an output register, so the output carries one
// psum per cycle and out_valid_o does not depend on out_ready_i. Order within one column is kept.
`include "common/ocelli_assert.svh"

module gon
  import ocelli_pkg::*;
#(
  parameter int unsigned Cols  = ArrayCols,
  parameter int unsigned Width = PsumWidth,
  localparam int unsigned ColIdxWidth = Cols > 1 ? $clog2(Cols) : 1
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,

  // pe_array's col_psum_* outputs.
  input  logic [Cols-1:0]             col_valid_i,
  input  logic [Cols-1:0][Width-1:0]  col_data_i,
  output logic [Cols-1:0]             col_ready_o,

  // Towards the global buffer.
  output logic                        out_valid_o,
  output logic [Width-1:0]            out_data_o,
  output logic [ColIdxWidth-1:0]      out_col_o,
  input  logic                        out_ready_i,

  input  logic                        perf_clear_i,
  output logic [63:0]                 perf_words_o,        // psums taken from the columns
  output logic [63:0]                 perf_stall_cycles_o  // cycles with a column valid but none taken
);
  logic [ColIdxWidth-1:0] rr_q;  // column with the highest priority
  logic [ColIdxWidth-1:0] winner;
  logic                   any_valid;

  always_comb begin
    any_valid = 1'b0;
    winner    = '0;
    for (int i = 0; i < int'(Cols); i++) begin
      automatic logic [ColIdxWidth-1:0] c = ColIdxWidth'((int'(rr_q) + i) % int'(Cols));
      if (!any_valid && col_valid_i[c]) begin
        any_valid = 1'b1;
        winner    = c;
      end
    end
  end

  logic             out_valid_q;
  logic [Width-1:0] out_data_q;
  logic [ColIdxWidth-1:0] out_col_q;
  logic             slot_free, take;

  assign slot_free = !out_valid_q || out_ready_i;
  assign take      = any_valid && slot_free;
  always_comb begin
    col_ready_o = '0;
    col_ready_o[winner] = take;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_valid_q <= 1'b0;
      out_col_q   <= '0;
      rr_q        <= '0;
    end else begin
      if (slot_free) out_valid_q <= any_valid;
      if (take) begin
        out_col_q <= winner;
        rr_q      <= (int'(winner) == int'(Cols) - 1) ? '0 : winner + 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (take) out_data_q <= col_data_i[winner];
  end

  assign out_valid_o = out_valid_q;
  assign out_data_o  = out_data_q;
  assign out_col_o   = out_col_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      perf_words_o        <= '0;
      perf_stall_cycles_o <= '0;
    end else if (perf_clear_i) begin
      perf_words_o        <= '0;
      perf_stall_cycles_o <= '0;
    end else begin
      perf_words_o        <= perf_words_o + 64'(take);
      perf_stall_cycles_o <= perf_stall_cycles_o + 64'(any_valid && !take);
    end
  end

  // The output word holds until taken.
  `OCELLI_ASSERT_STREAM(a_out_stable, out_valid_o, out_ready_i, {out_data_o, out_col_o})
  `OCELLI_ASSERT(a_one_column_taken, $onehot0(col_ready_o))
endmodule
