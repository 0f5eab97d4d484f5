// Streams one pass's ifmap tile from the GLB into the ifmap GIN in the order the PEs consume it:
// image b, streamed column w, channel (vertical set vr, channel c within the PE), tile row hr (fastest), so that
// every PE diagonal advances together. Tags: row = vr (the X-buses of vertical set vr share that row ID),
// col = hr (PE(i, j) of a set has col ID i + j*stride_v). Padding, columns/rows outside the ifmap and channels past
// the group are sent as zeros without reading the GLB. Rows no PE uses (stride_v > R) are not sent.
// GLB tile layout: [b][channel in block][tile row][ceil(W/4) words], 4 elements per word.
`include "common/ocelli_assert.svh"

module ifmap_feeder
  import ocelli_pkg::*;
#(
  parameter int unsigned AddrWidth = 14
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,

  input  logic                 start_i,
  input  logic [AddrWidth-1:0] base_i,
  input  logic [7:0]           pitch_i,       // words per tile row: ceil(W/4)
  input  logic [AddrWidth-1:0] plane_words_i, // rows_tile * pitch
  input  logic [6:0]           rows_tile_i,   // (e-1)*stride_v + R
  input  logic [15:0]          in_w_i,        // W
  input  logic [15:0]          in_h_i,        // H
  input  logic [9:0]           stream_w_i,    // (F-1)*stride_h + S columns per row
  input  logic [3:0]           pad_l_i,
  input  logic signed [16:0]   h_start_i,     // input row of tile row 0: e0*stride_v - pad_t
  input  logic [3:0]           n_img_i,       // images in this pass
  input  logic [3:0]           sets_v_i,      // r
  input  logic [3:0]           q_i,           // channels per PE
  input  logic [7:0]           chans_valid_i, // channels of this block inside the group (<= r*q)
  input  logic [3:0]           r_rows_i,      // R
  input  logic [1:0]           stride_v_log2_i,
  output logic                 busy_o,

  output logic                 glb_valid_o,
  input  logic                 glb_ready_i,
  output logic [AddrWidth-1:0] glb_addr_o,
  input  logic                 glb_rsp_valid_i,
  input  logic [63:0]          glb_rsp_data_i,

  output logic                 gin_valid_o,
  input  logic                 gin_ready_i,
  output ifmap_word_t          gin_data_o,
  output logic [NocRowIdWidth-1:0] gin_row_tag_o,
  output logic [NocColIdWidth-1:0] gin_col_tag_o
);
  localparam int unsigned SideW = 2 + NocRowIdWidth + NocColIdWidth;

  logic                   gen_q;
  logic [3:0]             b_q;
  logic [9:0]             wr_q;
  logic signed [16:0]     w_q;           // input column of wr (wr - pad_l)
  logic [7:0]             crel_q;        // channel within the block
  logic [3:0]             vr_q, c_q;
  logic [6:0]             hr_q;
  logic [AddrWidth-1:0]   hr_off_q;      // hr * pitch
  logic [AddrWidth-1:0]   plane_q;       // base of (b, crel)
  logic [AddrWidth-1:0]   img_q;         // base of image b
  logic signed [16:0]     h_q;           // input row of hr

  logic                   covered, skip, req_ready, step, reader_idle;
  logic                   last_hr, last_c, last_vr, last_wr, last_b;
  logic [SideW-1:0]       side;
  logic [1:0]             lane;
  logic [63:0]            word;
  logic [6:0]             stride_mask;

  assign stride_mask = (7'd1 << stride_v_log2_i) - 7'd1;
  // Tile row hr feeds PE(i, j) with i + j*stride_v = hr: some i < R exists iff hr mod stride_v < R.
  assign covered = (hr_q & stride_mask) < 7'(r_rows_i);
  assign skip    = (w_q < 0) || (w_q >= $signed({1'b0, in_w_i})) || (h_q < 0) ||
                   (h_q >= $signed({1'b0, in_h_i})) || (crel_q >= chans_valid_i);

  assign last_hr = hr_q == rows_tile_i - 1'b1;
  assign last_c  = c_q == q_i - 1'b1;
  assign last_vr = vr_q == sets_v_i - 1'b1;
  assign last_wr = wr_q == stream_w_i - 1'b1;
  assign last_b  = b_q == n_img_i - 1'b1;

  // An uncovered row is stepped over without a request.
  assign step = gen_q && (!covered || req_ready);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gen_q    <= 1'b0;
      b_q      <= '0;
      wr_q     <= '0;
      w_q      <= '0;
      crel_q   <= '0;
      vr_q     <= '0;
      c_q      <= '0;
      hr_q     <= '0;
      hr_off_q <= '0;
      plane_q  <= '0;
      img_q    <= '0;
      h_q      <= '0;
    end else if (start_i) begin
      gen_q    <= 1'b1;
      b_q      <= '0;
      wr_q     <= '0;
      w_q      <= -$signed({13'd0, pad_l_i});
      crel_q   <= '0;
      vr_q     <= '0;
      c_q      <= '0;
      hr_q     <= '0;
      hr_off_q <= '0;
      plane_q  <= base_i;
      img_q    <= base_i;
      h_q      <= h_start_i;
    end else if (step) begin
      if (!last_hr) begin
        hr_q     <= hr_q + 1'b1;
        hr_off_q <= hr_off_q + AddrWidth'(pitch_i);
        h_q      <= h_q + 1;
      end else begin
        hr_q     <= '0;
        hr_off_q <= '0;
        h_q      <= h_start_i;
        if (!(last_c && last_vr)) begin
          crel_q  <= crel_q + 1'b1;
          plane_q <= plane_q + plane_words_i;
          if (!last_c) begin
            c_q <= c_q + 1'b1;
          end else begin
            c_q  <= '0;
            vr_q <= vr_q + 1'b1;
          end
        end else begin
          crel_q <= '0;
          c_q    <= '0;
          vr_q   <= '0;
          if (!last_wr) begin
            wr_q    <= wr_q + 1'b1;
            w_q     <= w_q + 1;
            plane_q <= img_q;
          end else begin
            wr_q <= '0;
            w_q  <= -$signed({13'd0, pad_l_i});
            if (!last_b) begin
              b_q     <= b_q + 1'b1;
              img_q   <= plane_q + plane_words_i;  // the plane after the last channel of image b
              plane_q <= plane_q + plane_words_i;
            end else begin
              gen_q <= 1'b0;
            end
          end
        end
      end
    end
  end

  logic [AddrWidth-1:0] req_addr;
  assign req_addr = plane_q + hr_off_q + AddrWidth'(w_q[15:2]);

  glb_reader #(.AddrWidth(AddrWidth), .SideWidth(SideW)) u_reader (
    .clk_i,
    .rst_ni,
    .req_valid_i     (gen_q && covered),
    .req_ready_o     (req_ready),
    .req_addr_i      (req_addr),
    .req_skip_i      (skip),
    .req_side_i      ({w_q[1:0], NocRowIdWidth'(vr_q), NocColIdWidth'(hr_q)}),
    .glb_valid_o,
    .glb_ready_i,
    .glb_addr_o,
    .glb_rsp_valid_i,
    .glb_rsp_data_i,
    .out_valid_o     (gin_valid_o),
    .out_ready_i     (gin_ready_i),
    .out_data_o      (word),
    .out_side_o      (side),
    .idle_o          (reader_idle)
  );

  assign {lane, gin_row_tag_o, gin_col_tag_o} = side;
  // One value per transfer, in lane 0.
  assign gin_data_o.count = 3'd1;
  always_comb begin
    gin_data_o.lanes    = '0;
    gin_data_o.lanes[0] = word[lane * DataWidth +: DataWidth];
  end
  assign busy_o = gen_q || !reader_idle;

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_glb_req_stable, glb_valid_o, glb_ready_i, glb_addr_o)
  `OCELLI_ASSERT_STREAM(a_gin_stable, gin_valid_o, gin_ready_i, {gin_data_o, gin_row_tag_o, gin_col_tag_o})
endmodule
