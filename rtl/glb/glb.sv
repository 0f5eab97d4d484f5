// Global buffer (docs/glb-noc.md): NumBanks single-port SRAM banks of BankWords x 64 bit behind NumPorts
// requestor ports. Word address a lives in bank a / BankWords at offset a % BankWords (contiguous banks), so a
// region of whole banks has its own bandwidth. Each bank serves one access per cycle; when several ports address
// one bank in the same cycle the bank's round-robin order (FirstPorts first) picks one and the others see ready
// low (a conflict stall, counted per port). Reads return their data exactly one cycle after the handshake
// (rsp_valid_o), in order per port, with no back-pressure. A request outside the buffer is taken (never hangs), does nothing, returns 0
// for a read, and sets the sticky err_addr_o.
`include "common/ocelli_assert.svh"

module glb
  import ocelli_pkg::*;
#(
  parameter int unsigned NumBanks  = GlbNumBanks,
  parameter int unsigned BankWords = GlbBankWords,  // power of two
  parameter int unsigned NumPorts  = GlbNumPorts,
  // Address bits of the ports: at least what the banks need (the default); a wider field lets a smaller buffer sit
  // behind a wider address, and everything past the last bank is out of range.
  parameter int unsigned AddrWidth = $clog2(BankWords) + (NumBanks > 1 ? $clog2(NumBanks) : 1),
  // Mask of the ports (bit p: port p) that win a bank over the others (round robin within each class), see the
  // arbitration below.
  parameter int unsigned FirstPorts = 0,
  localparam int unsigned Width        = DramWidth,
  localparam int unsigned Lanes        = Width / DataWidth,
  localparam int unsigned OffsetWidth  = $clog2(BankWords),
  localparam int unsigned BankIdxWidth = AddrWidth - OffsetWidth,                  // bank field of an address
  localparam int unsigned BankSelWidth = NumBanks > 1 ? $clog2(NumBanks) : 1,      // index of an existing bank
  localparam int unsigned PortIdxWidth = NumPorts > 1 ? $clog2(NumPorts) : 1
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,

  // Requests: one word per handshake; wmask lane l enables bits [16l +: 16] of a write.
  input  logic [NumPorts-1:0]                 req_valid_i,
  output logic [NumPorts-1:0]                 req_ready_o,
  input  logic [NumPorts-1:0][AddrWidth-1:0]  req_addr_i,
  input  logic [NumPorts-1:0]                 req_write_i,
  input  logic [NumPorts-1:0][Width-1:0]      req_wdata_i,
  input  logic [NumPorts-1:0][Lanes-1:0]      req_wmask_i,

  // Read data: one cycle after the read's handshake, always accepted.
  output logic [NumPorts-1:0]                 rsp_valid_o,
  output logic [NumPorts-1:0][Width-1:0]      rsp_data_o,

  output logic                                err_addr_o,  // sticky: a request addressed past the buffer

  input  logic                                perf_clear_i,
  // Totals over the ports (the registers report totals; per-port counters were 3 x NumPorts 64-bit registers that
  // no register could read, and a simulator updated all of them every cycle).
  output logic [63:0]                         perf_reads_o,           // reads taken
  output logic [63:0]                         perf_writes_o,          // writes taken
  output logic [63:0]                         perf_conflict_cycles_o  // port-cycles valid but refused (bank busy)
);
  if (BankWords != (1 << OffsetWidth)) begin : g_bad_bank_words
    $error("glb: BankWords must be a power of two");
  end
  if (AddrWidth < OffsetWidth + (NumBanks > 1 ? $clog2(NumBanks) : 1)) begin : g_bad_addr_width
    $error("glb: AddrWidth cannot address every bank");
  end

  // ---- Request decode ----
  logic [NumPorts-1:0][BankIdxWidth-1:0] port_bank;
  logic [NumPorts-1:0][BankSelWidth-1:0] port_sel;   // port_bank of an in-range request
  logic [NumPorts-1:0][OffsetWidth-1:0]  port_offset;
  logic [NumPorts-1:0]                   port_in_range;
  for (genvar p = 0; p < NumPorts; p++) begin : g_decode
    assign port_bank[p]     = req_addr_i[p][AddrWidth-1:OffsetWidth];
    assign port_sel[p]      = BankSelWidth'(port_bank[p]);
    assign port_offset[p]   = req_addr_i[p][OffsetWidth-1:0];
    assign port_in_range[p] = 32'(port_bank[p]) < NumBanks;
  end

  // ---- Round-robin arbitration, per bank, computed per port ----
  // rr_q[b] is the port with the highest priority at bank b; after a grant it moves to the port after the winner,
  // so a port that keeps asking waits at most NumPorts-1 grants of that bank. Port p is granted when it requests a
  // bank in range and no other port requesting the same bank comes before it in that bank's order: the same choice
  // as a scan of each bank from rr_q, computed over the NumPorts requests instead of over every bank, so a simulator
  // spends nothing on idle banks. A port of FirstPorts comes before every other port (the pass's psum reads: when
  // they alternated with the psum writes a few words behind them in the same bank, the reads fell into step with the
  // writes at half rate and starved the array; winning, they run ahead of the writes into other banks).
  logic [PortIdxWidth-1:0] rr_q [NumBanks];
  logic [NumPorts-1:0]     port_req, port_grant;
  localparam logic [NumPorts-1:0] FirstMask = NumPorts'(FirstPorts);

  always_comb begin
    for (int p = 0; p < int'(NumPorts); p++) port_req[p] = req_valid_i[p] && port_in_range[p];
    for (int p = 0; p < int'(NumPorts); p++) begin
      automatic int unsigned rr = int'(rr_q[port_sel[p]]);
      automatic int unsigned dist_p = (p + NumPorts - rr) % NumPorts;
      port_grant[p] = port_req[p];
      for (int q = 0; q < int'(NumPorts); q++) begin
        if (q != p && port_req[q] && port_bank[q] == port_bank[p] &&
            ((FirstMask[q] && !FirstMask[p]) ||
             (FirstMask[q] == FirstMask[p] && (q + NumPorts - rr) % NumPorts < dist_p))) begin
          port_grant[p] = 1'b0;
        end
      end
    end
  end

  assign req_ready_o = port_grant | ~port_in_range;

  // ---- Banks ----
  // NumBanks single-port banks of BankWords words, each accessed by at most one granted port per cycle (one access,
  // read or write, per bank and cycle; per-lane write mask; no reset: contents are undefined until written). Read
  // data is registered per port and returned the next cycle.
  logic [Width-1:0] mem_q [NumBanks][BankWords];
  logic [Width-1:0] rdata_q [NumPorts];
  logic [Width-1:0] lane_bits [NumPorts];
  for (genvar p = 0; p < NumPorts; p++) begin : g_lane_bits
    for (genvar l = 0; l < Lanes; l++) begin : g_lane
      assign lane_bits[p][l * DataWidth +: DataWidth] = {DataWidth{req_wmask_i[p][l]}};
    end
  end

  always_ff @(posedge clk_i) begin
    for (int p = 0; p < int'(NumPorts); p++) begin
      if (port_grant[p]) begin
        if (req_write_i[p]) begin
          mem_q[port_sel[p]][port_offset[p]] <= (mem_q[port_sel[p]][port_offset[p]] & ~lane_bits[p]) |
                                                 (req_wdata_i[p] & lane_bits[p]);
        end else begin
          rdata_q[p] <= mem_q[port_sel[p]][port_offset[p]];
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int b = 0; b < int'(NumBanks); b++) rr_q[b] <= '0;
    end else begin
      for (int p = 0; p < int'(NumPorts); p++) begin
        if (port_grant[p]) rr_q[port_sel[p]] <= (p == int'(NumPorts) - 1) ? '0 : PortIdxWidth'(p + 1);
      end
    end
  end

  for (genvar p = 0; p < NumPorts; p++) begin : g_one_grant_per_bank
    for (genvar q = p + 1; q < NumPorts; q++) begin : g_other
      `OCELLI_ASSERT(a_one_grant_per_bank, !(port_grant[p] && port_grant[q] && port_bank[p] == port_bank[q]))
    end
  end

  logic [NumPorts-1:0]                   rsp_valid_q, rsp_in_range_q;
  logic                                  err_addr_q;
  logic [NumPorts-1:0]                   req_fire, read_fire, write_fire;

  assign req_fire   = req_valid_i & req_ready_o;
  assign read_fire  = req_fire & ~req_write_i;
  assign write_fire = req_fire & req_write_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rsp_valid_q    <= '0;
      rsp_in_range_q <= '0;
      err_addr_q     <= 1'b0;
    end else begin
      rsp_valid_q <= read_fire;
      for (int p = 0; p < int'(NumPorts); p++) begin
        if (read_fire[p]) begin
          rsp_in_range_q[p] <= port_in_range[p];
        end
      end
      if (|(req_valid_i & ~port_in_range)) err_addr_q <= 1'b1;
    end
  end

  for (genvar p = 0; p < NumPorts; p++) begin : g_rsp
    assign rsp_data_o[p] = rsp_in_range_q[p] ? rdata_q[p] : '0;
  end
  assign rsp_valid_o = rsp_valid_q;
  assign err_addr_o  = err_addr_q;

  // ---- Performance counters ----
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      perf_reads_o           <= '0;
      perf_writes_o          <= '0;
      perf_conflict_cycles_o <= '0;
    end else if (perf_clear_i) begin
      perf_reads_o           <= '0;
      perf_writes_o          <= '0;
      perf_conflict_cycles_o <= '0;
    end else begin
      perf_reads_o           <= perf_reads_o + 64'($countones(read_fire));
      perf_writes_o          <= perf_writes_o + 64'($countones(write_fire));
      perf_conflict_cycles_o <= perf_conflict_cycles_o + 64'($countones(req_valid_i & ~req_ready_o));
    end
  end

  // ---- Assertions ----
  for (genvar p = 0; p < NumPorts; p++) begin : g_port_checks
    `OCELLI_ASSERT(a_addr_in_range, req_valid_i[p] |-> port_in_range[p])
    // A request, once offered, stays offered and unchanged until it is taken.
    `OCELLI_ASSERT_STREAM(a_req_stable, req_valid_i[p], req_ready_o[p],
                          {req_addr_i[p], req_write_i[p], req_wdata_i[p], req_wmask_i[p]})
  end
endmodule
