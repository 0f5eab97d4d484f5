// The register port (docs/isa.md, "Registers"; addresses and fields from rtl/isa/isa.json through isa_pkg): the
// cycle counter and a read multiplexer over the status and the subsystems' counters.
module csr_regs
  import ocelli_pkg::*;
  import mem_pkg::*;
  import ctrl_pkg::*;
  import isa_pkg::*;
(
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          clear_i,       // a queue starts: the cycle counter restarts
  input  logic [CsrAddrWidth-1:0]       addr_i,
  output logic [63:0]                   rdata_o,       // combinational in addr_i (the host's read multiplexer)

  // controller
  input  logic                          busy_i,
  input  logic                          done_i,
  input  logic                          error_i,
  input  ctrl_err_e                     err_code_i,
  input  logic [15:0]                   err_index_i,
  input  logic [15:0]                   layer_i,
  input  logic                          dbuf_i,
  input  logic                          resident_i,
  // memory subsystem
  input  dma_err_e                      dma_err_code_i,
  input  logic [MemAddrWidth-1:0]       dma_err_addr_i,
  input  rlc_err_e                      rlc_err_code_i,
  input  logic [31:0]                   rlc_err_word_i,
  input  logic [31:0]                   rlc_words_in_i,
  input  logic [31:0]                   dma_rd_beats_i,
  input  logic [31:0]                   dma_wr_beats_i,
  input  dram_bytes_t                   dram_bytes_i,
  // pass and output subsystems, GLB
  input  pass_perf_t                    pass_perf_i,
  input  csr_neterrors_t                net_errors_i,
  input  logic [31:0]                   rlc_words_out_i,
  input  logic [63:0]                   saturated_i,
  input  logic [GlbPorts-1:0][63:0]     glb_reads_i,
  input  logic [GlbPorts-1:0][63:0]     glb_writes_i,
  input  logic [GlbPorts-1:0][63:0]     glb_conflicts_i
);

  logic [63:0] cycles_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycles_q <= '0;
    end else if (clear_i) begin
      cycles_q <= '0;
    end else if (busy_i) begin
      cycles_q <= cycles_q + 1;
    end
  end

  logic [63:0] glb_reads, glb_writes, glb_conflicts;
  always_comb begin
    glb_reads     = '0;
    glb_writes    = '0;
    glb_conflicts = '0;
    for (int p = 0; p < int'(GlbPorts); p++) begin
      glb_reads     = glb_reads + glb_reads_i[p];
      glb_writes    = glb_writes + glb_writes_i[p];
      glb_conflicts = glb_conflicts + glb_conflicts_i[p];
    end
  end

  csr_status_t   status;
  csr_position_t position;
  always_comb begin
    status               = '0;
    status.busy          = busy_i;
    status.done          = done_i;
    status.error         = error_i;
    status.dbuf          = dbuf_i;
    status.resident      = resident_i;
    status.err_code      = err_code_i;
    status.err_index     = err_index_i;
    status.rlc_err_code  = 6'(rlc_err_code_i);
    status.dma_err_cause = dma_err_code_i;
    position              = '0;
    position.layer        = layer_i;
    position.rlc_err_word = rlc_err_word_i;
  end

  always_comb begin
    unique case (csr_addr_e'(addr_i))
      CsrStatus:            rdata_o = status;
      CsrCycles:            rdata_o = cycles_q;
      CsrPeBusyCycles:      rdata_o = pass_perf_i.pe_busy_cycles;
      CsrMacs:              rdata_o = pass_perf_i.macs;
      CsrGatedMacs:         rdata_o = pass_perf_i.gated_macs;
      CsrGlbReads:          rdata_o = glb_reads;
      CsrGlbWrites:         rdata_o = glb_writes;
      CsrNocDeliveries:     rdata_o = pass_perf_i.noc_deliveries;
      CsrBytesIfmap:        rdata_o = dram_bytes_i.ifmap;
      CsrBytesWeights:      rdata_o = dram_bytes_i.weights;
      CsrBytesBias:         rdata_o = dram_bytes_i.bias;
      CsrBytesDescriptors:  rdata_o = dram_bytes_i.descriptors;
      CsrBytesOfmap:        rdata_o = dram_bytes_i.ofmap;
      CsrRlcWordsIn:        rdata_o = 64'(rlc_words_in_i);
      CsrRlcWordsOut:       rdata_o = 64'(rlc_words_out_i);
      CsrDmaErrorAddr:      rdata_o = 64'(dma_err_addr_i);
      CsrSaturated:         rdata_o = saturated_i;
      CsrGlbConflicts:      rdata_o = glb_conflicts;
      CsrArrayActiveCycles: rdata_o = pass_perf_i.array_active_cycles;
      CsrPosition:          rdata_o = position;
      CsrNocStallCycles:    rdata_o = pass_perf_i.noc_stall_cycles;
      CsrNocWords:          rdata_o = pass_perf_i.noc_words;
      CsrGonWords:          rdata_o = pass_perf_i.gon_words;
      CsrNetErrors:         rdata_o = net_errors_i;
      CsrDmaReadBeats:      rdata_o = 64'(dma_rd_beats_i);
      CsrDmaWriteBeats:     rdata_o = 64'(dma_wr_beats_i);
      default:              rdata_o = '0;
    endcase
  end

endmodule
