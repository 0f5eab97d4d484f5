// Test wrapper (not part of the design): psum_unpacker -> psum_packer, the two ends of the array's psum path, with a
// one-psum register per column between them that stands in for the PE column: it takes a psum only in cycles with
// link_en_i (a PE not ready) and offers it to the packer until taken, as a top PE's output register does. Pairs in
// must come out unchanged, per column in order (test_psum_pairs.cpp).
module psum_pairs_tb_top
  import ocelli_pkg::*;
#(
  parameter int unsigned Cols = ArrayCols
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  start_i,
  input  logic [4:0]            p_i,

  input  logic [Cols-1:0]       in_valid_i,
  input  psum_pair_t [Cols-1:0] in_data_i,
  output logic [Cols-1:0]       in_ready_o,
  input  logic [Cols-1:0]       link_en_i,   // column c's register may take a psum this cycle

  output logic [Cols-1:0]       out_valid_o,
  output psum_pair_t [Cols-1:0] out_data_o,
  input  logic [Cols-1:0]       out_ready_i,
  output logic                  unpacker_idle_o
);
  logic [Cols-1:0]  pe_valid, pe_ready, col_ready, slot_valid_q;
  psum_t [Cols-1:0] pe_data, slot_q;

  psum_unpacker #(.Cols(Cols)) u_unpacker (
    .clk_i, .rst_ni,
    .in_valid_i, .in_data_i, .in_ready_o,
    .pe_valid_o (pe_valid),
    .pe_data_o  (pe_data),
    .pe_ready_i (pe_ready),
    .idle_o     (unpacker_idle_o)
  );
  assign pe_ready = link_en_i & (~slot_valid_q | col_ready);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      slot_valid_q <= '0;
      slot_q       <= '0;
    end else begin
      for (int c = 0; c < int'(Cols); c++) begin
        if (pe_valid[c] && pe_ready[c]) begin
          slot_valid_q[c] <= 1'b1;
          slot_q[c]       <= pe_data[c];
        end else if (col_ready[c]) begin
          slot_valid_q[c] <= 1'b0;
        end
      end
    end
  end

  psum_packer #(.Cols(Cols)) u_packer (
    .clk_i, .rst_ni, .start_i, .p_i,
    .col_valid_i (slot_valid_q),
    .col_data_i  (slot_q),
    .col_ready_o (col_ready),
    .out_valid_o, .out_data_o, .out_ready_i
  );
endmodule
