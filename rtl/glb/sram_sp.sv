// Behavioural single-port SRAM: one access per cycle (read or write), 1-cycle read latency, per-lane write mask.
// rdata_o holds the last read word until the next read (like a real macro's output latch). No reset: contents are
// undefined until written, as in silicon.
module sram_sp #(
  parameter int unsigned Words     = 512,
  parameter int unsigned Width     = 64,
  parameter int unsigned LaneWidth = 16,
  localparam int unsigned Lanes     = Width / LaneWidth,
  localparam int unsigned AddrWidth = Words > 1 ? $clog2(Words) : 1
) (
  input  logic                 clk_i,

  input  logic                 req_i,
  input  logic                 we_i,
  input  logic [AddrWidth-1:0] addr_i,
  input  logic [Width-1:0]     wdata_i,
  input  logic [Lanes-1:0]     wmask_i,   // lane l covers bits [l*LaneWidth +: LaneWidth]
  output logic [Width-1:0]     rdata_o
);
  logic [Width-1:0] mem_q [Words];
  logic [Width-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (req_i) begin
      if (we_i) begin
        for (int l = 0; l < int'(Lanes); l++) begin
          if (wmask_i[l]) mem_q[addr_i][l*LaneWidth +: LaneWidth] <= wdata_i[l*LaneWidth +: LaneWidth];
        end
      end else begin
        rdata_q <= mem_q[addr_i];
      end
    end
  end
  assign rdata_o = rdata_q;

  a_addr_in_range: assert property (@(posedge clk_i) req_i |-> int'(addr_i) < int'(Words));
endmodule
