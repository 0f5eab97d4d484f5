// Output subsystem (docs/architecture.md): the post-processing unit (max pooling and LRN over GLB tiles, with its
// LRN table loaded over the DMA) and the output stage (bias, requantization, ReLU, optional RLC, DMA writes of the
// ofmap rows).
module out_subsys
  import ocelli_pkg::*;
  import mem_pkg::*;
  import ctrl_pkg::*;
  import subsys_pkg::*;
#(
  parameter int unsigned Cols = ArrayCols
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              clear_i,        // a queue starts: counters restart
  input  tile_cfg_t         cfg_i,

  // started by the controller (cmd_i: lut_start, ppu_start, output_start)
  input  ctrl_cmd_t         cmd_i,
  output logic              lut_busy_o,
  output logic              ppu_busy_o,
  output logic              output_busy_o,
  output logic              output_reads_done_o, // the output stage's DMA reads (bias) are done

  // DMA read channels RdOwnerOutput..RdOwnerPpu (granted by the memory subsystem's arbiter) and the write channel
  output dma_rd_req_t [OutRdOwners-1:0] rd_req_o,
  input  dma_rd_rsp_t [OutRdOwners-1:0] rd_rsp_i,
  output dma_wr_req_t                  wr_req_o,
  input  dma_wr_rsp_t                  wr_rsp_i,

  // GLB ports OutStage..OutPpuW (glb_port_e GlbPortOut..GlbPortPpuW): the output stage reads results, the unit
  // reads its tile and writes its results
  output glb_port_req_t [OutGlbPorts-1:0] glb_o,
  input  glb_port_rsp_t [OutGlbPorts-1:0] glb_i,

  output out_perf_t         perf_o
);

  localparam int unsigned GlbAw = GlbAddrWidth;
  // Index of each client in the GLB port arrays.
  localparam int unsigned OutStage = 0, OutPpuR = 1, OutPpuW = 2;
  // Index of each client in the DMA read channel arrays (RdOwnerOutput, RdOwnerPpu).
  localparam int unsigned RdOutput = 0, RdPpu = 1;

  logic [31:0] ppu_saturated, out_saturated;

  ppu #(.AddrWidth(GlbAw), .LutDepth(LrnLutDepth)) u_ppu (
    .clk_i, .rst_ni,
    .lut_start_i      (cmd_i.lut_start),
    .lut_addr_i       (cfg_i.lut_addr),
    .lut_entries_i    (cfg_i.lut_entries),
    .lut_busy_o       (lut_busy_o),
    .rd_req_o         (rd_req_o[RdPpu]),
    .rd_rsp_i         (rd_rsp_i[RdPpu]),
    .start_i          (cmd_i.ppu_start),
    .lrn_i            (cfg_i.op_lrn),
    .if_base_i        (cfg_i.if_base_pass),
    .if_img_words_i   (cfg_i.if_img_words),
    .plane_words_i    (cfg_i.plane_words),
    .pitch_i          (cfg_i.pitch),
    .ps_base_i        (cfg_i.ps_base),
    .ps_img_words_i   (cfg_i.ps_img_words),
    .ps_x_words_i     (cfg_i.ps_x_words),
    .ps_row_words_i   (cfg_i.ps_row_words),
    .n_img_i          (cfg_i.n_eff),
    .rows_i           (cfg_i.rows_valid),
    .out_w_i          (cfg_i.out_w),
    .chans_i          (cfg_i.lrn_chans),
    .win_h_i          (cfg_i.r_rows),
    .win_w_i          (cfg_i.s_cols),
    .stride_v_log2_i  (cfg_i.stride_v_log2),
    .stride_h_i       (cfg_i.stride_h),
    .pad_l_i          (cfg_i.pad_l),
    .h_start_i        (cfg_i.h_start),
    .in_h_i           (cfg_i.in_h),
    .in_w_i           (cfg_i.in_w),
    .lrn_size_i       (cfg_i.lrn_size),
    .exp_min_i        (cfg_i.lrn_exp_min),
    .mant_bits_i      (cfg_i.lrn_mant_bits),
    .lut_frac_i       (cfg_i.lrn_lut_frac),
    .busy_o           (ppu_busy_o),
    .glb_rd_o         (glb_o[OutPpuR]),
    .glb_rd_i         (glb_i[OutPpuR]),
    .glb_wr_o         (glb_o[OutPpuW]),
    .glb_wr_ready_i   (glb_i[OutPpuW].ready),
    .perf_clear_i     (clear_i),
    .saturated_o      (ppu_saturated)
  );

  // The output stage may run beside the next tile's passes (layer_ctrl), which change cfg_i: it works from the
  // tile configuration captured when it starts.
  tile_cfg_t out_cfg_q, out_cfg;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) out_cfg_q <= '0;
    else if (cmd_i.output_start) out_cfg_q <= cfg_i;
  end
  assign out_cfg = cmd_i.output_start ? cfg_i : out_cfg_q;

  output_stage #(.AddrWidth(GlbAw), .Cols(Cols)) u_output (
    .clk_i, .rst_ni,
    .start_i         (cmd_i.output_start),
    .psum_base_i     (out_cfg.ps_base),
    .set_filters_i   (out_cfg.ps_set_filters),
    .x_words_i       (out_cfg.ps_x_words),
    .row_words_i     (out_cfg.ps_row_words),
    .set_words_i     (out_cfg.ps_set_words),
    .n_img_i         (out_cfg.n_eff),
    .filters_i       (out_cfg.pt),
    .filters_valid_i (out_cfg.filters_valid),
    .rows_i          (out_cfg.e),
    .rows_valid_i    (out_cfg.rows_valid),
    .out_w_i         (out_cfg.out_w),
    .shift_i         (out_cfg.shift),
    .relu_i          (out_cfg.relu),
    .bias_en_i       (out_cfg.bias_en),
    .rlc_i           (out_cfg.ofmap_rlc),
    .bias_addr_i     (out_cfg.bias_addr),
    .row_addr_i      (out_cfg.out_row_addr),
    .index_addr_i    (out_cfg.out_index_addr),
    .slot_words_i    (out_cfg.out_slot_words),
    .filter_rows_i   (out_cfg.filter_rows_out),
    .image_rows_i    (out_cfg.image_rows_out),
    .tbl16_i         (out_cfg.ofmap_tbl16),
    .tbl_filter_i    (out_cfg.tbl_filter_out),
    .tbl_image_i     (out_cfg.tbl_image_out),
    .busy_o          (output_busy_o),
    .reads_done_o    (output_reads_done_o),
    .glb_o           (glb_o[OutStage]),
    .glb_i           (glb_i[OutStage]),
    .rd_req_o        (rd_req_o[RdOutput]),
    .rd_rsp_i        (rd_rsp_i[RdOutput]),
    .wr_req_o,
    .wr_rsp_i,
    .perf_clear_i    (clear_i),
    .rlc_words_o     (perf_o.rlc_words_out),
    .saturated_o     (out_saturated)
  );

  assign perf_o.saturated = 64'(out_saturated) + 64'(ppu_saturated);

  // Each subsystem reads its own part of the controller's tile configuration and commands.
  logic unused_cfg;
  assign unused_cfg = ^{cfg_i, cmd_i, glb_i[OutPpuW].rsp_valid, glb_i[OutPpuW].rsp_data};

endmodule
