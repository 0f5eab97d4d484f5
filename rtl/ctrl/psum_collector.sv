// Writes the psums leaving the array (through the GON, one psum_pair_t per transfer, tagged with its column) into
// the GLB psum region, one write per pair. Each column emits image b, column x, pair k (fastest; psum_packer pairs
// filters 2k and 2k+1) for its set ht and ofmap row j; a counter set per column turns that order into the layout of
// psum_feeder ([b][set ht][row j][column x][ceil(p/2) words]). The last word of an odd p holds one psum (masked).
// Writes go through a small FIFO when the psum feeder reads the same region in this pass (accum_i): a write that
// loses its bank to a read then costs the GON nothing (the pairs of all columns leave in bursts, with gaps in which
// the FIFO drains). In other passes a pair goes straight to the GLB port while the FIFO is empty (no latency).
// Straight writes in accumulating passes measured slower (docs/glb-noc.md, "Psum pairs").
`include "common/ocelli_assert.svh"

module psum_collector
  import ocelli_pkg::*;
#(
  parameter int unsigned AddrWidth = 14,
  parameter int unsigned Cols      = ArrayCols,
  parameter int unsigned WrDepth   = 4,
  localparam int unsigned ColW     = Cols > 1 ? $clog2(Cols) : 1
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,

  input  logic                            start_i,
  input  logic [AddrWidth-1:0]            base_i,
  input  logic [7:0]                      x_words_i,     // words per output column: ceil(p/2)
  input  logic [AddrWidth-1:0]            img_words_i,
  input  logic [Cols-1:0][AddrWidth-1:0]  col_base_i,
  input  logic [31:0]                     expected_i,    // pairs this pass: n * F * ceil(p/2) * columns
  input  logic [7:0]                      out_w_i,
  input  logic                            p_odd_i,       // p is odd: a column's last word has one psum
  input  logic                            accum_i,       // the psum feeder reads the region during this pass
  output logic                            busy_o,

  input  logic                            gon_valid_i,
  output logic                            gon_ready_o,
  input  psum_pair_t                      gon_data_i,
  input  logic [ColW-1:0]                 gon_col_i,

  output glb_port_req_t                   glb_o,         // GLB writes
  input  logic                            glb_ready_i
);
  logic [Cols-1:0][7:0]           x_q, k_q;
  logic [Cols-1:0][AddrWidth-1:0] img_q, xo_q;   // base of image b; offset of column x (x * x_words)
  logic [31:0]                    left_q;
  localparam int unsigned ReqW = AddrWidth + 64 + 4;
  logic                           take, last_k, direct, wr_ready, wr_valid;
  logic [ReqW-1:0]                req, wr_head;
  logic [$clog2(WrDepth+1)-1:0]   wr_count;

  assign last_k      = k_q[gon_col_i] == x_words_i - 1'b1;
  assign gon_ready_o = (left_q != '0) && wr_ready;
  assign take        = gon_valid_i && gon_ready_o;
  assign req         = {img_q[gon_col_i] + col_base_i[gon_col_i] + xo_q[gon_col_i] + AddrWidth'(k_q[gon_col_i]),
                        gon_data_i.hi, gon_data_i.lo, gon_data_i.two ? 4'b1111 : 4'b0011};
  assign direct      = wr_count == '0 && !accum_i;  // the GON's pair is offered to the GLB at once
  assign busy_o      = left_q != '0 || wr_count != '0;

  stream_fifo #(.Width(ReqW), .Depth(WrDepth)) u_wr_fifo (
    .clk_i,
    .rst_ni,
    .clear_i     (1'b0),
    .in_valid_i  (take && !(direct && glb_ready_i)),
    .in_ready_o  (wr_ready),
    .in_data_i   (req),
    .out_valid_o (wr_valid),
    .out_ready_i (glb_ready_i),
    .out_data_o  (wr_head),
    .count_o     (wr_count)
  );
  assign glb_o.valid     = direct ? gon_valid_i && (left_q != '0) : wr_valid;
  assign glb_o.req.write = 1'b1;
  assign {glb_o.req.addr, glb_o.req.wdata, glb_o.req.wmask} = direct ? req : wr_head;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      x_q    <= '0;
      k_q    <= '0;
      img_q  <= '0;
      xo_q   <= '0;
      left_q <= '0;
    end else if (start_i) begin
      for (int c = 0; c < int'(Cols); c++) begin
        x_q[c]   <= '0;
        k_q[c]   <= '0;
        img_q[c] <= base_i;
        xo_q[c]  <= '0;
      end
      left_q <= expected_i;
    end else if (take) begin
      left_q <= left_q - 1;
      if (!last_k) begin
        k_q[gon_col_i] <= k_q[gon_col_i] + 1'b1;
      end else begin
        k_q[gon_col_i] <= '0;
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

`ifndef SYNTHESIS
  `OCELLI_ASSERT(a_no_extra_psum, gon_valid_i |-> left_q != '0)
  // The packer's pairing and this column's word count agree: only the last word of an odd p is a lone psum.
  `OCELLI_ASSERT(a_lone_psum_last, gon_valid_i |-> gon_data_i.two == !(last_k && p_odd_i))
`endif

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_glb_req_stable, glb_o.valid, glb_ready_i, glb_o.req)
endmodule
