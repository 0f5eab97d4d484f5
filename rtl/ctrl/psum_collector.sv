// Writes the psums leaving the array (through the GON, tagged with their column) into the GLB psum region.
// Each column emits image b, column x, filter m (fastest) for its set ht and ofmap row j; a counter set per column
// turns that order into the layout of psum_feeder ([b][set ht][row j][column x][ceil(p/2) words]): a column's even
// filter waits in a register for the odd one, and the two go into their word in one write (the last filter of an
// odd p alone, masked).
`include "common/ocelli_assert.svh"

module psum_collector
  import ocelli_pkg::*;
#(
  parameter int unsigned AddrWidth = 14,
  parameter int unsigned Cols      = ArrayCols,
  localparam int unsigned ColW     = Cols > 1 ? $clog2(Cols) : 1
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,

  input  logic                            start_i,
  input  logic [AddrWidth-1:0]            base_i,
  input  logic [7:0]                      x_words_i,     // words per output column: ceil(p/2)
  input  logic [AddrWidth-1:0]            img_words_i,
  input  logic [Cols-1:0][AddrWidth-1:0]  col_base_i,
  input  logic [31:0]                     expected_i,    // psums this pass: n * F * p * columns
  input  logic [7:0]                      out_w_i,
  input  logic [4:0]                      p_i,
  output logic                            busy_o,

  input  logic                            gon_valid_i,
  output logic                            gon_ready_o,
  input  psum_t                           gon_data_i,
  input  logic [ColW-1:0]                 gon_col_i,

  output logic                            glb_valid_o,
  input  logic                            glb_ready_i,
  output logic [AddrWidth-1:0]            glb_addr_o,
  output logic [63:0]                     glb_wdata_o,
  output logic [3:0]                      glb_wmask_o
);
  logic [Cols-1:0][7:0]           x_q;
  logic [Cols-1:0][4:0]           m_q;
  logic [Cols-1:0][AddrWidth-1:0] img_q, xo_q;   // base of image b; offset of column x (x * x_words)
  logic [Cols-1:0][31:0]          even_q;        // the even filter's psum, waiting for the odd one
  logic [31:0]                    left_q;
  logic                           take, last_m, write;

  assign last_m      = m_q[gon_col_i] == p_i - 1'b1;
  // An even filter's psum is written with the odd one after it, unless it is the last of the column's filters.
  assign write       = m_q[gon_col_i][0] || last_m;
  assign glb_valid_o = gon_valid_i && (left_q != '0) && write;
  assign gon_ready_o = (left_q != '0) && (glb_ready_i || !write);
  assign take        = gon_valid_i && gon_ready_o;
  assign glb_addr_o  = img_q[gon_col_i] + col_base_i[gon_col_i] + xo_q[gon_col_i] +
                       AddrWidth'(m_q[gon_col_i][4:1]);
  assign glb_wdata_o = m_q[gon_col_i][0] ? {gon_data_i, even_q[gon_col_i]} : {gon_data_i, gon_data_i};
  assign glb_wmask_o = m_q[gon_col_i][0] ? 4'b1111 : 4'b0011;
  assign busy_o      = left_q != '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      x_q    <= '0;
      m_q    <= '0;
      img_q  <= '0;
      xo_q   <= '0;
      left_q <= '0;
    end else if (start_i) begin
      for (int c = 0; c < int'(Cols); c++) begin
        x_q[c]   <= '0;
        m_q[c]   <= '0;
        img_q[c] <= base_i;
        xo_q[c]  <= '0;
      end
      left_q <= expected_i;
    end else if (take) begin
      left_q <= left_q - 1;
      if (!last_m) begin
        m_q[gon_col_i] <= m_q[gon_col_i] + 1'b1;
      end else begin
        m_q[gon_col_i] <= '0;
        if (x_q[gon_col_i] != out_w_i - 1'b1) begin
          x_q[gon_col_i]  <= x_q[gon_col_i] + 1'b1;
          xo_q[gon_col_i] <= xo_q[gon_col_i] + AddrWidth'(x_words_i);
        end else begin
          x_q[gon_col_i]   <= '0;
          xo_q[gon_col_i]  <= '0;
          img_q[gon_col_i] <= img_q[gon_col_i] + img_words_i;
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (take && !write) even_q[gon_col_i] <= gon_data_i;
  end

`ifndef SYNTHESIS
  `OCELLI_ASSERT(a_no_extra_psum, gon_valid_i |-> left_q != '0)
`endif

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_glb_req_stable, glb_valid_o, glb_ready_i, {glb_addr_o, glb_wdata_o, glb_wmask_o})
endmodule
