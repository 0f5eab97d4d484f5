// Issues one row_mover command per ifmap plane of a tile: image b (of n), channel c (of the block's valid
// channels), covering the tile rows hr whose input row h = h_start + hr lies inside the ifmap (rows outside are
// not loaded; the feeder sends zeros for them). The rows of a plane are consecutive in DRAM and in the GLB, so a
// raw plane is one linear copy and a coded plane one row-table burst plus one read per row. The row table is
// addressed in table rows (ctrl_pkg, tile_cfg_t): one 64-bit word each, or with 16-bit entries four per word, the
// plane's first row at a word boundary (the burst then starts at the word of the first loaded row, lane h mod 4).
// GLB layout as ifmap_feeder: [b][channel in block][tile row][pitch words].
// The tile's configuration (first plane and row, images, channels, GLB base) is taken at start_i and held: the
// controller registers the next pass's load configuration while a channel block's planes still load.
`include "common/ocelli_assert.svh"

module ifmap_loader
  import mem_pkg::*;
#(
  parameter int unsigned AddrWidth = 14
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,

  input  logic                    start_i,
  input  logic [AddrWidth-1:0]    glb_base_i,
  input  logic [7:0]              pitch_i,          // GLB words per row = raw DRAM words per row
  input  logic [AddrWidth-1:0]    plane_words_i,    // rows_tile * pitch
  input  logic [AddrWidth-1:0]    img_words_i,      // r*q planes per image
  input  logic [6:0]              rows_tile_i,
  input  logic signed [16:0]      h_start_i,
  input  logic [15:0]             in_h_i,           // H
  input  logic [15:0]             in_w_i,           // W (elements of a coded row)
  input  logic [3:0]              n_img_i,
  input  logic [8:0]              chans_valid_i,
  input  logic [MemAddrWidth-1:0] first_plane_i,    // DRAM row number of (n0, first channel, h = 0)
  input  logic [MemAddrWidth-1:0] chan_rows_i,      // H: rows between channels
  input  logic [MemAddrWidth-1:0] img_rows_i,       // C * H: rows between images
  input  logic                    tbl16_i,          // 16-bit row-table entries
  input  logic [MemAddrWidth-1:0] first_tbl_i,      // table row of (n0, first channel, h = 0)
  input  logic [MemAddrWidth-1:0] chan_tbl_i,       // table rows between channels
  input  logic [MemAddrWidth-1:0] img_tbl_i,        // table rows between images
  input  logic                    rlc_i,
  input  logic [MemAddrWidth-1:0] ifmap_addr_i,
  input  logic [MemAddrWidth-1:0] index_addr_i,
  input  logic [7:0]              slot_words_i,     // RLC slot words per row: ceil(W/3)
  output logic                    busy_o,

  output logic                    cmd_valid_o,
  input  logic                    cmd_ready_i,
  output logic                    cmd_rlc_o,
  output logic [MemAddrWidth-1:0] cmd_dram_addr_o,
  output logic [MemAddrWidth-1:0] cmd_index_addr_o,
  output logic                    cmd_tbl16_o,
  output logic [1:0]              cmd_index_lane_o,  // 16-bit entries: lane of the first row's entry
  output logic [23:0]             cmd_words_o,
  output logic [6:0]              cmd_rows_o,
  output logic [7:0]              cmd_slot_words_o,
  output logic [15:0]             cmd_elems_o,
  output logic [7:0]              cmd_glb_pitch_o,
  output logic [AddrWidth-1:0]    cmd_glb_addr_o
);
  logic                    gen_q;
  logic [AddrWidth-1:0]    glb_img_q, glb_plane_q;
  logic [MemAddrWidth-1:0] d_img_q, d_plane_q;
  logic [MemAddrWidth-1:0] t_img_q, t_plane_q;   // the same in table rows
  logic [1:0][8:0]         idx;    // u_loop: channel c, image b
  logic [1:0]              last, wrap;
  logic signed [16:0]      h_start_q, h_start;
  logic [3:0]              n_img_q;
  logic [8:0]              chans_q;

  // Rows of the tile inside the ifmap: hr_lo .. hr_hi (the same for every plane of the tile).
  logic signed [17:0]      lo_s, hi_s;
  logic [6:0]              hr_lo, rows;
  logic                    any_rows;
  assign h_start = start_i ? h_start_i : h_start_q;
  always_comb begin
    lo_s     = (h_start < 0) ? -18'(h_start) : 18'sd0;
    hi_s     = $signed({2'b00, in_h_i}) - 18'sd1 - 18'(h_start);
    if (hi_s > $signed({11'd0, rows_tile_i}) - 18'sd1) hi_s = $signed({11'd0, rows_tile_i}) - 18'sd1;
    any_rows = hi_s >= lo_s;
    hr_lo    = 7'(lo_s);
    rows     = any_rows ? 7'(hi_s - lo_s + 18'sd1) : 7'd0;
  end

  logic [MemAddrWidth-1:0] row_id;   // DRAM row number of the plane's first loaded row
  assign row_id = d_plane_q + MemAddrWidth'(h_start_q) + MemAddrWidth'(hr_lo);
  logic [MemAddrWidth-1:0] tbl_row;  // its table row
  assign tbl_row = t_plane_q + MemAddrWidth'(h_start_q) + MemAddrWidth'(hr_lo);

  // Commands in the order image b, channel c (inner): a plane's rows each.
  loop_nest #(.Levels(2), .Width(9)) u_loop (
    .clk_i, .rst_ni,
    .clear_i (start_i),
    .step_i  (gen_q && cmd_ready_i),
    .last_i  ({9'(n_img_q) - 9'd1, chans_q - 9'd1}),
    .idx_o   (idx),
    .last_o  (last),
    .wrap_o  (wrap)
  );
  logic unused_loop;  // (the wraps step the addresses; the indices themselves are not needed)
  assign unused_loop = ^{idx, last};

  assign cmd_valid_o      = gen_q;
  assign cmd_rlc_o        = rlc_i;
  assign cmd_dram_addr_o  = ifmap_addr_i + ((row_id * (rlc_i ? MemAddrWidth'(slot_words_i)
                                                             : MemAddrWidth'(pitch_i))) << 3);
  assign cmd_index_addr_o = index_addr_i + (tbl16_i ? ((tbl_row >> 2) << 3) : (tbl_row << 3));
  assign cmd_tbl16_o      = tbl16_i;
  assign cmd_index_lane_o = tbl16_i ? tbl_row[1:0] : 2'd0;
  assign cmd_words_o      = 24'(rows) * 24'(pitch_i);
  assign cmd_rows_o       = rows;
  assign cmd_slot_words_o = slot_words_i;
  assign cmd_elems_o      = in_w_i;
  assign cmd_glb_pitch_o  = pitch_i;
  assign cmd_glb_addr_o   = glb_plane_q + AddrWidth'(32'(hr_lo) * 32'(pitch_i));
  assign busy_o           = gen_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gen_q       <= 1'b0;
      glb_img_q   <= '0;
      glb_plane_q <= '0;
      d_img_q     <= '0;
      d_plane_q   <= '0;
      t_img_q     <= '0;
      t_plane_q   <= '0;
      h_start_q   <= '0;
      n_img_q     <= '0;
      chans_q     <= '0;
    end else if (start_i) begin
      gen_q       <= (n_img_i != '0) && (chans_valid_i != '0) && any_rows;
      glb_img_q   <= glb_base_i;
      glb_plane_q <= glb_base_i;
      d_img_q     <= first_plane_i;
      d_plane_q   <= first_plane_i;
      t_img_q     <= first_tbl_i;
      t_plane_q   <= first_tbl_i;
      h_start_q   <= h_start_i;
      n_img_q     <= n_img_i;
      chans_q     <= chans_valid_i;
    end else if (gen_q && cmd_ready_i) begin
      if (!wrap[0]) begin
        glb_plane_q <= glb_plane_q + plane_words_i;
        d_plane_q   <= d_plane_q + chan_rows_i;
        t_plane_q   <= t_plane_q + chan_tbl_i;
      end else if (!wrap[1]) begin
        glb_img_q   <= glb_img_q + img_words_i;
        glb_plane_q <= glb_img_q + img_words_i;
        d_img_q     <= d_img_q + img_rows_i;
        d_plane_q   <= d_img_q + img_rows_i;
        t_img_q     <= t_img_q + img_tbl_i;
        t_plane_q   <= t_img_q + img_tbl_i;
      end else begin
        gen_q <= 1'b0;
      end
    end
  end

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_cmd_stable, cmd_valid_o, cmd_ready_i,
                       {cmd_rlc_o, cmd_dram_addr_o, cmd_index_addr_o, cmd_tbl16_o, cmd_index_lane_o, cmd_words_o, cmd_rows_o, cmd_slot_words_o,
                        cmd_elems_o, cmd_glb_pitch_o, cmd_glb_addr_o})
endmodule
