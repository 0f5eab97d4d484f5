// Streams one pass's filter chunk from the GLB filter region into the filter GIN (docs/isa.md, weights layout).
// The chunk holds one block of p*q*S values per (PE row, horizontal set), padded to whole 64-bit words; each GLB
// word goes out as one filter-network word of up to four values (the last word of a block carries the rest). Word k
// of every block is sent before word k+1 of any, so every PE row loads its filter spad in parallel.
// Tags: row = physical PE row, col = horizontal set.
`include "common/ocelli_assert.svh"

module filter_feeder
  import ocelli_pkg::*;
#(
  parameter int unsigned AddrWidth = 14
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,

  input  logic                 start_i,
  input  logic [AddrWidth-1:0] base_i,       // GLB word address of the chunk
  input  logic [7:0]           blk_pitch_i,  // words per block
  input  logic [7:0]           blk_len_i,    // p*q*S elements per block
  input  logic [3:0]           rows_i,       // r*R PE rows in use
  input  logic [3:0]           sets_i,       // t horizontal sets
  output logic                 busy_o,

  output glb_port_req_t        glb_o,  // GLB reads (u_reader)
  input  glb_port_rsp_t        glb_i,

  output logic                 gin_valid_o,  // to the filter GIN
  input  logic                 gin_ready_i,
  output filt_gin_word_t       gin_o
);
  localparam int unsigned SideW = 3 + NocRowIdWidth + NocColIdWidth;

  logic                 gen_q;           // still generating requests
  logic [7:0]           k_q;             // word within the block
  logic [3:0]           row_q, set_q;
  logic [2:0][7:0]      idx;             // u_loop: set, row, k
  logic [2:0]           last, wrap;
  logic [AddrWidth-1:0] blk_addr_q;      // address of the current block's first word
  logic [AddrWidth-1:0] base_q;          // the chunk's (base_i at start: a prefetch's base changes after it)
  logic                 req_ready, reader_idle;
  logic [SideW-1:0]     side;
  logic [2:0]           count, req_count;
  logic [63:0]          word;
  logic [9:0]           left;            // values of the block from word k on

  assign left      = 10'(blk_len_i) - {k_q, 2'b00};
  assign req_count = (left >= 10'd4) ? 3'd4 : 3'(left);

  // Requests in the order word k of the block, PE row, horizontal set (innermost); the block address steps by its
  // pitch with each set and row and goes back to the chunk's base for the next word.
  loop_nest #(.Levels(3), .Width(8)) u_loop (
    .clk_i, .rst_ni,
    .clear_i (start_i),
    .step_i  (gen_q && req_ready),
    .last_i  ({blk_pitch_i - 8'd1, 8'(rows_i) - 8'd1, 8'(sets_i) - 8'd1}),
    .idx_o   (idx),
    .last_o  (last),
    .wrap_o  (wrap)
  );
  assign {k_q, row_q, set_q} = {idx[2], 4'(idx[1]), 4'(idx[0])};
  logic unused_loop;  // (the wraps say all the block address needs; idx[1:0] fit in 4 bits: rows, sets <= 15)
  assign unused_loop = ^{last, wrap[0], idx[1][7:4], idx[0][7:4]};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gen_q      <= 1'b0;
      blk_addr_q <= '0;
      base_q     <= '0;
    end else if (start_i) begin
      gen_q      <= 1'b1;
      blk_addr_q <= base_i;
      base_q     <= base_i;
    end else if (gen_q && req_ready) begin
      if (wrap[2]) begin
        gen_q <= 1'b0;
      end else if (wrap[1]) begin
        blk_addr_q <= base_q;
      end else begin
        blk_addr_q <= blk_addr_q + AddrWidth'(blk_pitch_i);
      end
    end
  end

  glb_reader #(.AddrWidth(AddrWidth), .SideWidth(SideW)) u_reader (
    .clk_i, .rst_ni,
    .req_valid_i     (gen_q),
    .req_ready_o     (req_ready),
    .req_addr_i      (blk_addr_q + AddrWidth'(k_q)),
    .req_skip_i      (1'b0),
    .req_side_i      ({req_count, NocRowIdWidth'(row_q), NocColIdWidth'(set_q)}),
    .glb_o, .glb_i,
    .out_valid_o     (gin_valid_o),
    .out_ready_i     (gin_ready_i),
    .out_data_o      (word),
    .out_side_o      (side),
    .idle_o          (reader_idle)
  );

  assign {count, gin_o.row_tag, gin_o.col_tag} = side;
  assign gin_o.data = {count, word};
  assign busy_o = gen_q || !reader_idle;

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_gin_stable, gin_valid_o, gin_ready_i, gin_o)
endmodule
