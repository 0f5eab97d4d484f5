// Layer descriptor fields and controller types (docs/isa.md).
package ctrl_pkg;

  localparam int unsigned DescWords = 16;  // 128-byte descriptor, 16 x 64-bit words

  typedef enum logic [7:0] {
    OpConv = 8'd1,  // convolution (FC is a convolution whose filter covers the ifmap)
    OpPool = 8'd2,  // max pooling, one channel per tile, through the post-processing unit
    OpLrn  = 8'd3   // local response normalisation across channels, all channels per tile
  } opcode_e;

  // LRN multiplier table: entries in the post-processing unit (docs/isa.md, LRN).
  localparam int unsigned LrnLutDepth = 2048;

  // Error codes reported in the status register (docs/isa.md, "Error codes").
  typedef enum logic [7:0] {
    ErrNone      = 8'd0,
    ErrOpcode    = 8'd1,
    ErrShape     = 8'd2,
    ErrOutShape  = 8'd3,
    ErrMapping   = 8'd4,
    ErrGlbFit    = 8'd5,
    ErrGroups    = 8'd6,
    ErrDma       = 8'd7,
    ErrRlc       = 8'd8,
    ErrWatchdog  = 8'd9
  } ctrl_err_e;

  // The decoded descriptor.
  typedef struct packed {
    logic [7:0]  opcode;
    logic        relu;
    logic        ifmap_rlc;
    logic        ofmap_rlc;
    logic [7:0]  groups;
    logic [7:0]  shift;
    logic [15:0] n_img;   // N
    logic [15:0] chans;   // C
    logic [15:0] in_h;    // H
    logic [15:0] in_w;    // W
    logic [15:0] filters; // M
    logic [7:0]  r_rows;  // R
    logic [7:0]  s_cols;  // S
    logic [3:0]  stride_v;
    logic [3:0]  stride_h;
    logic [3:0]  pad_t;
    logic [3:0]  pad_b;
    logic [3:0]  pad_l;
    logic [3:0]  pad_r;
    logic [15:0] out_h;   // E
    logic [15:0] out_w;   // F
    logic [7:0]  map_n;
    logic [7:0]  map_e;
    logic [7:0]  map_p;
    logic [7:0]  map_q;
    logic [7:0]  map_r;
    logic [7:0]  map_t;
    logic [31:0] ifmap_addr;
    logic [31:0] ofmap_addr;
    logic [31:0] weight_addr;
    logic [31:0] bias_addr;
    logic [31:0] ifmap_index_addr;
    logic [31:0] ofmap_index_addr;
    // LRN only (word 3, bits 63:32)
    logic [7:0]  lrn_exp_min;
    logic [7:0]  lrn_exp_max;
    logic [4:0]  lrn_lut_frac;
    logic [2:0]  lrn_mant_bits;
    logic [3:0]  lrn_size;
  } layer_desc_t;

  function automatic layer_desc_t decode_desc(logic [7:0][63:0] w);  // words 8-15 are reserved
    layer_desc_t d;
    d.opcode           = w[0][7:0];
    d.relu             = w[0][8];
    d.ifmap_rlc        = w[0][9];
    d.ofmap_rlc        = w[0][10];
    d.groups           = w[0][23:16];
    d.shift            = w[0][31:24];
    d.n_img            = w[1][15:0];
    d.chans            = w[1][31:16];
    d.in_h             = w[1][47:32];
    d.in_w             = w[1][63:48];
    d.filters          = w[2][15:0];
    d.r_rows           = w[2][23:16];
    d.s_cols           = w[2][31:24];
    d.stride_v         = w[2][35:32];
    d.stride_h         = w[2][39:36];
    d.pad_t            = w[2][43:40];
    d.pad_b            = w[2][47:44];
    d.pad_l            = w[2][51:48];
    d.pad_r            = w[2][55:52];
    d.out_h            = w[3][15:0];
    d.out_w            = w[3][31:16];
    d.map_n            = w[4][7:0];
    d.map_e            = w[4][15:8];
    d.map_p            = w[4][23:16];
    d.map_q            = w[4][31:24];
    d.map_r            = w[4][39:32];
    d.map_t            = w[4][47:40];
    d.ifmap_addr       = w[5][31:0];
    d.ofmap_addr       = w[5][63:32];
    d.weight_addr      = w[6][31:0];
    d.bias_addr        = w[6][63:32];
    d.ifmap_index_addr = w[7][31:0];
    d.ofmap_index_addr = w[7][63:32];
    d.lrn_exp_min      = w[3][39:32];
    d.lrn_exp_max      = w[3][47:40];
    d.lrn_lut_frac     = w[3][52:48];
    d.lrn_mant_bits    = w[3][58:56];
    d.lrn_size         = w[3][63:60];
    return d;
  endfunction

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
    logic [13:0] plane_words;    // rows_tile * pitch
    logic [13:0] if_img_words;   // q*r * plane_words
    logic [7:0]  slot_in;        // ceil(W/3)
    logic [7:0]  pitch2;         // ceil(F/2)
    logic [13:0] ps_group_words; // e * pitch2
    logic [13:0] ps_img_words;   // p*t * e * pitch2
    logic [13:0] ps_base;
    logic [7:0]  blk_len;        // p*q*S
    logic [7:0]  blk_pitch;      // ceil(p*q*S/4)
    logic [3:0]  blk_rows;       // r*R
    logic [23:0] chunk_words;
    logic [31:0] ifmap_addr;
    logic [31:0] ifmap_index_addr;
    logic [31:0] chan_rows;      // H
    logic [31:0] img_rows_in;    // C*H
    logic [31:0] filter_rows_out;// E
    logic [31:0] image_rows_out; // M*E
    logic [31:0] out_slot_words; // ceil(F/4) raw, ceil(F/3) RLC
    logic        dbuf;           // ifmap and filter buffers are doubled: the next block loads during a pass
    logic        resident;       // every channel block of the tile has its own ifmap buffer: loaded once per group
    // tile
    logic [3:0]  n_eff;
    logic [8:0]  chans_valid;    // of the block in the pass
    logic [8:0]  filters_valid;
    logic [4:0]  rows_valid;
    logic signed [16:0] h_start;
    logic [13:0] if_base_pass;   // GLB ifmap buffer and filter buffer the pass reads
    logic [13:0] filt_base_pass;
    // the block being loaded (the pass's own, or the next one while the pass runs)
    logic [8:0]  ld_chans_valid;
    logic [31:0] ld_first_plane; // DRAM row of (n0, first channel of the block, h = 0)
    logic [31:0] ld_chunk_addr;
    logic [13:0] if_base_load;
    logic [13:0] filt_base_load;
    logic [31:0] bias_addr;
    logic [31:0] out_row_addr;
    logic [31:0] out_index_addr;
    logic        accum;          // add the psums of earlier channel blocks (from the GLB)
    logic        psum_hold;      // the PEs keep this pass's psums (FC: out_w 1, n*p <= psum spad)...
    logic        psum_resume;    // ... and the next pass adds to them; only the last block's pass outputs
  } tile_cfg_t;

endpackage
