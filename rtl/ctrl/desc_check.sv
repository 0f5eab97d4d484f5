// The descriptor checks (docs/isa.md, error codes) in priority order: the first rule a descriptor breaks names its
// error. Combinational: the controller reads err_o in the cycle after the descriptor is decoded (desc_fetch).
// The two values the checks compute on the way and the controller reuses come out as well.
module desc_check
  import ocelli_pkg::*;
  import ctrl_pkg::*;
  import isa_pkg::*;
#(
  parameter hw_cfg_t     Hw             = DefaultHw,  // the array and spads the mapping must fit
  parameter int unsigned MaxTileFilters = Hw.psum_spad * Hw.cols
) (
  input  layer_desc_t desc_i,
  input  logic        reserved_zero_i,  // the reserved descriptor words are zero
  output ctrl_err_e   err_o,
  output logic [11:0] lut_entries_o,    // LRN multiplier table entries
  output logic [9:0]  stream_w_o        // ifmap columns a row of outputs reads: (F-1)*stride_h + S
);
  logic is_conv, is_pool, is_lrn;
  assign is_conv = desc_i.opcode == OpConv;
  assign is_pool = desc_i.opcode == OpPool;
  assign is_lrn  = desc_i.opcode == OpLrn;

  // Shape checks (codes 2 and 3), mapping (code 4), and the rules of POOL and LRN.
  logic        shape_ok, out_ok, map_ok, pool_ok, lrn_ok;
  logic [31:0] lut_entries;
  logic [31:0] span_v, span_h, ev, fv;
  always_comb begin
    span_v = 32'(desc_i.in_h) + 32'(desc_i.pad_t) + 32'(desc_i.pad_b);
    span_h = 32'(desc_i.in_w) + 32'(desc_i.pad_l) + 32'(desc_i.pad_r);
    ev     = (32'(desc_i.out_h) - 1) * 32'(desc_i.stride_v) + 32'(desc_i.r_rows);
    fv     = (32'(desc_i.out_w) - 1) * 32'(desc_i.stride_h) + 32'(desc_i.s_cols);
    shape_ok = (desc_i.n_img != '0) && (desc_i.chans != '0) && (desc_i.in_h != '0) && (desc_i.in_w != '0) &&
               (desc_i.in_w <= 16'd1020) && (desc_i.filters != '0) && (desc_i.groups != '0 || !is_conv) &&
               (desc_i.r_rows >= 8'd1) && (desc_i.r_rows <= 8'd12) &&
               (desc_i.s_cols >= 8'd1) && (desc_i.s_cols <= 8'd12) &&
               (desc_i.stride_v == 4'd1 || desc_i.stride_v == 4'd2 || desc_i.stride_v == 4'd4) &&
               (desc_i.stride_h != '0) && (desc_i.shift <= 8'd31);
    out_ok = (desc_i.out_h != '0) && (desc_i.out_w != '0) && (desc_i.out_w <= 16'd255) &&
             (ev <= span_v) && (span_v < ev + 32'(desc_i.stride_v)) &&
             (fv <= span_h) && (span_h < fv + 32'(desc_i.stride_h)) && (fv <= 32'd1023);
    map_ok = (desc_i.map_n >= 8'd1) && (desc_i.map_n <= 8'd15) &&
             (desc_i.map_e >= 8'd1) && (desc_i.map_e <= 8'd14) &&
             (desc_i.map_p >= 8'd1) && (desc_i.map_p <= 8'(Hw.psum_spad)) &&
             (desc_i.map_q >= 8'd1) && (16'(desc_i.map_q) * 16'(desc_i.s_cols) <= 16'(Hw.ifmap_spad)) &&
             (32'(desc_i.map_p) * 32'(desc_i.map_q) * 32'(desc_i.s_cols) <= 32'(Hw.filter_spad)) &&
             (desc_i.map_f >= 8'd1) && (desc_i.map_r >= 8'd1) &&
             (16'(desc_i.map_r) * 16'(desc_i.r_rows) <= 16'(Hw.rows)) &&
             (desc_i.map_t >= 8'd1) && (16'(desc_i.map_t) * 16'(desc_i.map_e) <= 16'(Hw.cols)) &&
             ((32'(desc_i.map_e) - 1) * 32'(desc_i.stride_v) + 32'(desc_i.r_rows) <= 32'(1 << NocColIdWidth)) &&
             // 16-bit row-table entries: every tile's rows start a table word (one tile writes each word)
             (!desc_i.ofmap_tbl16 || (desc_i.out_h <= 16'(desc_i.map_e)) || (desc_i.map_e[1:0] == 2'b00));
    // POOL: every window holds an ifmap element (padding never wins), no requantization.
    pool_ok = (desc_i.pad_t < 4'(desc_i.r_rows)) && (desc_i.pad_l < 4'(desc_i.s_cols)) && (desc_i.shift == '0) &&
              ((32'(desc_i.out_h) - 1) * 32'(desc_i.stride_v) < 32'(desc_i.in_h) + 32'(desc_i.pad_t)) &&
              ((32'(desc_i.out_w) - 1) * 32'(desc_i.stride_h) < 32'(desc_i.in_w) + 32'(desc_i.pad_l));
    // LRN: a 1 x 1 window over the rows, an odd channel window, a table that fits the unit.
    lut_entries = 32'd1 + ((32'(desc_i.lrn_exp_max) - 32'(desc_i.lrn_exp_min) + 32'd1) << desc_i.lrn_mant_bits);
    lrn_ok = (desc_i.r_rows == 8'd1) && (desc_i.s_cols == 8'd1) && (desc_i.stride_v == 4'd1) &&
             (desc_i.stride_h == 4'd1) && ({desc_i.pad_t, desc_i.pad_b, desc_i.pad_l, desc_i.pad_r} == '0) &&
             (desc_i.shift == '0) && desc_i.lrn_size[0] &&
             (desc_i.lrn_mant_bits >= 3'd1) && (desc_i.lrn_mant_bits <= 3'd6) &&
             (desc_i.lrn_exp_min >= 8'(desc_i.lrn_mant_bits)) && (desc_i.lrn_exp_max >= desc_i.lrn_exp_min) &&
             (desc_i.lrn_exp_max <= 8'd34) && (desc_i.lrn_lut_frac <= 5'd30) &&
             (lut_entries <= 32'(LrnLutDepth)) && (desc_i.chans <= 16'(MaxTileFilters));
  end

  always_comb begin
    err_o = ErrNone;
    if (!(is_conv || is_pool || is_lrn) || !reserved_zero_i) begin
      err_o = ErrOpcode;
    end else if (!shape_ok || (is_pool && !pool_ok) || (is_lrn && !lrn_ok)) begin
      err_o = ErrShape;
    end else if (!out_ok) begin
      err_o = ErrOutShape;
    end else if (!map_ok || (16'(desc_i.map_p) * 16'(desc_i.map_t) > 16'(MaxTileFilters)) ||
                 (!is_conv && ({desc_i.map_p, desc_i.map_q, desc_i.map_r, desc_i.map_t, desc_i.map_f} !=
                               {5{8'd1}}))) begin
      err_o = ErrMapping;
    end else if (!is_conv && desc_i.filters != desc_i.chans) begin
      err_o = ErrGroups;
    end
  end

  assign lut_entries_o = 12'(lut_entries);
  assign stream_w_o    = 10'(fv);

  // The addresses and output flags are the controller's, not rules.
  logic unused_desc;
  assign unused_desc = ^desc_i;
endmodule
