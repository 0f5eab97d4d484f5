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
  input  logic          clk_i,
  input  logic          rst_ni,
  input  mem_port_req_t dma_i,  // DMA side
  output mem_port_rsp_t dma_o,
  output mem_port_req_t mem_o,  // memory port
  input  mem_port_rsp_t mem_i
);
  localparam int unsigned Depth = 2;  // one beat per cycle through a FIFO whose ready is a flop
  logic [1:0] unused_req_count, unused_wdata_count, unused_rsp_count;  // fill levels: nobody reserves space

  stream_fifo #(.Width($bits(mem_req_t)), .Depth(Depth)) u_req (
    .clk_i, .rst_ni, .clear_i(1'b0),
    .in_valid_i(dma_i.req_valid), .in_ready_o(dma_o.req_ready), .in_data_i(dma_i.req),
    .out_valid_o(mem_o.req_valid), .out_ready_i(mem_i.req_ready), .out_data_o(mem_o.req),
    .count_o(unused_req_count));

  stream_fifo #(.Width(65), .Depth(Depth)) u_wdata (
    .clk_i, .rst_ni, .clear_i(1'b0),
    .in_valid_i(dma_i.wdata_valid), .in_ready_o(dma_o.wdata_ready), .in_data_i({dma_i.wdata_last, dma_i.wdata}),
    .out_valid_o(mem_o.wdata_valid), .out_ready_i(mem_i.wdata_ready), .out_data_o({mem_o.wdata_last, mem_o.wdata}),
    .count_o(unused_wdata_count));

  stream_fifo #(.Width($bits(mem_rsp_t)), .Depth(Depth)) u_rsp (
    .clk_i, .rst_ni, .clear_i(1'b0),
    .in_valid_i(mem_i.rsp_valid), .in_ready_o(mem_o.rsp_ready), .in_data_i(mem_i.rsp),
    .out_valid_o(dma_o.rsp_valid), .out_ready_i(dma_i.rsp_ready), .out_data_o(dma_o.rsp),
    .count_o(unused_rsp_count));

  logic     ack_valid_q;
  mem_ack_t ack_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ack_valid_q <= 1'b0;
      ack_q       <= '0;
    end else begin
      ack_valid_q <= mem_i.ack_valid;
      ack_q       <= mem_i.ack;
    end
  end
  assign dma_o.ack_valid = ack_valid_q;
  assign dma_o.ack       = ack_q;

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_mem_req_stable, mem_o.req_valid, mem_i.req_ready, mem_o.req)
  `OCELLI_ASSERT_STREAM(a_mem_wdata_stable, mem_o.wdata_valid, mem_i.wdata_ready, {mem_o.wdata, mem_o.wdata_last})
  `OCELLI_ASSERT_STREAM(a_dma_rsp_stable, dma_o.rsp_valid, dma_i.rsp_ready, dma_o.rsp)
  // (The DMA's own requests are checked in dma.sv: it may withdraw them when it fails.)
endmodule
