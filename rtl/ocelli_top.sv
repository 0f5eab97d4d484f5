// ocelli accelerator top (docs/architecture.md, "The top and its subsystems"): wiring only, one section per part of
// the block diagram. The controller runs the layer descriptors of the instruction queue in DRAM and commands the
// memory, pass and output subsystems around the global buffer. Software sees the start/queue inputs, the 64-bit
// memory port and the register port (docs/isa.md).
module ocelli_top
  import ocelli_pkg::*;
  import mem_pkg::*;
  import ctrl_pkg::*;
  import subsys_pkg::*;
  import isa_pkg::*;
#(
  // The configuration (default: Eyeriss v1, ocelli_pkg; register HwConfig reports it), each size at most its default.
  // The GLB's GlbBanks banks hold GlbBankDepth 64-bit words each; the last two hold filters.
  parameter int unsigned Rows           = ArrayRows,
  parameter int unsigned Cols           = ArrayCols,
  parameter int unsigned IfmapSpad      = IfmapSpadDepth,
  parameter int unsigned FilterSpad     = FilterSpadDepth,
  parameter int unsigned PsumSpad       = PsumSpadDepth,
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
      Cols > ArrayCols || GlbBankDepth > 4095) begin : g_bad_config  // (the spads: pe_array)
    $error("ocelli_top: the configuration exceeds what the address and ID widths cover (docs/architecture.md)");
  end

  localparam hw_cfg_t Hw = hw_cfg(Rows, Cols, IfmapSpad, FilterSpad, PsumSpad, GlbBanks, GlbBankDepth);

  // ------------------------------------------------------------------ register port
  // Every chip input goes into a flop before logic uses it: start and queue in csr_regs, the memory port and its
  // size in mem_subsys. The only combinational path from an input to an output is csr_addr_i -> csr_rdata_o.
  logic         start;  // start_i registered: the controller starts, every counter restarts
  logic [31:0]  queue_addr;
  logic [15:0]  queue_len;
  ctrl_status_t ctrl_status;
  tile_cfg_t    cfg;
  mem_status_t  mem_status;
  dram_bytes_t  dram_bytes;
  pass_perf_t   pass_perf;
  gin_err_t     gin_err;
  out_perf_t    out_perf;
  glb_status_t  glb_status;

  csr_regs #(.Hw(Hw)) u_csr (
    .clk_i, .rst_ni, .start_i, .queue_addr_i, .queue_len_i,
    .start_o         (start), .queue_addr_o (queue_addr), .queue_len_o (queue_len),
    .addr_i          (csr_addr_i), .rdata_o (csr_rdata_o),
    .ctrl_i          (ctrl_status),
    .cfg_i           (cfg),
    .mem_i           (mem_status),
    .dram_bytes_i    (dram_bytes),
    .pass_perf_i     (pass_perf),
    .gin_err_i       (gin_err),
    .out_perf_i      (out_perf),
    .glb_i           (glb_status)
  );

  // ------------------------------------------------------------------ global buffer
  // One port per client (glb_port_e); each subsystem drives a contiguous range of the port arrays.
  glb_port_req_t [GlbPorts-1:0]          glb_req;
  glb_port_rsp_t [GlbPorts-1:0]          glb_rsp;
  logic [GlbPorts-1:0]                   glb_req_valid, glb_req_ready, glb_rsp_valid, glb_req_write;
  logic [GlbPorts-1:0][63:0]             glb_rsp_data, glb_req_wdata;
  logic [GlbPorts-1:0][GlbAddrWidth-1:0] glb_req_addr;
  logic [GlbPorts-1:0][3:0]              glb_req_wmask;

  for (genvar p = 0; p < int'(GlbPorts); p++) begin : g_glb_port  // glb.sv takes one array per field
    assign {glb_req_valid[p], glb_req_write[p], glb_req_addr[p], glb_req_wdata[p], glb_req_wmask[p]} = glb_req[p];
    assign glb_rsp[p] = {glb_req_ready[p], glb_rsp_valid[p], glb_rsp_data[p]};
  end

  // A configuration's GLB may be smaller than the address field; requests past it are out of range (err_addr_o).
  // The pass's psum reads win their bank (glb.sv, FirstPorts).
  glb #(.NumBanks(GlbBanks), .BankWords(GlbBankDepth), .NumPorts(GlbPorts), .AddrWidth(GlbAddrWidth),
        .FirstPorts(32'd1 << GlbPortPsumR)) u_glb (
    .clk_i, .rst_ni,
    .req_valid_i            (glb_req_valid),
    .req_ready_o            (glb_req_ready),
    .req_addr_i             (glb_req_addr),
    .req_write_i            (glb_req_write),
    .req_wdata_i            (glb_req_wdata),
    .req_wmask_i            (glb_req_wmask),
    .rsp_valid_o            (glb_rsp_valid),
    .rsp_data_o             (glb_rsp_data),
    .err_addr_o             (glb_status.err_addr),
    .perf_clear_i           (start),
    .perf_reads_o           (glb_status.reads),
    .perf_writes_o          (glb_status.writes),
    .perf_conflict_cycles_o (glb_status.conflict_cycles)
  );

  // ------------------------------------------------------------------ controller
  // The DMA read channel has one client per rd_owner_e; the controller chooses the owner.
  rd_owner_e                  rd_owner;
  dma_rd_req_t [RdOwners-1:0] rd_req;
  dma_rd_rsp_t [RdOwners-1:0] rd_rsp;
  dma_wr_req_t                wr_req;
  dma_wr_rsp_t                wr_rsp;
  ctrl_cmd_t                  cmd;
  logic mover_cmd_ready, mover_idle, ifmap_load_busy, pass_busy, output_busy, output_reads_done, ppu_busy, lut_busy;
  logic filt_feed_idle, ifmap_feed_idle;
  logic mem_progress, pass_progress;

  layer_ctrl #(.Hw(Hw), .WatchdogCycles(WatchdogCycles)) u_ctrl (
    .clk_i, .rst_ni,
    .start_i            (start),
    .queue_addr_i       (queue_addr),
    .queue_len_i        (queue_len),
    .busy_o             (ctrl_status.busy),
    .done_o             (ctrl_status.done),
    .error_o            (ctrl_status.error),
    .err_code_o         (ctrl_status.err_code),
    .err_index_o        (ctrl_status.err_index),
    .layer_index_o      (ctrl_status.layer),
    .rd_owner_o         (rd_owner),
    .rd_req_o           (rd_req[RdOwnerCtrl]),
    .rd_rsp_i           (rd_rsp[RdOwnerCtrl]),
    .dma_error_i        (mem_status.dma_error),
    .mover_sel_filter_o (cmd.mover_sel_filter),
    .filter_cmd_valid_o (cmd.filter_cmd_valid),
    .mover_cmd_ready_i  (mover_cmd_ready),
    .mover_idle_i       (mover_idle),
    .mover_err_i        (mem_status.rlc_err),
    .cfg_o              (cfg),
    .ifmap_load_start_o (cmd.ifmap_load_start),
    .ifmap_load_busy_i  (ifmap_load_busy),
    .noc_cfg_load_o     (cmd.noc_cfg_load),
    .pass_start_o       (cmd.pass_start),
    .pass_busy_i        (pass_busy),
    .filt_prefetch_o    (cmd.filt_prefetch),
    .filt_feed_idle_i   (filt_feed_idle),
    .ifmap_prefetch_o   (cmd.ifmap_prefetch),
    .ifmap_feed_idle_i  (ifmap_feed_idle),
    .output_start_o     (cmd.output_start),
    .output_busy_i      (output_busy),
    .output_reads_done_i(output_reads_done),
    .ppu_start_o        (cmd.ppu_start),
    .ppu_busy_i         (ppu_busy),
    .lut_start_o        (cmd.lut_start),
    .lut_busy_i         (lut_busy),
    .progress_i         (mem_progress || pass_progress || (|(glb_req_valid & glb_req_ready)))
  );

  assign {busy_o, done_o, error_o} = {ctrl_status.busy, ctrl_status.done, ctrl_status.error};

  // ------------------------------------------------------------------ memory subsystem
  // The row mover's read requests stay inside mem_subsys, and it only writes the GLB.
  assign rd_req[RdOwnerMover] = '0;
  logic unused;
  assign unused = ^{rd_rsp[RdOwnerMover], glb_rsp[GlbPortMover].rsp_valid, glb_rsp[GlbPortMover].rsp_data};

  mem_port_req_t mem_req;  mem_port_rsp_t mem_rsp;  // the memory port as structs (mem_pkg)
  assign {mem_req_valid_o, mem_req_o, mem_wdata_valid_o, mem_wdata_o, mem_wdata_last_o, mem_rsp_ready_o} = mem_req;
  assign mem_rsp = {mem_req_ready_i, mem_wdata_ready_i, mem_rsp_valid_i, mem_rsp_i, mem_ack_valid_i, mem_ack_i};

  mem_subsys #(.DmaTimeout(DmaTimeout)) u_mem (
    .clk_i, .rst_ni, .mem_size_i,
    .clear_i            (start),
    .cfg_i              (cfg),
    .cmd_i              (cmd),
    .rd_owner_i         (rd_owner),
    .rd_req_i           (rd_req),
    .rd_rsp_o           (rd_rsp),
    .wr_req_i           (wr_req),
    .wr_rsp_o           (wr_rsp),
    .ifmap_load_busy_o  (ifmap_load_busy),
    .mover_cmd_ready_o  (mover_cmd_ready),
    .mover_idle_o       (mover_idle),
    .glb_o              (glb_req[GlbPortMover]),
    .glb_ready_i        (glb_rsp[GlbPortMover].ready),
    .mem_o              (mem_req),
    .mem_i              (mem_rsp),
    .status_o           (mem_status),
    .dram_bytes_o       (dram_bytes),
    .progress_o         (mem_progress)
  );

  // ------------------------------------------------------------------ pass subsystem
  pass_subsys #(.Rows(Rows), .Cols(Cols), .IfmapSpad(IfmapSpad), .FilterSpad(FilterSpad), .PsumSpad(PsumSpad))
  u_pass (
    .clk_i, .rst_ni,
    .clear_i         (start),
    .cfg_i           (cfg),
    .cmd_i           (cmd),
    .busy_o          (pass_busy),
    .filt_feed_idle_o(filt_feed_idle),
    .ifmap_feed_idle_o(ifmap_feed_idle),
    .glb_o           (glb_req[GlbPortPsumW:GlbPortFilt]),
    .glb_i           (glb_rsp[GlbPortPsumW:GlbPortFilt]),
    .perf_o          (pass_perf),
    .gin_err_o       (gin_err),
    .progress_o      (pass_progress)
  );

  // ------------------------------------------------------------------ output subsystem
  out_subsys #(.Cols(Cols)) u_out (
    .clk_i, .rst_ni,
    .clear_i             (start),
    .cfg_i               (cfg),
    .cmd_i               (cmd),
    .lut_busy_o          (lut_busy),
    .ppu_busy_o          (ppu_busy),
    .output_busy_o       (output_busy),
    .output_reads_done_o (output_reads_done),
    .rd_req_o            (rd_req[RdOwnerPpu:RdOwnerOutput]),
    .rd_rsp_i            (rd_rsp[RdOwnerPpu:RdOwnerOutput]),
    .wr_req_o            (wr_req),
    .wr_rsp_i            (wr_rsp),
    .glb_o               (glb_req[GlbPortPpuW:GlbPortOut]),
    .glb_i               (glb_rsp[GlbPortPpuW:GlbPortOut]),
    .perf_o              (out_perf)
  );

endmodule
