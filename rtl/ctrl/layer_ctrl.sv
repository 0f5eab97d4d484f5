// The controller: fetches layer descriptors from the instruction queue in DRAM, checks them (docs/isa.md, error
// codes), and runs each layer as a loop nest of tiles and channel passes:
//   for group g, filter-block group (f blocks of p*t filters), image block (n), ofmap-row strip (e rows):
//     for channel block (q*r channels): load its ifmap rows once, then for each filter block of the group:
//       load the filters, run a processing pass into the block's own psum region (psums stay in the GLB, or in the
//       PEs when the layer has one output column)
//     per filter block after the last channel block: bias, requantize, ReLU, RLC-encode, write to DRAM.
// With one image block and row strip and room in the GLB, a group's ifmap stays resident for all its filter blocks.
// It drives the datapath through start pulses and one registered tile configuration.
`include "common/ocelli_assert.svh"

module layer_ctrl
  import ocelli_pkg::*;
  import ctrl_pkg::*;
  import isa_pkg::*;
  import mem_pkg::*;
#(
  parameter int unsigned ActWords       = 25 * 512,  // GLB words for ifmap tiles and psums
  parameter int unsigned FilterWords    = 2 * 512,   // GLB words for the filter chunk
  parameter int unsigned BankWords      = 512,
  parameter int unsigned FilterBase     = ActWords,  // GLB word address of the filter banks
  parameter int unsigned Rows           = ArrayRows,  // the PE array the mappings must fit
  parameter int unsigned Cols           = ArrayCols,
  parameter int unsigned MaxTileFilters = PsumSpadDepth * Cols,
  parameter int unsigned WatchdogCycles = 1000000
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,

  input  logic                    start_i,
  input  logic [31:0]             queue_addr_i,
  input  logic [15:0]             queue_len_i,
  output logic                    busy_o,
  output logic                    done_o,
  output logic                    error_o,
  output ctrl_err_e               err_code_o,
  output logic [15:0]             err_index_o,
  output logic [15:0]             layer_index_o,

  // descriptor fetch over the DMA read channel (when rd_owner_o == RdOwnerCtrl)
  output rd_owner_e               rd_owner_o,       // which block the DMA read channel serves now
  output logic                    rd_cmd_valid_o,
  input  logic                    rd_cmd_ready_i,
  output dma_cmd_t                rd_cmd_o,
  input  logic                    rd_data_valid_i,
  output logic                    rd_data_ready_o,
  input  logic [63:0]             rd_data_i,
  input  logic                    dma_error_i,

  // filter chunk command to the row mover (muxed with the ifmap loader by mover_sel_filter_o)
  output logic                    mover_sel_filter_o,
  output logic                    filter_cmd_valid_o,
  input  logic                    mover_cmd_ready_i,
  input  logic                    mover_idle_i,
  input  logic                    mover_err_i,

  output tile_cfg_t               cfg_o,
  output logic                    ifmap_load_start_o,
  input  logic                    ifmap_load_busy_i,
  output logic                    pass_start_o,     // array, feeders and collector
  input  logic                    pass_busy_i,
  output logic                    output_start_o,
  input  logic                    output_busy_i,
  input  logic                    output_reads_done_i, // the running output stage needs the DMA's read side no more
  output logic                    ppu_start_o,      // POOL/LRN tile on the post-processing unit
  input  logic                    ppu_busy_i,
  output logic                    lut_start_o,      // LRN: load the multiplier table (DMA owner RdOwnerPpu)
  input  logic                    lut_busy_i,

  input  logic                    progress_i        // any datapath handshake this cycle (watchdog)
);
  typedef enum logic [4:0] {
    StIdle, StFetchCmd, StFetchData, StDecode, StCheck, StDiv, StPrep1, StPrep2, StPrep3, StFit,
    StTile, StBlock, StLoad, StLoadWait, StPass, StPassWait, StOutput, StOutputWait,
    StNextLayer, StDone, StError, StLut, StLutWait
  } state_e;

  state_e                        state_q;
  logic [DescWords-1:0][63:0]    words_q;
  logic [3:0]                    word_i_q;
  layer_desc_t                   d_q;
  logic [15:0]                   layer_q;
  ctrl_err_e                     err_q;
  tile_cfg_t                     cfg_q;

  // divider (C/G then M/G), restoring, one bit per cycle
  logic        div_start, div_done;  // serial divider: C / G, then M / G
  logic [15:0] div_dividend, div_quo, div_rem;
  logic        div_second_q;        // the divider works on M / G
  logic [15:0] cg_q, mg_q;       // channels and filters per group
  logic [15:0] groups_q;         // G (POOL: C, every channel its own group)
  logic [15:0] cblk_q;           // channels per block: q*r (CONV), 1 (POOL), C (LRN)
  logic        is_conv, is_pool, is_lrn;

  // loop state
  logic [15:0] g_q;
  logic [15:0] m0_q, n0_q, e0_q, c0_q;
  logic [31:0] wblock_q;         // weight address of the current (g, filter block)
  logic [31:0] chunk_q;          // weight address of the next chunk to load
  logic        ibuf_q;           // ifmap buffer (0/1) of the channel block in the pass
  logic        fbuf_q;           // filter buffer (0/1) of the pass
  logic        prefetched_q;     // the pass about to start was loaded during the previous pass
  // Filter blocks sharing one loaded ifmap block (descriptor map_f): the passes of one channel block run for each
  // filter block f of the group, each into its own psum region (ps_cur_q), so the ifmap is read once per group.
  logic [7:0]  f_q;              // filter block within the group
  logic [15:0] mf_q;             // first filter of the current filter block (m0 + f * p*t)
  logic [13:0] ps_cur_q;         // GLB address of the current filter block's psum region
  logic [13:0] out_ps_q;         // psum region the running output stage reads
  logic        ld_if_q;          // the running load brings ifmap rows after the filter chunk
  logic        next_filt;        // the group has a filter block after f in this channel block
  logic        next_pass;        // the tile has a pass after this one
  logic        tile_prefetched_q;  // the next tile's first pass was loaded during this tile's last pass
  logic [13:0] if_buf1_q;        // GLB address of the second ifmap buffer
  // A second psum region (in other banks) when it fits: tiles then alternate between the two, and a tile's output
  // stage runs while the next tile's passes fill the other region (docs/architecture.md). CONV only.
  logic [13:0] ps_region0_q, ps_region1_q;
  logic        ps_overlap_q;     // the two regions fit: outputs overlap the next tile
  logic        ps_sel_q;         // region of the current tile
  // Resident ifmap: when the tile loop has one image block and one row strip and every channel block of a group
  // fits the GLB at once (FC layers), block k lives at k * if_tile_q and is loaded only by the group's first
  // filter block; the following filter blocks load only their filters.
  logic [31:0] res_words_q;      // upper bound of a group's ifmap words: (C/G + q*r - 1) * plane words * n
  logic [13:0] if_tile_q;        // GLB words of one block's ifmap tile
  logic [13:0] blk_base_q;       // GLB address of the pass's block (resident)
  logic        res_have_q;       // the group's ifmap blocks are in the GLB

  // Loader: filter chunk, then ifmap rows, of one channel block into one buffer; runs beside a pass.
  typedef enum logic [2:0] {LdIdle, LdFiltCmd, LdFiltWait, LdIfmap, LdIfmapWait} ld_state_e;
  ld_state_e   ld_q;
  logic        ld_req;           // start loading block ld_c into buffer ld_buf
  logic [15:0] ld_c;
  logic        ld_buf;
  logic        next_block;       // the tile has a channel block after c0
  logic [31:0] if_words_q;     // GLB words of the ifmap: of one image (StPrep2), of the whole tile (from StPrep3)
  logic [31:0] ps_words_q;     // GLB words of the psums: of one image (StPrep2), of the whole tile (from StPrep3)
  logic [31:0] out_row_q;      // the tile's first ofmap row in the NCHW row order of the output (from StTile)
  logic [31:0] watchdog_q;

  // ------------------------------------------------------------------ helpers
  function automatic logic [15:0] min16(logic [15:0] a, logic [15:0] b);
    return (a < b) ? a : b;
  endfunction

  // Shape checks (docs/isa.md, codes 2 and 3)
  logic        shape_ok, out_ok, map_ok, pool_ok, lrn_ok;
  logic [31:0] lut_entries;
  logic [31:0] span_v, span_h, ev, fv;
  always_comb begin
    span_v = 32'(d_q.in_h) + 32'(d_q.pad_t) + 32'(d_q.pad_b);
    span_h = 32'(d_q.in_w) + 32'(d_q.pad_l) + 32'(d_q.pad_r);
    ev     = (32'(d_q.out_h) - 1) * 32'(d_q.stride_v) + 32'(d_q.r_rows);
    fv     = (32'(d_q.out_w) - 1) * 32'(d_q.stride_h) + 32'(d_q.s_cols);
    shape_ok = (d_q.n_img != '0) && (d_q.chans != '0) && (d_q.in_h != '0) && (d_q.in_w != '0) &&
               (d_q.in_w <= 16'd1020) && (d_q.filters != '0) && (d_q.groups != '0 || !is_conv) &&
               (d_q.r_rows >= 8'd1) && (d_q.r_rows <= 8'd12) && (d_q.s_cols >= 8'd1) && (d_q.s_cols <= 8'd12) &&
               (d_q.stride_v == 4'd1 || d_q.stride_v == 4'd2 || d_q.stride_v == 4'd4) &&
               (d_q.stride_h != '0) && (d_q.shift <= 8'd31);
    out_ok = (d_q.out_h != '0) && (d_q.out_w != '0) && (d_q.out_w <= 16'd255) &&
             (ev <= span_v) && (span_v < ev + 32'(d_q.stride_v)) &&
             (fv <= span_h) && (span_h < fv + 32'(d_q.stride_h)) && (fv <= 32'd1023);
    map_ok = (d_q.map_n >= 8'd1) && (d_q.map_n <= 8'd15) &&
             (d_q.map_e >= 8'd1) && (d_q.map_e <= 8'd14) &&
             (d_q.map_p >= 8'd1) && (d_q.map_p <= 8'(PsumSpadDepth)) &&
             (d_q.map_q >= 8'd1) && (16'(d_q.map_q) * 16'(d_q.s_cols) <= 16'(IfmapSpadDepth)) &&
             (32'(d_q.map_p) * 32'(d_q.map_q) * 32'(d_q.s_cols) <= 32'(FilterSpadDepth)) &&
             (d_q.map_f >= 8'd1) && (d_q.map_r >= 8'd1) && (16'(d_q.map_r) * 16'(d_q.r_rows) <= 16'(Rows)) &&
             (d_q.map_t >= 8'd1) && (16'(d_q.map_t) * 16'(d_q.map_e) <= 16'(Cols)) &&
             ((32'(d_q.map_e) - 1) * 32'(d_q.stride_v) + 32'(d_q.r_rows) <= 32'(1 << NocColIdWidth));
    // POOL: every window holds an ifmap element (padding never wins), no requantization.
    pool_ok = (d_q.pad_t < 4'(d_q.r_rows)) && (d_q.pad_l < 4'(d_q.s_cols)) && (d_q.shift == '0) &&
              ((32'(d_q.out_h) - 1) * 32'(d_q.stride_v) < 32'(d_q.in_h) + 32'(d_q.pad_t)) &&
              ((32'(d_q.out_w) - 1) * 32'(d_q.stride_h) < 32'(d_q.in_w) + 32'(d_q.pad_l));
    // LRN: a 1 x 1 window over the rows, an odd channel window, a table that fits the unit.
    lut_entries = 32'd1 + ((32'(d_q.lrn_exp_max) - 32'(d_q.lrn_exp_min) + 32'd1) << d_q.lrn_mant_bits);
    lrn_ok = (d_q.r_rows == 8'd1) && (d_q.s_cols == 8'd1) && (d_q.stride_v == 4'd1) && (d_q.stride_h == 4'd1) &&
             ({d_q.pad_t, d_q.pad_b, d_q.pad_l, d_q.pad_r} == '0) && (d_q.shift == '0) &&
             d_q.lrn_size[0] && (d_q.lrn_mant_bits >= 3'd1) && (d_q.lrn_mant_bits <= 3'd6) &&
             (d_q.lrn_exp_min >= 8'(d_q.lrn_mant_bits)) && (d_q.lrn_exp_max >= d_q.lrn_exp_min) &&
             (d_q.lrn_exp_max <= 8'd34) && (d_q.lrn_lut_frac <= 5'd30) &&
             (lut_entries <= 32'(LrnLutDepth)) && (d_q.chans <= 16'(MaxTileFilters));
  end

  logic [15:0] out_slot_rlc, out_slot_raw;
  assign out_slot_rlc = (d_q.out_w + 16'd2) / 16'd3;
  assign out_slot_raw = (d_q.out_w + 16'd3) >> 2;

  logic [1:0] stride_v_log2;
  assign stride_v_log2 = (d_q.stride_v == 4'd4) ? 2'd2 : (d_q.stride_v == 4'd2) ? 2'd1 : 2'd0;

  // ------------------------------------------------------------------ outputs
  assign busy_o        = (state_q != StIdle) && (state_q != StDone) && (state_q != StError);
  assign done_o        = state_q == StDone;
  assign error_o       = state_q == StError;
  assign err_code_o    = err_q;
  assign err_index_o   = layer_q;
  assign layer_index_o = layer_q;
  assign cfg_o         = cfg_q;

  assign rd_owner_o      = (ld_q != LdIdle) ? RdOwnerMover :
                           (state_q == StOutput || state_q == StOutputWait) ? RdOwnerOutput :
                           (state_q == StLut || state_q == StLutWait) ? RdOwnerPpu : RdOwnerCtrl;
  assign rd_cmd_valid_o  = state_q == StFetchCmd;
  assign rd_cmd_o.addr   = queue_addr_i + {9'd0, layer_q, 7'd0};
  assign rd_cmd_o.words  = 24'(DescWords);
  assign rd_data_ready_o = state_q == StFetchData;

  assign mover_sel_filter_o = (ld_q == LdFiltCmd) || (ld_q == LdFiltWait);
  assign filter_cmd_valid_o = ld_q == LdFiltCmd;
  assign ifmap_load_start_o = ld_q == LdIfmap;

  assign next_block = c0_q + cblk_q < cg_q;
  assign next_filt  = (16'(f_q) + 16'd1 < 16'(d_q.map_f)) && (mf_q + 16'(cfg_q.pt) < mg_q);
  assign next_pass  = next_filt || next_block;
  // A pass has ended (and the loader beside it); an output stage has started far enough for the next pass: with psum
  // regions of their own (two alternating, or one per filter block of a group) once it has read its bias (the DMA's
  // read side then belongs to the loads again), else once it has finished.
  logic pass_done, output_go, step_filt;
  assign pass_done = !pass_busy_i && !ppu_busy_i && ld_q == LdIdle;
  assign output_go = !output_busy_i || ((ps_overlap_q || d_q.map_f != 8'd1) && output_reads_done_i);
  assign step_filt = next_filt && ((state_q == StPassWait && pass_done && next_block) ||
                                   (state_q == StOutputWait && output_go));
  // Psums stay in the PEs across the channel blocks of a tile when each PE's outputs fit its psum spad (one
  // entry per image and filter: one output column): no psum round trip through the GLB between passes.
  logic keep_psums;
  assign keep_psums = is_conv && (cfg_q.out_w == 8'd1) && (d_q.map_f == 8'd1) &&
                      (16'(cfg_q.n_eff) * 16'(cfg_q.p) <= 16'(PsumSpadDepth));
  // A tile's images (from image n0) and its first ifmap row (of ofmap row e0; negative in the top padding): for the
  // pass (StTile) and for a load of the tile's first pass (possibly the next tile's, prefetched).
  function automatic logic [3:0] tile_n_eff(logic [15:0] n0);
    return 4'(min16(16'(d_q.map_n), d_q.n_img - n0));
  endfunction
  function automatic logic signed [16:0] tile_h_start(logic [15:0] e0);
    return 17'($signed({1'b0, e0}) * $signed({13'd0, d_q.stride_v})) - $signed({13'd0, d_q.pad_t});
  endfunction

  // The tile after this one: strips, then images, then filter-block groups (after the group's last filter block,
  // mf_q), then groups.
  logic [15:0] nt_e0, nt_n0, nt_m0, nt_g;
  logic        nt_same_fgroup, nt_new_group, nt_exists;
  always_comb begin
    nt_e0          = '0;
    nt_n0          = n0_q;
    nt_m0          = m0_q;
    nt_g           = g_q;
    nt_same_fgroup = 1'b1;
    nt_new_group   = 1'b0;
    nt_exists      = 1'b1;
    if (e0_q + 16'(d_q.map_e) < d_q.out_h) begin
      nt_e0 = e0_q + 16'(d_q.map_e);
    end else if (n0_q + 16'(d_q.map_n) < d_q.n_img) begin
      nt_n0 = n0_q + 16'(d_q.map_n);
    end else begin
      nt_n0          = '0;
      nt_same_fgroup = 1'b0;
      if (mf_q + 16'(cfg_q.pt) < mg_q) begin
        nt_m0 = mf_q + 16'(cfg_q.pt);
      end else begin
        nt_m0        = '0;
        nt_new_group = 1'b1;
        if (g_q + 16'd1 < groups_q) nt_g = g_q + 16'd1;
        else nt_exists = 1'b0;
      end
    end
  end

  // Load the coming pass (unless it came in during the last pass), or prefetch the next one: its filter chunk, and
  // the ifmap rows when it starts a channel block. A CONV tile's last pass prefetches the next tile's first pass.
  logic ld_prefetch, ld_tile, ld_new_block, ld_fbuf;
  assign ld_prefetch  = state_q == StPass;
  assign ld_tile      = ld_prefetch && !next_pass && is_conv && !cfg_q.resident && nt_exists;
  assign ld_req       = (state_q == StLoad) || (ld_prefetch && cfg_q.dbuf && (next_pass || ld_tile));
  assign ld_new_block = ld_prefetch ? !next_filt : (f_q == '0);
  logic [13:0] ld_if_base;
  assign ld_if_base = cfg_q.resident ? (ld_prefetch ? blk_base_q + if_tile_q : blk_base_q)
                                     : (ld_buf ? if_buf1_q : 14'd0);
  assign ld_c    = ld_tile ? '0 : (ld_prefetch && !next_filt) ? c0_q + cblk_q : c0_q;
  logic [15:0] ld_n0, ld_g;  // image block and group of the load
  assign ld_n0   = ld_tile ? nt_n0 : n0_q;
  assign ld_g    = ld_tile ? nt_g : g_q;
  assign ld_buf  = (ld_prefetch && !next_filt) ? !ibuf_q : ibuf_q;
  assign ld_fbuf = ld_prefetch ? !fbuf_q : fbuf_q;
  // The chunk to load: the next in order, or the first of this filter-block group again for its next tile.
  logic [31:0] ld_chunk;
  assign ld_chunk = (ld_tile && nt_same_fgroup) ? wblock_q : chunk_q;
  assign pass_start_o       = (state_q == StPass) && is_conv;
  assign ppu_start_o        = (state_q == StPass) && !is_conv;
  assign lut_start_o        = state_q == StLut;
  assign output_start_o     = (state_q == StOutput) && !output_busy_i;
  assign is_conv = d_q.opcode == OpConv;
  assign is_pool = d_q.opcode == OpPool;
  assign is_lrn  = d_q.opcode == OpLrn;

  // ------------------------------------------------------------------ sequencer
  logic        fail;
  ctrl_err_e   fail_code;
  always_comb begin
    fail      = 1'b0;
    fail_code = ErrNone;
    if (busy_o) begin
      if (dma_error_i) begin
        fail = 1'b1; fail_code = ErrDma;
      end else if (mover_err_i) begin
        fail = 1'b1; fail_code = ErrRlc;
      end else if (watchdog_q == 32'(WatchdogCycles)) begin
        fail = 1'b1; fail_code = ErrWatchdog;
      end
    end
  end

  // GLB words of one ifmap tile rounded up to whole banks (so buffers and psums never share a bank).
  logic [31:0] if_banked;
  logic        dbuf_fits;
  assign if_banked = (if_words_q + 32'(BankWords - 1)) & ~32'(BankWords - 1);
  // The psum regions of a filter-block group: f regions of whole banks, the last one as long as the psums.
  logic [31:0] ps_banked, ps_span;
  assign ps_banked = (ps_words_q + 32'(BankWords - 1)) & ~32'(BankWords - 1);
  assign ps_span   = (32'(d_q.map_f) - 32'd1) * ps_banked + ps_words_q;
  assign dbuf_fits = (2 * if_banked + ps_span <= 32'(ActWords)) &&
                     (32'(cfg_q.chunk_words) <= 32'(FilterWords / 2));
  logic [31:0] res_banked;
  logic        res_fits;
  assign res_banked = (res_words_q + 32'(BankWords - 1)) & ~32'(BankWords - 1);
  assign res_fits   = is_conv && (d_q.map_f == 8'd1) && (cg_q > cblk_q) && (d_q.n_img <= 16'(d_q.map_n)) &&
                      (d_q.out_h <= 16'(d_q.map_e)) &&
                      (res_banked + ps_words_q <= 32'(ActWords)) && (res_banked[31:14] == '0) &&
                      (32'(cfg_q.chunk_words) <= 32'(FilterWords / 2));

  // The psum region after the ifmap buffers, and a second one from the next bank boundary on.
  logic [31:0] ps_region0, ps_region1;
  logic [13:0] ps_first;  // the region of a tile's first filter block
  assign ps_first = ps_sel_q ? ps_region1_q : ps_region0_q;
  assign ps_region0 = res_fits ? res_banked : dbuf_fits ? 2 * if_banked : if_banked;
  assign ps_region1 = ps_region0 + ps_banked;

  serial_divider #(.Width(16)) u_div (
    .clk_i, .rst_ni,
    .start_i     (div_start),
    .dividend_i  (div_dividend),
    .divisor_i   (16'(d_q.groups)),
    .done_o      (div_done),
    .quotient_o  (div_quo),
    .remainder_o (div_rem)
  );
  // Descriptor checks (docs/isa.md, error codes) in priority order, read in StCheck.
  ctrl_err_e check_err;
  always_comb begin
    check_err = ErrNone;
    if (!(is_conv || is_pool || is_lrn) || words_q[DescWords-1:DescDecodedWords] != '0) begin
      check_err = ErrOpcode;
    end else if (!shape_ok || (is_pool && !pool_ok) || (is_lrn && !lrn_ok)) begin
      check_err = ErrShape;
    end else if (!out_ok) begin
      check_err = ErrOutShape;
    end else if (!map_ok || (16'(d_q.map_p) * 16'(d_q.map_t) > 16'(MaxTileFilters)) ||
                 (!is_conv && ({d_q.map_p, d_q.map_q, d_q.map_r, d_q.map_t, d_q.map_f} != {5{8'd1}}))) begin
      check_err = ErrMapping;
    end else if (!is_conv && d_q.filters != d_q.chans) begin
      check_err = ErrGroups;
    end
  end

  // C / G starts when a CONV passes its checks (StCheck -> StDiv), M / G in the cycle C / G is read.
  assign div_start    = (state_q == StCheck && check_err == ErrNone && is_conv) ||
                        (state_q == StDiv && div_done && !div_second_q && div_rem == '0);
  assign div_dividend = (state_q == StDiv) ? d_q.filters : d_q.chans;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StIdle;
      words_q      <= '0;
      word_i_q     <= '0;
      d_q          <= '0;
      layer_q      <= '0;
      err_q        <= ErrNone;
      cfg_q        <= '0;
      div_second_q <= 1'b0;
      cg_q         <= '0;
      mg_q         <= '0;
      g_q          <= '0;
      groups_q     <= '0;
      cblk_q       <= '0;
      m0_q         <= '0;
      n0_q         <= '0;
      e0_q         <= '0;
      c0_q         <= '0;
      wblock_q     <= '0;
      chunk_q      <= '0;
      ibuf_q       <= 1'b0;
      fbuf_q       <= 1'b0;
      prefetched_q <= 1'b0;
      f_q          <= '0;
      mf_q         <= '0;
      ps_cur_q     <= '0;
      out_ps_q     <= '0;
      ld_if_q      <= 1'b0;
      tile_prefetched_q <= 1'b0;
      if_buf1_q    <= '0;
      ps_region0_q <= '0;
      ps_region1_q <= '0;
      ps_overlap_q <= 1'b0;
      ps_sel_q     <= 1'b0;
      res_words_q  <= '0;
      if_tile_q    <= '0;
      blk_base_q   <= '0;
      res_have_q   <= 1'b0;
      ld_q         <= LdIdle;
      if_words_q   <= '0;
      ps_words_q   <= '0;
      out_row_q    <= '0;
      watchdog_q   <= '0;
    end else begin
      watchdog_q <= (progress_i || !busy_o) ? '0 : watchdog_q + 1;
      if (fail) begin
        state_q <= StError;
        err_q   <= fail_code;
      end else begin
        unique case (state_q)
          StIdle, StDone, StError: begin
            if (start_i) begin
              layer_q <= '0;
              err_q   <= ErrNone;
              state_q <= (queue_len_i == '0) ? StDone : StFetchCmd;
            end
          end

          StFetchCmd: if (rd_cmd_ready_i) begin
            word_i_q <= '0;
            state_q  <= StFetchData;
          end
          StFetchData: if (rd_data_valid_i) begin
            words_q[word_i_q] <= rd_data_i;
            word_i_q          <= word_i_q + 1'b1;
            if (word_i_q == 4'(DescWords - 1)) state_q <= StDecode;
          end
          StDecode: begin
            d_q     <= decode_desc(words_q[DescDecodedWords-1:0]);
            state_q <= StCheck;
          end

          StCheck: begin
            if (check_err != ErrNone) begin
              err_q <= check_err; state_q <= StError;
            end else if (is_pool) begin
              // Every channel is its own group of one channel and one "filter".
              cg_q     <= 16'd1;
              mg_q     <= 16'd1;
              groups_q <= d_q.chans;
              cblk_q   <= 16'd1;
              state_q  <= StPrep1;
            end else if (is_lrn) begin
              cg_q     <= d_q.chans;
              mg_q     <= d_q.chans;
              groups_q <= 16'd1;
              cblk_q   <= d_q.chans;
              state_q  <= StPrep1;
            end else begin
              groups_q     <= 16'(d_q.groups);
              cblk_q       <= 16'(d_q.map_q) * 16'(d_q.map_r);
              div_second_q <= 1'b0;  // u_div starts C / G (div_start)
              state_q      <= StDiv;
            end
          end

          StDiv: begin
            // u_div divides C / G, then M / G (div_start), one quotient bit per cycle.
            if (div_done) begin
              if (div_rem != '0) begin
                err_q   <= ErrGroups;
                state_q <= StError;
              end else if (!div_second_q) begin
                cg_q         <= div_quo;
                div_second_q <= 1'b1;
              end else begin
                mg_q    <= div_quo;
                state_q <= StPrep1;
              end
            end
          end

          StPrep1: begin
            cfg_q.op_lrn        <= is_lrn;
            cfg_q.bias_en       <= is_conv;
            cfg_q.lrn_size      <= d_q.lrn_size;
            cfg_q.lrn_exp_min   <= d_q.lrn_exp_min[5:0];
            cfg_q.lrn_mant_bits <= d_q.lrn_mant_bits;
            cfg_q.lrn_lut_frac  <= d_q.lrn_lut_frac;
            cfg_q.lrn_chans     <= d_q.chans[8:0];
            cfg_q.lut_addr      <= d_q.weight_addr;
            cfg_q.lut_entries   <= 12'(lut_entries);
            cfg_q.relu          <= d_q.relu;
            cfg_q.filt_outer    <= d_q.filt_outer;
            cfg_q.ifmap_rlc     <= d_q.ifmap_rlc;
            cfg_q.ofmap_rlc     <= d_q.ofmap_rlc;
            cfg_q.shift         <= d_q.shift[4:0];
            cfg_q.in_w          <= d_q.in_w;
            cfg_q.in_h          <= d_q.in_h;
            cfg_q.s_cols        <= d_q.s_cols[3:0];
            cfg_q.r_rows        <= d_q.r_rows[3:0];
            cfg_q.stride_h      <= d_q.stride_h;
            cfg_q.stride_v_log2 <= stride_v_log2;
            cfg_q.pad_l         <= d_q.pad_l;
            cfg_q.out_w         <= d_q.out_w[7:0];
            cfg_q.stream_w      <= 10'(fv);
            cfg_q.p             <= d_q.map_p[4:0];
            cfg_q.q             <= d_q.map_q[3:0];
            cfg_q.r             <= d_q.map_r[3:0];
            cfg_q.t             <= d_q.map_t[3:0];
            cfg_q.e             <= d_q.map_e[4:0];
            cfg_q.rows_pe       <= 4'(d_q.map_r * d_q.r_rows);
            cfg_q.cols_pe       <= 5'(d_q.map_t * d_q.map_e);
            cfg_q.pt            <= is_lrn ? d_q.chans[8:0] : 9'(d_q.map_p * d_q.map_t);
            cfg_q.pitch         <= 8'((d_q.in_w + 16'd3) >> 2);
            cfg_q.rows_tile     <= 7'((d_q.map_e - 8'd1) * d_q.stride_v + d_q.r_rows);
            cfg_q.slot_in       <= 8'((d_q.in_w + 16'd2) / 16'd3);
            cfg_q.ps_set_filters <= is_lrn ? d_q.chans[8:0] : 9'(d_q.map_p);  // POOL: p = t = 1
            cfg_q.ps_x_words     <= is_lrn ? 8'((d_q.chans + 16'd1) >> 1) : 8'((d_q.map_p + 8'd1) >> 1);
            cfg_q.blk_len       <= 8'(d_q.map_p * d_q.map_q * d_q.s_cols);
            cfg_q.blk_pitch     <= 8'((16'(d_q.map_p) * 16'(d_q.map_q) * 16'(d_q.s_cols) + 16'd3) >> 2);
            cfg_q.blk_rows      <= 4'(d_q.map_r * d_q.r_rows);
            cfg_q.ifmap_addr       <= d_q.ifmap_addr;
            cfg_q.ifmap_index_addr <= d_q.ifmap_index_addr;
            cfg_q.chan_rows        <= 32'(d_q.in_h);
            cfg_q.img_rows_in      <= 32'(d_q.chans) * 32'(d_q.in_h);
            cfg_q.filter_rows_out  <= 32'(d_q.out_h);
            cfg_q.image_rows_out   <= 32'(d_q.filters) * 32'(d_q.out_h);
            cfg_q.out_slot_words   <= d_q.ofmap_rlc ? 32'(out_slot_rlc) : 32'(out_slot_raw);
            state_q <= StPrep2;
          end
          StPrep2: begin
            cfg_q.plane_words    <= 14'(32'(cfg_q.rows_tile) * 32'(cfg_q.pitch));
            cfg_q.ps_row_words   <= 14'(32'(cfg_q.out_w) * 32'(cfg_q.ps_x_words));
            cfg_q.chunk_words    <= is_conv ? 24'(32'(cfg_q.blk_rows) * 32'(cfg_q.t) * 32'(cfg_q.blk_pitch)) : 24'd0;
            if_words_q           <= 32'(cfg_q.rows_tile) * 32'(cfg_q.pitch) * 32'(cblk_q);
            ps_words_q           <= 32'(cfg_q.t) * 32'(cfg_q.e) * 32'(cfg_q.out_w) * 32'(cfg_q.ps_x_words);
            state_q <= StPrep3;
          end
          StPrep3: begin
            cfg_q.if_img_words <= 14'(if_words_q);
            cfg_q.ps_img_words <= 14'(ps_words_q);
            cfg_q.ps_set_words <= 14'(32'(cfg_q.e) * 32'(cfg_q.ps_row_words));
            res_words_q        <= 32'(cfg_q.plane_words) * (32'(cg_q) + 32'(cblk_q) - 32'd1) * 32'(d_q.map_n);
            // Psums start on a bank boundary after the ifmap tile, so the two never share a bank.
            if_words_q <= if_words_q * 32'(d_q.map_n);
            ps_words_q <= ps_words_q * 32'(d_q.map_n);
            state_q <= StFit;
          end
          StFit: begin
            if ((if_words_q > 32'(ActWords)) || (ps_words_q > 32'(ActWords)) ||
                (if_banked + ps_span > 32'(ActWords)) ||
                (32'(cfg_q.chunk_words) > 32'(FilterWords)) || (if_words_q[31:14] != '0)) begin
              err_q   <= ErrGlbFit;
              state_q <= StError;
            end else begin
              // Two ifmap buffers and two filter buffers when they fit, or every block's ifmap resident (with two
              // filter buffers): the next block then loads during a pass.
              cfg_q.dbuf     <= dbuf_fits || res_fits;
              cfg_q.resident <= res_fits;
              cfg_q.ps_base  <= 14'(ps_region0);
              ps_region0_q   <= 14'(ps_region0);
              ps_region1_q   <= 14'(ps_region1);
              ps_overlap_q   <= is_conv && (d_q.map_f == 8'd1) && (ps_region1 + ps_words_q <= 32'(ActWords));
              ps_sel_q       <= 1'b0;
              if_buf1_q      <= 14'(if_banked);
              if_tile_q      <= 14'(if_words_q);
              res_have_q     <= 1'b0;
              g_q      <= '0;
              m0_q     <= '0;
              n0_q     <= '0;
              e0_q     <= '0;
              c0_q     <= '0;
              wblock_q <= d_q.weight_addr;
              chunk_q  <= d_q.weight_addr;
              state_q  <= is_lrn ? StLut : StTile;
            end
          end
          StLut: state_q <= StLutWait;
          StLutWait: if (!lut_busy_i) state_q <= StTile;

          StTile: begin
            // A tile: (g, m0 .. m0+p*t-1, n0 .. n0+n-1, e0 .. e0+e-1); its channel blocks follow.
            cfg_q.n_eff         <= tile_n_eff(n0_q);
            cfg_q.rows_valid    <= 5'(min16(16'(d_q.map_e), d_q.out_h - e0_q));
            cfg_q.h_start       <= tile_h_start(e0_q);
            c0_q                <= '0;
            f_q                 <= '0;
            mf_q                <= m0_q;
            ps_cur_q            <= ps_first;
            blk_base_q          <= '0;
            // Prefetched during the last tile's last pass: its first chunk is in, into the buffers that pass did
            // not use.
            chunk_q             <= tile_prefetched_q ? chunk_q : wblock_q;
            ibuf_q              <= tile_prefetched_q && !ibuf_q;
            fbuf_q              <= tile_prefetched_q && !fbuf_q;
            prefetched_q        <= tile_prefetched_q;
            tile_prefetched_q   <= 1'b0;
            state_q             <= StBlock;
          end
          StBlock: begin
            // The filter block's filters, bias and output rows (the output stage reads them when it starts).
            cfg_q.filters_valid  <= 9'(min16(16'(cfg_q.pt), mg_q - mf_q));
            cfg_q.bias_addr      <= d_q.bias_addr + ((32'(g_q) * 32'(mg_q) + 32'(mf_q)) << 2);
            out_row_q            <= (32'(n0_q) * 32'(d_q.filters) + 32'(g_q) * 32'(mg_q) + 32'(mf_q)) *
                                    32'(d_q.out_h) + 32'(e0_q);
            cfg_q.chans_valid    <= 9'(min16(cblk_q, cg_q - c0_q));
            cfg_q.accum          <= (c0_q != '0) && !keep_psums;
            cfg_q.psum_hold      <= keep_psums && next_block;
            cfg_q.psum_resume    <= keep_psums && (c0_q != '0);
            cfg_q.if_base_pass   <= cfg_q.resident ? blk_base_q : ibuf_q ? if_buf1_q : 14'd0;
            cfg_q.filt_base_pass <= 14'(FilterBase) + (fbuf_q ? 14'(FilterWords / 2) : 14'd0);
            cfg_q.ps_base        <= ps_cur_q;
            // A channel block's first pass overwrites its psum region: not while an output stage still reads it.
            if (c0_q != '0 || !output_busy_i || out_ps_q != ps_cur_q) state_q <= prefetched_q ? StPass : StLoad;
          end
          StLoad: state_q <= StLoadWait;
          StLoadWait: if (ld_q == LdIdle) state_q <= StPass;
          StPass: begin
            cfg_q.out_row_addr   <= d_q.ofmap_addr + ((out_row_q * cfg_q.out_slot_words) << 3);
            cfg_q.out_index_addr <= d_q.ofmap_index_addr + (out_row_q << 3);
            prefetched_q <= cfg_q.dbuf && next_pass;
            if (ld_req && ld_tile) begin
              tile_prefetched_q <= 1'b1;
              if (!nt_same_fgroup) wblock_q <= chunk_q;  // the next filter-block group's chunks follow this one's
            end
            state_q      <= StPassWait;
          end
          StPassWait: if (pass_done) begin
            if (!next_block) begin
              state_q <= StOutput;  // the filter block's last pass: its output follows
            end else if (next_filt) begin
              state_q <= StBlock;   // the group's next filter block (step_filt)
            end else begin
              c0_q       <= c0_q + cblk_q;
              f_q        <= '0;
              mf_q       <= m0_q;
              ps_cur_q   <= ps_first;
              blk_base_q <= blk_base_q + if_tile_q;
              ibuf_q     <= cfg_q.dbuf && !ibuf_q;
              fbuf_q     <= cfg_q.dbuf && !fbuf_q;
              state_q    <= StBlock;
            end
          end
          StOutput: if (!output_busy_i) begin  // the previous output stage may still run
            res_have_q <= cfg_q.resident;  // every block of the group's ifmap has been loaded
            out_ps_q   <= cfg_q.ps_base;
            state_q    <= StOutputWait;
          end
          StOutputWait: if (output_go) begin
            if (next_filt) begin
              state_q <= StBlock;  // the group's next filter block, its last pass (step_filt)
            end else begin
              ps_sel_q <= ps_overlap_q && !ps_sel_q;
              e0_q     <= nt_e0;
              n0_q     <= nt_n0;
              m0_q     <= nt_m0;
              g_q      <= nt_g;
              // the next filter-block group's chunks follow this group's (set already if prefetched)
              if (!nt_same_fgroup && !tile_prefetched_q) wblock_q <= chunk_q;
              if (nt_new_group) res_have_q <= 1'b0;  // the next group reads other channels
              state_q  <= nt_exists ? StTile : StNextLayer;
            end
          end
          StNextLayer: if (!output_busy_i) begin  // the last tile's outputs are in DRAM
            if (layer_q + 16'd1 < queue_len_i) begin
              layer_q <= layer_q + 1'b1;
              state_q <= StFetchCmd;
            end else begin
              state_q <= StDone;
            end
          end
          default: state_q <= StIdle;
        endcase

        // the group's next filter block, in the same channel block
        if (step_filt) begin
          f_q      <= f_q + 8'd1;
          mf_q     <= mf_q + 16'(cfg_q.pt);
          ps_cur_q <= ps_cur_q + 14'(ps_banked);  // ps_words_q holds still through the layer's tiles
          fbuf_q   <= cfg_q.dbuf && !fbuf_q;
        end

        // loader
        if (ld_req) begin
          cfg_q.ld_chans_valid <= 9'(min16(cblk_q, cg_q - ld_c));
          cfg_q.ld_first_plane <= (32'(ld_n0) * 32'(d_q.chans) + 32'(ld_g) * 32'(cg_q) + 32'(ld_c)) *
                                  32'(d_q.in_h);
          cfg_q.ld_n_eff       <= ld_tile ? tile_n_eff(nt_n0) : cfg_q.n_eff;
          cfg_q.ld_h_start     <= ld_tile ? tile_h_start(nt_e0) : cfg_q.h_start;
          cfg_q.ld_chunk_addr  <= ld_chunk;
          cfg_q.if_base_load   <= ld_if_base;
          cfg_q.filt_base_load <= 14'(FilterBase) + (ld_fbuf ? 14'(FilterWords / 2) : 14'd0);
          ld_if_q              <= ld_new_block && !res_have_q;
          chunk_q              <= ld_chunk + 32'({cfg_q.chunk_words[20:0], 3'b000});
          ld_q                 <= is_conv ? LdFiltCmd : LdIfmap;  // POOL/LRN have no filters
        end else begin
          unique case (ld_q)
            LdFiltCmd:   if (mover_cmd_ready_i) ld_q <= LdFiltWait;
            LdFiltWait:  if (mover_idle_i) ld_q <= ld_if_q ? LdIfmap : LdIdle;
            LdIfmap:     ld_q <= LdIfmapWait;
            LdIfmapWait: if (!ifmap_load_busy_i && mover_idle_i) ld_q <= LdIdle;
            default: ;
          endcase
        end
      end
      if (fail || (start_i && !busy_o)) ld_q <= LdIdle;
    end
  end

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_rd_cmd_stable, rd_cmd_valid_o, rd_cmd_ready_i, rd_cmd_o)
  `OCELLI_ASSERT_STREAM(a_filter_cmd_stable, filter_cmd_valid_o, mover_cmd_ready_i,
                       {cfg_q.ld_chunk_addr, cfg_q.chunk_words, cfg_q.filt_base_load})
endmodule
