// Output path of a tile: GLB psums -> + bias -> requantize (round half up, saturate, docs/numerics.md) -> ReLU
// -> RLC encoder (or raw packing) -> DRAM, one ofmap row (b, filter, j) at a time. Coded rows go into a row buffer;
// when a row is complete it is written to its slot, and after the rows of one (b, filter) the row-table entries
// (lengths in words) are written in one burst: one 64-bit word per row, or (tbl16) 16-bit entries four per word,
// the group's first row in lane 0 (the controller checks that every tile starts a table word). Rows outside the
// layer (filters past the group, rows past E) are skipped. Bias for the tile's filters is read once at start.
`include "common/ocelli_assert.svh"

module output_stage
  import ocelli_pkg::*;
  import mem_pkg::*;
#(
  parameter int unsigned AddrWidth = 14,
  parameter int unsigned Cols       = ArrayCols,             // e <= Cols rows per tile
  parameter int unsigned MaxFilters = PsumSpadDepth * Cols   // p*t
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,

  input  logic                    start_i,
  // tile
  input  logic [AddrWidth-1:0]    psum_base_i,
  // psum layout (ctrl_pkg, tile_cfg_t): [b][set][row j][column x][x_words], filters 2k, 2k+1 of a set per word
  input  logic [8:0]              set_filters_i,   // filters per set
  input  logic [7:0]              x_words_i,       // ceil(set_filters / 2)
  input  logic [AddrWidth-1:0]    row_words_i,     // F * x_words
  input  logic [AddrWidth-1:0]    set_words_i,     // e * row_words
  input  logic [3:0]              n_img_i,
  input  logic [8:0]              filters_i,       // p*t filters in the GLB block
  input  logic [8:0]              filters_valid_i, // of them inside the group
  input  logic [4:0]              rows_i,          // e
  input  logic [4:0]              rows_valid_i,    // of them inside the ofmap
  input  logic [7:0]              out_w_i,         // F
  input  logic [4:0]              shift_i,
  input  logic                    relu_i,
  input  logic                    bias_en_i,       // CONV: add the filters' bias; POOL/LRN: none is read
  input  logic                    rlc_i,
  input  logic [MemAddrWidth-1:0] bias_addr_i,     // of the tile's first filter (4-byte aligned)
  input  logic [MemAddrWidth-1:0] row_addr_i,      // DRAM slot of row (b=0, filter 0, j=0)
  input  logic [MemAddrWidth-1:0] index_addr_i,    // row-table word of that row
  input  logic [MemAddrWidth-1:0] slot_words_i,    // words per row slot: ceil(F/4) raw, ceil(F/3) RLC
  input  logic [MemAddrWidth-1:0] filter_rows_i,   // E: rows between filters in DRAM
  input  logic [MemAddrWidth-1:0] image_rows_i,    // M * E: rows between images in DRAM
  input  logic                    tbl16_i,         // 16-bit row-table entries
  input  logic [MemAddrWidth-1:0] tbl_filter_i,    // table rows between filters (E, or 4*ceil(E/4) with tbl16)
  input  logic [MemAddrWidth-1:0] tbl_image_i,     // table rows between images (M * tbl_filter_i)
  output logic                    busy_o,
  output logic                    reads_done_o,    // no DMA read left (the bias is in): only GLB reads and writes

  output glb_port_req_t           glb_o,  // GLB reads (u_reader)
  input  glb_port_rsp_t           glb_i,

  output dma_rd_req_t             rd_req_o,        // the bias
  input  dma_rd_rsp_t             rd_rsp_i,
  output dma_wr_req_t             wr_req_o,        // the ofmap rows and their row table
  input  dma_wr_rsp_t             wr_rsp_i,

  input  logic                    perf_clear_i,    // restart both counters (each layer's start)
  output logic [31:0]             rlc_words_o,     // coded words produced (performance counter)
  output logic [31:0]             saturated_o      // outputs clipped to 16 bits (since perf_clear_i)
);
  localparam int unsigned BufDepth = 96;  // >= ceil(255/3) words: one coded row of the widest ofmap
  localparam int unsigned FiltW    = $clog2(MaxFilters);

  // ---------------- bias ----------------
  typedef enum logic [1:0] {BiasIdle, BiasCmd, BiasData, BiasDone} bias_state_e;
  bias_state_e      bias_state_q;
  psum_t            bias_q [MaxFilters];
  logic [8:0]       bias_n_q;      // biases stored
  logic             bias_skip_q;   // the first word's low half belongs to the filter before the tile

  assign rd_req_o.cmd_valid  = bias_state_q == BiasCmd;
  assign rd_req_o.cmd.addr   = {bias_addr_i[MemAddrWidth-1:3], 3'b000};
  // Biases of the filters inside the group, two per word.
  assign rd_req_o.cmd.words  = 24'((({15'd0, filters_valid_i} + 24'(bias_addr_i[2])) + 24'd1) >> 1);
  assign rd_req_o.data_ready = bias_state_q == BiasData;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bias_state_q <= BiasIdle;
      bias_n_q     <= '0;
      bias_skip_q  <= 1'b0;
    end else if (start_i) begin
      bias_state_q <= bias_en_i ? BiasCmd : BiasDone;
      bias_n_q     <= '0;
      bias_skip_q  <= bias_addr_i[2];
    end else begin
      unique case (bias_state_q)
        BiasCmd:  if (rd_rsp_i.cmd_ready) bias_state_q <= BiasData;
        BiasData: if (rd_rsp_i.data_valid) begin
          // Two biases per word; the very first low half is skipped when the tile starts on an odd filter.
          if (bias_skip_q) begin
            bias_q[FiltW'(bias_n_q)] <= rd_rsp_i.data[63:32];
            bias_n_q    <= bias_n_q + 9'd1;
            bias_skip_q <= 1'b0;
          end else begin
            bias_q[FiltW'(bias_n_q)] <= rd_rsp_i.data[31:0];
            if (bias_n_q + 9'd1 < filters_valid_i) bias_q[FiltW'(bias_n_q + 9'd1)] <= rd_rsp_i.data[63:32];
            bias_n_q <= bias_n_q + 9'd2;
          end
        end
        default: ;
      endcase
      if (bias_state_q == BiasData && bias_n_q >= filters_valid_i) bias_state_q <= BiasDone;
    end
  end

  // ---------------- psum reads, row by row ----------------
  logic                 gen_q;
  logic [3:0]           b_q;
  logic [8:0]           m_q;
  logic [4:0]           j_q;
  logic [7:0]           x_q;
  logic [8:0]           ml_q;        // filter within its set
  logic [AddrWidth-1:0] set_base_q, row_base_q, xo_q;  // base of (b, set); of (b, set, j); x * x_words
  logic                 row_valid, last_x, last_j, last_m, last_b, req_ready, step, reader_idle;

  assign row_valid = (m_q < filters_valid_i) && (j_q < rows_valid_i);
  assign last_x = x_q == out_w_i - 1'b1;
  assign last_j = j_q == rows_i - 1'b1;
  assign last_m = m_q == filters_i - 1'b1;
  assign last_b = b_q == n_img_i - 1'b1;
  // Rows outside the layer are stepped over a whole row at a time.
  assign step = gen_q && (bias_state_q == BiasDone) && (!row_valid || req_ready);

  // The next filter's set base: the same set, or the next set after its last filter; sets follow each other
  // through the images.
  logic                 next_set;
  logic [AddrWidth-1:0] set_next;
  assign next_set = ml_q == set_filters_i - 9'd1;
  assign set_next = next_set ? set_base_q + set_words_i : set_base_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gen_q      <= 1'b0;
      b_q        <= '0;
      m_q        <= '0;
      ml_q       <= '0;
      j_q        <= '0;
      x_q        <= '0;
      set_base_q <= '0;
      row_base_q <= '0;
      xo_q       <= '0;
    end else if (start_i) begin
      gen_q      <= 1'b1;
      b_q        <= '0;
      m_q        <= '0;
      ml_q       <= '0;
      j_q        <= '0;
      x_q        <= '0;
      set_base_q <= psum_base_i;
      row_base_q <= psum_base_i;
      xo_q       <= '0;
    end else if (step) begin
      if (row_valid && !last_x) begin
        x_q  <= x_q + 1'b1;
        xo_q <= xo_q + AddrWidth'(x_words_i);
      end else begin
        x_q  <= '0;
        xo_q <= '0;
        if (!last_j) begin
          j_q        <= j_q + 1'b1;
          row_base_q <= row_base_q + row_words_i;
        end else begin
          j_q        <= '0;
          ml_q       <= next_set ? '0 : ml_q + 9'd1;
          set_base_q <= set_next;
          row_base_q <= set_next;
          if (!last_m) begin
            m_q <= m_q + 1'b1;
          end else begin
            m_q <= '0;
            if (!last_b) begin
              b_q <= b_q + 1'b1;
            end else begin
              gen_q <= 1'b0;
            end
          end
        end
      end
    end
  end

  logic [63:0]      rd_word;
  logic [FiltW+1:0] rd_side;   // {odd filter of its word, last of row, filter}
  logic             elem_valid, elem_ready;

  glb_reader #(.AddrWidth(AddrWidth), .SideWidth(FiltW + 2)) u_reader (
    .clk_i, .rst_ni,
    .req_valid_i     (gen_q && row_valid && (bias_state_q == BiasDone)),
    .req_ready_o     (req_ready),
    .req_addr_i      (row_base_q + xo_q + AddrWidth'(ml_q[8:1])),
    .req_skip_i      (1'b0),
    .req_side_i      ({ml_q[0], last_x, FiltW'(m_q)}),
    .glb_o, .glb_i,
    .out_valid_o     (elem_valid),
    .out_ready_i     (elem_ready),
    .out_data_o      (rd_word),
    .out_side_o      (rd_side),
    .idle_o          (reader_idle)
  );

  // ---------------- bias, requantization, ReLU ----------------
  psum_t    acc;
  requant_t quant;
  data_t    elem;
  logic     elem_last, saturate;

  assign acc       = (rd_side[FiltW+1] ? rd_word[63:32] : rd_word[31:0]) + (bias_en_i ? bias_q[rd_side[FiltW-1:0]] : psum_t'(0));
  assign elem_last = rd_side[FiltW];
  assign quant     = requantize(34'(acc), shift_i);
  assign saturate  = quant.saturated;
  assign elem      = (relu_i && quant.value[15]) ? '0 : quant.value;

  // ---------------- coding into the row buffer ----------------
  logic        enc_in_ready, enc_out_valid, enc_out_ready, enc_out_last;
  logic [63:0] enc_out_word;
  logic [1:0]  raw_n_q;
  logic [47:0] raw_q;
  logic        buf_in_valid, buf_in_ready, buf_out_valid, buf_out_ready;
  logic [63:0] buf_in_word, buf_out_word;
  logic        row_done;            // the row's last word enters the buffer
  logic [7:0]  row_words_q;         // words of the row being coded

  rlc_encoder u_encoder (
    .clk_i,
    .rst_ni,
    .in_valid_i  (rlc_i && elem_valid),
    .in_ready_o  (enc_in_ready),
    .in_data_i   (elem),
    .in_last_i   (elem_last),
    .out_valid_o (enc_out_valid),
    .out_ready_i (enc_out_ready),
    .out_word_o  (enc_out_word),
    .out_last_o  (enc_out_last)
  );

  logic raw_flush;
  assign raw_flush     = elem_valid && (raw_n_q == 2'd3 || elem_last);
  assign enc_out_ready = rlc_i && buf_in_ready && counts_ready;
  assign elem_ready    = rlc_i ? enc_in_ready : (!raw_flush || (buf_in_ready && counts_ready));
  assign buf_in_valid  = rlc_i ? enc_out_valid : raw_flush;
  assign row_done      = rlc_i ? (enc_out_valid && enc_out_last) : (raw_flush && elem_last);
  always_comb begin
    if (rlc_i) begin
      buf_in_word = enc_out_word;
    end else begin
      unique case (raw_n_q)
        2'd0:    buf_in_word = {48'd0, elem};
        2'd1:    buf_in_word = {32'd0, elem, raw_q[47:32]};
        2'd2:    buf_in_word = {16'd0, elem, raw_q[47:16]};
        default: buf_in_word = {elem, raw_q};
      endcase
    end
  end

  logic       buf_push;
  logic [6:0] buf_count;
  logic [2:0] counts_count;
  assign buf_push = buf_in_valid && buf_in_ready && counts_ready;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      raw_n_q     <= '0;
      raw_q       <= '0;
      row_words_q <= '0;
    end else begin
      if (!rlc_i && elem_valid && elem_ready) begin
        if (raw_flush) begin
          raw_n_q <= '0;
          raw_q   <= '0;
        end else begin
          raw_n_q <= raw_n_q + 1'b1;
          raw_q   <= {elem, raw_q[47:16]};
        end
      end
      if (buf_push) row_words_q <= row_done ? '0 : row_words_q + 1'b1;
    end
  end

  stream_fifo #(.Width(64), .Depth(BufDepth)) u_row_buf (
    .clk_i,
    .rst_ni,
    .clear_i     (1'b0),
    .in_valid_i  (buf_in_valid && counts_ready),
    .in_ready_o  (buf_in_ready),
    .in_data_i   (buf_in_word),
    .out_valid_o (buf_out_valid),
    .out_ready_i (buf_out_ready),
    .out_data_o  (buf_out_word),
    .count_o     (buf_count)
  );

  // Lengths of the rows waiting in the buffer.
  logic       counts_ready, counts_valid, counts_pop;
  logic [7:0] count_head;
  stream_fifo #(.Width(8), .Depth(4)) u_counts (
    .clk_i,
    .rst_ni,
    .clear_i     (1'b0),
    .in_valid_i  (buf_push && row_done),
    .in_ready_o  (counts_ready),
    .in_data_i   (row_words_q + 1'b1),
    .out_valid_o (counts_valid),
    .out_ready_i (counts_pop),
    .out_data_o  (count_head),
    .count_o     (counts_count)
  );

  // ---------------- writer: row slots, then the row table of each (b, filter) ----------------
  typedef enum logic [2:0] {WrNext, WrRowCmd, WrRowData, WrAdvance, WrIdxCmd, WrIdxData, WrDone} wr_state_e;
  wr_state_e                 wr_state_q;
  logic [3:0]                wb_q;
  logic [8:0]                wm_q;
  logic [4:0]                wj_q;
  logic [MemAddrWidth-1:0]   w_row_q, w_fm_q, w_img_q;  // DRAM row numbers (not bytes)
  logic [MemAddrWidth-1:0]   t_fm_q, t_img_q;           // table rows of w_fm_q, w_img_q
  logic [MemAddrWidth-1:0]   idx_row_q;                 // table row of the group whose table is written
  logic [4:0]                idx_words;                 // words of that table burst
  logic [63:0]               idx_word;                  // the table word being written
  logic [4:0]                idx_lane_row;              // the row (of the group) of one of its lanes
  logic [7:0]                w_left_q;
  logic [4:0]                idx_n_q, idx_i_q;
  logic [Cols-1:0][7:0] idx_len_q;
  logic                      w_row_valid, w_last_j, w_last_m, w_last_b, w_group_end;

  assign w_row_valid = (wm_q < filters_valid_i) && (wj_q < rows_valid_i);
  assign w_last_j    = wj_q == rows_i - 1'b1;
  assign w_last_m    = wm_q == filters_i - 1'b1;
  assign w_last_b    = wb_q == n_img_i - 1'b1;
  assign w_group_end = w_last_j;

  assign wr_req_o.cmd_valid  = (wr_state_q == WrRowCmd) || (wr_state_q == WrIdxCmd);
  assign idx_words = tbl16_i ? 5'((idx_n_q + 5'd3) >> 2) : idx_n_q;
  always_comb begin
    idx_word     = {56'd0, idx_len_q[idx_i_q]};
    idx_lane_row = '0;
    if (tbl16_i) begin
      idx_word = '0;
      for (int l = 0; l < 4; l++) begin
        idx_lane_row = {idx_i_q[2:0], 2'(l)};
        if (idx_lane_row < idx_n_q) idx_word[16 * l +: 16] = {8'd0, idx_len_q[idx_lane_row]};
      end
    end
  end
  assign wr_req_o.cmd.addr   = (wr_state_q == WrIdxCmd) ? index_addr_i + (tbl16_i ? ((idx_row_q >> 2) << 3)
                                                                                : (idx_row_q << 3))
                                                        : row_addr_i + ((w_row_q * slot_words_i) << 3);
  assign wr_req_o.cmd.words  = (wr_state_q == WrIdxCmd) ? 24'(idx_words) : 24'(count_head);
  assign wr_req_o.data_valid = (wr_state_q == WrRowData) ? buf_out_valid : (wr_state_q == WrIdxData);
  assign wr_req_o.data       = (wr_state_q == WrRowData) ? buf_out_word : idx_word;
  assign buf_out_ready       = (wr_state_q == WrRowData) && wr_rsp_i.data_ready;
  assign counts_pop          = (wr_state_q == WrRowCmd) && wr_rsp_i.cmd_ready;

  logic advance;
  assign advance = (wr_state_q == WrAdvance) || ((wr_state_q == WrNext) && !w_row_valid);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_state_q <= WrDone;
      wb_q       <= '0;
      wm_q       <= '0;
      wj_q       <= '0;
      w_row_q    <= '0;
      w_fm_q     <= '0;
      w_img_q    <= '0;
      t_fm_q     <= '0;
      t_img_q    <= '0;
      idx_row_q  <= '0;
      w_left_q   <= '0;
      idx_n_q    <= '0;
      idx_i_q    <= '0;
      idx_len_q  <= '0;
    end else if (start_i) begin
      wr_state_q <= WrNext;
      wb_q       <= '0;
      wm_q       <= '0;
      wj_q       <= '0;
      w_row_q    <= '0;
      w_fm_q     <= '0;
      w_img_q    <= '0;
      t_fm_q     <= '0;
      t_img_q    <= '0;
      idx_n_q    <= '0;
    end else begin
      unique case (wr_state_q)
        WrNext:    if (w_row_valid && counts_valid) wr_state_q <= WrRowCmd;
        WrRowCmd:  if (wr_rsp_i.cmd_ready) begin
          w_left_q           <= count_head;
          idx_len_q[idx_n_q] <= count_head;
          idx_n_q            <= idx_n_q + 1'b1;
          wr_state_q         <= WrRowData;
        end
        WrRowData: if (buf_out_valid && wr_rsp_i.data_ready) begin
          w_left_q <= w_left_q - 1'b1;
          if (w_left_q == 8'd1) wr_state_q <= WrAdvance;
        end
        WrIdxCmd:  if (wr_rsp_i.cmd_ready) begin
          idx_i_q    <= '0;
          wr_state_q <= WrIdxData;
        end
        WrIdxData: if (wr_rsp_i.data_ready) begin
          idx_i_q <= idx_i_q + 1'b1;
          if (idx_i_q + 1'b1 == idx_words) begin
            idx_n_q    <= '0;
            wr_state_q <= (wb_q == '0 && wm_q == '0 && wj_q == '0) ? WrDone : WrNext;
          end
        end
        default: ;
      endcase

      if (advance) begin
        // Next row; at the end of a (b, filter) group with coded rows, their row-table entries go out first.
        wr_state_q <= WrNext;
        if (w_group_end) begin
          if (rlc_i && idx_n_q != '0) begin
            wr_state_q <= WrIdxCmd;
            idx_row_q  <= t_fm_q;
          end else begin
            idx_n_q <= '0;
          end
        end
        if (!w_last_j) begin
          wj_q    <= wj_q + 1'b1;
          w_row_q <= w_row_q + 1;
        end else begin
          wj_q <= '0;
          if (!w_last_m) begin
            wm_q    <= wm_q + 1'b1;
            w_fm_q  <= w_fm_q + filter_rows_i;
            w_row_q <= w_fm_q + filter_rows_i;
            t_fm_q  <= t_fm_q + tbl_filter_i;
          end else begin
            wm_q <= '0;
            if (!w_last_b) begin
              wb_q    <= wb_q + 1'b1;
              w_img_q <= w_img_q + image_rows_i;
              w_fm_q  <= w_img_q + image_rows_i;
              w_row_q <= w_img_q + image_rows_i;
              t_img_q <= t_img_q + tbl_image_i;
              t_fm_q  <= t_img_q + tbl_image_i;
            end else begin
              // Every row is handled; the table of the last group may still be pending.
              wb_q <= '0;
              if (!(rlc_i && idx_n_q != '0)) wr_state_q <= WrDone;
            end
          end
        end
      end
    end
  end

  // ---------------- counters ----------------
  logic [31:0] rlc_words_q, saturated_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rlc_words_q <= '0;
      saturated_q <= '0;
    end else if (perf_clear_i) begin
      rlc_words_q <= '0;
      saturated_q <= '0;
    end else begin
      if (rlc_i && buf_push) rlc_words_q <= rlc_words_q + 1;
      if (elem_valid && elem_ready && saturate) saturated_q <= saturated_q + 1;
    end
  end
  assign rlc_words_o = rlc_words_q;
  assign saturated_o = saturated_q;

  assign reads_done_o = bias_state_q == BiasDone || bias_state_q == BiasIdle;
  assign busy_o = (bias_state_q != BiasDone && bias_state_q != BiasIdle) || gen_q || !reader_idle ||
                  elem_valid || buf_out_valid || (wr_state_q != WrDone) || !wr_rsp_i.idle;

`ifndef SYNTHESIS
  `OCELLI_ASSERT(a_bias_aligned, start_i |-> bias_addr_i[1:0] == 2'b00)
  `OCELLI_ASSERT(a_buffer_bounded, (buf_count <= 7'(BufDepth)) && (counts_count <= 3'd4))
`endif

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_rd_cmd_stable, rd_req_o.cmd_valid, rd_rsp_i.cmd_ready, rd_req_o.cmd)
  `OCELLI_ASSERT_STREAM(a_wr_cmd_stable, wr_req_o.cmd_valid, wr_rsp_i.cmd_ready, wr_req_o.cmd)
  `OCELLI_ASSERT_STREAM(a_wr_data_stable, wr_req_o.data_valid, wr_rsp_i.data_ready, wr_req_o.data)
endmodule
