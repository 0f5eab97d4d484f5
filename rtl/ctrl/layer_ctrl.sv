// The controller's tile sequencer: takes each layer descriptor of the instruction queue from desc_fetch (which reads
// it from DRAM and checks it, docs/isa.md error codes), and runs the layer as a loop nest of tiles and channel passes:
//   for group g, filter-block group (f blocks of p*t filters), image block (n), ofmap-row strip (e rows):
//     for channel block (q*r channels): load its ifmap rows once, then for each filter block of the group:
//       load the filters, run a processing pass into the block's own psum region (psums stay in the GLB, or in the
//       PEs when the layer has one output column)
//     per filter block after the last channel block: bias, requantize, ReLU, RLC-encode, write to DRAM.
// With one image block and row strip and room in the GLB, a group's ifmap stays resident for all its filter blocks.
// It drives the datapath through start pulses and one registered tile configuration; block_loader orders the loads
// that the sequencer configures (cfg ld_* fields).
`include "common/ocelli_assert.svh"

module layer_ctrl
  import ocelli_pkg::*;
  import ctrl_pkg::*;
  import isa_pkg::*;
  import mem_pkg::*;
#(
  parameter hw_cfg_t     Hw             = DefaultHw,  // the array, spads and GLB the layers are planned for
  parameter int unsigned MaxTileFilters = Hw.psum_spad * Hw.cols,
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
  output dma_rd_req_t             rd_req_o,
  input  dma_rd_rsp_t             rd_rsp_i,
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
  output logic                    noc_cfg_load_o,   // the layer's mapping is in cfg_o (before its first pass)
  output logic                    pass_start_o,     // array, feeders and collector
  input  logic                    pass_busy_i,
  output logic                    filt_prefetch_o,  // feed the next pass's filters (cfg filt_base_load) now
  input  logic                    filt_feed_idle_i, // the filter feeder has sent its chunk
  output logic                    ifmap_prefetch_o, // fill the next pass's first ifmap chunk (same block) now
  input  logic                    ifmap_feed_idle_i,// the ifmap feeder has sent its pass
  output logic                    output_start_o,
  input  logic                    output_busy_i,
  input  logic                    output_reads_done_i, // the running output stage needs the DMA's read side no more
  output logic                    ppu_start_o,      // POOL/LRN tile on the post-processing unit
  input  logic                    ppu_busy_i,
  output logic                    lut_start_o,      // LRN: load the multiplier table (DMA owner RdOwnerPpu)
  input  logic                    lut_busy_i,

  input  logic                    progress_i        // any datapath handshake this cycle (watchdog)
);
  localparam int unsigned BankWords   = Hw.glb_bank_words;
  localparam int unsigned ActWords    = (Hw.glb_banks - 2) * BankWords;  // GLB words for ifmap tiles and psums
  localparam int unsigned FilterWords = 2 * BankWords;                   // for the filter chunks (two buffers)
  localparam int unsigned FilterBase  = ActWords;                        // GLB word address of the filter banks

  typedef enum logic [4:0] {
    StIdle, StFetch, StCheck, StDiv, StPrep1, StPrep2, StPrep3, StFit,
    StTile, StBlock, StLoad, StLoadWait, StPass, StPassWait, StOutput, StOutputWait,
    StNextLayer, StDone, StError, StLut, StLutWait
  } state_e;

  state_e                        state_q;
  layer_desc_t                   desc;         // the layer's descriptor (u_fetch)
  ctrl_err_e                     check_err;    // the first descriptor rule it breaks, read in StCheck
  logic                          desc_done;    // u_fetch decodes: StFetch -> StCheck
  logic [11:0]                   lut_entries;  // LRN table entries
  logic [9:0]                    stream_w;     // (F-1)*stride_h + S
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
  glb_addr_t   ps_cur_q;         // GLB address of the current filter block's psum region
  glb_addr_t   out_ps_q;         // psum region the running output stage reads
  logic        next_filt;        // the group has a filter block after f in this channel block
  logic        next_pass;        // the tile has a pass after this one
  logic        tile_prefetched_q;  // the next tile's first pass was loaded during this tile's last pass
  glb_addr_t   if_buf1_q;        // GLB address of the second ifmap buffer
  // A second psum region (in other banks) when it fits: tiles then alternate between the two, and a tile's output
  // stage runs while the next tile's passes fill the other region (docs/architecture.md). CONV only.
  glb_addr_t   ps_region0_q, ps_region1_q;
  logic        ps_overlap_q;     // the two regions fit: outputs overlap the next tile
  logic        ps_sel_q;         // region of the current tile
  // Resident ifmap: when the tile loop has one image block and one row strip and every channel block of a group
  // fits the GLB at once (FC layers), block k lives at k * if_tile_q and is loaded only by the group's first
  // filter block; the following filter blocks load only their filters.
  logic [31:0] res_words_q;      // upper bound of a group's ifmap words: (C/G + q*r - 1) * plane words * n
  glb_addr_t   if_tile_q;        // GLB words of one block's ifmap tile
  glb_addr_t   blk_base_q;       // GLB address of the pass's block (resident)
  logic        res_have_q;       // the group's ifmap blocks are in the GLB
  // Resident filter chunks (descriptor wres): a tile's passes use its filter chunks k = 0, 1, ... in load order;
  // chunks k < wres live in the GLB at wres_base + k * chunk_words, loaded by the filter-block group's first tile.
  logic [7:0]  pk_q;             // chunk index of the tile's current (or coming) pass, saturating at 255
  logic        wres_have_q;      // this filter-block group's resident chunks are in the GLB
  logic        wres_fit;         // u_plan: resident chunks are used
  glb_addr_t   wres_base;

  // Loader (u_loader): filter chunk, then ifmap rows, of one channel block into one buffer; runs beside a pass.
  logic        ld_idle;          // no load runs
  logic        ld_filt_idle;     // the last load's filter chunk is in (a channel block's ifmap rows may still load)
  logic        ld_req;           // start loading block ld_c into buffer ld_buf
  logic [15:0] ld_c;
  logic        ld_buf;
  logic        next_block;       // the tile has a channel block after c0
  logic [31:0] if_img_q;       // GLB words of one image's ifmap tile (from StPrep2)
  logic [31:0] if_words_q;     // GLB words of the ifmap tile, n images (from StPrep3)
  logic [31:0] ps_words_q;     // GLB words of a filter block's psums, n images (from StPrep3)
  logic [31:0] out_row_q;      // the tile's first ofmap row in the NCHW row order of the output (from StTile)
  logic [31:0] out_tbl_q;      // its row-table row (cfg tbl_filter_out)
  logic [31:0] watchdog_q;

  // ------------------------------------------------------------------ helpers
  function automatic logic [15:0] min16(logic [15:0] a, logic [15:0] b);
    return (a < b) ? a : b;
  endfunction
  // GLB address of a tile's filter chunk k (load order): a resident chunk (k < wres) after the psum regions, any
  // other in filter buffer fbuf. For the pass that reads it (StBlock) and for the load that brings it (ld_req).
  function automatic glb_addr_t chunk_base(logic [7:0] k, logic fbuf);
    return (k < {1'b0, cfg_q.wres}) ? cfg_q.wres_base + glb_addr_t'(32'(k) * 32'(cfg_q.chunk_words))
                                    : glb_addr_t'(FilterBase) + (fbuf ? glb_addr_t'(FilterWords / 2) : '0);
  endfunction

  // ------------------------------------------------------------------ outputs
  assign busy_o        = (state_q != StIdle) && (state_q != StDone) && (state_q != StError);
  assign done_o        = state_q == StDone;
  assign error_o       = state_q == StError;
  assign err_code_o    = err_q;
  assign err_index_o   = layer_q;
  assign layer_index_o = layer_q;
  assign cfg_o         = cfg_q;

  assign rd_owner_o      = !ld_idle ? RdOwnerMover :
                           (state_q == StOutput || state_q == StOutputWait) ? RdOwnerOutput :
                           (state_q == StLut || state_q == StLutWait) ? RdOwnerPpu : RdOwnerCtrl;

  assign next_block = c0_q + cblk_q < cg_q;
  assign next_filt  = (16'(f_q) + 16'd1 < 16'(desc.map_f)) && (mf_q + 16'(cfg_q.pt) < mg_q);
  assign next_pass  = next_filt || next_block;
  // A pass has ended (and the loader beside it); an output stage has started far enough for the next pass: with psum
  // regions of their own (two alternating, or one per filter block of a group) once it has read its bias (the DMA's
  // read side then belongs to the loads again), else once it has finished.
  // The next pass of the same channel block needs only its filter chunk; any other step waits for every load (the
  // next channel block's ifmap rows load over the passes of this one).
  logic pass_done, output_go, step_filt;
  assign pass_done = !pass_busy_i && !ppu_busy_i && ld_filt_idle && (ld_idle || next_filt);
  assign output_go = !output_busy_i || ((ps_overlap_q || desc.map_f != 8'd1) && output_reads_done_i);
  assign step_filt = next_filt && ((state_q == StPassWait && pass_done && next_block) ||
                                   (state_q == StOutputWait && output_go));
  // Psums stay in the PEs across the channel blocks of a tile when each PE's outputs fit its psum spad (one
  // entry per image and filter: one output column): no psum round trip through the GLB between passes.
  logic keep_psums;
  assign keep_psums = is_conv && (cfg_q.out_w == 8'd1) && (desc.map_f == 8'd1) &&
                      (16'(cfg_q.n_eff) * 16'(cfg_q.p) <= 16'(Hw.psum_spad));
  // A tile's images (from image n0) and its first ifmap row (of ofmap row e0; negative in the top padding): for the
  // pass (StTile) and for a load of the tile's first pass (possibly the next tile's, prefetched).
  function automatic logic [3:0] tile_n_eff(logic [15:0] n0);
    return 4'(min16(16'(desc.map_n), desc.n_img - n0));
  endfunction
  function automatic logic signed [16:0] tile_h_start(logic [15:0] e0);
    return 17'($signed({1'b0, e0}) * $signed({13'd0, desc.stride_v})) - $signed({13'd0, desc.pad_t});
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
    if (e0_q + 16'(desc.map_e) < desc.out_h) begin
      nt_e0 = e0_q + 16'(desc.map_e);
    end else if (n0_q + 16'(desc.map_n) < desc.n_img) begin
      nt_n0 = n0_q + 16'(desc.map_n);
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
  // the ifmap rows of the next channel block. Those load from the channel block's first pass on that starts while
  // no output stage runs (ld_if_next; at the latest with the block's last pass), so with f filter blocks per ifmap
  // load they have up to f passes' time; the other ifmap buffer is free then, since the passes of the block before
  // have ended. (An output stage's DRAM writes share the link, and its psum region is needed sooner: measured on
  // conv1 at batch 4 and the `eyeriss` timing, rows loading beside it delayed the next filter block's pass.)
  // A CONV tile's last pass prefetches the next tile's first pass.
  logic ld_prefetch, ld_tile, ld_new_block, ld_fbuf, ld_if_next;
  logic if_next_req_q;  // the next channel block's ifmap rows have been asked for
  // The filter-block group has room for at least two more filter blocks after this one (f_q + 2 < f; a group's last
  // filter blocks may be fewer than f, then fewer passes follow): the next channel block's rows then load beside a
  // running output stage too (docs/architecture.md).
  logic more2;
  assign more2 = 16'(f_q) + 16'd2 < 16'(desc.map_f);
  assign ld_prefetch  = state_q == StPass;
  assign ld_if_next   = ld_prefetch && (next_block ? !if_next_req_q && (!output_busy_i || !next_filt || more2)
                                                   : !next_filt);
  // (not when the next tile starts another filter-block group and this pass reads resident chunk 0, which the
  // prefetch would overwrite)
  assign ld_tile      = ld_prefetch && !next_pass && is_conv && !cfg_q.resident && nt_exists &&
                        !(nt_same_fgroup == 1'b0 && cfg_q.wres != '0 && pk_q == '0);
  assign ld_req       = (state_q == StLoad) || (ld_prefetch && cfg_q.dbuf && (next_pass || ld_tile));
  assign ld_new_block = ld_prefetch ? ld_if_next : (f_q == '0);
  glb_addr_t   ld_if_base;
  assign ld_if_base = cfg_q.resident ? (ld_prefetch ? blk_base_q + if_tile_q : blk_base_q)
                                     : (ld_buf ? if_buf1_q : '0);
  assign ld_c    = ld_tile ? '0 : ld_if_next ? c0_q + cblk_q : c0_q;
  logic [15:0] ld_n0, ld_g;  // image block and group of the load
  assign ld_n0   = ld_tile ? nt_n0 : n0_q;
  assign ld_g    = ld_tile ? nt_g : g_q;
  assign ld_buf  = ld_if_next ? !ibuf_q : ibuf_q;
  assign ld_fbuf = ld_prefetch ? !fbuf_q : fbuf_q;
  // The chunk to load: the next in order, or the first of this filter-block group again for its next tile.
  logic [31:0] ld_chunk;
  assign ld_chunk = (ld_tile && nt_same_fgroup) ? wblock_q : chunk_q;
  // The chunk index of the load, whether it is resident, and whether it is in the GLB already.
  logic [7:0]  ld_k;
  logic        ld_wres, ld_wres_have;
  assign ld_k         = ld_tile ? '0 : (ld_prefetch && pk_q != 8'hff) ? pk_q + 8'd1 : pk_q;
  assign ld_wres      = ld_k < {1'b0, cfg_q.wres};
  // (the next tile's first chunk: in if that tile is of this filter-block group, whose first tile loads them all)
  assign ld_wres_have = ld_wres && (ld_tile ? nt_same_fgroup : wres_have_q);
  assign noc_cfg_load_o     = state_q == StFit;
  assign pass_start_o       = (state_q == StPass) && is_conv;
  // The next pass of the tile has its filter chunk in the GLB and the running pass has been fed its own: the PEs
  // take the next chunk into their filter spads' free entries while the pass runs (docs/pe-array.md, "Filter
  // prefetch"), so the next pass starts with most of its weights in place. The chunk is where this pass's load put it
  // (cfg filt_base_load: no load starts between StPass and the prefetch, and the feeder takes the base at its start).
  logic pf_arm_q;  // the running pass's next pass is of this tile and its chunk loads into the GLB beside it
  assign filt_prefetch_o    = (state_q == StPassWait) && pf_arm_q && ld_filt_idle && filt_feed_idle_i;
  // The ifmap feeder fills the next pass's first chunk once this pass's ifmap is sent, and sends it when that pass
  // starts: when the next pass is the group's next filter block (the same ifmap block), or the next channel block's
  // first, whose rows the loader has brought into the other buffer during this block's passes (cfg if_base_next,
  // chans_valid_next).
  logic if_arm_q;
  assign ifmap_prefetch_o   = (state_q == StPassWait) && if_arm_q && ifmap_feed_idle_i &&
                              (next_filt || (ld_idle && if_next_req_q));
  assign ppu_start_o        = (state_q == StPass) && !is_conv;
  assign lut_start_o        = state_q == StLut;
  assign output_start_o     = (state_q == StOutput) && !output_busy_i;
  assign is_conv = desc.opcode == OpConv;
  assign is_pool = desc.opcode == OpPool;
  assign is_lrn  = desc.opcode == OpLrn;

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

  // Where the tile's buffers and psum regions go in the GLB and whether they fit (read in StFit; ps_banked also
  // steps between the filter blocks' psum regions).
  logic        glb_fits, glb_dbuf, glb_resident, ps_two_fit;
  glb_addr_t   if_banked, ps_region0, ps_region1, ps_banked;
  glb_plan #(
    .ActWords    (ActWords),
    .FilterWords (FilterWords),
    .BankWords   (BankWords)
  ) u_plan (
    .if_words_i    (if_words_q),
    .ps_words_i    (ps_words_q),
    .res_words_i   (res_words_q),
    .filt_blocks_i (desc.map_f),
    .chunk_words_i (cfg_q.chunk_words),
    .res_shape_i   (is_conv && (desc.map_f == 8'd1) && (cg_q > cblk_q) && (desc.n_img <= 16'(desc.map_n)) &&
                    (desc.out_h <= 16'(desc.map_e))),
    .wres_words_i  (is_conv ? 32'(desc.map_wres) * 32'(cfg_q.chunk_words) : 32'd0),
    .fits_o        (glb_fits),
    .dbuf_o        (glb_dbuf),
    .resident_o    (glb_resident),
    .if_buf1_o     (if_banked),
    .ps_region0_o  (ps_region0),
    .ps_region1_o  (ps_region1),
    .ps_banked_o   (ps_banked),
    .ps_two_fit_o  (ps_two_fit),
    .wres_o        (wres_fit),
    .wres_base_o   (wres_base)
  );

  glb_addr_t   ps_first;  // the region of a tile's first filter block
  assign ps_first = ps_sel_q ? ps_region1_q : ps_region0_q;

  // Descriptor fetch, decode and checks (StFetch); desc and check_err hold the layer from StCheck on.
  desc_fetch #(
    .Hw             (Hw),
    .MaxTileFilters (MaxTileFilters)
  ) u_fetch (
    .clk_i, .rst_ni,
    .fetch_i         (state_q == StFetch),
    .abort_i         (fail),
    .addr_i          (queue_addr_i + {9'd0, layer_q, 7'd0}),
    .done_o          (desc_done),
    .rd_req_o,
    .rd_rsp_i,
    .desc_o          (desc),
    .err_o           (check_err),
    .lut_entries_o   (lut_entries),
    .stream_w_o      (stream_w)
  );

  // Read only by the checks (u_fetch).
  logic unused_desc;
  assign unused_desc = ^{desc.pad_b, desc.pad_r, desc.lrn_exp_max};

  // The layer's constant fields of the tile configuration (registered in StPrep1).
  tile_cfg_t layer_cfg;
  layer_setup u_setup (
    .desc_i        (desc),
    .lut_entries_i (lut_entries),
    .stream_w_i    (stream_w),
    .cfg_i         (cfg_q),
    .cfg_o         (layer_cfg)
  );

  serial_divider #(.Width(16)) u_div (
    .clk_i, .rst_ni,
    .start_i     (div_start),
    .dividend_i  (div_dividend),
    .divisor_i   (16'(desc.groups)),
    .done_o      (div_done),
    .quotient_o  (div_quo),
    .remainder_o (div_rem)
  );
  // C / G starts when a CONV passes its checks (StCheck -> StDiv), M / G in the cycle C / G is read.
  assign div_start    = (state_q == StCheck && check_err == ErrNone && is_conv) ||
                        (state_q == StDiv && div_done && !div_second_q && div_rem == '0);
  assign div_dividend = (state_q == StDiv) ? desc.filters : desc.chans;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StIdle;
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
      pf_arm_q     <= 1'b0;
      if_arm_q     <= 1'b0;
      f_q          <= '0;
      mf_q         <= '0;
      ps_cur_q     <= '0;
      out_ps_q     <= '0;
      tile_prefetched_q <= 1'b0;
      if_next_req_q <= 1'b0;
      if_buf1_q    <= '0;
      ps_region0_q <= '0;
      ps_region1_q <= '0;
      ps_overlap_q <= 1'b0;
      ps_sel_q     <= 1'b0;
      res_words_q  <= '0;
      if_tile_q    <= '0;
      blk_base_q   <= '0;
      res_have_q   <= 1'b0;
      pk_q         <= '0;
      wres_have_q  <= 1'b0;
      if_img_q     <= '0;
      if_words_q   <= '0;
      ps_words_q   <= '0;
      out_row_q    <= '0;
      out_tbl_q    <= '0;
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
              state_q <= (queue_len_i == '0) ? StDone : StFetch;
            end
          end

          StFetch: if (desc_done) state_q <= StCheck;  // u_fetch reads and decodes the descriptor

          StCheck: begin
            if (check_err != ErrNone) begin
              err_q <= check_err; state_q <= StError;
            end else if (is_pool) begin
              // Every channel is its own group of one channel and one "filter".
              cg_q     <= 16'd1;
              mg_q     <= 16'd1;
              groups_q <= desc.chans;
              cblk_q   <= 16'd1;
              state_q  <= StPrep1;
            end else if (is_lrn) begin
              cg_q     <= desc.chans;
              mg_q     <= desc.chans;
              groups_q <= 16'd1;
              cblk_q   <= desc.chans;
              state_q  <= StPrep1;
            end else begin
              groups_q     <= 16'(desc.groups);
              cblk_q       <= 16'(desc.map_q) * 16'(desc.map_r);
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
            cfg_q   <= layer_cfg;  // u_setup: the layer's fields
            state_q <= StPrep2;
          end
          StPrep2: begin
            cfg_q.plane_words    <= glb_addr_t'(32'(cfg_q.rows_tile) * 32'(cfg_q.pitch));
            cfg_q.ps_row_words   <= glb_addr_t'(32'(cfg_q.out_w) * 32'(cfg_q.ps_x_words));
            cfg_q.chunk_words    <= is_conv ? 24'(32'(cfg_q.blk_rows) * 32'(cfg_q.t) * 32'(cfg_q.blk_pitch)) : 24'd0;
            if_img_q             <= 32'(cfg_q.rows_tile) * 32'(cfg_q.pitch) * 32'(cblk_q);
            state_q <= StPrep3;
          end
          StPrep3: begin
            cfg_q.if_img_words <= glb_addr_t'(if_img_q);
            // psums of one image: t sets of e rows (tile_cfg_t layout)
            cfg_q.ps_img_words <= glb_addr_t'(32'(cfg_q.t) * 32'(cfg_q.e) * 32'(cfg_q.ps_row_words));
            cfg_q.ps_set_words <= glb_addr_t'(32'(cfg_q.e) * 32'(cfg_q.ps_row_words));
            res_words_q        <= 32'(cfg_q.plane_words) * (32'(cg_q) + 32'(cblk_q) - 32'd1) * 32'(desc.map_n);
            // Psums start on a bank boundary after the ifmap tile, so the two never share a bank.
            if_words_q <= if_img_q * 32'(desc.map_n);
            // from the 8-bit words per column, not the 14-bit ps_row_words: the fit check needs the exact count
            ps_words_q <= 32'(cfg_q.t) * 32'(cfg_q.e) * 32'(cfg_q.out_w) * 32'(cfg_q.ps_x_words) * 32'(desc.map_n);
            state_q <= StFit;
          end
          StFit: begin
            if (!glb_fits) begin
              err_q   <= ErrGlbFit;
              state_q <= StError;
            end else begin
              // Two ifmap buffers and two filter buffers when they fit, or every block's ifmap resident (with two
              // filter buffers): the next block then loads during a pass.
              cfg_q.dbuf     <= glb_dbuf;
              cfg_q.resident <= glb_resident;
              cfg_q.ps_base  <= ps_region0;
              cfg_q.wres      <= wres_fit ? desc.map_wres : 7'd0;
              cfg_q.wres_base <= wres_base;
              wres_have_q     <= 1'b0;
              ps_region0_q   <= ps_region0;
              ps_region1_q   <= ps_region1;
              ps_overlap_q   <= is_conv && (desc.map_f == 8'd1) && ps_two_fit;
              ps_sel_q       <= 1'b0;
              if_buf1_q      <= if_banked;
              if_tile_q      <= glb_addr_t'(if_words_q);
              res_have_q     <= 1'b0;
              g_q      <= '0;
              m0_q     <= '0;
              n0_q     <= '0;
              e0_q     <= '0;
              c0_q     <= '0;
              wblock_q <= desc.weight_addr;
              chunk_q  <= desc.weight_addr;
              state_q  <= is_lrn ? StLut : StTile;
            end
          end
          StLut: state_q <= StLutWait;
          StLutWait: if (!lut_busy_i) state_q <= StTile;

          StTile: begin
            // A tile: (g, m0 .. m0+p*t-1, n0 .. n0+n-1, e0 .. e0+e-1); its channel blocks follow.
            cfg_q.n_eff         <= tile_n_eff(n0_q);
            cfg_q.rows_valid    <= 5'(min16(16'(desc.map_e), desc.out_h - e0_q));
            cfg_q.h_start       <= tile_h_start(e0_q);
            c0_q                <= '0;
            f_q                 <= '0;
            mf_q                <= m0_q;
            ps_cur_q            <= ps_first;
            blk_base_q          <= '0;
            // Prefetched during the last tile's last pass: its first chunk is in, into the buffers that pass did
            // not use.
            chunk_q             <= tile_prefetched_q ? chunk_q : wblock_q;
            pk_q                <= '0;
            ibuf_q              <= tile_prefetched_q && !ibuf_q;
            fbuf_q              <= tile_prefetched_q && !fbuf_q;
            prefetched_q        <= tile_prefetched_q;
            tile_prefetched_q   <= 1'b0;
            if_next_req_q       <= 1'b0;
            state_q             <= StBlock;
          end
          StBlock: begin
            // The filter block's filters, bias and output rows (the output stage reads them when it starts).
            cfg_q.filters_valid  <= 9'(min16(16'(cfg_q.pt), mg_q - mf_q));
            cfg_q.bias_addr      <= desc.bias_addr + ((32'(g_q) * 32'(mg_q) + 32'(mf_q)) << 2);
            out_row_q            <= (32'(n0_q) * 32'(desc.filters) + 32'(g_q) * 32'(mg_q) + 32'(mf_q)) *
                                    32'(desc.out_h) + 32'(e0_q);
            out_tbl_q            <= (32'(n0_q) * 32'(desc.filters) + 32'(g_q) * 32'(mg_q) + 32'(mf_q)) *
                                    cfg_q.tbl_filter_out + 32'(e0_q);
            cfg_q.chans_valid    <= 9'(min16(cblk_q, cg_q - c0_q));
            cfg_q.accum          <= (c0_q != '0) && !keep_psums;
            cfg_q.psum_hold      <= keep_psums && next_block;
            cfg_q.psum_resume    <= keep_psums && (c0_q != '0);
            cfg_q.if_base_pass   <= cfg_q.resident ? blk_base_q : ibuf_q ? if_buf1_q : '0;
            cfg_q.filt_base_pass <= chunk_base(pk_q, fbuf_q);
            cfg_q.ps_base        <= ps_cur_q;
            // A channel block's first pass overwrites its psum region: not while an output stage still reads it.
            if (c0_q != '0 || !output_busy_i || out_ps_q != ps_cur_q) state_q <= prefetched_q ? StPass : StLoad;
          end
          StLoad: state_q <= StLoadWait;
          StLoadWait: if (ld_idle) state_q <= StPass;
          StPass: begin
            cfg_q.out_row_addr   <= desc.ofmap_addr + ((out_row_q * cfg_q.out_slot_words) << 3);
            // 16-bit entries: e0 is a multiple of 4 (desc_check), so the tile's rows start a table word
            cfg_q.out_index_addr <= desc.ofmap_index_addr + (cfg_q.ofmap_tbl16 ? ((out_tbl_q >> 2) << 3)
                                                                               : (out_tbl_q << 3));
            prefetched_q <= cfg_q.dbuf && next_pass;
            pf_arm_q     <= ld_req && next_pass && is_conv;
            if_arm_q     <= is_conv && (next_filt || (next_block && cfg_q.dbuf && !cfg_q.resident));
            cfg_q.if_base_next     <= next_filt ? cfg_q.if_base_pass : (ibuf_q ? '0 : if_buf1_q);
            cfg_q.chans_valid_next <= next_filt ? cfg_q.chans_valid : 9'(min16(cblk_q, cg_q - (c0_q + cblk_q)));
            if (pk_q != 8'hff) pk_q <= pk_q + 8'd1;  // saturates: beyond any wres (<= 127)
            if (ld_req && ld_if_next && next_block) if_next_req_q <= 1'b1;
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
              if_next_req_q <= 1'b0;
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
              wres_have_q <= nt_same_fgroup;          // the next tile uses this group's resident chunks, or not
              state_q  <= nt_exists ? StTile : StNextLayer;
            end
          end
          StNextLayer: if (!output_busy_i) begin  // the last tile's outputs are in DRAM
            if (layer_q + 16'd1 < queue_len_i) begin
              layer_q <= layer_q + 1'b1;
              state_q <= StFetch;
            end else begin
              state_q <= StDone;
            end
          end
          default: state_q <= StIdle;
        endcase

        if (filt_prefetch_o) pf_arm_q <= 1'b0;  // (StPassWait: not the StPass that arms them)
        if (ifmap_prefetch_o) if_arm_q <= 1'b0;

        // the group's next filter block, in the same channel block
        if (step_filt) begin
          f_q      <= f_q + 8'd1;
          mf_q     <= mf_q + 16'(cfg_q.pt);
          ps_cur_q <= ps_cur_q + ps_banked;  // ps_words_q holds still through the layer's tiles
          fbuf_q   <= cfg_q.dbuf && !fbuf_q;
        end

        // the load's configuration (u_loader starts it)
        if (ld_req) begin
          cfg_q.ld_chans_valid <= 9'(min16(cblk_q, cg_q - ld_c));
          cfg_q.ld_first_plane <= (32'(ld_n0) * 32'(desc.chans) + 32'(ld_g) * 32'(cg_q) + 32'(ld_c)) *
                                  32'(desc.in_h);
          cfg_q.ld_first_tbl   <= (32'(ld_n0) * 32'(desc.chans) + 32'(ld_g) * 32'(cg_q) + 32'(ld_c)) *
                                  cfg_q.tbl_chan_in;
          cfg_q.ld_n_eff       <= ld_tile ? tile_n_eff(nt_n0) : cfg_q.n_eff;
          cfg_q.ld_h_start     <= ld_tile ? tile_h_start(nt_e0) : cfg_q.h_start;
          cfg_q.ld_chunk_addr  <= ld_chunk;
          cfg_q.if_base_load   <= ld_if_base;
          cfg_q.filt_base_load <= chunk_base(ld_k, ld_fbuf);
          chunk_q              <= ld_chunk + 32'({cfg_q.chunk_words[20:0], 3'b000});
        end
      end
    end
  end

  // The loader: the load configured above starts with ld_req (unless the sequencer fails in that cycle); a failure
  // or a new start drops a running load.
  block_loader u_loader (
    .clk_i, .rst_ni,
    .start_i            (ld_req),
    .filters_i          (is_conv && !ld_wres_have),  // POOL/LRN have no filters; resident chunks are in
    .ifmap_i            (ld_new_block && !res_have_q),
    .clear_i            (fail || (start_i && !busy_o)),
    .idle_o             (ld_idle),
    .filt_idle_o        (ld_filt_idle),
    .mover_sel_filter_o,
    .filter_cmd_valid_o,
    .mover_cmd_ready_i,
    .mover_idle_i,
    .ifmap_load_start_o,
    .ifmap_load_busy_i
  );

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_filter_cmd_stable, filter_cmd_valid_o, mover_cmd_ready_i,
                       {cfg_q.ld_chunk_addr, cfg_q.chunk_words, cfg_q.filt_base_load})
endmodule
