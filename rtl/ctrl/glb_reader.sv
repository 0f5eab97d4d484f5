// Turns a stream of GLB read requests into a stream of words in the same order, with back-pressure.
// A request may be a "skip" (zero padding): it reads nothing and yields a zero word, still in order.
// Space for the answer is reserved before a read is issued, so the GLB's always-accepted response never overflows.
`include "common/ocelli_assert.svh"

module glb_reader
  import ocelli_pkg::*;
#(
  parameter int unsigned AddrWidth = 14,
  parameter int unsigned SideWidth = 8,
  parameter int unsigned Depth     = 4
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,

  input  logic                 req_valid_i,
  output logic                 req_ready_o,
  input  logic [AddrWidth-1:0] req_addr_i,
  input  logic                 req_skip_i,
  input  logic [SideWidth-1:0] req_side_i,

  output glb_port_req_t        glb_o,  // the client's GLB port (reads only)
  input  glb_port_rsp_t        glb_i,

  output logic                 out_valid_o,
  input  logic                 out_ready_i,
  output logic [63:0]          out_data_o,
  output logic [SideWidth-1:0] out_side_o,

  output logic                 idle_o
);
  localparam int unsigned CntW = $clog2(Depth + 1);

  if (AddrWidth > GlbAddrWidth) begin : g_bad_addr_width  // the port's address would lose bits
    $error("glb_reader: AddrWidth exceeds the GLB port's address (GlbAddrWidth)");
  end

  logic                 inflight_q, inflight_skip_q;
  logic [SideWidth-1:0] inflight_side_q;
  logic [CntW-1:0]      count;
  logic                 space, accept, fifo_in_ready;
  logic [63:0]          push_data;

  assign space       = (count + CntW'(inflight_q)) < CntW'(Depth);
  assign glb_o.valid = req_valid_i && !req_skip_i && space;
  assign glb_o.req   = '{write: 1'b0, addr: GlbAddrWidth'(req_addr_i), wdata: '0, wmask: '0};
  assign req_ready_o = space && (req_skip_i || glb_i.ready);
  assign accept      = req_valid_i && req_ready_o;
  assign push_data   = inflight_skip_q ? '0 : glb_i.rsp_data;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      inflight_q      <= 1'b0;
      inflight_skip_q <= 1'b0;
      inflight_side_q <= '0;
    end else begin
      inflight_q      <= accept;
      inflight_skip_q <= req_skip_i;
      inflight_side_q <= req_side_i;
    end
  end

  stream_fifo #(.Width(64 + SideWidth), .Depth(Depth)) u_fifo (
    .clk_i,
    .rst_ni,
    .clear_i     (1'b0),
    .in_valid_i  (inflight_q),
    .in_ready_o  (fifo_in_ready),
    .in_data_i   ({push_data, inflight_side_q}),
    .out_valid_o (out_valid_o),
    .out_ready_i (out_ready_i),
    .out_data_o  ({out_data_o, out_side_o}),
    .count_o     (count)
  );

  assign idle_o = !inflight_q && (count == '0);

`ifndef SYNTHESIS
  `OCELLI_ASSERT(a_rsp_expected, glb_i.rsp_valid |-> (inflight_q && !inflight_skip_q))
  `OCELLI_ASSERT_STREAM(a_glb_req_stable, glb_o.valid, glb_i.ready, glb_o.req)
  `OCELLI_ASSERT(a_space_reserved, inflight_q |-> fifo_in_ready)
`endif

endmodule
