// Memory subsystem (docs/architecture.md): the registered memory port, the DMA, the read arbiter that gives the DMA
// read channel to one owner at a time (rd_owner_e, chosen by the controller) and counts DRAM bytes by purpose, and the
// loaders that move ifmap rows (raw or RLC-decoded) and filter chunks from DRAM into the GLB.
module mem_subsys
  import ocelli_pkg::*;
  import mem_pkg::*;
  import ctrl_pkg::*;
  import subsys_pkg::*;
#(
  parameter int unsigned DmaTimeout = 100000
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  clear_i,          // a queue starts: errors and counters restart
  input  logic [MemAddrWidth:0] mem_size_i,       // a chip input: registered here like the memory port
  input  tile_cfg_t             cfg_i,
  input  ctrl_cmd_t             cmd_i,            // loads (ifmap_load_start, mover_sel_filter, filter_cmd_valid)

  // DMA read channel, one client per rd_owner_e, owned by rd_owner_i. The RdOwnerMover client is this subsystem's
  // own row mover: rd_req_i[RdOwnerMover] is ignored.
  input  rd_owner_e                  rd_owner_i,
  input  dma_rd_req_t [RdOwners-1:0] rd_req_i,
  output dma_rd_rsp_t [RdOwners-1:0] rd_rsp_o,
  // DMA write channel (the output stage)
  input  dma_wr_req_t           wr_req_i,
  output dma_wr_rsp_t           wr_rsp_o,

  // loaders, started by the controller
  output logic                  ifmap_load_busy_o,
  output logic                  mover_cmd_ready_o,
  output logic                  mover_idle_o,

  // GLB port of the row mover (writes whole words)
  output glb_port_req_t         glb_o,
  input  logic                  glb_ready_i,

  // the chip's memory port (the top's signals, as structs)
  output mem_port_req_t         mem_o,
  input  mem_port_rsp_t         mem_i,

  output mem_status_t           status_o,
  output dram_bytes_t           dram_bytes_o,
  output logic                  progress_o        // a DMA data beat moved this cycle (the controller's watchdog)
);

  localparam int unsigned GlbAw = GlbAddrWidth;

  // ------------------------------------------------------------------ memory port registers and DMA
  logic [MemAddrWidth:0] mem_size_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) mem_size_q <= '0;
    else         mem_size_q <= mem_size_i;
  end

  mem_port_req_t dma_req;  // the DMA's side of the port registers
  mem_port_rsp_t dma_rsp;
  mem_port_regs u_mem_port (.clk_i, .rst_ni, .dma_i(dma_req), .dma_o(dma_rsp), .mem_o, .mem_i);

  dma_rd_req_t owner_req;  // the read channel's owner (the arbiter below)
  logic        rd_cmd_ready, rd_data_valid, rd_last;
  logic [63:0] rd_data;
  logic        wr_done, dma_busy;

  dma #(.TimeoutCycles(DmaTimeout)) u_dma (
    .clk_i, .rst_ni,
    .mem_size_i       (mem_size_q),
    .clear_i          (clear_i),
    .rd_cmd_valid_i   (owner_req.cmd_valid),
    .rd_cmd_ready_o   (rd_cmd_ready),
    .rd_cmd_addr_i    (owner_req.cmd.addr),
    .rd_cmd_words_i   (owner_req.cmd.words),
    .rd_data_valid_o  (rd_data_valid),
    .rd_data_ready_i  (owner_req.data_ready),
    .rd_data_o        (rd_data),
    .rd_data_last_o   (rd_last),
    .wr_cmd_valid_i   (wr_req_i.cmd_valid),
    .wr_cmd_ready_o   (wr_rsp_o.cmd_ready),
    .wr_cmd_addr_i    (wr_req_i.cmd.addr),
    .wr_cmd_words_i   (wr_req_i.cmd.words),
    .wr_data_valid_i  (wr_req_i.data_valid),
    .wr_data_ready_o  (wr_rsp_o.data_ready),
    .wr_data_i        (wr_req_i.data),
    .wr_done_o        (wr_done),
    .wr_idle_o        (wr_rsp_o.idle),
    .mem_req_valid_o  (dma_req.req_valid),
    .mem_req_ready_i  (dma_rsp.req_ready),
    .mem_req_o        (dma_req.req),
    .mem_wdata_valid_o(dma_req.wdata_valid),
    .mem_wdata_ready_i(dma_rsp.wdata_ready),
    .mem_wdata_o      (dma_req.wdata),
    .mem_wdata_last_o (dma_req.wdata_last),
    .mem_rsp_valid_i  (dma_rsp.rsp_valid),
    .mem_rsp_ready_o  (dma_req.rsp_ready),
    .mem_rsp_i        (dma_rsp.rsp),
    .mem_ack_valid_i  (dma_rsp.ack_valid),
    .mem_ack_i        (dma_rsp.ack),
    .busy_o           (dma_busy),
    .error_o          (status_o.dma_error),
    .err_code_o       (status_o.dma_err_code),
    .err_addr_o       (status_o.dma_err_addr),
    .rd_beats_o       (status_o.dma_rd_beats),
    .wr_beats_o       (status_o.dma_wr_beats)
  );

  // ------------------------------------------------------------------ read arbiter: one owner at a time
  dma_rd_req_t mover_rd_req;

  assign owner_req = (rd_owner_i == RdOwnerMover) ? mover_rd_req : rd_req_i[rd_owner_i];

  // A client sees the channel only while it owns it. The controller, which chooses the owner and asks only in its
  // fetch states, where it owns the channel, sees the channel itself.
  for (genvar o = 0; o < int'(RdOwners); o++) begin : g_rd_rsp
    logic own;
    assign own                    = o == int'(RdOwnerCtrl) || rd_owner_i == rd_owner_e'(o);
    assign rd_rsp_o[o].cmd_ready  = rd_cmd_ready && own;
    assign rd_rsp_o[o].data_valid = rd_data_valid && own;
    assign rd_rsp_o[o].data       = rd_data;
  end

  // DRAM bytes by purpose: the owner of each read beat says what it carries (the row mover: whether the job the
  // beat belongs to is a filter chunk, since a chunk may be queued behind ifmap planes).
  logic rd_fire, wr_fire, mover_rd_weights;
  assign rd_fire    = rd_data_valid && owner_req.data_ready;
  assign wr_fire    = wr_req_i.data_valid && wr_rsp_o.data_ready;
  assign progress_o = rd_fire || wr_fire;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dram_bytes_o <= '0;
    end else if (clear_i) begin
      dram_bytes_o <= '0;
    end else begin
      if (rd_fire) begin
        unique case (rd_owner_i)
          RdOwnerMover:  if (mover_rd_weights) dram_bytes_o.weights <= dram_bytes_o.weights + 8;
                         else dram_bytes_o.ifmap <= dram_bytes_o.ifmap + 8;
          RdOwnerOutput: dram_bytes_o.bias <= dram_bytes_o.bias + 8;
          RdOwnerPpu:    dram_bytes_o.weights <= dram_bytes_o.weights + 8;  // the LRN table
          default:       dram_bytes_o.descriptors <= dram_bytes_o.descriptors + 8;
        endcase
      end
      if (wr_fire) dram_bytes_o.ofmap <= dram_bytes_o.ofmap + 8;
    end
  end

  // ------------------------------------------------------------------ loaders: DRAM -> (RLC decoder) -> GLB
  logic                    il_cmd_valid, il_cmd_rlc;
  logic [MemAddrWidth-1:0] il_cmd_dram, il_cmd_index;
  logic [23:0]             il_cmd_words;
  logic [15:0]             il_cmd_elems;
  logic [GlbAw-1:0]        il_cmd_glb;
  logic [6:0]              il_cmd_rows;
  logic [7:0]              il_cmd_slot_words, il_cmd_glb_pitch;
  logic                    il_cmd_tbl16;
  logic [1:0]              il_cmd_index_lane;

  ifmap_loader #(.AddrWidth(GlbAw)) u_ifmap_loader (
    .clk_i, .rst_ni,
    .start_i          (cmd_i.ifmap_load_start),
    .glb_base_i       (cfg_i.if_base_load),
    .pitch_i          (cfg_i.pitch),
    .plane_words_i    (cfg_i.plane_words),
    .img_words_i      (cfg_i.if_img_words),
    .rows_tile_i      (cfg_i.rows_tile),
    .h_start_i        (cfg_i.ld_h_start),
    .in_h_i           (cfg_i.in_h),
    .in_w_i           (cfg_i.in_w),
    .n_img_i          (cfg_i.ld_n_eff),
    .chans_valid_i    (cfg_i.ld_chans_valid),
    .first_plane_i    (cfg_i.ld_first_plane),
    .chan_rows_i      (cfg_i.chan_rows),
    .img_rows_i       (cfg_i.img_rows_in),
    .tbl16_i          (cfg_i.ifmap_tbl16),
    .first_tbl_i      (cfg_i.ld_first_tbl),
    .chan_tbl_i       (cfg_i.tbl_chan_in),
    .img_tbl_i        (cfg_i.tbl_img_in),
    .rlc_i            (cfg_i.ifmap_rlc),
    .ifmap_addr_i     (cfg_i.ifmap_addr),
    .index_addr_i     (cfg_i.ifmap_index_addr),
    .slot_words_i     (cfg_i.slot_in),
    .busy_o           (ifmap_load_busy_o),
    .cmd_valid_o      (il_cmd_valid),
    .cmd_ready_i      (mover_cmd_ready_o && !cmd_i.mover_sel_filter),
    .cmd_rlc_o        (il_cmd_rlc),
    .cmd_dram_addr_o  (il_cmd_dram),
    .cmd_index_addr_o (il_cmd_index),
    .cmd_tbl16_o      (il_cmd_tbl16),
    .cmd_index_lane_o (il_cmd_index_lane),
    .cmd_words_o      (il_cmd_words),
    .cmd_rows_o       (il_cmd_rows),
    .cmd_slot_words_o (il_cmd_slot_words),
    .cmd_elems_o      (il_cmd_elems),
    .cmd_glb_pitch_o  (il_cmd_glb_pitch),
    .cmd_glb_addr_o   (il_cmd_glb)
  );

  row_mover #(.AddrWidth(GlbAw)) u_mover (
    .clk_i, .rst_ni,
    .cmd_valid_i      (cmd_i.mover_sel_filter ? cmd_i.filter_cmd_valid : il_cmd_valid),
    .cmd_ready_o      (mover_cmd_ready_o),
    .cmd_rlc_i        (!cmd_i.mover_sel_filter && il_cmd_rlc),
    .cmd_dram_addr_i  (cmd_i.mover_sel_filter ? cfg_i.ld_chunk_addr : il_cmd_dram),
    .cmd_index_addr_i (il_cmd_index),
    .cmd_tbl16_i      (il_cmd_tbl16),
    .cmd_index_lane_i (il_cmd_index_lane),
    .cmd_words_i      (cmd_i.mover_sel_filter ? cfg_i.chunk_words : il_cmd_words),
    .cmd_rows_i       (il_cmd_rows),
    .cmd_slot_words_i (il_cmd_slot_words),
    .cmd_elems_i      (il_cmd_elems),
    .cmd_glb_pitch_i  (il_cmd_glb_pitch),
    .cmd_glb_addr_i   (cmd_i.mover_sel_filter ? cfg_i.filt_base_load : il_cmd_glb),
    .cmd_weights_i    (cmd_i.mover_sel_filter),
    .idle_o           (mover_idle_o),
    .rd_weights_o     (mover_rd_weights),
    .rd_req_o         (mover_rd_req),
    .rd_rsp_i         (rd_rsp_o[RdOwnerMover]),
    .glb_o,
    .glb_ready_i,
    .err_rlc_o        (status_o.rlc_err),
    .err_rlc_code_o   (status_o.rlc_err_code),
    .err_rlc_word_o   (status_o.rlc_err_word),
    .perf_clear_i     (clear_i),
    .rlc_words_o      (status_o.rlc_words_in)
  );

  // Signals only observed by assertions or kept for debug.
  logic unused;
  assign unused = ^{rd_last, wr_done, dma_busy, rd_req_i[RdOwnerMover]};

  // Each subsystem reads its own part of the controller's tile configuration and commands.
  logic unused_cfg;
  assign unused_cfg = ^{cfg_i, cmd_i};

endmodule
