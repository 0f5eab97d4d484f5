// The host side of the chip (docs/isa.md, "Registers"; addresses and fields from rtl/isa/isa.json through isa_pkg):
// the start and queue inputs, registered before the controller uses them (every chip input goes into a flop
// first), the cycle counter, and a read multiplexer over the status, the subsystems' counters and the
// configuration the top was built with (register HwConfig: software plans its mappings for it).
module csr_regs
  import ocelli_pkg::*;
  import ctrl_pkg::*;
  import subsys_pkg::*;
  import isa_pkg::*;
#(
  parameter hw_cfg_t Hw = DefaultHw
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,

  input  logic                          start_i,
  input  logic [31:0]                   queue_addr_i,
  input  logic [15:0]                   queue_len_i,
  output logic                          start_o,       // start_i registered: the controller starts, counters restart
  output logic [31:0]                   queue_addr_o,
  output logic [15:0]                   queue_len_o,

  input  logic [CsrAddrWidth-1:0]       addr_i,
  output logic [63:0]                   rdata_o,       // combinational in addr_i (the host's read multiplexer)

  input  ctrl_status_t                  ctrl_i,
  input  tile_cfg_t                     cfg_i,         // dbuf, resident (Status)
  input  mem_status_t                   mem_i,
  input  dram_bytes_t                   dram_bytes_i,
  input  pass_perf_t                    pass_perf_i,
  input  gin_err_t                      gin_err_i,
  input  out_perf_t                     out_perf_i,
  input  glb_status_t                   glb_i
);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      start_o      <= 1'b0;
      queue_addr_o <= '0;
      queue_len_o  <= '0;
    end else begin
      start_o      <= start_i;
      queue_addr_o <= queue_addr_i;
      queue_len_o  <= queue_len_i;
    end
  end

  logic [63:0] cycles_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycles_q <= '0;
    end else if (start_o) begin
      cycles_q <= '0;
    end else if (ctrl_i.busy) begin
      cycles_q <= cycles_q + 1;
    end
  end

  csr_status_t    status;
  csr_position_t  position;
  csr_neterrors_t net_errors;
  csr_hwconfig_t  hw_config;
  always_comb begin
    hw_config             = '0;
    hw_config.rows        = 8'(Hw.rows);
    hw_config.cols        = 8'(Hw.cols);
    hw_config.ifmap_spad  = 8'(Hw.ifmap_spad);
    hw_config.psum_spad   = 8'(Hw.psum_spad);
    hw_config.filter_spad = 12'(Hw.filter_spad);
    hw_config.glb_banks   = 8'(Hw.glb_banks);
    hw_config.bank_words  = 12'(Hw.glb_bank_words);
  end
  always_comb begin
    status               = '0;
    status.busy          = ctrl_i.busy;
    status.done          = ctrl_i.done;
    status.error         = ctrl_i.error;
    status.dbuf          = cfg_i.dbuf;
    status.resident      = cfg_i.resident;
    status.err_code      = ctrl_i.err_code;
    status.err_index     = ctrl_i.err_index;
    status.rlc_err_code  = 6'(mem_i.rlc_err_code);
    status.dma_err_cause = mem_i.dma_err_code;
    position              = '0;
    position.layer        = ctrl_i.layer;
    position.rlc_err_word = mem_i.rlc_err_word;
    // A GLB address error shows as a filter-GIN error (docs/isa.md, NetErrors).
    net_errors            = '0;
    net_errors.filter_gin = gin_err_i.filter || glb_i.err_addr;
    net_errors.ifmap_gin  = gin_err_i.ifmap;
    net_errors.psum_gin   = gin_err_i.psum;
  end

  // Read by the controller, not reported: the DMA and RLC error flags (their causes are in Status). Each subsystem
  // reads its own part of the controller's tile configuration.
  logic unused;
  assign unused = ^{mem_i.dma_error, mem_i.rlc_err, cfg_i};

  always_comb begin
    unique case (csr_addr_e'(addr_i))
      CsrStatus:            rdata_o = status;
      CsrCycles:            rdata_o = cycles_q;
      CsrPeBusyCycles:      rdata_o = pass_perf_i.pe_busy_cycles;
      CsrMacs:              rdata_o = pass_perf_i.macs;
      CsrGatedMacs:         rdata_o = pass_perf_i.gated_macs;
      CsrGlbReads:          rdata_o = glb_i.reads;
      CsrGlbWrites:         rdata_o = glb_i.writes;
      CsrNocDeliveries:     rdata_o = pass_perf_i.noc_deliveries;
      CsrBytesIfmap:        rdata_o = dram_bytes_i.ifmap;
      CsrBytesWeights:      rdata_o = dram_bytes_i.weights;
      CsrBytesBias:         rdata_o = dram_bytes_i.bias;
      CsrBytesDescriptors:  rdata_o = dram_bytes_i.descriptors;
      CsrBytesOfmap:        rdata_o = dram_bytes_i.ofmap;
      CsrRlcWordsIn:        rdata_o = 64'(mem_i.rlc_words_in);
      CsrRlcWordsOut:       rdata_o = 64'(out_perf_i.rlc_words_out);
      CsrDmaErrorAddr:      rdata_o = 64'(mem_i.dma_err_addr);
      CsrSaturated:         rdata_o = out_perf_i.saturated;
      CsrGlbConflicts:      rdata_o = glb_i.conflict_cycles;
      CsrArrayActiveCycles: rdata_o = pass_perf_i.array_active_cycles;
      CsrPosition:          rdata_o = position;
      CsrNocStallCycles:    rdata_o = pass_perf_i.noc_stall_cycles;
      CsrNocWords:          rdata_o = pass_perf_i.noc_words;
      CsrGonWords:          rdata_o = pass_perf_i.gon_words;
      CsrNetErrors:         rdata_o = net_errors;
      CsrDmaReadBeats:      rdata_o = 64'(mem_i.dma_rd_beats);
      CsrDmaWriteBeats:     rdata_o = 64'(mem_i.dma_wr_beats);
      CsrHwConfig:          rdata_o = hw_config;
      default:              rdata_o = '0;
    endcase
  end

endmodule
