// Streams the partial sums of earlier channel passes from the GLB psum region into the psum GIN, for the bottom
// PE of every used column, one GLB word per transfer: image b, column x, pair k, then PE column (fastest), so that
// all columns advance together. GLB layout (ctrl_pkg, tile_cfg_t): [b][set ht][row j][column x][ceil(p/2) words],
// filters 2k and 2k+1 in word k; col_base_i[c] is the offset of column c's (set ht, row j). The word goes out whole
// as a psum_pair_t (lo = filter 2k, hi = 2k+1; the last word of an odd p carries one psum); psum_unpacker hands the
// PE one psum at a time.
`include "common/ocelli_assert.svh"

module psum_feeder
  import ocelli_pkg::*;
#(
  parameter int unsigned AddrWidth = 14,
  parameter int unsigned Cols      = ArrayCols
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,

  input  logic                            start_i,
  input  logic [AddrWidth-1:0]            base_i,
  input  logic [7:0]                      x_words_i,     // words per output column: ceil(p/2)
  input  logic [AddrWidth-1:0]            img_words_i,   // words per image
  input  logic [Cols-1:0][AddrWidth-1:0]  col_base_i,
  input  logic [4:0]                      cols_i,        // t*e columns in use
  input  logic [7:0]                      out_w_i,       // F
  input  logic                            p_odd_i,       // p is odd: the last word of a column carries one psum
  input  logic [3:0]                      n_img_i,
  output logic                            busy_o,

  output glb_port_req_t                   glb_o,  // GLB reads (u_reader)
  input  glb_port_rsp_t                   glb_i,

  output logic                            gin_valid_o,  // to the psum GIN
  input  logic                            gin_ready_i,
  output psum_gin_word_t                  gin_o
);
  localparam int unsigned SideW = 1 + NocColIdWidth;

  logic                 gen_q;
  logic [4:0]           col_q;
  logic [7:0]           k_q;
  logic [AddrWidth-1:0] img_q, xo_q;   // base of image b; offset of column x (x * x_words)
  logic                 req_ready, reader_idle, last_k, two;
  logic [63:0]          word;

  // Requests in the order image b, output column x, word k of the column, PE column col (innermost).
  logic [3:0][7:0] idx;
  logic [3:0]      last, wrap;
  loop_nest #(.Levels(4), .Width(8)) u_loop (
    .clk_i, .rst_ni,
    .clear_i (start_i),
    .step_i  (gen_q && req_ready),
    .last_i  ({8'(n_img_i) - 8'd1, out_w_i - 8'd1, x_words_i - 8'd1, 8'(cols_i) - 8'd1}),
    .idx_o   (idx),
    .last_o  (last),
    .wrap_o  (wrap)
  );
  assign col_q  = 5'(idx[0]);
  assign k_q    = idx[1];
  assign last_k = last[1];
  logic unused_loop;  // (idx[0] < Cols fits col_q; the outer indices and flags are not needed)
  assign unused_loop = ^{idx[3], idx[2], idx[0][7:5], last[3:2], last[0], wrap[0]};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gen_q <= 1'b0;
      img_q <= '0;
      xo_q  <= '0;
    end else if (start_i) begin
      gen_q <= 1'b1;
      img_q <= base_i;
      xo_q  <= '0;
    end else begin
      if (wrap[1]) xo_q <= wrap[2] ? '0 : xo_q + AddrWidth'(x_words_i);  // the next output column
      if (wrap[2] && !wrap[3]) img_q <= img_q + img_words_i;             // the next image
      if (wrap[3]) gen_q <= 1'b0;
    end
  end

  glb_reader #(.AddrWidth(AddrWidth), .SideWidth(SideW)) u_reader (
    .clk_i, .rst_ni,
    .req_valid_i     (gen_q),
    .req_ready_o     (req_ready),
    .req_addr_i      (img_q + col_base_i[col_q] + xo_q + AddrWidth'(k_q)),
    .req_skip_i      (1'b0),
    // The last word of an odd p holds filter p-1 alone.
    .req_side_i      ({!(last_k && p_odd_i), NocColIdWidth'(col_q)}),
    .glb_o, .glb_i,
    .out_valid_o     (gin_valid_o),
    .out_ready_i     (gin_ready_i),
    .out_data_o      (word),
    .out_side_o      ({two, gin_o.col_tag}),
    .idle_o          (reader_idle)
  );

  assign gin_o.row_tag  = '0;
  assign gin_o.data.two = two;
  assign gin_o.data.hi  = psum_t'(word[63:32]);  // not a psum when !two (the write of a lone psum masks it)
  assign gin_o.data.lo  = psum_t'(word[31:0]);
  assign busy_o         = gen_q || !reader_idle;

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_gin_stable, gin_valid_o, gin_ready_i, gin_o)
endmodule
