// ocelli accelerator top (docs/architecture.md): controller, DMA with RLC codec path, global buffer, multicast
// NoC (filter, ifmap and psum GINs, the GON) and the 12 x 14 PE array. Software talks to it through the
// instruction queue in DRAM (start/queue inputs), the 64-bit memory port and the register port (docs/isa.md).
module ocelli_top
  import ocelli_pkg::*;
  import mem_pkg::*;
  import ctrl_pkg::*;
#(
  parameter int unsigned Rows           = ArrayRows,
  parameter int unsigned Cols           = ArrayCols,
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

  input  logic [4:0]              csr_addr_i,
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
  localparam int unsigned NumPes    = Rows * Cols;
  localparam int unsigned GlbPorts  = 8;
  localparam int unsigned GlbAw     = $clog2(GlbBankWords) + $clog2(GlbNumBanks);
  localparam int unsigned ColW      = $clog2(Cols);

  localparam int unsigned PortMover = 0;
  localparam int unsigned PortFilt  = 1;
  localparam int unsigned PortIfmap = 2;
  localparam int unsigned PortPsumR = 3;
  localparam int unsigned PortPsumW = 4;
  localparam int unsigned PortOut   = 5;
  localparam int unsigned PortPpuR  = 6;
  localparam int unsigned PortPpuW  = 7;

  tile_cfg_t cfg;

  // ------------------------------------------------------------------ DMA and its read-channel owners
  logic                    dma_rd_cmd_valid, dma_rd_cmd_ready, dma_rd_data_valid, dma_rd_data_ready, dma_rd_last;
  logic [MemAddrWidth-1:0] dma_rd_cmd_addr;
  logic [23:0]             dma_rd_cmd_words;
  logic [63:0]             dma_rd_data;
  logic                    dma_wr_cmd_valid, dma_wr_cmd_ready, dma_wr_data_valid, dma_wr_data_ready;
  logic                    dma_wr_done, dma_wr_idle, dma_busy, dma_error;
  logic [MemAddrWidth-1:0] dma_wr_cmd_addr;
  logic [23:0]             dma_wr_cmd_words;
  logic [63:0]             dma_wr_data;
  dma_err_e                dma_err_code;
  logic [MemAddrWidth-1:0] dma_err_addr;
  logic [31:0]             dma_rd_beats, dma_wr_beats;

  // ------------------------------------------------------------------ chip boundary
  // Every input is registered before logic uses it (mem_port_regs for the memory port), so no output depends
  // combinationally on an input except csr_rdata_o, a read multiplexer for the host.
  logic                    start_q;
  logic [31:0]             queue_addr_q;
  logic [15:0]             queue_len_q;
  logic [MemAddrWidth:0]   mem_size_q;

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

  logic        dma_req_valid, dma_req_ready, dma_wdata_valid, dma_wdata_ready, dma_wdata_last;
  logic        dma_rsp_valid, dma_rsp_ready, dma_ack_valid;
  mem_req_t    dma_req;
  logic [63:0] dma_wdata;
  mem_rsp_t    dma_rsp;
  mem_ack_t    dma_ack;

  mem_port_regs u_mem_port (
    .clk_i, .rst_ni,
    .dma_req_valid_i   (dma_req_valid),
    .dma_req_ready_o   (dma_req_ready),
    .dma_req_i         (dma_req),
    .dma_wdata_valid_i (dma_wdata_valid),
    .dma_wdata_ready_o (dma_wdata_ready),
    .dma_wdata_i       (dma_wdata),
    .dma_wdata_last_i  (dma_wdata_last),
    .dma_rsp_valid_o   (dma_rsp_valid),
    .dma_rsp_ready_i   (dma_rsp_ready),
    .dma_rsp_o         (dma_rsp),
    .dma_ack_valid_o   (dma_ack_valid),
    .dma_ack_o         (dma_ack),
    .mem_req_valid_o, .mem_req_ready_i, .mem_req_o,
    .mem_wdata_valid_o, .mem_wdata_ready_i, .mem_wdata_o, .mem_wdata_last_o,
    .mem_rsp_valid_i, .mem_rsp_ready_o, .mem_rsp_i,
    .mem_ack_valid_i, .mem_ack_i
  );

  dma #(.TimeoutCycles(DmaTimeout)) u_dma (
    .clk_i, .rst_ni,
    .mem_size_i       (mem_size_q),
    .clear_i          (start_q),
    .rd_cmd_valid_i   (dma_rd_cmd_valid),
    .rd_cmd_ready_o   (dma_rd_cmd_ready),
    .rd_cmd_addr_i    (dma_rd_cmd_addr),
    .rd_cmd_words_i   (dma_rd_cmd_words),
    .rd_data_valid_o  (dma_rd_data_valid),
    .rd_data_ready_i  (dma_rd_data_ready),
    .rd_data_o        (dma_rd_data),
    .rd_data_last_o   (dma_rd_last),
    .wr_cmd_valid_i   (dma_wr_cmd_valid),
    .wr_cmd_ready_o   (dma_wr_cmd_ready),
    .wr_cmd_addr_i    (dma_wr_cmd_addr),
    .wr_cmd_words_i   (dma_wr_cmd_words),
    .wr_data_valid_i  (dma_wr_data_valid),
    .wr_data_ready_o  (dma_wr_data_ready),
    .wr_data_i        (dma_wr_data),
    .wr_done_o        (dma_wr_done),
    .wr_idle_o        (dma_wr_idle),
    .mem_req_valid_o  (dma_req_valid),
    .mem_req_ready_i  (dma_req_ready),
    .mem_req_o        (dma_req),
    .mem_wdata_valid_o(dma_wdata_valid),
    .mem_wdata_ready_i(dma_wdata_ready),
    .mem_wdata_o      (dma_wdata),
    .mem_wdata_last_o (dma_wdata_last),
    .mem_rsp_valid_i  (dma_rsp_valid),
    .mem_rsp_ready_o  (dma_rsp_ready),
    .mem_rsp_i        (dma_rsp),
    .mem_ack_valid_i  (dma_ack_valid),
    .mem_ack_i        (dma_ack),
    .busy_o           (dma_busy),
    .error_o          (dma_error),
    .err_code_o       (dma_err_code),
    .err_addr_o       (dma_err_addr),
    .rd_beats_o       (dma_rd_beats),
    .wr_beats_o       (dma_wr_beats)
  );

  logic [1:0]              rd_owner;
  logic                    c_rd_cmd_valid, c_rd_data_ready;
  logic [MemAddrWidth-1:0] c_rd_cmd_addr;
  logic [23:0]             c_rd_cmd_words;
  logic                    m_rd_cmd_valid, m_rd_data_ready;
  logic [MemAddrWidth-1:0] m_rd_cmd_addr;
  logic [23:0]             m_rd_cmd_words;
  logic                    o_rd_cmd_valid, o_rd_data_ready;
  logic [MemAddrWidth-1:0] o_rd_cmd_addr;
  logic [23:0]             o_rd_cmd_words;
  logic                    u_rd_cmd_valid, u_rd_data_ready;   // post-processing unit (LRN table)
  logic [MemAddrWidth-1:0] u_rd_cmd_addr;
  logic [23:0]             u_rd_cmd_words;

  always_comb begin
    unique case (rd_owner)
      2'd1: begin
        dma_rd_cmd_valid  = m_rd_cmd_valid;
        dma_rd_cmd_addr   = m_rd_cmd_addr;
        dma_rd_cmd_words  = m_rd_cmd_words;
        dma_rd_data_ready = m_rd_data_ready;
      end
      2'd2: begin
        dma_rd_cmd_valid  = o_rd_cmd_valid;
        dma_rd_cmd_addr   = o_rd_cmd_addr;
        dma_rd_cmd_words  = o_rd_cmd_words;
        dma_rd_data_ready = o_rd_data_ready;
      end
      2'd3: begin
        dma_rd_cmd_valid  = u_rd_cmd_valid;
        dma_rd_cmd_addr   = u_rd_cmd_addr;
        dma_rd_cmd_words  = u_rd_cmd_words;
        dma_rd_data_ready = u_rd_data_ready;
      end
      default: begin
        dma_rd_cmd_valid  = c_rd_cmd_valid;
        dma_rd_cmd_addr   = c_rd_cmd_addr;
        dma_rd_cmd_words  = c_rd_cmd_words;
        dma_rd_data_ready = c_rd_data_ready;
      end
    endcase
  end

  // ------------------------------------------------------------------ global buffer
  logic [GlbPorts-1:0]             glb_req_valid, glb_req_ready, glb_req_write, glb_rsp_valid;
  logic [GlbPorts-1:0][GlbAw-1:0]  glb_req_addr;
  logic [GlbPorts-1:0][63:0]       glb_req_wdata, glb_rsp_data;
  logic [GlbPorts-1:0][3:0]        glb_req_wmask;
  logic                            glb_err;
  logic [GlbPorts-1:0][63:0]       glb_reads, glb_writes, glb_conflicts;

  glb #(.NumPorts(GlbPorts)) u_glb (
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

  // Read-only and write-only ports
  assign glb_req_write[PortMover] = 1'b1;
  assign glb_req_wmask[PortMover] = 4'hf;
  assign glb_req_write[PortPsumW] = 1'b1;
  assign glb_req_write[PortPpuW]  = 1'b1;
  for (genvar p = 0; p < int'(GlbPorts); p++) begin : g_ro_ports
    if (p != int'(PortMover) && p != int'(PortPsumW) && p != int'(PortPpuW)) begin : g_ro
      assign glb_req_write[p] = 1'b0;
      assign glb_req_wdata[p] = '0;
      assign glb_req_wmask[p] = '0;
    end
  end

  // ------------------------------------------------------------------ controller
  logic      ctrl_busy, ctrl_done, ctrl_error;
  ctrl_err_e ctrl_err_code;
  logic [15:0] ctrl_err_index, ctrl_layer;
  logic      mover_sel_filter, filter_cmd_valid, mover_cmd_ready, mover_idle, mover_err;
  logic      ifmap_load_start, ifmap_load_busy, pass_start, pass_busy, output_start, output_busy;
  logic      ppu_start, ppu_busy, lut_start, lut_busy;
  logic      progress;

  layer_ctrl #(
    .ActWords       ((GlbNumBanks - 2) * GlbBankWords),
    .FilterWords    (2 * GlbBankWords),
    .BankWords      (GlbBankWords),
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
    .rd_cmd_valid_o     (c_rd_cmd_valid),
    .rd_cmd_ready_i     (dma_rd_cmd_ready),
    .rd_cmd_addr_o      (c_rd_cmd_addr),
    .rd_cmd_words_o     (c_rd_cmd_words),
    .rd_data_valid_i    (dma_rd_data_valid),
    .rd_data_ready_o    (c_rd_data_ready),
    .rd_data_i          (dma_rd_data),
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
    .ppu_start_o        (ppu_start),
    .ppu_busy_i         (ppu_busy),
    .lut_start_o        (lut_start),
    .lut_busy_i         (lut_busy),
    .progress_i         (progress)
  );

  assign busy_o  = ctrl_busy;
  assign done_o  = ctrl_done;
  assign error_o = ctrl_error;

  // ------------------------------------------------------------------ loaders: DRAM -> (RLC decoder) -> GLB
  logic                    il_cmd_valid, il_cmd_rlc;
  logic [MemAddrWidth-1:0] il_cmd_dram, il_cmd_index;
  logic [23:0]             il_cmd_words;
  logic [15:0]             il_cmd_elems;
  logic [GlbAw-1:0]        il_cmd_glb;
  logic [6:0]              il_cmd_rows;
  logic [7:0]              il_cmd_slot_words, il_cmd_glb_pitch;
  rlc_err_e                mover_rlc_code;
  logic [31:0]             mover_rlc_word, rlc_words_in;

  ifmap_loader #(.AddrWidth(GlbAw)) u_ifmap_loader (
    .clk_i, .rst_ni,
    .start_i          (ifmap_load_start),
    .glb_base_i       (cfg.if_base_load),
    .pitch_i          (cfg.pitch),
    .plane_words_i    (cfg.plane_words),
    .img_words_i      (cfg.if_img_words),
    .rows_tile_i      (cfg.rows_tile),
    .h_start_i        (cfg.h_start),
    .in_h_i           (cfg.in_h),
    .in_w_i           (cfg.in_w),
    .n_img_i          (cfg.n_eff),
    .chans_valid_i    (cfg.ld_chans_valid),
    .first_plane_i    (cfg.ld_first_plane),
    .chan_rows_i      (cfg.chan_rows),
    .img_rows_i       (cfg.img_rows_in),
    .rlc_i            (cfg.ifmap_rlc),
    .ifmap_addr_i     (cfg.ifmap_addr),
    .index_addr_i     (cfg.ifmap_index_addr),
    .slot_words_i     (cfg.slot_in),
    .busy_o           (ifmap_load_busy),
    .cmd_valid_o      (il_cmd_valid),
    .cmd_ready_i      (mover_cmd_ready && !mover_sel_filter),
    .cmd_rlc_o        (il_cmd_rlc),
    .cmd_dram_addr_o  (il_cmd_dram),
    .cmd_index_addr_o (il_cmd_index),
    .cmd_words_o      (il_cmd_words),
    .cmd_rows_o       (il_cmd_rows),
    .cmd_slot_words_o (il_cmd_slot_words),
    .cmd_elems_o      (il_cmd_elems),
    .cmd_glb_pitch_o  (il_cmd_glb_pitch),
    .cmd_glb_addr_o   (il_cmd_glb)
  );

  row_mover #(.AddrWidth(GlbAw)) u_mover (
    .clk_i, .rst_ni,
    .cmd_valid_i      (mover_sel_filter ? filter_cmd_valid : il_cmd_valid),
    .cmd_ready_o      (mover_cmd_ready),
    .cmd_rlc_i        (!mover_sel_filter && il_cmd_rlc),
    .cmd_dram_addr_i  (mover_sel_filter ? cfg.ld_chunk_addr : il_cmd_dram),
    .cmd_index_addr_i (il_cmd_index),
    .cmd_words_i      (mover_sel_filter ? cfg.chunk_words : il_cmd_words),
    .cmd_rows_i       (il_cmd_rows),
    .cmd_slot_words_i (il_cmd_slot_words),
    .cmd_elems_i      (il_cmd_elems),
    .cmd_glb_pitch_i  (il_cmd_glb_pitch),
    .cmd_glb_addr_i   (mover_sel_filter ? cfg.filt_base_load : il_cmd_glb),
    .idle_o           (mover_idle),
    .rd_cmd_valid_o   (m_rd_cmd_valid),
    .rd_cmd_ready_i   (dma_rd_cmd_ready && rd_owner == 2'd1),
    .rd_cmd_addr_o    (m_rd_cmd_addr),
    .rd_cmd_words_o   (m_rd_cmd_words),
    .rd_data_valid_i  (dma_rd_data_valid && rd_owner == 2'd1),
    .rd_data_ready_o  (m_rd_data_ready),
    .rd_data_i        (dma_rd_data),
    .glb_valid_o      (glb_req_valid[PortMover]),
    .glb_ready_i      (glb_req_ready[PortMover]),
    .glb_addr_o       (glb_req_addr[PortMover]),
    .glb_wdata_o      (glb_req_wdata[PortMover]),
    .err_rlc_o        (mover_err),
    .err_rlc_code_o   (mover_rlc_code),
    .err_rlc_word_o   (mover_rlc_word),
    .perf_clear_i     (start_q),
    .rlc_words_o      (rlc_words_in)
  );

  // ------------------------------------------------------------------ NoC configuration (per layer)
  logic [Rows-1:0][3:0] row_set, row_in_set;   // vertical set vr and filter row i of each PE row
  logic [Cols-1:0][3:0] col_set, col_in_set;   // horizontal set ht and ofmap row j of each PE column
  always_comb begin
    logic [3:0] i, v;
    i = '0;
    v = '0;
    for (int r = 0; r < int'(Rows); r++) begin
      row_in_set[r] = i;
      row_set[r]    = v;
      if (i + 4'd1 == cfg.r_rows) begin
        i = '0;
        v = v + 4'd1;
      end else begin
        i = i + 4'd1;
      end
    end
  end
  always_comb begin
    logic [3:0] j, h;
    j = '0;
    h = '0;
    for (int c = 0; c < int'(Cols); c++) begin
      col_in_set[c] = j;
      col_set[c]    = h;
      if (5'(j) + 5'd1 == cfg.e) begin
        j = '0;
        h = h + 4'd1;
      end else begin
        j = j + 4'd1;
      end
    end
  end

  logic [Rows-1:0]                      row_used;
  logic [NumPes-1:0]                    pe_used, pe_accum, psum_pe_en;
  logic [Rows-1:0][NocRowIdWidth-1:0]   filt_row_id, ifmap_row_id, psum_row_id;
  logic [NumPes-1:0][NocColIdWidth-1:0] filt_col_id, ifmap_col_id, psum_col_id;
  logic [Cols-1:0][GlbAw-1:0]           col_base;
  logic [Rows-1:0]                      psum_row_en;

  for (genvar r = 0; r < int'(Rows); r++) begin : g_cfg_row
    assign row_used[r]     = 4'(r) < cfg.rows_pe;
    assign filt_row_id[r]  = NocRowIdWidth'(r);
    assign ifmap_row_id[r] = NocRowIdWidth'(row_set[r]);
    assign psum_row_id[r]  = '0;
    assign psum_row_en[r]  = (r == 0) && cfg.accum;
    for (genvar c = 0; c < int'(Cols); c++) begin : g_cfg_col
      localparam int unsigned Idx = r * Cols + c;
      assign pe_used[Idx]      = row_used[r] && (5'(c) < cfg.cols_pe);
      assign pe_accum[Idx]     = pe_used[Idx] && ((r != 0) || cfg.accum);
      assign psum_pe_en[Idx]   = (r == 0) && pe_used[Idx];
      assign filt_col_id[Idx]  = NocColIdWidth'(col_set[c]);
      assign ifmap_col_id[Idx] = NocColIdWidth'(row_in_set[r]) +
                                 (NocColIdWidth'(col_in_set[c]) << cfg.stride_v_log2);
      assign psum_col_id[Idx]  = NocColIdWidth'(c);
    end
  end
  for (genvar c = 0; c < int'(Cols); c++) begin : g_col_base
    assign col_base[c] = GlbAw'((32'(col_set[c]) * 32'(cfg.p) * 32'(cfg.e) + 32'(col_in_set[c])) *
                                32'(cfg.pitch2));
  end

  // ------------------------------------------------------------------ feeders -> GINs -> array -> GON -> collector
  logic        ff_valid, ff_ready, if_valid, if_ready, pf_valid, pf_ready;
  filt_word_t  ff_data;
  data_t       if_data;
  psum_t       pf_data;
  logic [NocRowIdWidth-1:0] ff_row, if_row, pf_row;
  logic [NocColIdWidth-1:0] ff_col, if_col, pf_col;
  logic        ff_busy, if_busy, pf_busy, pc_busy, array_busy;

  filter_feeder #(.AddrWidth(GlbAw)) u_filter_feeder (
    .clk_i, .rst_ni,
    .start_i         (pass_start),
    .base_i          (cfg.filt_base_pass),
    .blk_pitch_i     (cfg.blk_pitch),
    .blk_len_i       (cfg.blk_len),
    .rows_i          (cfg.blk_rows),
    .sets_i          (cfg.t),
    .busy_o          (ff_busy),
    .glb_valid_o     (glb_req_valid[PortFilt]),
    .glb_ready_i     (glb_req_ready[PortFilt]),
    .glb_addr_o      (glb_req_addr[PortFilt]),
    .glb_rsp_valid_i (glb_rsp_valid[PortFilt]),
    .glb_rsp_data_i  (glb_rsp_data[PortFilt]),
    .gin_valid_o     (ff_valid),
    .gin_ready_i     (ff_ready),
    .gin_data_o      (ff_data),
    .gin_row_tag_o   (ff_row),
    .gin_col_tag_o   (ff_col)
  );

  ifmap_feeder #(.AddrWidth(GlbAw)) u_ifmap_feeder (
    .clk_i, .rst_ni,
    .start_i         (pass_start),
    .base_i          (cfg.if_base_pass),
    .pitch_i         (cfg.pitch),
    .plane_words_i   (cfg.plane_words),
    .rows_tile_i     (cfg.rows_tile),
    .in_w_i          (cfg.in_w),
    .in_h_i          (cfg.in_h),
    .stream_w_i      (cfg.stream_w),
    .pad_l_i         (cfg.pad_l),
    .h_start_i       (cfg.h_start),
    .n_img_i         (cfg.n_eff),
    .sets_v_i        (cfg.r),
    .q_i             (cfg.q),
    .chans_valid_i   (cfg.chans_valid[7:0]),  // CONV blocks hold q*r <= 144 channels
    .r_rows_i        (cfg.r_rows),
    .stride_v_log2_i (cfg.stride_v_log2),
    .busy_o          (if_busy),
    .glb_valid_o     (glb_req_valid[PortIfmap]),
    .glb_ready_i     (glb_req_ready[PortIfmap]),
    .glb_addr_o      (glb_req_addr[PortIfmap]),
    .glb_rsp_valid_i (glb_rsp_valid[PortIfmap]),
    .glb_rsp_data_i  (glb_rsp_data[PortIfmap]),
    .gin_valid_o     (if_valid),
    .gin_ready_i     (if_ready),
    .gin_data_o      (if_data),
    .gin_row_tag_o   (if_row),
    .gin_col_tag_o   (if_col)
  );

  psum_feeder #(.AddrWidth(GlbAw), .Cols(Cols)) u_psum_feeder (
    .clk_i, .rst_ni,
    .start_i         (pass_start && cfg.accum),
    .base_i          (cfg.ps_base),
    .group_words_i   (cfg.ps_group_words),
    .img_words_i     (cfg.ps_img_words),
    .col_base_i      (col_base),
    .cols_i          (cfg.cols_pe),
    .out_w_i         (cfg.out_w),
    .p_i             (cfg.p),
    .n_img_i         (cfg.n_eff),
    .busy_o          (pf_busy),
    .glb_valid_o     (glb_req_valid[PortPsumR]),
    .glb_ready_i     (glb_req_ready[PortPsumR]),
    .glb_addr_o      (glb_req_addr[PortPsumR]),
    .glb_rsp_valid_i (glb_rsp_valid[PortPsumR]),
    .glb_rsp_data_i  (glb_rsp_data[PortPsumR]),
    .gin_valid_o     (pf_valid),
    .gin_ready_i     (pf_ready),
    .gin_data_o      (pf_data),
    .gin_row_tag_o   (pf_row),
    .gin_col_tag_o   (pf_col)
  );

  logic [NumPes-1:0]                 a_filt_valid, a_filt_ready, a_ifmap_valid, a_ifmap_ready;
  logic [NumPes-1:0]                 a_psum_valid, a_psum_ready;
  filt_word_t [NumPes-1:0]           a_filt_data;
  logic [NumPes-1:0][DataWidth-1:0]  a_ifmap_data;
  logic [NumPes-1:0][PsumWidth-1:0]  a_psum_data;
  logic                              gin_f_idle, gin_i_idle, gin_p_idle, gin_f_err, gin_i_err, gin_p_err;
  logic [63:0]                       gin_f_words, gin_f_deliv, gin_f_stall;
  logic [63:0]                       gin_i_words, gin_i_deliv, gin_i_stall;
  logic [63:0]                       gin_p_words, gin_p_deliv, gin_p_stall;

  gin #(.Rows(Rows), .Cols(Cols), .Width(FiltWordWidth)) u_gin_filter (
    .clk_i, .rst_ni,
    .cfg_row_en_i   (row_used),
    .cfg_row_id_i   (filt_row_id),
    .cfg_pe_en_i    (pe_used),
    .cfg_col_id_i   (filt_col_id),
    .in_valid_i     (ff_valid),
    .in_data_i      (ff_data),
    .in_row_tag_i   (ff_row),
    .in_col_tag_i   (ff_col),
    .in_ready_o     (ff_ready),
    .pe_valid_o     (a_filt_valid),
    .pe_data_o      (a_filt_data),
    .pe_ready_i     (a_filt_ready),
    .idle_o         (gin_f_idle),
    .err_no_match_o (gin_f_err),
    .perf_clear_i   (start_q),
    .perf_words_o   (gin_f_words),
    .perf_deliveries_o   (gin_f_deliv),
    .perf_stall_cycles_o (gin_f_stall)
  );

  gin #(.Rows(Rows), .Cols(Cols), .Width(DataWidth)) u_gin_ifmap (
    .clk_i, .rst_ni,
    .cfg_row_en_i   (row_used),
    .cfg_row_id_i   (ifmap_row_id),
    .cfg_pe_en_i    (pe_used),
    .cfg_col_id_i   (ifmap_col_id),
    .in_valid_i     (if_valid),
    .in_data_i      (if_data),
    .in_row_tag_i   (if_row),
    .in_col_tag_i   (if_col),
    .in_ready_o     (if_ready),
    .pe_valid_o     (a_ifmap_valid),
    .pe_data_o      (a_ifmap_data),
    .pe_ready_i     (a_ifmap_ready),
    .idle_o         (gin_i_idle),
    .err_no_match_o (gin_i_err),
    .perf_clear_i   (start_q),
    .perf_words_o   (gin_i_words),
    .perf_deliveries_o   (gin_i_deliv),
    .perf_stall_cycles_o (gin_i_stall)
  );

  gin #(.Rows(Rows), .Cols(Cols), .Width(PsumWidth)) u_gin_psum (
    .clk_i, .rst_ni,
    .cfg_row_en_i   (psum_row_en),
    .cfg_row_id_i   (psum_row_id),
    .cfg_pe_en_i    (psum_pe_en),
    .cfg_col_id_i   (psum_col_id),
    .in_valid_i     (pf_valid),
    .in_data_i      (pf_data),
    .in_row_tag_i   (pf_row),
    .in_col_tag_i   (pf_col),
    .in_ready_o     (pf_ready),
    .pe_valid_o     (a_psum_valid),
    .pe_data_o      (a_psum_data),
    .pe_ready_i     (a_psum_ready),
    .idle_o         (gin_p_idle),
    .err_no_match_o (gin_p_err),
    .perf_clear_i   (start_q),
    .perf_words_o   (gin_p_words),
    .perf_deliveries_o   (gin_p_deliv),
    .perf_stall_cycles_o (gin_p_stall)
  );

  logic [Cols-1:0]                col_psum_valid, col_psum_ready;
  logic [Cols-1:0][PsumWidth-1:0] col_psum_data;
  logic [63:0]                    perf_active, perf_pe_busy, perf_macs, perf_gated;
  pe_cfg_t                        pe_cfg;

  assign pe_cfg.filt_width   = cfg.s_cols;
  assign pe_cfg.stride       = cfg.stride_h;
  assign pe_cfg.num_filters  = cfg.p;
  assign pe_cfg.num_channels = cfg.q;
  assign pe_cfg.ofmap_width  = cfg.out_w;
  assign pe_cfg.ifmap_width  = cfg.stream_w;
  assign pe_cfg.num_images   = cfg.n_eff;
  assign pe_cfg.psum_hold    = cfg.psum_hold;
  assign pe_cfg.psum_resume  = cfg.psum_resume;

  pe_array #(.Rows(Rows), .Cols(Cols)) u_array (
    .clk_i, .rst_ni,
    .cfg_i                 (pe_cfg),
    .start_i               (pass_start),
    .pe_en_i               (pe_used),
    .pe_accum_i            (pe_accum),
    .pe_psum_ext_i         ('0),
    .busy_o                (array_busy),
    .filt_valid_i          (a_filt_valid),
    .filt_data_i           (a_filt_data),
    .filt_ready_o          (a_filt_ready),
    .ifmap_valid_i         (a_ifmap_valid),
    .ifmap_data_i          (a_ifmap_data),
    .ifmap_ready_o         (a_ifmap_ready),
    .psum_valid_i          (a_psum_valid),
    .psum_data_i           (a_psum_data),
    .psum_ready_o          (a_psum_ready),
    .col_psum_valid_o      (col_psum_valid),
    .col_psum_data_o       (col_psum_data),
    .col_psum_ready_i      (col_psum_ready),
    .perf_clear_i          (start_q),
    .perf_active_cycles_o  (perf_active),
    .perf_pe_busy_cycles_o (perf_pe_busy),
    .perf_macs_o           (perf_macs),
    .perf_gated_macs_o     (perf_gated)
  );

  logic            gon_valid, gon_ready;
  psum_t           gon_data;
  logic [ColW-1:0] gon_col;
  logic [63:0]     gon_words, gon_stall;

  gon #(.Cols(Cols)) u_gon (
    .clk_i, .rst_ni,
    .col_valid_i         (col_psum_valid),
    .col_data_i          (col_psum_data),
    .col_ready_o         (col_psum_ready),
    .out_valid_o         (gon_valid),
    .out_data_o          (gon_data),
    .out_col_o           (gon_col),
    .out_ready_i         (gon_ready),
    .perf_clear_i        (start_q),
    .perf_words_o        (gon_words),
    .perf_stall_cycles_o (gon_stall)
  );

  psum_collector #(.AddrWidth(GlbAw), .Cols(Cols)) u_collector (
    .clk_i, .rst_ni,
    .start_i       (pass_start),
    .base_i        (cfg.ps_base),
    .group_words_i (cfg.ps_group_words),
    .img_words_i   (cfg.ps_img_words),
    .col_base_i    (col_base),
    .expected_i    (cfg.psum_hold ? 32'd0 : 32'(cfg.n_eff) * 32'(cfg.out_w) * 32'(cfg.p) * 32'(cfg.cols_pe)),
    .out_w_i       (cfg.out_w),
    .p_i           (cfg.p),
    .busy_o        (pc_busy),
    .gon_valid_i   (gon_valid),
    .gon_ready_o   (gon_ready),
    .gon_data_i    (gon_data),
    .gon_col_i     (gon_col),
    .glb_valid_o   (glb_req_valid[PortPsumW]),
    .glb_ready_i   (glb_req_ready[PortPsumW]),
    .glb_addr_o    (glb_req_addr[PortPsumW]),
    .glb_wdata_o   (glb_req_wdata[PortPsumW]),
    .glb_wmask_o   (glb_req_wmask[PortPsumW])
  );

  assign pass_busy = ff_busy || if_busy || pf_busy || pc_busy || array_busy ||
                     !gin_f_idle || !gin_i_idle || !gin_p_idle;

  // ------------------------------------------------------------------ post-processing unit (POOL, LRN)
  logic [31:0] ppu_saturated;

  ppu #(.AddrWidth(GlbAw), .LutDepth(LrnLutDepth)) u_ppu (
    .clk_i, .rst_ni,
    .lut_start_i      (lut_start),
    .lut_addr_i       (cfg.lut_addr),
    .lut_entries_i    (cfg.lut_entries),
    .lut_busy_o       (lut_busy),
    .rd_cmd_valid_o   (u_rd_cmd_valid),
    .rd_cmd_ready_i   (dma_rd_cmd_ready && rd_owner == 2'd3),
    .rd_cmd_addr_o    (u_rd_cmd_addr),
    .rd_cmd_words_o   (u_rd_cmd_words),
    .rd_data_valid_i  (dma_rd_data_valid && rd_owner == 2'd3),
    .rd_data_ready_o  (u_rd_data_ready),
    .rd_data_i        (dma_rd_data),
    .start_i          (ppu_start),
    .lrn_i            (cfg.op_lrn),
    .if_base_i        (cfg.if_base_pass),
    .if_img_words_i   (cfg.if_img_words),
    .plane_words_i    (cfg.plane_words),
    .pitch_i          (cfg.pitch),
    .ps_base_i        (cfg.ps_base),
    .ps_img_words_i   (cfg.ps_img_words),
    .ps_group_words_i (cfg.ps_group_words),
    .pitch2_i         (cfg.pitch2),
    .n_img_i          (cfg.n_eff),
    .rows_i           (cfg.rows_valid),
    .out_w_i          (cfg.out_w),
    .chans_i          (cfg.lrn_chans),
    .win_h_i          (cfg.r_rows),
    .win_w_i          (cfg.s_cols),
    .stride_v_log2_i  (cfg.stride_v_log2),
    .stride_h_i       (cfg.stride_h),
    .pad_l_i          (cfg.pad_l),
    .h_start_i        (cfg.h_start),
    .in_h_i           (cfg.in_h),
    .in_w_i           (cfg.in_w),
    .lrn_size_i       (cfg.lrn_size),
    .exp_min_i        (cfg.lrn_exp_min),
    .mant_bits_i      (cfg.lrn_mant_bits),
    .lut_frac_i       (cfg.lrn_lut_frac),
    .busy_o           (ppu_busy),
    .glb_rd_valid_o   (glb_req_valid[PortPpuR]),
    .glb_rd_ready_i   (glb_req_ready[PortPpuR]),
    .glb_rd_addr_o    (glb_req_addr[PortPpuR]),
    .glb_rsp_valid_i  (glb_rsp_valid[PortPpuR]),
    .glb_rsp_data_i   (glb_rsp_data[PortPpuR]),
    .glb_wr_valid_o   (glb_req_valid[PortPpuW]),
    .glb_wr_ready_i   (glb_req_ready[PortPpuW]),
    .glb_wr_addr_o    (glb_req_addr[PortPpuW]),
    .glb_wr_data_o    (glb_req_wdata[PortPpuW]),
    .glb_wr_mask_o    (glb_req_wmask[PortPpuW]),
    .perf_clear_i     (start_q),
    .saturated_o      (ppu_saturated)
  );

  // ------------------------------------------------------------------ output path
  logic [31:0] rlc_words_out, saturated;

  output_stage #(.AddrWidth(GlbAw)) u_output (
    .clk_i, .rst_ni,
    .start_i         (output_start),
    .psum_base_i     (cfg.ps_base),
    .group_words_i   (cfg.ps_group_words),
    .pitch2_i        (cfg.pitch2),
    .n_img_i         (cfg.n_eff),
    .filters_i       (cfg.pt),
    .filters_valid_i (cfg.filters_valid),
    .rows_i          (cfg.e),
    .rows_valid_i    (cfg.rows_valid),
    .out_w_i         (cfg.out_w),
    .shift_i         (cfg.shift),
    .relu_i          (cfg.relu),
    .bias_en_i       (cfg.bias_en),
    .rlc_i           (cfg.ofmap_rlc),
    .bias_addr_i     (cfg.bias_addr),
    .row_addr_i      (cfg.out_row_addr),
    .index_addr_i    (cfg.out_index_addr),
    .slot_words_i    (cfg.out_slot_words),
    .filter_rows_i   (cfg.filter_rows_out),
    .image_rows_i    (cfg.image_rows_out),
    .busy_o          (output_busy),
    .glb_valid_o     (glb_req_valid[PortOut]),
    .glb_ready_i     (glb_req_ready[PortOut]),
    .glb_addr_o      (glb_req_addr[PortOut]),
    .glb_rsp_valid_i (glb_rsp_valid[PortOut]),
    .glb_rsp_data_i  (glb_rsp_data[PortOut]),
    .rd_cmd_valid_o  (o_rd_cmd_valid),
    .rd_cmd_ready_i  (dma_rd_cmd_ready && rd_owner == 2'd2),
    .rd_cmd_addr_o   (o_rd_cmd_addr),
    .rd_cmd_words_o  (o_rd_cmd_words),
    .rd_data_valid_i (dma_rd_data_valid && rd_owner == 2'd2),
    .rd_data_ready_o (o_rd_data_ready),
    .rd_data_i       (dma_rd_data),
    .wr_cmd_valid_o  (dma_wr_cmd_valid),
    .wr_cmd_ready_i  (dma_wr_cmd_ready),
    .wr_cmd_addr_o   (dma_wr_cmd_addr),
    .wr_cmd_words_o  (dma_wr_cmd_words),
    .wr_data_valid_o (dma_wr_data_valid),
    .wr_data_ready_i (dma_wr_data_ready),
    .wr_data_o       (dma_wr_data),
    .wr_idle_i       (dma_wr_idle),
    .perf_clear_i    (start_q),
    .rlc_words_o     (rlc_words_out),
    .saturated_o     (saturated)
  );

  // ------------------------------------------------------------------ counters and registers
  logic        rd_fire, wr_fire;
  logic [63:0] cycles_q, bytes_ifmap_q, bytes_weight_q, bytes_bias_q, bytes_desc_q, bytes_out_q;
  assign rd_fire  = dma_rd_data_valid && dma_rd_data_ready;
  assign wr_fire  = dma_wr_data_valid && dma_wr_data_ready;
  assign progress = rd_fire || wr_fire || (ff_valid && ff_ready) || (if_valid && if_ready) ||
                    (pf_valid && pf_ready) || (gon_valid && gon_ready) || (|(glb_req_valid & glb_req_ready));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycles_q       <= '0;
      bytes_ifmap_q  <= '0;
      bytes_weight_q <= '0;
      bytes_bias_q   <= '0;
      bytes_desc_q   <= '0;
      bytes_out_q    <= '0;
    end else if (start_q) begin
      cycles_q       <= '0;
      bytes_ifmap_q  <= '0;
      bytes_weight_q <= '0;
      bytes_bias_q   <= '0;
      bytes_desc_q   <= '0;
      bytes_out_q    <= '0;
    end else begin
      if (ctrl_busy) cycles_q <= cycles_q + 1;
      if (rd_fire) begin
        unique case (rd_owner)
          2'd1:    if (mover_sel_filter) bytes_weight_q <= bytes_weight_q + 8;
                   else bytes_ifmap_q <= bytes_ifmap_q + 8;
          2'd2:    bytes_bias_q <= bytes_bias_q + 8;
          2'd3:    bytes_weight_q <= bytes_weight_q + 8;  // the LRN table
          default: bytes_desc_q <= bytes_desc_q + 8;
        endcase
      end
      if (wr_fire) bytes_out_q <= bytes_out_q + 8;
    end
  end

  logic [63:0] glb_reads_sum, glb_writes_sum, glb_conflicts_sum;
  always_comb begin
    glb_reads_sum     = '0;
    glb_writes_sum    = '0;
    glb_conflicts_sum = '0;
    for (int p = 0; p < int'(GlbPorts); p++) begin
      glb_reads_sum     = glb_reads_sum + glb_reads[p];
      glb_writes_sum    = glb_writes_sum + glb_writes[p];
      glb_conflicts_sum = glb_conflicts_sum + glb_conflicts[p];
    end
  end

  always_comb begin
    unique case (csr_addr_i)
      5'd0:  csr_rdata_o = {24'd0, 2'(dma_err_code), 6'(mover_rlc_code), ctrl_err_index, 8'(ctrl_err_code),
                            3'd0, cfg.resident, cfg.dbuf, ctrl_error, ctrl_done, ctrl_busy};
      5'd1:  csr_rdata_o = cycles_q;
      5'd2:  csr_rdata_o = perf_pe_busy;
      5'd3:  csr_rdata_o = perf_macs;
      5'd4:  csr_rdata_o = perf_gated;
      5'd5:  csr_rdata_o = glb_reads_sum;
      5'd6:  csr_rdata_o = glb_writes_sum;
      5'd7:  csr_rdata_o = gin_f_deliv + gin_i_deliv + gin_p_deliv;
      5'd8:  csr_rdata_o = bytes_ifmap_q;
      5'd9:  csr_rdata_o = bytes_weight_q;
      5'd10: csr_rdata_o = bytes_bias_q;
      5'd11: csr_rdata_o = bytes_desc_q;
      5'd12: csr_rdata_o = bytes_out_q;
      5'd13: csr_rdata_o = 64'(rlc_words_in);
      5'd14: csr_rdata_o = 64'(rlc_words_out);
      5'd15: csr_rdata_o = {32'd0, dma_err_addr};
      5'd16: csr_rdata_o = 64'(saturated) + 64'(ppu_saturated);
      5'd17: csr_rdata_o = glb_conflicts_sum;
      5'd18: csr_rdata_o = perf_active;
      5'd19: csr_rdata_o = {16'd0, ctrl_layer, 32'(mover_rlc_word)};
      5'd20: csr_rdata_o = gin_f_stall + gin_i_stall + gin_p_stall + gon_stall;
      5'd21: csr_rdata_o = gin_f_words + gin_i_words + gin_p_words;
      5'd22: csr_rdata_o = gon_words;
      5'd23: csr_rdata_o = {61'd0, gin_p_err, gin_i_err, gin_f_err || glb_err};
      default: csr_rdata_o = {32'd0, dma_rd_beats};
    endcase
  end

  // Signals only observed by assertions or kept for debug.
  logic unused;
  assign unused = ^{dma_rd_last, dma_wr_done, dma_busy, dma_wr_beats};

endmodule
