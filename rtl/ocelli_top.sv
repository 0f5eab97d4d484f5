// ocelli accelerator top (docs/architecture.md): wiring only. The controller runs layer descriptors from the
// instruction queue in DRAM; the memory subsystem (DMA, read arbiter, loaders) moves data between DRAM and the
// global buffer; the pass subsystem (NoC configuration, feeders, GINs, 12 x 14 PE array, GON, collector) runs the
// processing passes; the output subsystem (post-processing unit, output stage) writes results back to DRAM; the
// register port reports status and counters. Software sees the start/queue inputs, the 64-bit memory port and the
// register port (docs/isa.md).
module ocelli_top
  import ocelli_pkg::*;
  import mem_pkg::*;
  import ctrl_pkg::*;
  import isa_pkg::*;
#(
  // The configuration (default: Eyeriss v1, ocelli_pkg). The GLB holds GlbBanks banks of GlbBankDepth 64-bit words:
  // the last two for filters, the others for ifmap tiles and psums. It may be smaller than the default, not larger
  // (GLB word addresses are GlbAddrWidth bits).
  parameter int unsigned Rows           = ArrayRows,
  parameter int unsigned Cols           = ArrayCols,
  parameter int unsigned GlbBanks       = GlbNumBanks,
  parameter int unsigned GlbBankDepth   = GlbBankWords,
  parameter int unsigned WatchdogCycles = 1000000,
  parameter int unsigned DmaTimeout     = 100000
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,

  input  logic                    start_i,
  input  logic [31:0]             queue_addr_i,
  input  logic [15:0]             queue_len_i,
  input  logic [MemAddrWidth:0]   mem_size_i,
  output logic                    busy_o,
  output logic                    done_o,
  output logic                    error_o,

  input  logic [CsrAddrWidth-1:0] csr_addr_i,
  output logic [63:0]             csr_rdata_o,

  output logic                    mem_req_valid_o,
  input  logic                    mem_req_ready_i,
  output mem_req_t                mem_req_o,
  output logic                    mem_wdata_valid_o,
  input  logic                    mem_wdata_ready_i,
  output logic [63:0]             mem_wdata_o,
  output logic                    mem_wdata_last_o,
  input  logic                    mem_rsp_valid_i,
  output logic                    mem_rsp_ready_o,
  input  mem_rsp_t                mem_rsp_i,
  input  logic                    mem_ack_valid_i,
  input  mem_ack_t                mem_ack_i
);

  if ($clog2(GlbBankDepth) + $clog2(GlbBanks) > GlbAddrWidth || GlbBanks < 3 || Rows > ArrayRows ||
      Cols > ArrayCols) begin : g_bad_config
    $error("ocelli_top: the configuration exceeds what the address and ID widths cover (docs/architecture.md)");
  end

  // ------------------------------------------------------------------ chip boundary
  // Every input is registered before logic uses it (the memory port inside mem_subsys), so no output depends
  // combinationally on an input except csr_rdata_o, a read multiplexer for the host.
  logic                  start_q;
  logic [31:0]           queue_addr_q;
  logic [15:0]           queue_len_q;
  logic [MemAddrWidth:0] mem_size_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      start_q      <= 1'b0;
      queue_addr_q <= '0;
      queue_len_q  <= '0;
      mem_size_q   <= '0;
    end else begin
      start_q      <= start_i;
      queue_addr_q <= queue_addr_i;
      queue_len_q  <= queue_len_i;
      mem_size_q   <= mem_size_i;
    end
  end

  // ------------------------------------------------------------------ global buffer
  // One port per client (glb_port_e); each subsystem drives a contiguous range of the port arrays.
  logic [GlbPorts-1:0]                    glb_req_valid, glb_req_ready, glb_rsp_valid;
  glb_req_t [GlbPorts-1:0]                glb_req;
  logic [GlbPorts-1:0][63:0]              glb_rsp_data;
  logic [GlbPorts-1:0]                    glb_req_write;
  logic [GlbPorts-1:0][GlbAddrWidth-1:0]  glb_req_addr;
  logic [GlbPorts-1:0][63:0]              glb_req_wdata, glb_reads, glb_writes, glb_conflicts;
  logic [GlbPorts-1:0][3:0]               glb_req_wmask;
  logic                                   glb_err;

  for (genvar p = 0; p < int'(GlbPorts); p++) begin : g_glb_req
    assign glb_req_write[p] = glb_req[p].write;
    assign glb_req_addr[p]  = glb_req[p].addr;
    assign glb_req_wdata[p] = glb_req[p].wdata;
    assign glb_req_wmask[p] = glb_req[p].wmask;
  end

  // A configuration's GLB may be smaller than the address field; requests past it are out of range (err_addr_o).
  glb #(.NumBanks(GlbBanks), .BankWords(GlbBankDepth), .NumPorts(GlbPorts), .AddrWidth(GlbAddrWidth)) u_glb (
    .clk_i, .rst_ni,
    .req_valid_i            (glb_req_valid),
    .req_ready_o            (glb_req_ready),
    .req_addr_i             (glb_req_addr),
    .req_write_i            (glb_req_write),
    .req_wdata_i            (glb_req_wdata),
    .req_wmask_i            (glb_req_wmask),
    .rsp_valid_o            (glb_rsp_valid),
    .rsp_data_o             (glb_rsp_data),
    .err_addr_o             (glb_err),
    .perf_clear_i           (start_q),
    .perf_reads_o           (glb_reads),
    .perf_writes_o          (glb_writes),
    .perf_conflict_cycles_o (glb_conflicts)
  );
  // The row mover only writes.
  logic unused_glb_rsp;
  assign unused_glb_rsp = ^{glb_rsp_valid[GlbPortMover], glb_rsp_data[GlbPortMover]};

  // ------------------------------------------------------------------ controller
  logic        ctrl_busy, ctrl_done, ctrl_error;
  ctrl_err_e   ctrl_err_code;
  logic [15:0] ctrl_err_index, ctrl_layer;
  tile_cfg_t   cfg;
  rd_owner_e   rd_owner;
  logic        ctrl_rd_cmd_valid, ctrl_rd_data_ready, rd_cmd_ready, rd_data_valid;
  dma_cmd_t    ctrl_rd_cmd;
  logic [63:0] rd_data;
  logic        dma_error, mover_sel_filter, filter_cmd_valid, mover_cmd_ready, mover_idle, mover_err;
  logic        ifmap_load_start, ifmap_load_busy, pass_start, pass_busy, output_start, output_busy;
  logic        output_reads_done;
  logic        ppu_start, ppu_busy, lut_start, lut_busy;
  logic        mem_progress, pass_progress;

  layer_ctrl #(
    .ActWords       ((GlbBanks - 2) * GlbBankDepth),
    .FilterWords    (2 * GlbBankDepth),
    .BankWords      (GlbBankDepth),
    .Rows           (Rows),
    .Cols           (Cols),
    .WatchdogCycles (WatchdogCycles)
  ) u_ctrl (
    .clk_i, .rst_ni,
    .start_i            (start_q),
    .queue_addr_i       (queue_addr_q),
    .queue_len_i        (queue_len_q),
    .busy_o             (ctrl_busy),
    .done_o             (ctrl_done),
    .error_o            (ctrl_error),
    .err_code_o         (ctrl_err_code),
    .err_index_o        (ctrl_err_index),
    .layer_index_o      (ctrl_layer),
    .rd_owner_o         (rd_owner),
    .rd_cmd_valid_o     (ctrl_rd_cmd_valid),
    .rd_cmd_ready_i     (rd_cmd_ready),
    .rd_cmd_o           (ctrl_rd_cmd),
    .rd_data_valid_i    (rd_data_valid),
    .rd_data_ready_o    (ctrl_rd_data_ready),
    .rd_data_i          (rd_data),
    .dma_error_i        (dma_error),
    .mover_sel_filter_o (mover_sel_filter),
    .filter_cmd_valid_o (filter_cmd_valid),
    .mover_cmd_ready_i  (mover_cmd_ready),
    .mover_idle_i       (mover_idle),
    .mover_err_i        (mover_err),
    .cfg_o              (cfg),
    .ifmap_load_start_o (ifmap_load_start),
    .ifmap_load_busy_i  (ifmap_load_busy),
    .pass_start_o       (pass_start),
    .pass_busy_i        (pass_busy),
    .output_start_o     (output_start),
    .output_busy_i      (output_busy),
    .output_reads_done_i(output_reads_done),
    .ppu_start_o        (ppu_start),
    .ppu_busy_i         (ppu_busy),
    .lut_start_o        (lut_start),
    .lut_busy_i         (lut_busy),
    .progress_i         (mem_progress || pass_progress || (|(glb_req_valid & glb_req_ready)))
  );

  assign busy_o  = ctrl_busy;
  assign done_o  = ctrl_done;
  assign error_o = ctrl_error;

  // ------------------------------------------------------------------ memory subsystem
  logic                    out_rd_cmd_valid, out_rd_cmd_ready, out_rd_data_valid, out_rd_data_ready;
  logic                    ppu_rd_cmd_valid, ppu_rd_cmd_ready, ppu_rd_data_valid, ppu_rd_data_ready;
  dma_cmd_t                out_rd_cmd, ppu_rd_cmd, wr_cmd;
  logic                    wr_cmd_valid, wr_cmd_ready, wr_data_valid, wr_data_ready, wr_idle;
  logic [63:0]             wr_data;
  dma_err_e                dma_err_code;
  logic [MemAddrWidth-1:0] dma_err_addr;
  rlc_err_e                rlc_err_code;
  logic [31:0]             rlc_err_word, rlc_words_in, dma_rd_beats, dma_wr_beats;
  dram_bytes_t             dram_bytes;

  mem_subsys #(.DmaTimeout(DmaTimeout)) u_mem (
    .clk_i, .rst_ni,
    .clear_i              (start_q),
    .mem_size_i           (mem_size_q),
    .cfg_i                (cfg),
    .rd_owner_i           (rd_owner),
    .rd_cmd_ready_o       (rd_cmd_ready),
    .rd_data_valid_o      (rd_data_valid),
    .rd_data_o            (rd_data),
    .ctrl_rd_cmd_valid_i  (ctrl_rd_cmd_valid),
    .ctrl_rd_cmd_i        (ctrl_rd_cmd),
    .ctrl_rd_data_ready_i (ctrl_rd_data_ready),
    .out_rd_cmd_valid_i   (out_rd_cmd_valid),
    .out_rd_cmd_ready_o   (out_rd_cmd_ready),
    .out_rd_cmd_i         (out_rd_cmd),
    .out_rd_data_valid_o  (out_rd_data_valid),
    .out_rd_data_ready_i  (out_rd_data_ready),
    .ppu_rd_cmd_valid_i   (ppu_rd_cmd_valid),
    .ppu_rd_cmd_ready_o   (ppu_rd_cmd_ready),
    .ppu_rd_cmd_i         (ppu_rd_cmd),
    .ppu_rd_data_valid_o  (ppu_rd_data_valid),
    .ppu_rd_data_ready_i  (ppu_rd_data_ready),
    .wr_cmd_valid_i       (wr_cmd_valid),
    .wr_cmd_ready_o       (wr_cmd_ready),
    .wr_cmd_i             (wr_cmd),
    .wr_data_valid_i      (wr_data_valid),
    .wr_data_ready_o      (wr_data_ready),
    .wr_data_i            (wr_data),
    .wr_idle_o            (wr_idle),
    .ifmap_load_start_i   (ifmap_load_start),
    .ifmap_load_busy_o    (ifmap_load_busy),
    .mover_sel_filter_i   (mover_sel_filter),
    .filter_cmd_valid_i   (filter_cmd_valid),
    .mover_cmd_ready_o    (mover_cmd_ready),
    .mover_idle_o         (mover_idle),
    .glb_req_valid_o      (glb_req_valid[GlbPortMover]),
    .glb_req_ready_i      (glb_req_ready[GlbPortMover]),
    .glb_req_o            (glb_req[GlbPortMover]),
    .mem_req_valid_o, .mem_req_ready_i, .mem_req_o,
    .mem_wdata_valid_o, .mem_wdata_ready_i, .mem_wdata_o, .mem_wdata_last_o,
    .mem_rsp_valid_i, .mem_rsp_ready_o, .mem_rsp_i,
    .mem_ack_valid_i, .mem_ack_i,
    .dma_error_o          (dma_error),
    .dma_err_code_o       (dma_err_code),
    .dma_err_addr_o       (dma_err_addr),
    .rlc_err_o            (mover_err),
    .rlc_err_code_o       (rlc_err_code),
    .rlc_err_word_o       (rlc_err_word),
    .rlc_words_in_o       (rlc_words_in),
    .dma_rd_beats_o       (dma_rd_beats),
    .dma_wr_beats_o       (dma_wr_beats),
    .dram_bytes_o         (dram_bytes),
    .progress_o           (mem_progress)
  );

  // ------------------------------------------------------------------ pass subsystem
  pass_perf_t pass_perf;
  logic       filt_gin_err, ifmap_gin_err, psum_gin_err;

  pass_subsys #(.Rows(Rows), .Cols(Cols)) u_pass (
    .clk_i, .rst_ni,
    .clear_i               (start_q),
    .cfg_i                 (cfg),
    .start_i               (pass_start),
    .busy_o                (pass_busy),
    .glb_req_valid_o       (glb_req_valid[GlbPortPsumW:GlbPortFilt]),
    .glb_req_ready_i       (glb_req_ready[GlbPortPsumW:GlbPortFilt]),
    .glb_req_o             (glb_req[GlbPortPsumW:GlbPortFilt]),
    .glb_rsp_valid_i       (glb_rsp_valid[GlbPortPsumW:GlbPortFilt]),
    .glb_rsp_data_i        (glb_rsp_data[GlbPortPsumW:GlbPortFilt]),
    .perf_o                (pass_perf),
    .filt_gin_err_o        (filt_gin_err),
    .ifmap_gin_err_o       (ifmap_gin_err),
    .psum_gin_err_o        (psum_gin_err),
    .progress_o            (pass_progress)
  );

  // ------------------------------------------------------------------ output subsystem
  logic [31:0] rlc_words_out;
  logic [63:0] saturated;

  out_subsys #(.Cols(Cols)) u_out (
    .clk_i, .rst_ni,
    .clear_i                (start_q),
    .cfg_i                  (cfg),
    .lut_start_i            (lut_start),
    .lut_busy_o             (lut_busy),
    .ppu_start_i            (ppu_start),
    .ppu_busy_o             (ppu_busy),
    .output_start_i         (output_start),
    .output_busy_o          (output_busy),
    .output_reads_done_o    (output_reads_done),
    .ppu_rd_cmd_valid_o     (ppu_rd_cmd_valid),
    .ppu_rd_cmd_ready_i     (ppu_rd_cmd_ready),
    .ppu_rd_cmd_o           (ppu_rd_cmd),
    .ppu_rd_data_valid_i    (ppu_rd_data_valid),
    .ppu_rd_data_ready_o    (ppu_rd_data_ready),
    .out_rd_cmd_valid_o     (out_rd_cmd_valid),
    .out_rd_cmd_ready_i     (out_rd_cmd_ready),
    .out_rd_cmd_o           (out_rd_cmd),
    .out_rd_data_valid_i    (out_rd_data_valid),
    .out_rd_data_ready_o    (out_rd_data_ready),
    .rd_data_i              (rd_data),
    .wr_cmd_valid_o         (wr_cmd_valid),
    .wr_cmd_ready_i         (wr_cmd_ready),
    .wr_cmd_o               (wr_cmd),
    .wr_data_valid_o        (wr_data_valid),
    .wr_data_ready_i        (wr_data_ready),
    .wr_data_o              (wr_data),
    .wr_idle_i              (wr_idle),
    .glb_req_valid_o        (glb_req_valid[GlbPortPpuW:GlbPortOut]),
    .glb_req_ready_i        (glb_req_ready[GlbPortPpuW:GlbPortOut]),
    .glb_req_o              (glb_req[GlbPortPpuW:GlbPortOut]),
    .glb_rsp_valid_i        (glb_rsp_valid[GlbPortPpuW:GlbPortOut]),
    .glb_rsp_data_i         (glb_rsp_data[GlbPortPpuW:GlbPortOut]),
    .rlc_words_out_o        (rlc_words_out),
    .saturated_o            (saturated)
  );

  // ------------------------------------------------------------------ register port
  csr_neterrors_t net_errors;
  always_comb begin
    net_errors            = '0;
    net_errors.filter_gin = filt_gin_err || glb_err;
    net_errors.ifmap_gin  = ifmap_gin_err;
    net_errors.psum_gin   = psum_gin_err;
  end

  csr_regs u_csr (
    .clk_i, .rst_ni,
    .clear_i         (start_q),
    .addr_i          (csr_addr_i),
    .rdata_o         (csr_rdata_o),
    .busy_i          (ctrl_busy),
    .done_i          (ctrl_done),
    .error_i         (ctrl_error),
    .err_code_i      (ctrl_err_code),
    .err_index_i     (ctrl_err_index),
    .layer_i         (ctrl_layer),
    .dbuf_i          (cfg.dbuf),
    .resident_i      (cfg.resident),
    .dma_err_code_i  (dma_err_code),
    .dma_err_addr_i  (dma_err_addr),
    .rlc_err_code_i  (rlc_err_code),
    .rlc_err_word_i  (rlc_err_word),
    .rlc_words_in_i  (rlc_words_in),
    .dma_rd_beats_i  (dma_rd_beats),
    .dma_wr_beats_i  (dma_wr_beats),
    .dram_bytes_i    (dram_bytes),
    .pass_perf_i     (pass_perf),
    .net_errors_i    (net_errors),
    .rlc_words_out_i (rlc_words_out),
    .saturated_i     (saturated),
    .glb_reads_i     (glb_reads),
    .glb_writes_i    (glb_writes),
    .glb_conflicts_i (glb_conflicts)
  );

endmodule
