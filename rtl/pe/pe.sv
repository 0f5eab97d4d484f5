// Eyeriss-style row-stationary processing element (docs/pe-array.md).
//
// One pass computes, for every image b < n, output column x < F and filter m < p:
//   psum_out = psum_in + sum_{s<S, c<q} filter[m][c][s] * ifmap[b][c][x*U + s]
// with psum_in only when accum_i is set at start. Streams (valid/ready):
//   filter: p*q*S words, order m, s, c (filt_outer) or s, c, m; loaded once into the filter spad.
//   ifmap:  n*W*q values, order image, column w, channel c (c fastest), 1..IfmapLanes per word (ifmap_word_t),
//           written into the ifmap spad one per cycle; columns no window uses (stride > S) are
//           dropped on arrival. Windows slide through a 12-entry ring (the ifmap spad), so new values are loaded
//           while the MAC works on the current window.
//   psum in/out: n*F*p words, order image, column x, filter m.
// The MAC loop per output column runs, accumulating in the psum spad, in one of two orders (cfg.filt_outer):
//   filter m outer, window offset k = s*q + c inner: each filter's sum is done q*S cycles after the previous one,
//     so the sums leave evenly through the column (no burst on the 2-entry output queue), but a ring entry is
//     released only when the last filter has used it;
//   k outer, m inner: entry k is released after its p MACs (the next window loads early), but all p sums of the
//     column leave in its last p cycles.
// The driver picks the order per layer (docs/pe-array.md) and lays the weights out to match.
// Pipeline: issue (spad reads) -> multiplier stage 1 (two partial products) -> multiplier stage 2 (product)
// -> adder (psum spad read-modify-write; the last window offset sends the sum on) -> output (adds psum_in).
// A zero ifmap operand skips the filter spad read and the multiplier (the MAC slot is still used).
// With one output column the sums may stay in the psum spad (entry b*p + m) across channel passes: a psum_hold pass
// outputs nothing, a psum_resume pass starts from the spad instead of 0 (docs/pe-array.md).
// Input queues: filter 2 words, ifmap 2 words (up to 8 values), psum in 4 (the PE below delivers a burst of p psums per column); output
// queue 2. Every queue takes a word only while it has room and gives one only while it holds one, so no ready or
// valid depends on the other side of its queue.
//
// Simulation structure (docs/pe-array.md, "Simulation"): the whole PE is one process on one clock with a synchronous
// reset, and its state changes only under `wake`, which is true whenever anything can change: a pass starts, a queue
// takes or gives a word, or the PE moved in the previous cycle (`moved_q`). A PE that did not move and whose inputs
// offer nothing new is in a fixed point: the same state and the same (non-)handshakes give the same next state, so
// skipping it changes nothing. Verilator then spends a branch on a quiescent PE instead of its whole next-state
// logic; that is why the queues are written out here instead of instantiated (a queue instance would be evaluated
// every cycle). Outputs are registers or a register ANDed with the enable. mac_o/mac_gated_o report the MACs issued
// in the previous cycle (the array only sums them). The rule checks (OCELLI_CHECKS builds: tests, waveforms) are
// computed in the same process, so check_fail_o shows a broken rule one cycle after it happened; a checked PE also
// wakes while any input is offered, so it sees a sender withdraw or change a word it has not taken.
module pe
  import ocelli_pkg::*;
#(
  // Scratchpad depths in entries (default: Eyeriss v1). At most the defaults: the counters and ring pointers are
  // sized for them (pe_array checks).
  parameter int unsigned IfmapSpad  = IfmapSpadDepth,
  parameter int unsigned FilterSpad = FilterSpadDepth,
  parameter int unsigned PsumSpad   = PsumSpadDepth
) (
  input  logic    clk_i,
  input  logic    rst_ni,        // synchronous
  input  logic    en_i,          // clock enable: an unused PE holds its state and takes no data
  input  logic    start_i,       // starts a pass with cfg_i/accum_i when the PE is idle
  input  pe_cfg_t cfg_i,
  input  logic    accum_i,       // add the incoming psum stream to the outputs
  output logic    busy_o,

  input  logic       filt_valid_i,
  input  filt_word_t filt_data_i,   // 1..FilterLanes consecutive filter spad values
  output logic       filt_ready_o,

  input  logic        ifmap_valid_i,
  input  ifmap_word_t ifmap_data_i,  // 1..IfmapLanes consecutive ifmap stream values
  output logic        ifmap_ready_o,

  input  logic    psum_valid_i,
  input  psum_t   psum_data_i,
  output logic    psum_ready_o,

  output logic    psum_valid_o,
  output psum_t   psum_data_o,
  input  logic    psum_ready_i,

  output logic    mac_o,         // a MAC was issued in the previous cycle
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
  localparam int unsigned IfmapPtrW = $clog2(IfmapSpad);
  localparam int unsigned FiltAddrW = $clog2(FilterSpad + 1);
  localparam int unsigned PsumAddrW = $clog2(PsumSpad);
  localparam int unsigned LanesW    = FilterLanes * DataWidth;
  localparam int unsigned FiltCntW  = $bits(filt_data_i.count);
  localparam int unsigned IfLanesW  = IfmapLanes * DataWidth;
  localparam int unsigned IfCntW    = $bits(ifmap_data_i.count);

  // ---------------- queues ----------------
  // Filter and ifmap (2 words each, lanes and count kept apart: a whole word is wider than 64 bits), psum in (4):
  // circular buffers read inside the process. The ifmap queue gives its head word's values one at a time
  // (iq_lane_q), and frees the word with its last valid value. Psum out (2): head and tail registers, so the
  // output data is a register.
  logic [LanesW-1:0]   fq_lanes_q [2];
  logic [FiltCntW-1:0] fq_count_q [2];
  logic                fq_rd_q, fq_wr_q;
  logic [1:0]          fq_cnt_q;
  logic [IfLanesW-1:0] iq_lanes_q [2];
  logic [IfCntW-1:0]   iq_count_q [2];
  logic [1:0]          iq_lane_q;
  logic                iq_rd_q, iq_wr_q;
  logic [1:0]          iq_cnt_q;
  psum_t               pq_mem_q [4];
  logic [1:0]          pq_rd_q, pq_wr_q;
  logic [2:0]          pq_cnt_q;
  psum_t               oq_head_q, oq_tail_q;
  logic [1:0]          oq_cnt_q;

  assign filt_ready_o  = en_i && fq_cnt_q != 2'd2;
  assign ifmap_ready_o = en_i && iq_cnt_q != 2'd2;
  assign psum_ready_o  = en_i && pq_cnt_q != 3'd4;
  assign psum_valid_o  = en_i && oq_cnt_q != 2'd0;
  assign psum_data_o   = oq_head_q;

  // ---------------- pass configuration (latched at start) ----------------
  pe_cfg_t cfg_q;
  logic    accum_q;
  logic [3:0] win_len_q;      // q*S: ifmap values per window
  logic [3:0] slide_q;        // q*min(U,S): ring entries released per output column (except the row's last)
  logic [FiltAddrW-1:0] filt_len_q;  // p*q*S
  logic    run_q;

  // ---------------- spads ----------------
  // The filter spad is a ring: a pass's values start at fbase_q, and the next pass's chunk may arrive behind them
  // (fnext_q values, in the entries the pass does not use) while the pass runs, so the controller can feed it early
  // (docs/pe-array.md, "Filter prefetch").
  data_t filt_spad_q [FilterSpad];
  logic [FiltAddrW-1:0] filt_cnt_q;  // filter values of the pass loaded
  logic [FiltAddrW-1:0] fbase_q;     // ring entry of the pass's value 0
  logic [FiltAddrW-1:0] fnext_q;     // values of the next pass's chunk loaded behind the pass's
  data_t ifmap_spad_q [IfmapSpad];  // ring with zero flags
  logic [IfmapSpad-1:0] ifmap_zero_q;
  logic [IfmapPtrW-1:0] wr_ptr_q;
  logic [3:0] occ_q;          // live ring entries (written, still needed)
  logic [4:0] fill_q;         // written entries from the current window's first one on
  logic [3:0] in_ch_q, in_wmod_q, in_img_q;
  logic [9:0] in_w_q;
  logic in_done_q;
  psum_t psum_spad_q [PsumSpad];

  // ---------------- issue sequencer ----------------
  logic [3:0] is_k_q;         // window offset k = s*q + c
  logic [PsumAddrW-1:0] is_m_q;
  logic [FiltAddrW-1:0] faddr_q;  // m*q*S + k (filter outer) or k*p + m
  logic [IfmapPtrW-1:0] rd_ptr_q, base_ptr_q;
  logic [7:0] is_x_q;
  logic [3:0] is_img_q;
  logic is_done_q;
  logic [PsumAddrW-1:0] ps_base_q;  // psum spad entry of filter 0: img*p while psums are held, else 0

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

  logic moved_q;              // some state changed in the last evaluated cycle
  logic mac_q, mac_gated_q;

  assign busy_o      = run_q;
  assign mac_o       = mac_q;
  assign mac_gated_o = mac_gated_q;

`ifdef OCELLI_CHECKS
  logic [PeCheckBits-1:0] check_q;
  // Queue senders' words seen offered and not taken in the last evaluated cycle (a_in_hold).
  logic fq_held_q, iq_held_q, pq_held_q;
  filt_word_t fq_held_data_q;
  ifmap_word_t iq_held_data_q;
  psum_t pq_held_data_q;
  assign check_fail_o = check_q;
`else
  assign check_fail_o = '0;
`endif

  // A queue takes or gives a word, a pass starts, or the PE moved last cycle (see the top of the module). A function
  // called in the PE's process, not an always_comb: a simulator then spends no evaluation of its own per PE and
  // cycle on it, and keeps the result in a local.
  function automatic logic wake();
    logic w;
    w = en_i && (start_i || moved_q ||
                 (filt_valid_i && fq_cnt_q != 2'd2) || (ifmap_valid_i && iq_cnt_q != 2'd2) ||
                 (psum_valid_i && pq_cnt_q != 3'd4) || (oq_cnt_q != 2'd0 && psum_ready_i));
`ifdef OCELLI_PE_ALWAYS_AWAKE
    // Reference build for the wake test (tb/pe/test_pe_wake.cpp): evaluated in every enabled cycle.
    w = en_i;
`endif
`ifdef OCELLI_CHECKS
    // Checked builds also watch offered words that are not taken (a sender must hold them).
    w = w || (en_i && (filt_valid_i || ifmap_valid_i || psum_valid_i || fq_held_q || iq_held_q || pq_held_q));
`endif
    return w;
  endfunction

  always_ff @(posedge clk_i) begin
    // Next-state decode of one cycle, evaluated only under `wake`. Verilator 5.006 keeps these as members of the PE's
    // class (one store each), so each is computed only in the cycles that use it, inside the branch that needs it.
    automatic logic       start;
    automatic logic       fq_push, iq_push, pq_push, oq_pop;
    automatic logic [LanesW-1:0]   fq_head_lanes;
    automatic logic [FiltCntW-1:0] fq_head_count;
    automatic logic       iq_pop;
    automatic logic       filt_take, filt_next, ifmap_drop, ifmap_take, ifmap_write;
    automatic logic [FiltAddrW:0] fw_sum, fr_sum;
    automatic logic [FiltAddrW-1:0] fw_base, fw_idx, fr_idx;
    automatic logic       o_fire, adv, issue, win_end, last_filt, col_end, last_col, step_frees;
    automatic logic       finish;
    automatic logic [3:0] col_release;
    automatic logic [IfmapPtrW-1:0] rd_ptr_inc, base_ptr_next;
    automatic logic [4:0] base_sum;
    automatic logic       issue_zero;
    automatic psum_t      out_data, s3_sum;
    automatic logic [7:0]  start_win_len;
    automatic logic [3:0]  start_slide, start_min_us;
    automatic logic [15:0] start_filt_len;
`ifdef OCELLI_CHECKS
    automatic logic       fq_has, iq_has, pq_has, oq_room;
    automatic logic [IfCntW-1:0] iq_head_count;
`endif
    automatic data_t      iq_head;

    if (!rst_ni) begin
      fq_rd_q    <= 1'b0;
      fq_wr_q    <= 1'b0;
      fq_cnt_q   <= '0;
      iq_rd_q    <= 1'b0;
      iq_wr_q    <= 1'b0;
      iq_lane_q  <= '0;
      iq_cnt_q   <= '0;
      pq_rd_q    <= '0;
      pq_wr_q    <= '0;
      pq_cnt_q   <= '0;
      oq_cnt_q   <= '0;
      run_q      <= 1'b0;
      cfg_q      <= '0;
      accum_q    <= 1'b0;
      win_len_q  <= '0;
      slide_q    <= '0;
      filt_len_q <= '0;
      filt_cnt_q <= '0;
      fbase_q    <= '0;
      fnext_q    <= '0;
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
      moved_q    <= 1'b0;
      mac_q      <= 1'b0;
      mac_gated_q <= 1'b0;
`ifdef OCELLI_CHECKS
      check_q    <= '0;
      fq_held_q  <= 1'b0;
      iq_held_q  <= 1'b0;
      pq_held_q  <= 1'b0;
`endif
    end else if (wake()) begin
      // Reads come before writes throughout (Verilator then needs no shadow copies of the registers), and every
      // temporary that only some cycles need is computed under the condition that uses it.
      // ---- queue handshakes ----
      fq_push = filt_valid_i && fq_cnt_q != 2'd2;
      iq_push = ifmap_valid_i && iq_cnt_q != 2'd2;
      pq_push = psum_valid_i && pq_cnt_q != 3'd4;
      oq_pop  = oq_cnt_q != 2'd0 && psum_ready_i;
      start   = start_i && !run_q;
`ifdef OCELLI_CHECKS
      fq_has        = fq_cnt_q != 2'd0;
      iq_has        = iq_cnt_q != 2'd0;
      pq_has        = pq_cnt_q != 3'd0;
      oq_room       = oq_cnt_q != 2'd2;
      fq_head_count = fq_count_q[fq_rd_q];
      iq_head_count = iq_count_q[iq_rd_q];
`endif

      // ---- filter and ifmap arrival ----
      // A word of the pass's chunk, or (once that is complete, also between passes) of the next pass's chunk while
      // it fits beside the pass's values.
      filt_take   = run_q && fq_cnt_q != 2'd0 && (filt_cnt_q != filt_len_q);
      filt_next   = !start && fq_cnt_q != 2'd0 && !(run_q && filt_cnt_q != filt_len_q) &&
                    (FiltAddrW + 1)'(fnext_q) + (FiltAddrW + 1)'(fq_count_q[fq_rd_q]) <=
                    (FiltAddrW + 1)'(FilterSpad) - (FiltAddrW + 1)'(filt_len_q);
      ifmap_drop  = in_wmod_q >= cfg_q.filt_width;  // a column between windows (stride > S)
      ifmap_take  = run_q && !in_done_q && iq_cnt_q != 2'd0 && (ifmap_drop || occ_q != 4'(IfmapSpad));
      ifmap_write = ifmap_take && !ifmap_drop;
      iq_pop      = ifmap_take && 3'(iq_lane_q) + 3'd1 >= 3'(iq_count_q[iq_rd_q]);  // the head word's last value
      if (filt_take || filt_next) begin
        fq_head_lanes = fq_lanes_q[fq_rd_q];
        fq_head_count = fq_count_q[fq_rd_q];
        fw_sum  = (FiltAddrW + 1)'(fbase_q) + (filt_take ? (FiltAddrW + 1)'(filt_cnt_q)
                                                         : (FiltAddrW + 1)'(filt_len_q) + (FiltAddrW + 1)'(fnext_q));
        fw_base = (fw_sum >= (FiltAddrW + 1)'(FilterSpad)) ? FiltAddrW'(fw_sum - (FiltAddrW + 1)'(FilterSpad))
                                                                : FiltAddrW'(fw_sum);
      end

      // ---- output stage and issue ----
      o_fire = o_valid_q && (!accum_q || pq_cnt_q != 3'd0) && oq_cnt_q != 2'd2;
      adv    = !o_valid_q || o_fire;
      if (o_fire) out_data = o_sum_q + (accum_q ? pq_mem_q[pq_rd_q] : psum_t'(0));
      issue  = run_q && !is_done_q && adv && (5'(is_k_q) < fill_q) && (faddr_q < filt_cnt_q);
      // In both orders a ring entry is released when the last filter uses it, and a column ends with the last
      // filter at the last window offset.
      col_end    = 1'b0;
      step_frees = 1'b0;
      if (issue) begin
        win_end     = is_k_q == win_len_q - 4'd1;
        last_filt   = is_m_q == PsumAddrW'(cfg_q.num_filters - 5'd1);
        last_col    = is_x_q == cfg_q.ofmap_width - 8'd1;
        col_release = last_col ? win_len_q : slide_q;
        col_end     = win_end && last_filt;
        step_frees  = last_filt && (is_k_q < col_release);
        rd_ptr_inc  = (rd_ptr_q == IfmapPtrW'(IfmapSpad - 1)) ? '0 : rd_ptr_q + 1'b1;
        issue_zero  = ifmap_zero_q[rd_ptr_q];
        if (col_end) begin
          base_sum      = 5'(base_ptr_q) + 5'(col_release);
          base_ptr_next = (base_sum >= 5'(IfmapSpad)) ? IfmapPtrW'(base_sum - 5'(IfmapSpad))
                                                           : IfmapPtrW'(base_sum);
        end
      end
      finish = 1'b0;
      if (is_done_q) begin
        finish = run_q && !s1_valid_q && !s2_valid_q && !s3_valid_q && !o_valid_q && oq_cnt_q == 2'd0;
      end

      moved_q     <= start || finish || fq_push || iq_push || pq_push || oq_pop || filt_take || filt_next || ifmap_take ||
                     o_fire || issue || (adv && (s1_valid_q || s2_valid_q || s3_valid_q));
      mac_q       <= issue;
      mac_gated_q <= issue && issue_zero;

      // ---- queues ----
      if (fq_push) begin
        fq_lanes_q[fq_wr_q] <= filt_data_i.lanes;
        fq_count_q[fq_wr_q] <= filt_data_i.count;
        fq_wr_q <= !fq_wr_q;
      end
      if (filt_take || filt_next) fq_rd_q <= !fq_rd_q;
      fq_cnt_q <= fq_cnt_q + 2'(fq_push) - 2'(filt_take || filt_next);
      if (iq_push) begin
        iq_lanes_q[iq_wr_q] <= ifmap_data_i.lanes;
        iq_count_q[iq_wr_q] <= ifmap_data_i.count;
        iq_wr_q <= !iq_wr_q;
      end
      // The ring entry is written before iq_lane_q and iq_rd_q move on (reads before writes).
      if (ifmap_write) begin
        iq_head = iq_lanes_q[iq_rd_q][iq_lane_q * DataWidth +: DataWidth];
        ifmap_spad_q[wr_ptr_q] <= iq_head;
        ifmap_zero_q[wr_ptr_q] <= iq_head == '0;
        wr_ptr_q <= (wr_ptr_q == IfmapPtrW'(IfmapSpad - 1)) ? '0 : wr_ptr_q + 1'b1;
      end
      if (ifmap_take) iq_lane_q <= iq_pop ? 2'd0 : iq_lane_q + 2'd1;
      if (iq_pop) iq_rd_q <= !iq_rd_q;
      iq_cnt_q <= iq_cnt_q + 2'(iq_push) - 2'(iq_pop);
      if (pq_push) begin
        pq_mem_q[pq_wr_q] <= psum_data_i;
        pq_wr_q <= pq_wr_q + 2'd1;
      end
      if (o_fire && accum_q) pq_rd_q <= pq_rd_q + 2'd1;
      pq_cnt_q <= pq_cnt_q + 3'(pq_push) - 3'(o_fire && accum_q);
      // Output queue: the head is the output register.
      if (oq_pop) begin
        oq_head_q <= o_fire ? out_data : oq_tail_q;
      end else if (o_fire) begin
        if (oq_cnt_q == 2'd0) oq_head_q <= out_data;
        else oq_tail_q <= out_data;
      end
      oq_cnt_q <= oq_cnt_q + 2'(o_fire) - 2'(oq_pop);

      // ---- MAC pipeline (last stage first: each stage reads its registers before the stage below writes them) ----
      if (adv) begin
        o_valid_q <= s3_valid_q && s3_last_q;
        if (s3_valid_q) begin
          // Held psums: the first window offset adds to the spad entry and the last one writes it back.
          s3_sum = (s3_first_q ? psum_t'(0) : psum_spad_q[s3_m_q]) + s3_prod_q;
          if (s3_last_q) o_sum_q <= s3_sum;
          else psum_spad_q[s3_m_q] <= s3_sum;
        end
        s3_valid_q <= s2_valid_q;
        if (s2_valid_q) begin
          s3_m_q     <= s2_m_q;
          s3_first_q <= s2_first_q;
          s3_last_q  <= s2_last_q;
          s3_prod_q  <= s2_zero_q ? psum_t'(0) : (psum_t'(s2_pp_hi_q) <<< 8) + psum_t'(s2_pp_lo_q);
        end
        s2_valid_q <= s1_valid_q;
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
        s1_valid_q <= issue;
        if (issue) begin
          s1_m_q     <= is_m_q + ps_base_q;
          s1_first_q <= is_k_q == '0 && !cfg_q.psum_resume;
          s1_last_q  <= win_end && !cfg_q.psum_hold;
          s1_zero_q  <= issue_zero;
          s1_ifmap_q <= ifmap_spad_q[rd_ptr_q];
          if (!issue_zero) begin  // gated filter spad read
            fr_sum = (FiltAddrW + 1)'(fbase_q) + (FiltAddrW + 1)'(faddr_q);
            fr_idx = (fr_sum >= (FiltAddrW + 1)'(FilterSpad)) ? FiltAddrW'(fr_sum - (FiltAddrW + 1)'(FilterSpad))
                                                                   : FiltAddrW'(fr_sum);
            s1_filt_q <= filt_spad_q[fr_idx];
          end
        end
      end

      // At a start these keep their values (0: a pass ends with every ring entry released).
      occ_q  <= occ_q + 4'(ifmap_write) - 4'(step_frees);
      fill_q <= fill_q + 5'(ifmap_write) - (col_end ? 5'(col_release) : 5'd0);

      // ---- control ----
      // No `if (!start)` around it: a start needs !run_q, and every condition below needs run_q.
      if (finish) run_q <= 1'b0;

      // Filter arrival: up to FilterLanes values per word into the filter spad ring, for this pass or the next.
      if (filt_take || filt_next) begin
        for (int i = 0; i < int'(FilterLanes); i++) begin
          if (i < int'(fq_head_count)) begin
            fw_idx = (32'(fw_base) + i >= FilterSpad) ? FiltAddrW'(32'(fw_base) + i - FilterSpad)
                                                           : FiltAddrW'(32'(fw_base) + i);
            filt_spad_q[fw_idx] <= fq_head_lanes[i * DataWidth +: DataWidth];
          end
        end
        if (filt_take) filt_cnt_q <= filt_cnt_q + FiltAddrW'(fq_head_count);
      end
      if (filt_next) fnext_q <= fnext_q + FiltAddrW'(fq_head_count);

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
            if (in_img_q == cfg_q.num_images - 4'd1) in_done_q <= 1'b1;
            in_img_q  <= in_img_q + 4'd1;
          end
        end
      end

      // Issue order: image, column x, then filter m and window offset k in the configured order. The weights are
      // laid out in issue order, so the filter spad address counts up through the column. Each register is written
      // once per path (no read after a write in another branch, so Verilator keeps no shadow copy of it).
      if (issue) begin
        faddr_q <= col_end ? '0 : faddr_q + 1'b1;
        if (cfg_q.filt_outer) begin  // k inner, m outer
          is_k_q <= win_end ? '0 : is_k_q + 4'd1;
          if (win_end) is_m_q <= last_filt ? '0 : is_m_q + 1'b1;
          rd_ptr_q <= col_end ? base_ptr_next : (win_end ? base_ptr_q : rd_ptr_inc);
        end else begin  // m inner, k outer
          is_m_q <= last_filt ? '0 : is_m_q + 1'b1;
          if (last_filt) begin
            is_k_q   <= win_end ? '0 : is_k_q + 4'd1;
            rd_ptr_q <= col_end ? base_ptr_next : rd_ptr_inc;
          end
        end
        if (col_end) begin
          base_ptr_q <= base_ptr_next;
          if (!last_col) begin
            is_x_q <= is_x_q + 8'd1;
          end else begin
            is_x_q   <= '0;
            if (is_img_q == cfg_q.num_images - 4'd1) is_done_q <= 1'b1;
            if (cfg_q.psum_hold || cfg_q.psum_resume) ps_base_q <= ps_base_q + PsumAddrW'(cfg_q.num_filters);
            is_img_q <= is_img_q + 4'd1;
          end
        end
      end

      // ---- pass start ----
      if (start) begin
        start_win_len  = 8'(cfg_i.num_channels) * 8'(cfg_i.filt_width);
        start_min_us   = (cfg_i.stride < cfg_i.filt_width) ? cfg_i.stride : cfg_i.filt_width;
        start_slide    = 4'(8'(cfg_i.num_channels) * 8'(start_min_us));  // <= q*S, legal values fit
        start_filt_len = 16'(start_win_len) * 16'(cfg_i.num_filters);
        run_q      <= 1'b1;
        cfg_q      <= cfg_i;
        accum_q    <= accum_i;
        win_len_q  <= 4'(start_win_len);
        slide_q    <= start_slide;
        filt_len_q <= FiltAddrW'(start_filt_len);
        // The pass's values follow the last pass's in the ring; those that came early count as loaded.
        fw_sum     = (FiltAddrW + 1)'(fbase_q) + (FiltAddrW + 1)'(filt_len_q);
        fbase_q    <= (fw_sum >= (FiltAddrW + 1)'(FilterSpad)) ? FiltAddrW'(fw_sum - (FiltAddrW + 1)'(FilterSpad))
                                                                    : FiltAddrW'(fw_sum);
        filt_cnt_q <= fnext_q;
        fnext_q    <= '0;
        wr_ptr_q   <= '0;
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
      end

`ifdef OCELLI_CHECKS
      // ---- rule checks of this cycle (asserted in pe_array one cycle later; bit names: pe_check_name) ----
      check_q <= '0;
      check_q[0] <= start && !(
          cfg_i.filt_width != 0 && cfg_i.stride != 0 && cfg_i.num_filters != 0 && cfg_i.num_channels != 0 &&
          cfg_i.ofmap_width != 0 && cfg_i.num_images != 0 &&
          32'(cfg_i.num_filters) <= PsumSpad && 32'(start_win_len) <= IfmapSpad &&
          32'(start_filt_len) <= FilterSpad &&
          32'(cfg_i.ifmap_width) == (32'(cfg_i.ofmap_width) - 1) * 32'(cfg_i.stride) + 32'(cfg_i.filt_width) &&
          (!(cfg_i.psum_hold || cfg_i.psum_resume) ||
           (cfg_i.ofmap_width == 8'd1 && 32'(cfg_i.num_images) * 32'(cfg_i.num_filters) <= PsumSpad)));
      check_q[1] <= issue && !(32'(faddr_q) < FilterSpad && faddr_q < filt_len_q);
      check_q[2] <= (filt_take && !(fq_head_count != '0 && 32'(fq_head_count) <= FilterLanes &&
                                    32'(filt_cnt_q) + 32'(fq_head_count) <= 32'(filt_len_q))) ||
                    (filt_next && !(fq_head_count != '0 && 32'(fq_head_count) <= FilterLanes)) ||
                    (start && 32'(fnext_q) > 32'(start_filt_len));  // more came early than the pass uses
      check_q[3] <= !(32'(rd_ptr_q) < IfmapSpad && 32'(wr_ptr_q) < IfmapSpad &&
                      32'(occ_q) <= IfmapSpad) ||
                    (ifmap_take && !(iq_head_count != '0 && 32'(iq_head_count) <= IfmapLanes));
      check_q[4] <= s3_valid_q && !(32'(s3_m_q) < PsumSpad);
      check_q[5] <= start_i && run_q;
      // Per queue (filter, ifmap, psum in, psum out): overflow, pop without data, push without room, an offered
      // input word withdrawn or changed before it was taken; the output queue's head is a register that changes
      // only when popped, so its hold rule (bit 4) holds by construction.
      check_q[PeOwnChecks + 0 * PeQueueChecks + 0] <= fq_cnt_q > 2'd2;
      check_q[PeOwnChecks + 0 * PeQueueChecks + 1] <= (filt_take || filt_next) && !fq_has;
      check_q[PeOwnChecks + 0 * PeQueueChecks + 3] <= fq_held_q &&
          !(filt_valid_i && filt_data_i == fq_held_data_q);
      check_q[PeOwnChecks + 1 * PeQueueChecks + 0] <= iq_cnt_q > 2'd2;
      check_q[PeOwnChecks + 1 * PeQueueChecks + 1] <= ifmap_take && !iq_has;
      check_q[PeOwnChecks + 1 * PeQueueChecks + 3] <= iq_held_q &&
          !(ifmap_valid_i && ifmap_data_i == iq_held_data_q);
      check_q[PeOwnChecks + 2 * PeQueueChecks + 0] <= pq_cnt_q > 3'd4;
      check_q[PeOwnChecks + 2 * PeQueueChecks + 1] <= o_fire && accum_q && !pq_has;
      check_q[PeOwnChecks + 2 * PeQueueChecks + 3] <= pq_held_q &&
          !(psum_valid_i && psum_data_i == pq_held_data_q);
      check_q[PeOwnChecks + 3 * PeQueueChecks + 0] <= oq_cnt_q > 2'd2;
      check_q[PeOwnChecks + 3 * PeQueueChecks + 2] <= o_fire && !oq_room;
      fq_held_q <= filt_valid_i && !fq_push;
      iq_held_q <= ifmap_valid_i && !iq_push;
      pq_held_q <= psum_valid_i && !pq_push;
      fq_held_data_q <= filt_data_i;
      iq_held_data_q <= ifmap_data_i;
      pq_held_data_q <= psum_data_i;
`endif
    end else begin
      // A PE is woken after every issue unless disabled right after it: no stale MAC report from a disabled PE.
      mac_q       <= 1'b0;
      mac_gated_q <= 1'b0;
`ifdef OCELLI_CHECKS
      // Asleep (disabled, or nothing offered and nothing held): no rule is being broken, and a disabled PE is no
      // receiver, so it holds no offered word either.
      check_q   <= '0;
      fq_held_q <= 1'b0;
      iq_held_q <= 1'b0;
      pq_held_q <= 1'b0;
`endif
    end
  end
endmodule
