// Register stage between the DMA and the chip's memory port: every memory-port input goes into a flop before any
// logic sees it, and every output depends only on flops (FIFO fill levels and entries). Two-entry FIFOs on the
// request, write-data and read-response streams keep one beat per cycle; the write acknowledgement (no
// back-pressure) is delayed by one cycle.
// Why: no combinational path from the port into the accelerator (the usual rule at a chip boundary), and in the
// verilated model no logic has to be re-evaluated when the testbench changes the port's inputs.
`include "common/ocelli_assert.svh"

module mem_port_regs
  import mem_pkg::*;
(
  input  logic        clk_i,
  input  logic        rst_ni,

  // DMA side
  input  logic        dma_req_valid_i,
  output logic        dma_req_ready_o,
  input  mem_req_t    dma_req_i,
  input  logic        dma_wdata_valid_i,
  output logic        dma_wdata_ready_o,
  input  logic [63:0] dma_wdata_i,
  input  logic        dma_wdata_last_i,
  output logic        dma_rsp_valid_o,
  input  logic        dma_rsp_ready_i,
  output mem_rsp_t    dma_rsp_o,
  output logic        dma_ack_valid_o,
  output mem_ack_t    dma_ack_o,

  // memory port
  output logic        mem_req_valid_o,
  input  logic        mem_req_ready_i,
  output mem_req_t    mem_req_o,
  output logic        mem_wdata_valid_o,
  input  logic        mem_wdata_ready_i,
  output logic [63:0] mem_wdata_o,
  output logic        mem_wdata_last_o,
  input  logic        mem_rsp_valid_i,
  output logic        mem_rsp_ready_o,
  input  mem_rsp_t    mem_rsp_i,
  input  logic        mem_ack_valid_i,
  input  mem_ack_t    mem_ack_i
);
  localparam int unsigned Depth = 2;  // one beat per cycle through a FIFO whose ready is a flop
  logic [1:0] unused_req_count, unused_wdata_count, unused_rsp_count;  // fill levels: nobody reserves space

  stream_fifo #(.Width($bits(mem_req_t)), .Depth(Depth)) u_req (
    .clk_i, .rst_ni, .clear_i(1'b0),
    .in_valid_i(dma_req_valid_i), .in_ready_o(dma_req_ready_o), .in_data_i(dma_req_i),
    .out_valid_o(mem_req_valid_o), .out_ready_i(mem_req_ready_i), .out_data_o(mem_req_o),
    .count_o(unused_req_count));

  stream_fifo #(.Width(65), .Depth(Depth)) u_wdata (
    .clk_i, .rst_ni, .clear_i(1'b0),
    .in_valid_i(dma_wdata_valid_i), .in_ready_o(dma_wdata_ready_o), .in_data_i({dma_wdata_last_i, dma_wdata_i}),
    .out_valid_o(mem_wdata_valid_o), .out_ready_i(mem_wdata_ready_i), .out_data_o({mem_wdata_last_o, mem_wdata_o}),
    .count_o(unused_wdata_count));

  stream_fifo #(.Width($bits(mem_rsp_t)), .Depth(Depth)) u_rsp (
    .clk_i, .rst_ni, .clear_i(1'b0),
    .in_valid_i(mem_rsp_valid_i), .in_ready_o(mem_rsp_ready_o), .in_data_i(mem_rsp_i),
    .out_valid_o(dma_rsp_valid_o), .out_ready_i(dma_rsp_ready_i), .out_data_o(dma_rsp_o),
    .count_o(unused_rsp_count));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dma_ack_valid_o <= 1'b0;
      dma_ack_o       <= '0;
    end else begin
      dma_ack_valid_o <= mem_ack_valid_i;
      dma_ack_o       <= mem_ack_i;
    end
  end

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_mem_req_stable, mem_req_valid_o, mem_req_ready_i, mem_req_o)
  `OCELLI_ASSERT_STREAM(a_mem_wdata_stable, mem_wdata_valid_o, mem_wdata_ready_i, {mem_wdata_o, mem_wdata_last_o})
  `OCELLI_ASSERT_STREAM(a_dma_rsp_stable, dma_rsp_valid_o, dma_rsp_ready_i, dma_rsp_o)
endmodule
