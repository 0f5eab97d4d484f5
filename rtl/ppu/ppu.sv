// Post-processing unit: max pooling and local response normalisation (LRN) of one GLB tile, for the POOL and LRN
// instructions (docs/isa.md). It reads the ifmap tile the loader put in the GLB ([b][channel][tile row][pitch], four
// elements per word) and writes one 32-bit value per output into the psum region in the output stage's layout
// ([b][row][column][ceil(C/2) words], one set of all the tile's channels, two per word, masked writes; ctrl_pkg),
// so the output stage (no bias, shift 0, optional ReLU, RLC or raw) sends the tile to DRAM exactly like a conv tile.
//   POOL: one channel per tile; output (b, j, x) = max over the R x S window's elements inside the ifmap (padding
//         never wins, docs/numerics.md). One GLB read per window element.
//   LRN:  all C channels in the tile; for each (b, j, x) the channels are walked in order with a running sum of
//         squares over the `size`-channel window, one GLB read per channel; the LUT multiplier (loaded from DRAM
//         once per layer) scales the centre element (docs/numerics.md, "LRN").
`include "common/ocelli_assert.svh"

module ppu
  import ocelli_pkg::*;
  import mem_pkg::*;
#(
  parameter int unsigned AddrWidth = 14,
  parameter int unsigned LutDepth  = 2048
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,

  // LUT load (LRN) over the DMA read channel
  input  logic                    lut_start_i,
  input  logic [MemAddrWidth-1:0] lut_addr_i,
  input  logic [11:0]             lut_entries_i,
  output logic                    lut_busy_o,
  output dma_rd_req_t             rd_req_o,
  input  dma_rd_rsp_t             rd_rsp_i,

  // tile
  input  logic                    start_i,
  input  logic                    lrn_i,
  input  logic [AddrWidth-1:0]    if_base_i,
  input  logic [AddrWidth-1:0]    if_img_words_i,
  input  logic [AddrWidth-1:0]    plane_words_i,
  input  logic [7:0]              pitch_i,
  input  logic [AddrWidth-1:0]    ps_base_i,
  input  logic [AddrWidth-1:0]    ps_img_words_i,
  input  logic [7:0]              ps_x_words_i,    // words per output column: ceil(channels / 2)
  input  logic [AddrWidth-1:0]    ps_row_words_i,  // words per output row
  input  logic [3:0]              n_img_i,
  input  logic [4:0]              rows_i,        // output rows of the tile inside the ofmap
  input  logic [7:0]              out_w_i,       // F
  input  logic [8:0]              chans_i,       // LRN: C (all channels are in the tile)
  input  logic [3:0]              win_h_i,       // POOL: R
  input  logic [3:0]              win_w_i,       // POOL: S
  input  logic [1:0]              stride_v_log2_i,
  input  logic [3:0]              stride_h_i,
  input  logic [3:0]              pad_l_i,
  input  logic signed [16:0]      h_start_i,     // ifmap row of tile row 0
  input  logic [15:0]             in_h_i,
  input  logic [15:0]             in_w_i,
  input  logic [3:0]              lrn_size_i,    // odd, 1..15
  input  logic [5:0]              exp_min_i,
  input  logic [2:0]              mant_bits_i,   // 1..6
  input  logic [4:0]              lut_frac_i,    // 0..30
  output logic                    busy_o,

  output glb_port_req_t           glb_rd_o,      // GLB reads (u_reader)
  input  glb_port_rsp_t           glb_rd_i,
  output glb_port_req_t           glb_wr_o,      // GLB writes
  input  logic                    glb_wr_ready_i,

  input  logic                    perf_clear_i,  // restart the counter (each layer's start)
  output logic [31:0]             saturated_o    // LRN outputs clipped to 16 bits (since perf_clear_i)
);
  localparam int unsigned LutAw   = $clog2(LutDepth);
  localparam int unsigned MaxSize = 15;
  localparam int unsigned SumW    = 35;  // size * 32768^2 < 2^34 for size <= 15

  // ------------------------------------------------------------------ LUT load
  typedef enum logic [1:0] {LutIdle, LutCmd, LutData} lut_state_e;
  lut_state_e  lut_state_q;
  logic [15:0] lut_q [LutDepth];
  logic [9:0]  lut_words_q, lut_beat_q;

  assign rd_req_o.cmd_valid  = lut_state_q == LutCmd;
  assign rd_req_o.cmd.addr   = lut_addr_i;
  assign rd_req_o.cmd.words  = 24'(lut_words_q);
  assign rd_req_o.data_ready = lut_state_q == LutData;
  assign lut_busy_o          = lut_state_q != LutIdle;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lut_state_q <= LutIdle;
      lut_words_q <= '0;
      lut_beat_q  <= '0;
    end else if (lut_start_i) begin
      lut_state_q <= LutCmd;
      lut_words_q <= 10'((13'(lut_entries_i) + 13'd3) >> 2);
      lut_beat_q  <= '0;
    end else begin
      unique case (lut_state_q)
        LutCmd: if (rd_rsp_i.cmd_ready) lut_state_q <= LutData;
        LutData: if (rd_rsp_i.data_valid) begin
          lut_beat_q <= lut_beat_q + 10'd1;
          if (lut_beat_q == lut_words_q - 10'd1) lut_state_q <= LutIdle;
        end
        default: ;
      endcase
    end
  end

  // The LUT has no reset: it is data, written before any LRN tile reads it.
  always_ff @(posedge clk_i) begin
    if (lut_state_q == LutData && rd_rsp_i.data_valid) begin
      for (int i = 0; i < 4; i++) lut_q[LutAw'({lut_beat_q, 2'(i)})] <= rd_rsp_i.data[16*i +: 16];
    end
  end

  // ------------------------------------------------------------------ request generator
  // POOL loops b, j, x, ky, kx; LRN loops b, j, x, k (channel read, 0 .. C + size/2 - 1).
  logic       gen_q;
  logic [3:0] b_q, ky_q, kx_q;
  logic [4:0] j_q;
  logic [7:0] x_q;
  logic [8:0] k_q;
  logic [2:0] half;
  logic [9:0] k_end;  // last k of an LRN walk
  logic       last_inner, last_x, last_j, last_b, req_ready, reader_idle;

  assign half  = 3'(lrn_size_i >> 1);
  assign k_end = 10'(chans_i) + 10'(half) - 10'd1;
  assign last_inner = lrn_i ? (10'(k_q) == k_end) : ((ky_q == win_h_i - 4'd1) && (kx_q == win_w_i - 4'd1));
  assign last_x = x_q == out_w_i - 8'd1;
  assign last_j = j_q == rows_i - 5'd1;
  assign last_b = b_q == n_img_i - 4'd1;

  // Addresses (POOL: tile row hr and column w of the window element; LRN: channel k of column x).
  logic [6:0]         hr;
  logic signed [17:0] h_abs;
  logic signed [17:0] w_abs;
  logic               in_image;
  logic [31:0]        addr_full;
  logic               req_skip;
  always_comb begin
    hr       = 7'((7'(j_q) << stride_v_log2_i) + 7'(ky_q));
    h_abs    = 18'(h_start_i) + 18'(hr);
    w_abs    = 18'(32'(x_q) * 32'(stride_h_i)) - 18'(pad_l_i) + 18'(kx_q);
    in_image = (h_abs >= 0) && (h_abs < $signed({2'b00, in_h_i})) &&
               (w_abs >= 0) && (w_abs < $signed({2'b00, in_w_i}));
    if (lrn_i) begin
      addr_full = 32'(if_base_i) + 32'(b_q) * 32'(if_img_words_i) + 32'(k_q) * 32'(plane_words_i) +
                  32'(j_q) * 32'(pitch_i) + 32'(x_q[7:2]);
      req_skip  = 10'(k_q) >= 10'(chans_i);
    end else begin
      addr_full = 32'(if_base_i) + 32'(b_q) * 32'(if_img_words_i) + 32'(hr) * 32'(pitch_i) +
                  32'(w_abs[17:2]);
      req_skip  = !in_image;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gen_q <= 1'b0;
      b_q   <= '0;
      j_q   <= '0;
      x_q   <= '0;
      ky_q  <= '0;
      kx_q  <= '0;
      k_q   <= '0;
    end else if (start_i) begin
      gen_q <= (n_img_i != '0) && (rows_i != '0) && (out_w_i != '0);
      b_q   <= '0;
      j_q   <= '0;
      x_q   <= '0;
      ky_q  <= '0;
      kx_q  <= '0;
      k_q   <= '0;
    end else if (gen_q && req_ready) begin
      if (!last_inner) begin
        if (lrn_i) begin
          k_q <= k_q + 9'd1;
        end else if (kx_q != win_w_i - 4'd1) begin
          kx_q <= kx_q + 4'd1;
        end else begin
          kx_q <= '0;
          ky_q <= ky_q + 4'd1;
        end
      end else begin
        k_q  <= '0;
        kx_q <= '0;
        ky_q <= '0;
        if (!last_x) begin
          x_q <= x_q + 8'd1;
        end else begin
          x_q <= '0;
          if (!last_j) begin
            j_q <= j_q + 5'd1;
          end else begin
            j_q <= '0;
            if (!last_b) b_q <= b_q + 4'd1;
            else gen_q <= 1'b0;
          end
        end
      end
    end
  end

  // What the consumer needs of each element, in request order.
  typedef struct packed {
    logic       first;  // first element of an output's window (POOL) or of a channel walk (LRN)
    logic       emit;   // an output is complete after this element
    logic       skip;   // outside the ifmap (POOL) or past the last channel (LRN): not an element
    logic [1:0] lane;
    logic [3:0] b;
    logic [4:0] j;
    logic [7:0] x;
    logic [8:0] c;      // LRN: output channel k - size/2
  } side_t;

  side_t req_side, rsp_side;
  always_comb begin
    req_side.first = lrn_i ? (k_q == '0) : (ky_q == '0 && kx_q == '0);
    req_side.emit  = lrn_i ? (k_q >= 9'(half)) : last_inner;
    req_side.skip  = req_skip;
    req_side.lane  = lrn_i ? x_q[1:0] : w_abs[1:0];
    req_side.b     = b_q;
    req_side.j     = j_q;
    req_side.x     = x_q;
    req_side.c     = k_q - 9'(half);
  end

  logic [63:0] rsp_word;
  logic        rsp_valid, rsp_pop;

  glb_reader #(.AddrWidth(AddrWidth), .SideWidth($bits(side_t))) u_reader (
    .clk_i, .rst_ni,
    .req_valid_i     (gen_q),
    .req_ready_o     (req_ready),
    .req_addr_i      (AddrWidth'(addr_full)),
    .req_skip_i      (req_skip),
    .req_side_i      (req_side),
    .glb_o (glb_rd_o), .glb_i (glb_rd_i),
    .out_valid_o     (rsp_valid),
    .out_ready_i     (rsp_pop),
    .out_data_o      (rsp_word),
    .out_side_o      (rsp_side),
    .idle_o          (reader_idle)
  );

  // ------------------------------------------------------------------ consumer: stage A (window state)
  logic  stall;
  data_t elem, cand, best_q, best_d, center_d;
  data_t win_q [MaxSize];       // LRN: the last `size` channel values, newest first
  logic [SumW-1:0] sum_q, sum_d, sum_base, sq_new, sq_old;
  data_t leaving, center_prev;

  assign rsp_pop = rsp_valid && !stall;
  assign elem    = rsp_side.skip ? data_t'(0) : data_t'(rsp_word[16*rsp_side.lane +: 16]);
  assign cand    = rsp_side.skip ? data_t'(16'sh8000) : elem;
  assign best_d  = (rsp_side.first || cand > best_q) ? cand : best_q;

  always_comb begin
    leaving     = rsp_side.first ? data_t'(0) : win_q[lrn_size_i - 4'd1];
    center_prev = (half == '0) ? elem : (rsp_side.first ? data_t'(0) : win_q[4'(half) - 4'd1]);
    sum_base    = rsp_side.first ? '0 : sum_q;
    sq_new      = SumW'(unsigned'(32'(elem * elem)));
    sq_old      = SumW'(unsigned'(32'(leaving * leaving)));
    sum_d       = sum_base + sq_new - sq_old;
    center_d    = lrn_i ? center_prev : best_d;
  end

  logic            a_valid_q;
  data_t           a_value_q;
  logic [SumW-1:0] a_sum_q;
  logic [3:0]      a_b_q;
  logic [4:0]      a_j_q;
  logic [7:0]      a_x_q;
  logic [8:0]      a_c_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      best_q    <= '0;
      sum_q     <= '0;
      a_valid_q <= 1'b0;
      a_value_q <= '0;
      a_sum_q   <= '0;
      a_b_q     <= '0;
      a_j_q     <= '0;
      a_x_q     <= '0;
      a_c_q     <= '0;
      for (int i = 0; i < int'(MaxSize); i++) win_q[i] <= '0;
    end else if (!stall) begin
      a_valid_q <= rsp_pop && rsp_side.emit;
      if (rsp_pop) begin
        best_q <= best_d;
        sum_q  <= sum_d;
        win_q[0] <= elem;
        for (int i = 1; i < int'(MaxSize); i++) win_q[i] <= rsp_side.first ? data_t'(0) : win_q[i-1];
        a_value_q <= center_d;
        a_sum_q   <= sum_d;
        a_b_q     <= rsp_side.b;
        a_j_q     <= rsp_side.j;
        a_x_q     <= rsp_side.x;
        a_c_q     <= lrn_i ? rsp_side.c : '0;
      end
    end
  end

  // ------------------------------------------------------------------ stage B: LUT multiply, GLB write
  // LUT index of the sum of squares: 0 below 2^exp_min, else 1 + (e - exp_min) * 2^mb + mantissa.
  logic [5:0]       lead;
  logic [LutAw-1:0] lut_idx;
  logic [SumW-1:0]  mant_all;
  always_comb begin
    lead = '0;
    for (int i = 0; i < int'(SumW); i++) if (a_sum_q[i]) lead = 6'(i);
    mant_all = a_sum_q >> (lead - 6'(mant_bits_i));
    if (a_sum_q < (SumW'(1) << exp_min_i)) begin
      lut_idx = '0;
    end else begin
      lut_idx = LutAw'(32'd1 + ((32'(lead) - 32'(exp_min_i)) << mant_bits_i) +
                       32'(mant_all & ((SumW'(1) << mant_bits_i) - SumW'(1))));
    end
  end

  logic signed [33:0] product;
  requant_t           lrn_out;
  logic               lrn_sat;
  data_t              out_value;
  assign product   = 34'(a_value_q) * $signed({18'd0, lut_q[lut_idx]});
  assign lrn_out   = requantize(product, lut_frac_i);
  assign lrn_sat   = lrn_out.saturated;
  assign out_value = lrn_i ? lrn_out.value : a_value_q;

  logic                 wr_valid_q;
  logic [AddrWidth-1:0] wr_addr_q;
  logic [63:0]          wr_data_q;
  logic [3:0]           wr_mask_q;
  logic [31:0]          sat_q;
  logic [31:0]          out_addr;
  psum_t                out_psum;

  assign stall    = wr_valid_q && !glb_wr_ready_i;
  assign out_addr = 32'(ps_base_i) + 32'(a_b_q) * 32'(ps_img_words_i) + 32'(a_j_q) * 32'(ps_row_words_i) +
                    32'(a_x_q) * 32'(ps_x_words_i) + 32'(a_c_q[$bits(a_c_q)-1:1]);
  assign out_psum = psum_t'(out_value);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_valid_q <= 1'b0;
      wr_addr_q  <= '0;
      wr_data_q  <= '0;
      wr_mask_q  <= '0;
    end else if (!stall) begin
      wr_valid_q <= a_valid_q;
      if (a_valid_q) begin
        wr_addr_q <= AddrWidth'(out_addr);
        wr_data_q <= {out_psum, out_psum};
        wr_mask_q <= a_c_q[0] ? 4'b1100 : 4'b0011;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sat_q <= '0;
    end else if (perf_clear_i) begin
      sat_q <= '0;
    end else if (!stall && a_valid_q && lrn_i && lrn_sat) begin
      sat_q <= sat_q + 32'd1;
    end
  end

  assign glb_wr_o = '{valid: wr_valid_q, req: '{write: 1'b1, addr: GlbAddrWidth'(wr_addr_q), wdata: wr_data_q,
                                                 wmask: wr_mask_q}};
  assign saturated_o    = sat_q;
  assign busy_o         = gen_q || !reader_idle || a_valid_q || wr_valid_q;

  // Address arithmetic is done in 32 bits; the controller's GLB fit check keeps the results inside the GLB.
  logic unused_addr_bits;
  assign unused_addr_bits = ^{addr_full[31:AddrWidth], out_addr[31:AddrWidth]};

  // The consumer never sees more outputs than the generator asked for; a write waits only for the GLB.
`ifndef SYNTHESIS
  `OCELLI_ASSERT(a_wr_stable, wr_valid_q && !glb_wr_ready_i |=> wr_valid_q && $stable(wr_addr_q) && $stable(wr_data_q))
`endif

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_rd_cmd_stable, rd_req_o.cmd_valid, rd_rsp_i.cmd_ready, rd_req_o.cmd)
endmodule
