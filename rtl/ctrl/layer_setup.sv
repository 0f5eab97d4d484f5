// The layer's constant part of the tile configuration (combinational): the fields of tile_cfg_t that follow from
// the descriptor alone (flags, shapes, the mapping, layer-wide strides and table sizes), set once per layer when the
// sequencer leaves StPrep1 (layer_ctrl); every other field keeps its value from cfg_i.
module layer_setup
  import ocelli_pkg::*;
  import ctrl_pkg::*;
  import isa_pkg::*;
(
  input  layer_desc_t desc_i,
  input  logic [11:0] lut_entries_i,  // LRN table entries (desc_check)
  input  logic [9:0]  stream_w_i,     // (F-1)*stride_h + S (desc_check)
  input  tile_cfg_t   cfg_i,          // the configuration now
  output tile_cfg_t   cfg_o           // the same with the layer's fields
);
  logic is_conv, is_lrn;
  assign is_conv = desc_i.opcode == OpConv;
  assign is_lrn  = desc_i.opcode == OpLrn;

  logic [15:0] out_slot_rlc, out_slot_raw;
  assign out_slot_rlc = (desc_i.out_w + 16'd2) / 16'd3;
  assign out_slot_raw = (desc_i.out_w + 16'd3) >> 2;

  // Filters per column set of the psum layout (tile_cfg_t): p, or every channel of a POOL/LRN tile (POOL: p = t = 1).
  logic [8:0] set_filters;
  assign set_filters = is_lrn ? desc_i.chans[8:0] : 9'(desc_i.map_p);

  // Table rows per plane (ctrl_pkg, tile_cfg_t): the rows, or with 16-bit entries the rows rounded up to whole words.
  logic [31:0] tbl_chan_in, tbl_filter_out;
  assign tbl_chan_in    = desc_i.ifmap_tbl16 ? {16'd0, (desc_i.in_h + 16'd3) & 16'hfffc} : 32'(desc_i.in_h);
  assign tbl_filter_out = desc_i.ofmap_tbl16 ? {16'd0, (desc_i.out_h + 16'd3) & 16'hfffc} : 32'(desc_i.out_h);

  logic [1:0] stride_v_log2;
  assign stride_v_log2 = (desc_i.stride_v == 4'd4) ? 2'd2 : (desc_i.stride_v == 4'd2) ? 2'd1 : 2'd0;

  always_comb begin
    cfg_o = cfg_i;
    cfg_o.op_lrn           = is_lrn;
    cfg_o.bias_en          = is_conv;
    cfg_o.lrn_size         = desc_i.lrn_size;
    cfg_o.lrn_exp_min      = desc_i.lrn_exp_min[5:0];
    cfg_o.lrn_mant_bits    = desc_i.lrn_mant_bits;
    cfg_o.lrn_lut_frac     = desc_i.lrn_lut_frac;
    cfg_o.lrn_chans        = desc_i.chans[8:0];
    cfg_o.lut_addr         = desc_i.weight_addr;
    cfg_o.lut_entries      = lut_entries_i;
    cfg_o.relu             = desc_i.relu;
    cfg_o.filt_outer       = desc_i.filt_outer;
    cfg_o.ifmap_rlc        = desc_i.ifmap_rlc;
    cfg_o.ofmap_rlc        = desc_i.ofmap_rlc;
    cfg_o.shift            = desc_i.shift[4:0];
    cfg_o.in_w             = desc_i.in_w;
    cfg_o.in_h             = desc_i.in_h;
    cfg_o.s_cols           = desc_i.s_cols[3:0];
    cfg_o.r_rows           = desc_i.r_rows[3:0];
    cfg_o.stride_h         = desc_i.stride_h;
    cfg_o.stride_v_log2    = stride_v_log2;
    cfg_o.pad_l            = desc_i.pad_l;
    cfg_o.out_w            = desc_i.out_w[7:0];
    cfg_o.stream_w         = stream_w_i;
    cfg_o.p                = desc_i.map_p[4:0];
    cfg_o.q                = desc_i.map_q[3:0];
    cfg_o.r                = desc_i.map_r[3:0];
    cfg_o.t                = desc_i.map_t[3:0];
    cfg_o.e                = desc_i.map_e[4:0];
    cfg_o.rows_pe          = 4'(desc_i.map_r * desc_i.r_rows);
    cfg_o.cols_pe          = 5'(desc_i.map_t * desc_i.map_e);
    cfg_o.pt               = is_lrn ? desc_i.chans[8:0] : 9'(desc_i.map_p * desc_i.map_t);
    cfg_o.pitch            = 8'((desc_i.in_w + 16'd3) >> 2);
    cfg_o.rows_tile        = 7'((desc_i.map_e - 8'd1) * desc_i.stride_v + desc_i.r_rows);
    cfg_o.slot_in          = 8'((desc_i.in_w + 16'd2) / 16'd3);
    cfg_o.ps_set_filters   = set_filters;
    cfg_o.ps_x_words       = 8'((10'(set_filters) + 10'd1) >> 1);
    cfg_o.blk_len          = 8'(desc_i.map_p * desc_i.map_q * desc_i.s_cols);
    cfg_o.blk_pitch        = 8'((16'(desc_i.map_p) * 16'(desc_i.map_q) * 16'(desc_i.s_cols) + 16'd3) >> 2);
    cfg_o.blk_rows         = 4'(desc_i.map_r * desc_i.r_rows);
    cfg_o.ifmap_addr       = desc_i.ifmap_addr;
    cfg_o.ifmap_index_addr = desc_i.ifmap_index_addr;
    cfg_o.chan_rows        = 32'(desc_i.in_h);
    cfg_o.img_rows_in      = 32'(desc_i.chans) * 32'(desc_i.in_h);
    cfg_o.filter_rows_out  = 32'(desc_i.out_h);
    cfg_o.image_rows_out   = 32'(desc_i.filters) * 32'(desc_i.out_h);
    cfg_o.ifmap_tbl16      = desc_i.ifmap_tbl16;
    cfg_o.ofmap_tbl16      = desc_i.ofmap_tbl16;
    cfg_o.tbl_chan_in      = tbl_chan_in;
    cfg_o.tbl_img_in       = 32'(desc_i.chans) * tbl_chan_in;
    cfg_o.tbl_filter_out   = tbl_filter_out;
    cfg_o.tbl_image_out    = 32'(desc_i.filters) * tbl_filter_out;
    cfg_o.out_slot_words   = desc_i.ofmap_rlc ? 32'(out_slot_rlc) : 32'(out_slot_raw);
  end

  // Read by the checks and the sequencer only.
  logic unused;
  assign unused = ^{desc_i.n_img, desc_i.pad_t, desc_i.pad_b, desc_i.pad_r, desc_i.map_n, desc_i.map_f, desc_i.map_wres,
                    desc_i.groups, desc_i.lrn_exp_max, desc_i.lrn_exp_min[7:6], desc_i.bias_addr,
                    desc_i.ofmap_addr, desc_i.ofmap_index_addr};
endmodule
