// Controller types. The descriptor, opcodes, error codes and registers are in isa_pkg, generated from
// rtl/isa/isa.json (docs/isa.md).
package ctrl_pkg;
  import ocelli_pkg::glb_addr_t;

  // LRN multiplier table: entries in the post-processing unit (docs/isa.md, LRN).
  localparam int unsigned LrnLutDepth = 2048;

  // Which block the DMA read channel serves; the controller switches it between phases, so one owner at a time.
  typedef enum logic [1:0] {
    RdOwnerCtrl   = 2'd0,  // descriptor fetch
    RdOwnerMover  = 2'd1,  // ifmap rows, row tables and filter chunks (row mover)
    RdOwnerOutput = 2'd2,  // bias (output stage)
    RdOwnerPpu    = 2'd3   // the LRN multiplier table (post-processing unit)
  } rd_owner_e;
  // The memory subsystem takes one read client per owner; the output subsystem is RdOwnerOutput..RdOwnerPpu.
  localparam int unsigned RdOwners    = 4;
  localparam int unsigned OutRdOwners = 2;

  // The top's GLB ports, one per client. Each subsystem owns a contiguous range: memory GlbPortMover, pass
  // GlbPortFilt..GlbPortPsumW, output GlbPortOut..GlbPortPpuW (in this order inside the subsystem's port arrays).
  typedef enum logic [2:0] {
    GlbPortMover, GlbPortFilt, GlbPortIfmap, GlbPortPsumR, GlbPortPsumW, GlbPortOut, GlbPortPpuR, GlbPortPpuW
  } glb_port_e;
  localparam int unsigned GlbPorts     = 8;
  localparam int unsigned PassGlbPorts = 4;
  localparam int unsigned OutGlbPorts  = 3;

  // The controller's commands to the subsystems: start pulses and the row mover's filter chunk command. Each
  // subsystem reads its part (their busy and done answers come back one by one).
  typedef struct packed {
    logic ifmap_load_start;  // memory subsystem: load the block's ifmap rows
    logic mover_sel_filter;  // memory subsystem: the row mover takes the filter chunk command, not the loader's
    logic filter_cmd_valid;
    logic noc_cfg_load;      // pass subsystem: cfg holds the layer's mapping; register the NoC IDs
    logic pass_start;        // pass subsystem
    logic filt_prefetch;     // pass subsystem: feed the next pass's filter chunk (cfg filt_base_load) now
    logic ifmap_prefetch;    // pass subsystem: fill the next pass's first ifmap chunk now (same ifmap block)
    logic output_start;      // output subsystem: write the tile's outputs to DRAM
    logic ppu_start;         // output subsystem: pool or LRN over the tile in the GLB
    logic lut_start;         // output subsystem: load the LRN table
  } ctrl_cmd_t;

  // Everything the datapath needs for the current layer and tile, registered by the controller.
  typedef struct packed {
    // layer
    logic        op_lrn;         // the tile runs on the post-processing unit as LRN (else max pooling)
    logic        bias_en;        // the output stage adds a bias (CONV only)
    logic [3:0]  lrn_size;
    logic [5:0]  lrn_exp_min;
    logic [2:0]  lrn_mant_bits;
    logic [4:0]  lrn_lut_frac;
    logic [8:0]  lrn_chans;      // C
    logic [31:0] lut_addr;       // LRN table in DRAM
    logic [11:0] lut_entries;
    logic        relu;
    logic        filt_outer;     // PE issue order (pe_cfg_t)
    logic        ifmap_rlc;
    logic        ofmap_rlc;
    logic [4:0]  shift;
    logic [15:0] in_w;
    logic [15:0] in_h;
    logic [3:0]  s_cols;
    logic [3:0]  r_rows;
    logic [3:0]  stride_h;
    logic [1:0]  stride_v_log2;
    logic [3:0]  pad_l;
    logic [7:0]  out_w;          // F
    logic [9:0]  stream_w;       // (F-1)*stride_h + S
    logic [4:0]  p;
    logic [3:0]  q;
    logic [3:0]  r;
    logic [3:0]  t;
    logic [4:0]  e;
    logic [3:0]  rows_pe;        // r*R
    logic [4:0]  cols_pe;        // t*e
    logic [8:0]  pt;             // p*t filters per tile
    logic [7:0]  pitch;          // ceil(W/4)
    logic [6:0]  rows_tile;      // (e-1)*stride_v + R
    glb_addr_t   plane_words;    // rows_tile * pitch
    glb_addr_t   if_img_words;   // q*r * plane_words
    logic [7:0]  slot_in;        // ceil(W/3)
    // GLB psum layout [b][column set ht][ofmap row j][column x][ceil(P/2) words], two 32-bit psums of filters
    // 2k, 2k+1 of the set per word, P = ps_set_filters: the psums of one output position leave a PE one filter after
    // the other, so the psum feeder and collector touch one word per two psums.
    logic [8:0]  ps_set_filters; // P: filters per column set (p; POOL/LRN: p*t, one set)
    logic [7:0]  ps_x_words;     // ceil(P/2)
    glb_addr_t   ps_row_words;   // F * ps_x_words
    glb_addr_t   ps_set_words;   // e * ps_row_words
    glb_addr_t   ps_img_words;   // t * ps_set_words
    glb_addr_t   ps_base;
    logic [7:0]  blk_len;        // p*q*S
    logic [7:0]  blk_pitch;      // ceil(p*q*S/4)
    logic [3:0]  blk_rows;       // r*R
    logic [23:0] chunk_words;
    logic [6:0]  wres;           // resident filter chunks per tile (descriptor wres; 0: none)
    glb_addr_t   wres_base;      // GLB address of resident chunk 0 (chunk k at wres_base + k * chunk_words)
    logic [31:0] ifmap_addr;
    logic [31:0] ifmap_index_addr;
    logic [31:0] chan_rows;      // H
    logic [31:0] img_rows_in;    // C*H
    logic [31:0] filter_rows_out;// E
    logic [31:0] image_rows_out; // M*E
    // Row tables (docs/isa.md): entry k of a table is table row k; a plane's rows start at plane * its table pitch,
    // H (E) with one 64-bit word per row, 4*ceil(H/4) (4*ceil(E/4)) with 16-bit entries four per word.
    logic        ifmap_tbl16;
    logic        ofmap_tbl16;
    logic [31:0] tbl_chan_in;    // table rows between ifmap channels
    logic [31:0] tbl_img_in;     // C * tbl_chan_in
    logic [31:0] tbl_filter_out; // table rows between ofmap channels
    logic [31:0] tbl_image_out;  // M * tbl_filter_out
    logic [31:0] out_slot_words; // ceil(F/4) raw, ceil(F/3) RLC
    logic        dbuf;           // ifmap and filter buffers are doubled: the next block loads during a pass
    logic        resident;       // every channel block of the tile has its own ifmap buffer: loaded once per group
    // tile
    logic [3:0]  n_eff;
    logic [8:0]  chans_valid;    // of the block in the pass
    logic [8:0]  filters_valid;
    logic [4:0]  rows_valid;
    logic signed [16:0] h_start;
    glb_addr_t   if_base_pass;   // GLB ifmap buffer and filter buffer the pass reads
    glb_addr_t   filt_base_pass;
    glb_addr_t   if_base_next;   // the next pass's ifmap block and its valid channels (its first chunk is filled
    logic [8:0]  chans_valid_next; //   into the ifmap feeder's line buffer while this pass runs)
    // the block being loaded (the pass's own, or the next one while the pass runs, possibly the next tile's first)
    logic [3:0]  ld_n_eff;
    logic signed [16:0] ld_h_start;
    logic [8:0]  ld_chans_valid;
    logic [31:0] ld_first_plane; // DRAM row of (n0, first channel of the block, h = 0)
    logic [31:0] ld_first_tbl;   // its table row
    logic [31:0] ld_chunk_addr;
    glb_addr_t   if_base_load;
    glb_addr_t   filt_base_load;
    logic [31:0] bias_addr;
    logic [31:0] out_row_addr;
    logic [31:0] out_index_addr; // row-table word of the tile's first row (b = 0, its first filter, e0)
    logic        accum;          // add the psums of earlier channel blocks (from the GLB)
    logic        psum_hold;      // the PEs keep this pass's psums (FC: out_w 1, n*p <= psum spad)...
    logic        psum_resume;    // ... and the next pass adds to them; only the last block's pass outputs
  } tile_cfg_t;

endpackage
