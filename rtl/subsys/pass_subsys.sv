// Pass subsystem (docs/architecture.md): everything one processing pass uses. The NoC configuration (row and
// column IDs of every PE for the layer's mapping), the three feeders that read filters, ifmaps and earlier psums
// from the GLB, the three multicast GINs, the PE array, the GON and the psum collector that writes the pass's
// psums back to the GLB. Psums travel the GINs and the GON in pairs (psum_pair_t, one GLB psum word): an unpacker
// below the array and a packer above it turn them into the PEs' one psum at a time.
`include "common/ocelli_assert.svh"

module pass_subsys
  import ocelli_pkg::*;
  import ctrl_pkg::*;
  import subsys_pkg::*;
#(
  parameter int unsigned Rows       = ArrayRows,
  parameter int unsigned Cols       = ArrayCols,
  parameter int unsigned IfmapSpad  = IfmapSpadDepth,   // every PE's scratchpad depths
  parameter int unsigned FilterSpad = FilterSpadDepth,
  parameter int unsigned PsumSpad   = PsumSpadDepth
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              clear_i,        // a queue starts: counters restart
  input  tile_cfg_t         cfg_i,
  input  ctrl_cmd_t         cmd_i,          // pass_start: the controller starts a pass
  output logic              busy_o,         // the pass runs (any of its blocks is busy or holds data)
  output logic              filt_feed_idle_o, // the filter feeder has sent its chunk (cmd filt_prefetch may start)
  output logic              ifmap_feed_idle_o, // the ifmap feeder has sent its pass (cmd ifmap_prefetch may start)

  // GLB ports PassFilt..PassPsumW (glb_port_e GlbPortFilt..GlbPortPsumW): three feeders read, the collector writes
  output glb_port_req_t [PassGlbPorts-1:0] glb_o,
  input  glb_port_rsp_t [PassGlbPorts-1:0] glb_i,

  output pass_perf_t        perf_o,
  output gin_err_t          gin_err_o,       // sticky: a word matched no PE
  output logic              progress_o       // a word moved into a GIN or out of the GON this cycle
);
  localparam int unsigned NumPes = Rows * Cols;
  localparam int unsigned GlbAw  = GlbAddrWidth;
  localparam int unsigned ColW   = $clog2(Cols);
  // Index of each client in the GLB port arrays.
  localparam int unsigned PassFilt = 0, PassIfmap = 1, PassPsumR = 2, PassPsumW = 3;

  // ------------------------------------------------------------------ NoC configuration (per layer)
  // Registered once per layer, when the controller has the layer's mapping in cfg_i (cmd_i.noc_cfg_load, before the
  // layer's first pass), as Eyeriss loads its multicast controllers' IDs before a layer. The IDs are flops in front
  // of the GINs, and a simulator derives the Rows x Cols IDs once per layer instead of every cycle.
  // Per PE row r: vertical set vr and filter row i; per PE column c: horizontal set ht and ofmap row j.
  logic [Rows-1:0]                      row_used_q;
  logic [NumPes-1:0]                    pe_used_q;
  logic [Rows-1:0][NocRowIdWidth-1:0]   ifmap_row_id_q;
  logic [NumPes-1:0][NocColIdWidth-1:0] filt_col_id_q, ifmap_col_id_q;
  logic [Cols-1:0][GlbAw-1:0]           col_base_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      row_used_q     <= '0;
      pe_used_q      <= '0;
      ifmap_row_id_q <= '0;
      filt_col_id_q  <= '0;
      ifmap_col_id_q <= '0;
      col_base_q     <= '0;
    end else if (cmd_i.noc_cfg_load) begin
      automatic logic [Rows-1:0][3:0] row_set, row_in_set;
      automatic logic [Cols-1:0][3:0] col_set, col_in_set;
      automatic logic [3:0]           i, v, j, h;
      i = '0;
      v = '0;
      for (int r = 0; r < int'(Rows); r++) begin
        row_in_set[r] = i;
        row_set[r]    = v;
        if (i + 4'd1 == cfg_i.r_rows) begin
          i = '0;
          v = v + 4'd1;
        end else begin
          i = i + 4'd1;
        end
      end
      j = '0;
      h = '0;
      for (int c = 0; c < int'(Cols); c++) begin
        col_in_set[c] = j;
        col_set[c]    = h;
        if (5'(j) + 5'd1 == cfg_i.e) begin
          j = '0;
          h = h + 4'd1;
        end else begin
          j = j + 4'd1;
        end
      end
      for (int r = 0; r < int'(Rows); r++) begin
        row_used_q[r]     <= 4'(r) < cfg_i.rows_pe;
        ifmap_row_id_q[r] <= NocRowIdWidth'(row_set[r]);
        for (int c = 0; c < int'(Cols); c++) begin
          pe_used_q[r * Cols + c]      <= 4'(r) < cfg_i.rows_pe && 5'(c) < cfg_i.cols_pe;
          filt_col_id_q[r * Cols + c]  <= NocColIdWidth'(col_set[c]);
          ifmap_col_id_q[r * Cols + c] <= NocColIdWidth'(row_in_set[r]) +
                                          (NocColIdWidth'(col_in_set[c]) << cfg_i.stride_v_log2);
        end
      end
      for (int c = 0; c < int'(Cols); c++) begin
        col_base_q[c] <= GlbAw'(32'(col_set[c]) * 32'(cfg_i.ps_set_words) +
                                32'(col_in_set[c]) * 32'(cfg_i.ps_row_words));
      end
    end
  end

  // Per pass: whether the array adds psums from the GLB (cfg_i.accum) or, in rows above the first, from the PE row
  // below. Whole-vector operations on the registered enables. The psum GIN has one X-bus: only PE row 0 takes
  // psums from the network.
  localparam logic [NumPes-1:0] Row0 = NumPes'({Cols{1'b1}});
  logic [NumPes-1:0]                    pe_accum;
  logic [Rows-1:0][NocRowIdWidth-1:0]   filt_row_id;
  assign pe_accum = pe_used_q & (cfg_i.accum ? '1 : ~Row0);
  for (genvar r = 0; r < int'(Rows); r++) begin : g_cfg_row
    assign filt_row_id[r] = NocRowIdWidth'(r);
  end
  // Psum-in col ID of the bottom PE of column c: c (a pair goes to one column).
  function automatic logic [Cols-1:0][NocColIdWidth-1:0] psum_col_ids();
    for (int c = 0; c < int'(Cols); c++) psum_col_ids[c] = NocColIdWidth'(c);
  endfunction
  localparam logic [Cols-1:0][NocColIdWidth-1:0] PsumColId = psum_col_ids();

  // The registers hold the layer's mapping from before its first pass to its end (the controller loads them in
  // StFit, several states before a pass can start).
  `OCELLI_ASSERT(a_noc_cfg_not_at_pass_start, cmd_i.pass_start |-> !cmd_i.noc_cfg_load)

  // ------------------------------------------------------------------ feeders
  logic            ff_valid, ff_ready, if_valid, if_ready, pf_valid, pf_ready;
  filt_gin_word_t  ff_word;  // the feeders' GIN words
  ifmap_gin_word_t if_word;
  psum_gin_word_t  pf_word;
  logic        ff_busy, if_busy, pf_busy, pc_busy, array_busy;

  // The filter feeder starts with a pass, or earlier with the next pass's chunk (cmd filt_prefetch, while the pass
  // before runs: the PEs keep those values behind the running pass's in their filter spads); that pass's start then
  // leaves it running. A prefetched feed is not part of the running pass: its words wait in the filter network until
  // the PEs have room, which may be only once the next pass has started.
  // The same for the ifmap feeder (cmd ifmap_prefetch: it fills and sends the next pass's ifmap; the PEs queue its
  // first words, the rest wait in the ifmap network until the pass starts).
  logic ff_pref_q, if_pref_q;  // the feeder runs or ran the part of the pass not yet started
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ff_pref_q <= 1'b0;
      if_pref_q <= 1'b0;
    end else if (clear_i || cmd_i.pass_start) begin
      ff_pref_q <= 1'b0;
      if_pref_q <= 1'b0;
    end else begin
      if (cmd_i.filt_prefetch) ff_pref_q <= 1'b1;
      if (cmd_i.ifmap_prefetch) if_pref_q <= 1'b1;
    end
  end
  assign filt_feed_idle_o = !ff_busy;
  assign ifmap_feed_idle_o = !if_busy;
  `OCELLI_ASSERT(a_prefetch_ifmap_idle, cmd_i.ifmap_prefetch |-> !if_busy && !if_pref_q && !cmd_i.pass_start)
  `OCELLI_ASSERT(a_prefetch_feeder_idle, cmd_i.filt_prefetch |-> !ff_busy && !ff_pref_q && !cmd_i.pass_start)

  filter_feeder #(.AddrWidth(GlbAw)) u_filter_feeder (
    .clk_i, .rst_ni,
    .start_i         (cmd_i.filt_prefetch || (cmd_i.pass_start && !ff_pref_q)),
    .base_i          (cmd_i.filt_prefetch ? cfg_i.filt_base_load : cfg_i.filt_base_pass),
    .blk_pitch_i     (cfg_i.blk_pitch),
    .blk_len_i       (cfg_i.blk_len),
    .rows_i          (cfg_i.blk_rows),
    .sets_i          (cfg_i.t),
    .busy_o          (ff_busy),
    .glb_o           (glb_o[PassFilt]),
    .glb_i           (glb_i[PassFilt]),
    .gin_valid_o     (ff_valid),
    .gin_ready_i     (ff_ready),
    .gin_o           (ff_word)
  );

  ifmap_feeder #(.AddrWidth(GlbAw)) u_ifmap_feeder (
    .clk_i, .rst_ni,
    .start_i         (cmd_i.ifmap_prefetch || (cmd_i.pass_start && !if_pref_q)),
    .base_i          (cmd_i.ifmap_prefetch ? cfg_i.if_base_next : cfg_i.if_base_pass),
    .pitch_i         (cfg_i.pitch),
    .plane_words_i   (cfg_i.plane_words),
    .rows_tile_i     (cfg_i.rows_tile),
    .in_w_i          (cfg_i.in_w),
    .in_h_i          (cfg_i.in_h),
    .stream_w_i      (cfg_i.stream_w),
    .pad_l_i         (cfg_i.pad_l),
    .h_start_i       (cfg_i.h_start),
    .n_img_i         (cfg_i.n_eff),
    .sets_v_i        (cfg_i.r),
    .q_i             (cfg_i.q),
    // (CONV blocks hold q*r <= 144 channels)
    .chans_valid_i   (cmd_i.ifmap_prefetch ? cfg_i.chans_valid_next[7:0] : cfg_i.chans_valid[7:0]),
    .r_rows_i        (cfg_i.r_rows),
    .stride_v_log2_i (cfg_i.stride_v_log2),
    .busy_o          (if_busy),
    .glb_o           (glb_o[PassIfmap]),
    .glb_i           (glb_i[PassIfmap]),
    .gin_valid_o     (if_valid),
    .gin_ready_i     (if_ready),
    .gin_o           (if_word)
  );

  psum_feeder #(.AddrWidth(GlbAw), .Cols(Cols)) u_psum_feeder (
    .clk_i, .rst_ni,
    .start_i         (cmd_i.pass_start && cfg_i.accum),
    .base_i          (cfg_i.ps_base),
    .x_words_i       (cfg_i.ps_x_words),
    .img_words_i     (cfg_i.ps_img_words),
    .col_base_i      (col_base_q),
    .cols_i          (cfg_i.cols_pe),
    .out_w_i         (cfg_i.out_w),
    .p_odd_i         (cfg_i.p[0]),
    .n_img_i         (cfg_i.n_eff),
    .busy_o          (pf_busy),
    .glb_o           (glb_o[PassPsumR]),
    .glb_i           (glb_i[PassPsumR]),
    .gin_valid_o     (pf_valid),
    .gin_ready_i     (pf_ready),
    .gin_o           (pf_word)
  );

  // ------------------------------------------------------------------ GINs -> array -> GON -> collector
  logic [NumPes-1:0]                 a_filt_valid, a_filt_ready, a_ifmap_valid, a_ifmap_ready;
  logic [NumPes-1:0]                 a_psum_valid, a_psum_ready;
  filt_word_t [NumPes-1:0]           a_filt_data;
  ifmap_word_t [NumPes-1:0]          a_ifmap_data;
  logic [NumPes-1:0][PsumWidth-1:0]  a_psum_data;
  logic [Cols-1:0]                   pu_valid, pu_ready, pu_pe_valid;
  psum_pair_t [Cols-1:0]             pu_data;
  psum_t [Cols-1:0]                  pu_pe_data;
  logic                              gin_f_idle, gin_i_idle, gin_p_idle, pu_idle;
  logic [63:0]                       gin_f_words, gin_f_deliv, gin_f_stall;
  logic [63:0]                       gin_i_words, gin_i_deliv, gin_i_stall;
  logic [63:0]                       gin_p_words, gin_p_deliv, gin_p_stall;

  gin #(.Rows(Rows), .Cols(Cols), .Width(FiltWordWidth)) u_gin_filter (
    .clk_i, .rst_ni,
    .cfg_row_en_i   (row_used_q),
    .cfg_row_id_i   (filt_row_id),
    .cfg_pe_en_i    (pe_used_q),
    .cfg_col_id_i   (filt_col_id_q),
    .in_valid_i     (ff_valid),
    .in_data_i      (ff_word.data),
    .in_row_tag_i   (ff_word.row_tag),
    .in_col_tag_i   (ff_word.col_tag),
    .in_ready_o     (ff_ready),
    .pe_valid_o     (a_filt_valid),
    .pe_data_o      (a_filt_data),
    .pe_ready_i     (a_filt_ready),
    .idle_o         (gin_f_idle),
    .err_no_match_o (gin_err_o.filter),
    .perf_clear_i   (clear_i),
    .perf_words_o   (gin_f_words),
    .perf_deliveries_o   (gin_f_deliv),
    .perf_stall_cycles_o (gin_f_stall)
  );

  gin #(.Rows(Rows), .Cols(Cols), .Width(IfmapWordWidth)) u_gin_ifmap (
    .clk_i, .rst_ni,
    .cfg_row_en_i   (row_used_q),
    .cfg_row_id_i   (ifmap_row_id_q),
    .cfg_pe_en_i    (pe_used_q),
    .cfg_col_id_i   (ifmap_col_id_q),
    .in_valid_i     (if_valid),
    .in_data_i      (if_word.data),
    .in_row_tag_i   (if_word.row_tag),
    .in_col_tag_i   (if_word.col_tag),
    .in_ready_o     (if_ready),
    .pe_valid_o     (a_ifmap_valid),
    .pe_data_o      (a_ifmap_data),
    .pe_ready_i     (a_ifmap_ready),
    .idle_o         (gin_i_idle),
    .err_no_match_o (gin_err_o.ifmap),
    .perf_clear_i   (clear_i),
    .perf_words_o   (gin_i_words),
    .perf_deliveries_o   (gin_i_deliv),
    .perf_stall_cycles_o (gin_i_stall)
  );

  gin #(.Rows(1), .Cols(Cols), .Width(PsumPairWidth)) u_gin_psum (
    .clk_i, .rst_ni,
    .cfg_row_en_i   (cfg_i.accum),
    .cfg_row_id_i   ('0),
    .cfg_pe_en_i    (pe_used_q[Cols-1:0]),
    .cfg_col_id_i   (PsumColId),
    .in_valid_i     (pf_valid),
    .in_data_i      (pf_word.data),
    .in_row_tag_i   (pf_word.row_tag),
    .in_col_tag_i   (pf_word.col_tag),
    .in_ready_o     (pf_ready),
    .pe_valid_o     (pu_valid),
    .pe_data_o      (pu_data),
    .pe_ready_i     (pu_ready),
    .idle_o         (gin_p_idle),
    .err_no_match_o (gin_err_o.psum),
    .perf_clear_i   (clear_i),
    .perf_words_o   (gin_p_words),
    .perf_deliveries_o   (gin_p_deliv),
    .perf_stall_cycles_o (gin_p_stall)
  );

  psum_unpacker #(.Cols(Cols)) u_psum_unpacker (
    .clk_i, .rst_ni,
    .in_valid_i (pu_valid),
    .in_data_i  (pu_data),
    .in_ready_o (pu_ready),
    .pe_valid_o (pu_pe_valid),
    .pe_data_o  (pu_pe_data),
    .pe_ready_i (a_psum_ready[Cols-1:0]),
    .idle_o     (pu_idle)
  );
  // Rows above 0 take their psums from the PE below; their psum-in ports stay unused.
  logic unused_psum_ready;
  assign unused_psum_ready = ^a_psum_ready[NumPes-1:Cols];
  assign a_psum_valid = NumPes'(pu_pe_valid);
  assign a_psum_data  = (NumPes * PsumWidth)'(pu_pe_data);

  logic [Cols-1:0]                col_psum_valid, col_psum_ready;
  psum_t [Cols-1:0]               col_psum_data;
  logic [Cols-1:0]                pk_valid, pk_ready;
  psum_pair_t [Cols-1:0]          pk_data;
  pe_cfg_t                        pe_cfg;

  assign pe_cfg.filt_width   = cfg_i.s_cols;
  assign pe_cfg.stride       = cfg_i.stride_h;
  assign pe_cfg.num_filters  = cfg_i.p;
  assign pe_cfg.num_channels = cfg_i.q;
  assign pe_cfg.ofmap_width  = cfg_i.out_w;
  assign pe_cfg.ifmap_width  = cfg_i.stream_w;
  assign pe_cfg.num_images   = cfg_i.n_eff;
  assign pe_cfg.psum_hold    = cfg_i.psum_hold;
  assign pe_cfg.psum_resume  = cfg_i.psum_resume;
  assign pe_cfg.filt_outer   = cfg_i.filt_outer;

  pe_array #(.Rows(Rows), .Cols(Cols), .IfmapSpad(IfmapSpad), .FilterSpad(FilterSpad), .PsumSpad(PsumSpad))
  u_array (
    .clk_i, .rst_ni,
    .cfg_i                 (pe_cfg),
    .start_i               (cmd_i.pass_start),
    .pe_en_i               (pe_used_q),
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
    .perf_clear_i          (clear_i),
    .perf_active_cycles_o  (perf_o.array_active_cycles),
    .perf_pe_busy_cycles_o (perf_o.pe_busy_cycles),
    .perf_macs_o           (perf_o.macs),
    .perf_gated_macs_o     (perf_o.gated_macs)
  );

  psum_packer #(.Cols(Cols)) u_psum_packer (
    .clk_i, .rst_ni,
    .start_i     (cmd_i.pass_start),
    .p_i         (cfg_i.p),
    .col_valid_i (col_psum_valid),
    .col_data_i  (col_psum_data),
    .col_ready_o (col_psum_ready),
    .out_valid_o (pk_valid),
    .out_data_o  (pk_data),
    .out_ready_i (pk_ready)
  );

  logic            gon_valid, gon_ready;
  psum_pair_t      gon_data;
  logic [ColW-1:0] gon_col;
  logic [63:0]     gon_stall;

  gon #(.Cols(Cols), .Width(PsumPairWidth)) u_gon (
    .clk_i, .rst_ni,
    .col_valid_i         (pk_valid),
    .col_data_i          (pk_data),
    .col_ready_o         (pk_ready),
    .out_valid_o         (gon_valid),
    .out_data_o          (gon_data),
    .out_col_o           (gon_col),
    .out_ready_i         (gon_ready),
    .perf_clear_i        (clear_i),
    .perf_words_o        (perf_o.gon_words),
    .perf_stall_cycles_o (gon_stall)
  );

  psum_collector #(.AddrWidth(GlbAw), .Cols(Cols)) u_collector (
    .clk_i, .rst_ni,
    .start_i       (cmd_i.pass_start),
    .base_i        (cfg_i.ps_base),
    .x_words_i     (cfg_i.ps_x_words),
    .img_words_i   (cfg_i.ps_img_words),
    .col_base_i    (col_base_q),
    .expected_i    (cfg_i.psum_hold ? 32'd0 :
                    32'(cfg_i.n_eff) * 32'(cfg_i.out_w) * 32'(cfg_i.ps_x_words) * 32'(cfg_i.cols_pe)),
    .out_w_i       (cfg_i.out_w),
    .p_odd_i       (cfg_i.p[0]),
    .accum_i       (cfg_i.accum),
    .busy_o        (pc_busy),
    .gon_valid_i   (gon_valid),
    .gon_ready_o   (gon_ready),
    .gon_data_i    (gon_data),
    .gon_col_i     (gon_col),
    .glb_o         (glb_o[PassPsumW]),
    .glb_ready_i   (glb_i[PassPsumW].ready)
  );

  assign busy_o     = ((ff_busy || !gin_f_idle) && !ff_pref_q) || ((if_busy || !gin_i_idle) && !if_pref_q) ||
                      pf_busy || pc_busy || array_busy || !gin_p_idle || !pu_idle;
  assign progress_o = (ff_valid && ff_ready) || (if_valid && if_ready) || (pf_valid && pf_ready) ||
                      (gon_valid && gon_ready);

  assign perf_o.noc_deliveries   = gin_f_deliv + gin_i_deliv + gin_p_deliv;
  assign perf_o.noc_words        = gin_f_words + gin_i_words + gin_p_words;
  assign perf_o.noc_stall_cycles = gin_f_stall + gin_i_stall + gin_p_stall + gon_stall;

  // Each subsystem reads its own part of the controller's tile configuration and commands.
  logic unused_cfg;
  assign unused_cfg = ^{cfg_i, cmd_i, glb_i[PassPsumW].rsp_valid, glb_i[PassPsumW].rsp_data};

endmodule
