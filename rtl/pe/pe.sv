// Eyeriss-style row-stationary processing element (docs/pe-array.md).
//
// One pass computes, for every image b < n, output column x < F and filter m < p:
//   psum_out = psum_in + sum_{s<S, c<q} filter[m][c][s] * ifmap[b][c][x*U + s]
// with psum_in only when accum_i is set at start. Streams (valid/ready):
//   filter: p*q*S words, order s, c, m (m fastest); loaded once into the filter spad.
//   ifmap:  n*W*q words, order image, column w, channel c (c fastest); columns no window uses (stride > S) are
//           dropped on arrival. Windows slide through a 12-entry ring (the ifmap spad), so new values are loaded
//           while the MAC works on the current window.
//   psum in/out: n*F*p words, order image, column x, filter m.
// The MAC loop per output column is window offset k = s*q + c (outer), filter m (inner), accumulating in the psum
// spad. Pipeline: issue (spad reads) -> multiplier stage 1 (two partial products) -> multiplier stage 2 (product)
// -> adder (psum spad read-modify-write; the last window offset sends the sum on) -> output (adds psum_in).
// A zero ifmap operand skips the filter spad read and the multiplier (the MAC slot is still used).
// With one output column the sums may stay in the psum spad (entry b*p + m) across channel passes: a psum_hold pass
// outputs nothing, a psum_resume pass starts from the spad instead of 0 (docs/pe-array.md).
module pe
  import ocelli_pkg::*;
(
  input  logic    clk_i,
  input  logic    rst_ni,
  input  logic    en_i,          // clock enable: an unused PE holds its state and takes no data
  input  logic    start_i,       // starts a pass with cfg_i/accum_i when the PE is idle
  input  pe_cfg_t cfg_i,
  input  logic    accum_i,       // add the incoming psum stream to the outputs
  output logic    busy_o,

  input  logic       filt_valid_i,
  input  filt_word_t filt_data_i,   // 1..FilterLanes consecutive filter spad values
  output logic       filt_ready_o,

  input  logic    ifmap_valid_i,
  input  data_t   ifmap_data_i,
  output logic    ifmap_ready_o,

  input  logic    psum_valid_i,
  input  psum_t   psum_data_i,
  output logic    psum_ready_o,

  output logic    psum_valid_o,
  output psum_t   psum_data_o,
  input  logic    psum_ready_i,

  output logic    mac_o,         // a MAC was issued this cycle
  output logic    mac_gated_o,   // ... and its ifmap operand was zero (filter read and multiplier gated)

  output logic [PeCheckBits-1:0] check_fail_o  // broken rules (ocelli_pkg::pe_check_name), asserted in pe_array
);
  // One shared copy of the PE's evaluation code for all array instances (instead of 168 inlined copies): the
  // array model compiles several times faster and runs faster out of a much smaller instruction footprint.
  /* verilator no_inline_module */
  // For that sharing to happen (Verilator 5.006 emits one function per instance unless their code is identical),
  // the PE has no functions (each inlined call gets temporaries of its own name), rtl/ocelli.vlt keeps its input
  // ports as variables (else the parent's wiring is folded into each instance's code), V3Table is off (numbered
  // tables per instance), and its rule checks are plain logic asserted once for the whole array in pe_array: a
  // concurrent or immediate assertion here would write the instance's path into its message and sampled copies of
  // its operands into every instance, which made the model several times slower.
  localparam int unsigned IfmapPtrW = $clog2(IfmapSpadDepth);
  localparam int unsigned FiltAddrW = $clog2(FilterSpadDepth + 1);
  localparam int unsigned PsumAddrW = $clog2(PsumSpadDepth);

  // ---------------- input and output queues ----------------
  logic       filt_q_valid, filt_q_pop;
  filt_word_t filt_q_data;
  logic  ifmap_q_valid, ifmap_q_pop;
  data_t ifmap_q_data;
  logic [PeCheckBits-1:PeOwnChecks] queue_checks;  // the four queues' rule checks (pe_fifo)
  logic  psum_q_valid, psum_q_pop;
  psum_t psum_q_data;
  logic  out_q_ready, out_q_push;
  psum_t out_q_data;

  pe_fifo #(.Width(FiltWordWidth), .Depth(2)) u_filt_fifo (
    .clk_i, .rst_ni, .en_i,
    .in_valid_i(filt_valid_i), .in_data_i(filt_data_i), .in_ready_o(filt_ready_o),
    .out_valid_o(filt_q_valid), .out_data_o(filt_q_data), .out_ready_i(filt_q_pop),
    .check_fail_o(queue_checks[PeOwnChecks + 0 * PeQueueChecks +: PeQueueChecks]));
  pe_fifo #(.Width(DataWidth), .Depth(2)) u_ifmap_fifo (
    .clk_i, .rst_ni, .en_i,
    .in_valid_i(ifmap_valid_i), .in_data_i(ifmap_data_i), .in_ready_o(ifmap_ready_o),
    .out_valid_o(ifmap_q_valid), .out_data_o(ifmap_q_data), .out_ready_i(ifmap_q_pop),
    .check_fail_o(queue_checks[PeOwnChecks + 1 * PeQueueChecks +: PeQueueChecks]));
  // Deeper psum queue: the PE below delivers a burst of p psums per output column.
  pe_fifo #(.Width(PsumWidth), .Depth(4)) u_psum_in_fifo (
    .clk_i, .rst_ni, .en_i,
    .in_valid_i(psum_valid_i), .in_data_i(psum_data_i), .in_ready_o(psum_ready_o),
    .out_valid_o(psum_q_valid), .out_data_o(psum_q_data), .out_ready_i(psum_q_pop),
    .check_fail_o(queue_checks[PeOwnChecks + 2 * PeQueueChecks +: PeQueueChecks]));
  pe_fifo #(.Width(PsumWidth), .Depth(2)) u_psum_out_fifo (
    .clk_i, .rst_ni, .en_i,
    .in_valid_i(out_q_push), .in_data_i(out_q_data), .in_ready_o(out_q_ready),
    .out_valid_o(psum_valid_o), .out_data_o(psum_data_o), .out_ready_i(psum_ready_i),
    .check_fail_o(queue_checks[PeOwnChecks + 3 * PeQueueChecks +: PeQueueChecks]));

  // ---------------- pass configuration (latched at start) ----------------
  pe_cfg_t cfg_q;
  logic    accum_q;
  logic [3:0] win_len_q;      // q*S: ifmap values per window
  logic [3:0] slide_q;        // q*min(U,S): ring entries released per output column (except the row's last)
  logic [FiltAddrW-1:0] filt_len_q;  // p*q*S
  logic    run_q;

  logic [7:0] start_win_len;
  logic [3:0] start_slide;
  logic [15:0] start_filt_len;
  logic [3:0] start_min_us;
  assign start_win_len  = 8'(cfg_i.num_channels) * 8'(cfg_i.filt_width);
  assign start_min_us   = (cfg_i.stride < cfg_i.filt_width) ? cfg_i.stride : cfg_i.filt_width;
  assign start_slide    = 4'(8'(cfg_i.num_channels) * 8'(start_min_us));  // <= q*S, legal values fit
  assign start_filt_len = 16'(start_win_len) * 16'(cfg_i.num_filters);

  logic start;
  assign start = en_i && start_i && !run_q;

  // ---------------- filter spad ----------------
  data_t filt_spad_q [FilterSpadDepth];
  logic [FiltAddrW-1:0] filt_cnt_q;
  logic filt_take;
  assign filt_take  = run_q && filt_q_valid && (filt_cnt_q != filt_len_q);
  assign filt_q_pop = filt_take;

  // ---------------- ifmap spad: ring of IfmapSpadDepth entries with zero flags ----------------
  data_t ifmap_spad_q [IfmapSpadDepth];
  logic [IfmapSpadDepth-1:0] ifmap_zero_q;
  logic [IfmapPtrW-1:0] wr_ptr_q;
  logic [3:0] occ_q;          // live ring entries (written, still needed)
  logic [4:0] fill_q;         // written entries from the current window's first one on
  logic [3:0] in_ch_q, in_wmod_q, in_img_q;
  logic [9:0] in_w_q;
  logic in_done_q;
  logic ifmap_drop, ifmap_take, ifmap_write;
  assign ifmap_drop  = in_wmod_q >= cfg_q.filt_width;  // a column between windows (stride > S)
  assign ifmap_take  = run_q && !in_done_q && ifmap_q_valid &&
                       (ifmap_drop || occ_q != 4'(IfmapSpadDepth));
  assign ifmap_write = ifmap_take && !ifmap_drop;
  assign ifmap_q_pop = ifmap_take;

  // ---------------- issue sequencer ----------------
  logic [3:0] is_k_q;         // window offset k = s*q + c
  logic [PsumAddrW-1:0] is_m_q;
  logic [FiltAddrW-1:0] faddr_q;  // k*p + m
  logic [IfmapPtrW-1:0] rd_ptr_q, base_ptr_q;
  logic [7:0] is_x_q;
  logic [3:0] is_img_q;
  logic is_done_q;
  logic [PsumAddrW-1:0] ps_base_q;  // psum spad entry of filter 0: img*p while psums are held, else 0
  logic keep;                       // psum_hold or psum_resume: entries per image and filter
  assign keep = cfg_q.psum_hold || cfg_q.psum_resume;

  logic adv;                  // the MAC pipeline moves (the output stage is not blocked)
  logic issue, step_end, col_end, last_col;
  logic [3:0] col_release;    // ring entries released when this window is done
  logic step_frees;
  assign last_col    = is_x_q == cfg_q.ofmap_width - 8'd1;
  assign col_release = last_col ? win_len_q : slide_q;
  assign issue       = run_q && !is_done_q && adv && (5'(is_k_q) < fill_q) && (faddr_q < filt_cnt_q);
  assign step_end    = issue && (is_m_q == PsumAddrW'(cfg_q.num_filters - 5'd1));
  assign col_end     = step_end && (is_k_q == win_len_q - 4'd1);
  assign step_frees  = step_end && (is_k_q < col_release);

  // Ring pointer steps.
  logic [IfmapPtrW-1:0] wr_ptr_inc, rd_ptr_inc, base_ptr_next;
  logic [4:0] base_sum;
  assign wr_ptr_inc    = (wr_ptr_q == IfmapPtrW'(IfmapSpadDepth - 1)) ? '0 : wr_ptr_q + 1'b1;
  assign rd_ptr_inc    = (rd_ptr_q == IfmapPtrW'(IfmapSpadDepth - 1)) ? '0 : rd_ptr_q + 1'b1;
  assign base_sum      = 5'(base_ptr_q) + 5'(col_release);
  assign base_ptr_next = (base_sum >= 5'(IfmapSpadDepth)) ? IfmapPtrW'(base_sum - 5'(IfmapSpadDepth))
                                                         : IfmapPtrW'(base_sum);

  logic  issue_zero;
  data_t issue_ifmap;
  assign issue_ifmap = ifmap_spad_q[rd_ptr_q];
  assign issue_zero  = ifmap_zero_q[rd_ptr_q];

  // ---------------- MAC pipeline ----------------
  logic s1_valid_q, s1_zero_q, s1_first_q, s1_last_q;
  logic [PsumAddrW-1:0] s1_m_q;
  data_t s1_ifmap_q, s1_filt_q;
  logic s2_valid_q, s2_zero_q, s2_first_q, s2_last_q;
  logic [PsumAddrW-1:0] s2_m_q;
  logic signed [DataWidth+8:0] s2_pp_lo_q;   // ifmap * filter[7:0] (unsigned low byte)
  logic signed [DataWidth+7:0] s2_pp_hi_q;   // ifmap * filter[15:8] (signed high byte)
  logic s3_valid_q, s3_first_q, s3_last_q;
  logic [PsumAddrW-1:0] s3_m_q;
  psum_t s3_prod_q;
  logic  o_valid_q;
  psum_t o_sum_q;
  psum_t psum_spad_q [PsumSpadDepth];

  psum_t s2_product, s3_sum;
  assign s2_product = (psum_t'(s2_pp_hi_q) <<< 8) + psum_t'(s2_pp_lo_q);
  assign s3_sum     = (s3_first_q ? psum_t'(0) : psum_spad_q[s3_m_q]) + s3_prod_q;

  logic o_fire;
  assign o_fire     = o_valid_q && (!accum_q || psum_q_valid) && out_q_ready;
  assign adv        = !o_valid_q || o_fire;
  assign out_q_push = o_fire;
  assign out_q_data = o_sum_q + (accum_q ? psum_q_data : psum_t'(0));
  assign psum_q_pop = o_fire && accum_q;

  logic pipe_empty;
  assign pipe_empty = !s1_valid_q && !s2_valid_q && !s3_valid_q && !o_valid_q && !psum_valid_o;

  assign busy_o      = run_q;
  assign mac_o       = issue;
  assign mac_gated_o = issue && issue_zero;

  // ---------------- control registers ----------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      run_q      <= 1'b0;
      cfg_q      <= '0;
      accum_q    <= 1'b0;
      win_len_q  <= '0;
      slide_q    <= '0;
      filt_len_q <= '0;
      filt_cnt_q <= '0;
      wr_ptr_q   <= '0;
      occ_q      <= '0;
      fill_q     <= '0;
      in_ch_q    <= '0;
      in_wmod_q  <= '0;
      in_w_q     <= '0;
      in_img_q   <= '0;
      in_done_q  <= 1'b0;
      is_k_q     <= '0;
      is_m_q     <= '0;
      faddr_q    <= '0;
      rd_ptr_q   <= '0;
      base_ptr_q <= '0;
      is_x_q     <= '0;
      is_img_q   <= '0;
      is_done_q  <= 1'b0;
      ps_base_q  <= '0;
      s1_valid_q <= 1'b0;
      s2_valid_q <= 1'b0;
      s3_valid_q <= 1'b0;
      o_valid_q  <= 1'b0;
    end else if (en_i) begin
      if (start) begin
        run_q      <= 1'b1;
        cfg_q      <= cfg_i;
        accum_q    <= accum_i;
        win_len_q  <= 4'(start_win_len);
        slide_q    <= start_slide;
        filt_len_q <= FiltAddrW'(start_filt_len);
        filt_cnt_q <= '0;
        wr_ptr_q   <= '0;
        occ_q      <= '0;
        fill_q     <= '0;
        in_ch_q    <= '0;
        in_wmod_q  <= '0;
        in_w_q     <= '0;
        in_img_q   <= '0;
        in_done_q  <= 1'b0;
        is_k_q     <= '0;
        is_m_q     <= '0;
        faddr_q    <= '0;
        rd_ptr_q   <= '0;
        base_ptr_q <= '0;
        is_x_q     <= '0;
        is_img_q   <= '0;
        is_done_q  <= 1'b0;
        ps_base_q  <= '0;
      end else if (run_q && is_done_q && pipe_empty) begin
        run_q <= 1'b0;
      end

      if (filt_take) filt_cnt_q <= filt_cnt_q + FiltAddrW'(filt_q_data.count);

      // Ifmap arrival: count channel, column (and its phase within the stride) and image.
      if (ifmap_take) begin
        if (in_ch_q != cfg_q.num_channels - 4'd1) begin
          in_ch_q <= in_ch_q + 4'd1;
        end else begin
          in_ch_q <= '0;
          if (in_w_q != cfg_q.ifmap_width - 10'd1) begin
            in_w_q    <= in_w_q + 10'd1;
            in_wmod_q <= (in_wmod_q == cfg_q.stride - 4'd1) ? 4'd0 : in_wmod_q + 4'd1;
          end else begin
            in_w_q    <= '0;
            in_wmod_q <= '0;
            in_img_q  <= in_img_q + 4'd1;
            if (in_img_q == cfg_q.num_images - 4'd1) in_done_q <= 1'b1;
          end
        end
      end
      if (ifmap_write) wr_ptr_q <= wr_ptr_inc;
      occ_q  <= occ_q + 4'(ifmap_write) - 4'(step_frees);
      fill_q <= fill_q + 5'(ifmap_write) - (col_end ? 5'(col_release) : 5'd0);

      // Issue order: image, column x, window offset k, filter m.
      if (issue) begin
        if (!step_end) begin
          is_m_q  <= is_m_q + 1'b1;
          faddr_q <= faddr_q + 1'b1;
        end else begin
          is_m_q <= '0;
          if (!col_end) begin
            is_k_q   <= is_k_q + 4'd1;
            faddr_q  <= faddr_q + 1'b1;
            rd_ptr_q <= rd_ptr_inc;
          end else begin
            is_k_q     <= '0;
            faddr_q    <= '0;
            rd_ptr_q   <= base_ptr_next;
            base_ptr_q <= base_ptr_next;
            if (!last_col) begin
              is_x_q <= is_x_q + 8'd1;
            end else begin
              is_x_q   <= '0;
              is_img_q <= is_img_q + 4'd1;
              if (keep) ps_base_q <= ps_base_q + PsumAddrW'(cfg_q.num_filters);
              if (is_img_q == cfg_q.num_images - 4'd1) is_done_q <= 1'b1;
            end
          end
        end
      end

      if (adv) begin
        s1_valid_q <= issue;
        s2_valid_q <= s1_valid_q;
        s3_valid_q <= s2_valid_q;
        o_valid_q  <= s3_valid_q && s3_last_q;
      end
    end
  end

  // ---------------- datapath registers and spads (no reset needed: guarded by the valid bits) ----------------
  always_ff @(posedge clk_i) begin
    if (en_i) begin
      if (filt_take) begin
        for (int i = 0; i < int'(FilterLanes); i++) begin
          if (i < int'(filt_q_data.count)) filt_spad_q[filt_cnt_q + FiltAddrW'(i)] <= filt_q_data.lanes[i];
        end
      end
      if (ifmap_write) begin
        ifmap_spad_q[wr_ptr_q] <= ifmap_q_data;
        ifmap_zero_q[wr_ptr_q] <= ifmap_q_data == '0;
      end
      if (adv) begin
        if (issue) begin
          // Held psums: the first window offset adds to the spad entry and the last one writes it back.
          s1_m_q     <= is_m_q + ps_base_q;
          s1_first_q <= is_k_q == '0 && !cfg_q.psum_resume;
          s1_last_q  <= is_k_q == win_len_q - 4'd1 && !cfg_q.psum_hold;
          s1_zero_q  <= issue_zero;
          s1_ifmap_q <= issue_ifmap;
          if (!issue_zero) s1_filt_q <= filt_spad_q[faddr_q];  // gated filter spad read
        end
        if (s1_valid_q) begin
          s2_m_q     <= s1_m_q;
          s2_first_q <= s1_first_q;
          s2_last_q  <= s1_last_q;
          s2_zero_q  <= s1_zero_q;
          if (!s1_zero_q) begin  // gated multiplier
            s2_pp_lo_q <= s1_ifmap_q * $signed({1'b0, s1_filt_q[7:0]});
            s2_pp_hi_q <= s1_ifmap_q * $signed(s1_filt_q[15:8]);
          end
        end
        if (s2_valid_q) begin
          s3_m_q     <= s2_m_q;
          s3_first_q <= s2_first_q;
          s3_last_q  <= s2_last_q;
          s3_prod_q  <= s2_zero_q ? psum_t'(0) : s2_product;
        end
        if (s3_valid_q) begin
          if (s3_last_q) o_sum_q <= s3_sum;
          else psum_spad_q[s3_m_q] <= s3_sum;
        end
      end
    end
  end

  // ---------------- rule checks (asserted in pe_array; see the top of the module) ----------------
  // Only an enabled PE is checked: a disabled one is clock-gated (its state cannot change), and in the verilated
  // model the checks of the idle PEs (two thirds of the array in FC layers) are then not evaluated at all.
  always_comb begin
    check_fail_o = '0;
    if (en_i) begin
      check_fail_o[PeCheckBits-1:PeOwnChecks] = queue_checks;
      check_fail_o[0] = start && !(
          cfg_i.filt_width != 0 && cfg_i.stride != 0 && cfg_i.num_filters != 0 && cfg_i.num_channels != 0 &&
          cfg_i.ofmap_width != 0 && cfg_i.num_images != 0 &&
          32'(cfg_i.num_filters) <= PsumSpadDepth && 32'(start_win_len) <= IfmapSpadDepth &&
          32'(start_filt_len) <= FilterSpadDepth &&
          32'(cfg_i.ifmap_width) == (32'(cfg_i.ofmap_width) - 1) * 32'(cfg_i.stride) + 32'(cfg_i.filt_width) &&
          (!(cfg_i.psum_hold || cfg_i.psum_resume) ||
           (cfg_i.ofmap_width == 8'd1 && 32'(cfg_i.num_images) * 32'(cfg_i.num_filters) <= PsumSpadDepth)));
      check_fail_o[1] = issue && !(32'(faddr_q) < FilterSpadDepth && faddr_q < filt_len_q);
      check_fail_o[2] = filt_take && !(filt_q_data.count != '0 && 32'(filt_q_data.count) <= FilterLanes &&
                                       32'(filt_cnt_q) + 32'(filt_q_data.count) <= 32'(filt_len_q));
      check_fail_o[3] = !(32'(rd_ptr_q) < IfmapSpadDepth && 32'(wr_ptr_q) < IfmapSpadDepth &&
                          32'(occ_q) <= IfmapSpadDepth);
      check_fail_o[4] = s3_valid_q && !(32'(s3_m_q) < PsumSpadDepth);
      check_fail_o[5] = start_i && run_q;
    end
  end
endmodule
