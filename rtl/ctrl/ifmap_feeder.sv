// Streams one pass's ifmap tile from the GLB into the ifmap GIN, up to IfmapLanes values per transfer.
//
// A target is one (vertical set vr, tile row hr): row tag = vr (the X-buses of set vr share that row ID), col tag =
// hr (PE(i, j) of a set has col ID i + j*stride_v), so a transfer reaches one PE diagonal. Each target's stream is
// the PE's order (pe.sv): image b, streamed column w, channel c of the set (c fastest). Columns are taken in
// groups of 4 (one GLB word's worth): a group holds 4*q values per target, i.e. exactly q words, so words never
// cross a group and only an image's last group gives a partial word (count < 4).
//
// Per group the feeder first reads each needed (channel, tile row) GLB word once into a line buffer (fill), then
// sends the group's words sweep by sweep: sweep k sends every target its k-th word, targets in the order vr, hr
// (hr fastest) as before, so every diagonal advances together and no PE's full queue holds up the others for long.
// GLB tile layout: [b][channel in block][tile row][ceil(W/4) words], 4 elements per word. With pad_l not a multiple
// of 4 a group's columns span two GLB words (A, then B); the line buffer keeps two words per entry, so B of one
// group is A of the next and each word is read once.
//
// Fill under emit: with one chunk per group (every AlexNet layer) the fill walk of group g+1 runs while group g is
// sent, as soon as g's remaining words no longer need the slot that B of g+1 goes into, so the PEs are not left
// without ifmap values for a whole fill between two groups.
//
// Fill ahead: the controller may start the feeder for the next pass while the pass before still runs (its feed is
// over; the pass's ifmap block is in the GLB). The feeder fills and sends as always: the PEs take the first words
// into their ifmap queues before the pass starts, the others wait in the ifmap network, so neither the first fill
// nor the first sweeps (one word per target each) are on the way to the pass's first MACs. (Until 2026-12-03 the
// feeder held the filled chunk until the pass started: AlexNet conv3-5 then waited two sweeps of 56 cycles per
// pass, docs/performance-log.md.) The block's base and valid channels are taken at start_i; the other inputs are
// the tile's and hold still.
//
// Line buffer: LbEntries (target, channel) entries of 2 GLB words (256 x 2 x 64 bit = 4 KB). The targets of a
// group are filled and sent in chunks of floor(LbEntries/q) targets; every AlexNet layer fits one chunk (conv3:
// 4 sets x 15 rows x 4 channels = 240 entries). When a group needs more than one chunk the entries are reused, so
// A is read again with B (two reads per entry if misaligned). Padding, columns and rows outside the ifmap and
// channels past chans_valid are zeros masked at the output without a GLB read. Rows no PE uses (hr mod stride_v
// >= R) are not sent.
`include "common/ocelli_assert.svh"

module ifmap_feeder
  import ocelli_pkg::*;
#(
  parameter int unsigned AddrWidth = 14,
  parameter int unsigned LbEntries = 256  // (target, channel) entries of the line buffer, 2 GLB words each
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

  output glb_port_req_t        glb_o,  // GLB reads (u_reader)
  input  glb_port_rsp_t        glb_i,

  output logic                 gin_valid_o,  // to the ifmap GIN
  input  logic                 gin_ready_i,
  output ifmap_gin_word_t      gin_o
);
  localparam int unsigned IdxW  = $clog2(LbEntries);
  localparam int unsigned SideW = IdxW + 1;

  // One target and the GLB offsets of its words.
  typedef struct packed {
    logic [3:0]           vr;
    logic [6:0]           hr;
    logic signed [16:0]   h;         // input row of hr
    logic [7:0]           vr_ch;     // vr*q: the set's first channel in the block
    logic [AddrWidth-1:0] vr_plane;  // GLB base of that channel in image b
    logic [AddrWidth-1:0] hr_off;    // hr * pitch
  } tgt_t;

  typedef enum logic [1:0] {Idle, Fill, Drain, Emit} phase_e;

  // Targets per chunk: as many as fit the line buffer with q entries each.
  function automatic logic [IdxW:0] chunk_targets(logic [3:0] q);
    return (IdxW + 1)'(LbEntries / ((q == '0) ? 32'd1 : 32'(q)));
  endfunction

  phase_e                 phase_q;
  logic [7:0]             chans_q;        // chans_valid_i at start
  logic [3:0]             b_q;
  logic [AddrWidth-1:0]   img_q;          // GLB base of image b
  logic [AddrWidth-1:0]   qplane_q;       // q * plane_words: from one set's channels to the next
  logic [AddrWidth-1:0]   img_stride_q;   // r * q * plane_words
  logic [IdxW:0]          ct_q;           // targets per chunk
  logic                   one_chunk_q;    // every target of a group fits: B of a group stays as A of the next
  logic [7:0]             g_q;            // column group (stream columns 4g .. 4g+3)
  logic [9:0]             left_q;         // stream columns from 4g on
  logic signed [10:0]     jb_q;           // GLB word of B of the group being filled: g - pad_l/4
  logic                   fslot_q;        // line buffer slot of B of the group being filled: its g[0]
  // Fill under emit (one chunk per group): the next group's fill walk runs while the current group is sent, once
  // no later word of it needs the slot that the next group's B goes into (docs: header, "Fill under emit").
  logic                   fa_q;           // the next group's fill walk has started during this group's emit
  logic                   fa_end_q;       // ... and has issued all its reads

  // Fill: target F, channel f_c (plane offset f_coff), word A or B; f_tl targets of the chunk done.
  tgt_t                   f_q, s_q;       // s_q: the chunk's first target
  logic [3:0]             f_c_q;
  logic [AddrWidth-1:0]   f_coff_q;
  logic                   f_b_q;          // reading B (else A)
  logic [IdxW:0]          f_tl_q;
  logic [IdxW-1:0]        f_tlq_q;        // f_tl * q: entry of channel 0
  logic                   f_all_q;        // the chunk ends with the group's last target
  logic [IdxW:0]          len_q;          // targets in the chunk

  // Emit: target E (e_tl of the chunk, entry e_tlq), sweep start position (column sc_col, channel sc_c), values
  // left for every target from that position (rem).
  tgt_t                   e_q;
  logic [IdxW:0]          e_tl_q;
  logic [IdxW-1:0]        e_tlq_q;
  logic [2:0]             sc_col_q;
  logic [3:0]             sc_c_q;
  logic [5:0]             rem_q;

  logic [63:0]            lb_q [LbEntries][2];

  logic [6:0]             stride_mask;
  logic                   last_b, last_g, need_a;
  logic [2:0]             gcols;
  logic [5:0]             gvals;
  tgt_t                   first_tgt, f_next, e_next;
  logic                   f_last_hr, e_last_hr, f_last_tgt;

  assign stride_mask = (7'd1 << stride_v_log2_i) - 7'd1;
  assign last_b      = b_q == n_img_i - 1'b1;
  assign last_g      = left_q <= 10'd4;
  assign gcols       = last_g ? left_q[2:0] : 3'd4;
  assign gvals       = 6'(gcols) * 6'(q_i);
  // A is read with B only when the columns straddle two words and the previous group's B is gone.
  assign need_a      = (pad_l_i[1:0] != 2'd0) && !one_chunk_q && (g_q != '0);

  always_comb begin
    first_tgt          = '0;
    first_tgt.h        = h_start_i;
    first_tgt.vr_plane = img_q;
  end

  // Next target (vr, hr with hr fastest) of the fill and emit walks.
  assign f_last_hr  = f_q.hr == rows_tile_i - 1'b1;
  assign e_last_hr  = e_q.hr == rows_tile_i - 1'b1;
  assign f_last_tgt = f_last_hr && f_q.vr == sets_v_i - 1'b1;
  // The walk order's successor of target t (hr fastest, then vr), shared by the fill and the emit walks.
  function automatic tgt_t next_target(tgt_t t, logic last_hr);
    next_target = t;
    if (!last_hr) begin
      next_target.hr     = t.hr + 1'b1;
      next_target.h      = t.h + 1;
      next_target.hr_off = t.hr_off + AddrWidth'(pitch_i);
    end else begin
      next_target.hr       = '0;
      next_target.h        = h_start_i;
      next_target.hr_off   = '0;
      next_target.vr       = t.vr + 1'b1;
      next_target.vr_ch    = t.vr_ch + 8'(q_i);
      next_target.vr_plane = t.vr_plane + qplane_q;
    end
  endfunction
  assign f_next = next_target(f_q, f_last_hr);
  assign e_next = next_target(e_q, e_last_hr);

  // ---- fill: one GLB read per needed (target, channel[, A]) ----
  logic                   f_covered, f_need, f_step, f_chunk_end, req_ready, reader_idle;
  logic [7:0]             f_ch;
  logic signed [10:0]     f_j;
  logic [AddrWidth-1:0]   f_addr;
  logic [IdxW-1:0]        f_idx;
  assign f_covered = (f_q.hr & stride_mask) < 7'(r_rows_i);
  assign f_ch      = f_q.vr_ch + 8'(f_c_q);
  assign f_j       = f_b_q ? jb_q : jb_q - 11'sd1;
  assign f_need    = f_covered && (f_q.h >= 0) && (f_q.h < $signed({1'b0, in_h_i})) && (f_ch < chans_q) &&
                     (f_j >= 0) && (f_j < $signed({3'b0, pitch_i}));
  assign f_addr    = f_q.vr_plane + f_coff_q + f_q.hr_off + AddrWidth'(f_j[9:0]);
  assign f_idx     = f_tlq_q + IdxW'(f_c_q);
  logic filling;
  assign filling   = phase_q == Fill || (phase_q == Emit && fa_q && !fa_end_q);
  assign f_step    = filling && (!f_need || req_ready);
  // The step that finishes a target, and the one that finishes the chunk.
  logic f_tgt_done, f_walk_end;
  assign f_tgt_done = f_step && !(f_covered && !f_b_q) && !(f_covered && f_c_q != q_i - 1'b1);
  // The fill step that finishes a target: the chunk ends there when the buffer is full or the targets run out.
  assign f_chunk_end = f_last_tgt || (f_tl_q + 1'b1 == ct_q);
  assign f_walk_end  = f_tgt_done && f_chunk_end;

  // ---- emit: the current target's next word from the line buffer ----
  logic                   e_covered, e_row_ok, e_step, e_sweep_end;
  logic [2:0]             cnt;
  logic [4:0][2:0]        pos_col;
  logic [4:0][3:0]        pos_c;
  ifmap_word_t            word;
  always_comb begin
    // Stream positions of the word's lanes (and of the next sweep's start), c fastest.
    automatic logic [2:0] col = sc_col_q;
    automatic logic [3:0] c   = sc_c_q;
    for (int l = 0; l <= 4; l++) begin
      pos_col[l] = col;
      pos_c[l]   = c;
      if (c == q_i - 1'b1) begin
        c   = '0;
        col = col + 1'b1;
      end else begin
        c = c + 1'b1;
      end
    end
  end
  assign cnt       = (rem_q >= 6'd4) ? 3'd4 : rem_q[2:0];
  assign e_covered = (e_q.hr & stride_mask) < 7'(r_rows_i);
  assign e_row_ok  = (e_q.h >= 0) && (e_q.h < $signed({1'b0, in_h_i}));
  always_comb begin
    automatic logic signed [12:0] w;
    automatic logic [2:0]         x;
    automatic logic [IdxW-1:0]    idx;
    automatic logic [63:0]        src;
    word.count = cnt;
    word.lanes = '0;
    for (int l = 0; l < int'(IfmapLanes); l++) begin
      // Input column w = 4g + col - pad_l = 4*(jb-1) + x: lane x of A (x < 4) or x-4 of B.
      w   = $signed({3'b0, g_q, 2'b00}) + $signed({10'b0, pos_col[l]}) - $signed({9'b0, pad_l_i});
      x   = 3'd4 + pos_col[l] - {1'b0, pad_l_i[1:0]};
      idx = e_tlq_q + IdxW'(pos_c[l]);
      src = lb_q[idx][x[2] ? g_q[0] : !g_q[0]];
      if (3'(l) < cnt && e_row_ok && w >= 0 && 32'(w) < $signed({16'b0, in_w_i}) &&
          (e_q.vr_ch + 8'(pos_c[l])) < chans_q) begin
        word.lanes[l] = src[x[1:0] * DataWidth +: DataWidth];
      end
    end
  end
  assign e_step      = phase_q == Emit && (!e_covered || gin_ready_i);
  assign e_sweep_end = e_tl_q + 1'b1 == len_q;
  // The next group's fill may start under this group's emit: one chunk per group, a next group, and its B slot is
  // free. That is this group's A slot (within an image; an image's group 0 takes slot 0, so only if this group's B
  // is in slot 1), free once the current sweep starts at or after column pad_l mod 4 (A holds the group's columns
  // left of that).
  logic e_chunk_done, next_in_image, fa_start;
  assign e_chunk_done  = e_step && e_sweep_end && rem_q <= 6'd4;
  assign next_in_image = !last_g;
  assign fa_start      = phase_q == Emit && one_chunk_q && !fa_q && !e_chunk_done && !(last_g && last_b) &&
                         (next_in_image || g_q[0]) && sc_col_q >= {1'b0, pad_l_i[1:0]};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      phase_q      <= Idle;
      chans_q      <= '0;
      b_q          <= '0;
      img_q        <= '0;
      qplane_q     <= '0;
      img_stride_q <= '0;
      ct_q         <= '0;
      one_chunk_q  <= 1'b0;
      g_q          <= '0;
      left_q       <= '0;
      jb_q         <= '0;
      fslot_q      <= 1'b0;
      fa_q         <= 1'b0;
      fa_end_q     <= 1'b0;
      f_q          <= '0;
      s_q          <= '0;
      f_c_q        <= '0;
      f_coff_q     <= '0;
      f_b_q        <= 1'b1;
      f_tl_q       <= '0;
      f_tlq_q      <= '0;
      f_all_q      <= 1'b0;
      len_q        <= '0;
      e_q          <= '0;
      e_tl_q       <= '0;
      e_tlq_q      <= '0;
      sc_col_q     <= '0;
      sc_c_q       <= '0;
      rem_q        <= '0;
    end else if (start_i) begin
      phase_q      <= Fill;
      chans_q      <= chans_valid_i;
      b_q          <= '0;
      img_q        <= base_i;
      qplane_q     <= AddrWidth'(32'(q_i) * 32'(plane_words_i));
      img_stride_q <= AddrWidth'(32'(sets_v_i) * 32'(q_i) * 32'(plane_words_i));
      ct_q         <= chunk_targets(q_i);
      one_chunk_q  <= 32'(sets_v_i) * 32'(rows_tile_i) <= 32'(chunk_targets(q_i));
      g_q          <= '0;
      left_q       <= stream_w_i;
      jb_q         <= -$signed({9'd0, pad_l_i[3:2]});
      fslot_q      <= 1'b0;
      fa_q         <= 1'b0;
      fa_end_q     <= 1'b0;
      f_q          <= '{vr: '0, hr: '0, h: h_start_i, vr_ch: '0, vr_plane: base_i, hr_off: '0};
      s_q          <= '{vr: '0, hr: '0, h: h_start_i, vr_ch: '0, vr_plane: base_i, hr_off: '0};
      f_c_q        <= '0;
      f_coff_q     <= '0;
      f_b_q        <= 1'b1;
      f_tl_q       <= '0;
      f_tlq_q      <= '0;
      f_all_q      <= 1'b0;
    end else begin
      // The fill walk: one step per needed read (phase Fill, or under the emit for the next group).
      if (f_step) begin
        if (f_covered && !f_b_q) begin
          f_b_q <= 1'b1;
        end else if (f_covered && f_c_q != q_i - 1'b1) begin
          f_c_q    <= f_c_q + 1'b1;
          f_coff_q <= f_coff_q + plane_words_i;
          f_b_q    <= !need_a;
        end else begin
          // Target done.
          f_c_q    <= '0;
          f_coff_q <= '0;
          f_b_q    <= !need_a;
          f_q      <= f_next;
          f_tl_q   <= f_tl_q + 1'b1;
          f_tlq_q  <= f_tlq_q + IdxW'(q_i);
          if (f_chunk_end) begin
            f_all_q <= f_last_tgt;
            len_q   <= f_tl_q + 1'b1;
            if (phase_q == Fill) phase_q <= Drain;
            else fa_end_q <= 1'b1;
          end
        end
      end
      // The next group's fill walk starts under the emit.
      if (fa_start) begin
        fa_q     <= 1'b1;
        fa_end_q <= 1'b0;
        fslot_q  <= next_in_image ? !g_q[0] : 1'b0;
        jb_q     <= next_in_image ? jb_q + 11'sd1 : -$signed({9'd0, pad_l_i[3:2]});
        f_q      <= '{vr: '0, hr: '0, h: h_start_i, vr_ch: '0,
                      vr_plane: next_in_image ? img_q : img_q + img_stride_q, hr_off: '0};
        f_c_q    <= '0;
        f_coff_q <= '0;
        f_b_q    <= 1'b1;
        f_tl_q   <= '0;
        f_tlq_q  <= '0;
      end
      unique case (phase_q)
        Fill: ;
        Drain: begin
          // Every read answered: the chunk is in the buffer.
          if (reader_idle) begin
            phase_q  <= Emit;
            e_q      <= s_q;
            e_tl_q   <= '0;
            e_tlq_q  <= '0;
            sc_col_q <= '0;
            sc_c_q   <= '0;
            rem_q    <= gvals;
          end
        end
        Emit: begin
          if (e_step) begin
            if (!e_sweep_end) begin
              e_q     <= e_next;
              e_tl_q  <= e_tl_q + 1'b1;
              e_tlq_q <= e_tlq_q + IdxW'(q_i);
            end else if (rem_q > 6'd4) begin
              // Next sweep over the chunk's targets.
              e_q      <= s_q;
              e_tl_q   <= '0;
              e_tlq_q  <= '0;
              sc_col_q <= pos_col[4];
              sc_c_q   <= pos_c[4];
              rem_q    <= rem_q - 6'd4;
            end else if (fa_q) begin
              // Chunk sent, the next group's fill under way or done (possibly in this very cycle): on to that group
              // (one chunk per group).
              phase_q  <= (fa_end_q || f_walk_end) ? Drain : Fill;
              fa_q     <= 1'b0;
              fa_end_q <= 1'b0;
              s_q      <= '{vr: '0, hr: '0, h: h_start_i, vr_ch: '0,
                            vr_plane: next_in_image ? img_q : img_q + img_stride_q, hr_off: '0};
              if (next_in_image) begin
                g_q    <= g_q + 1'b1;
                left_q <= left_q - 10'd4;
              end else begin
                b_q    <= b_q + 1'b1;
                img_q  <= img_q + img_stride_q;
                g_q    <= '0;
                left_q <= stream_w_i;
              end
            end else begin
              // Chunk sent: the next chunk, group or image (the fill walk already stands at the next chunk).
              phase_q <= Fill;
              f_tl_q  <= '0;
              f_tlq_q <= '0;
              if (!f_all_q) begin
                s_q <= f_q;
              end else if (!last_g) begin
                g_q     <= g_q + 1'b1;
                left_q  <= left_q - 10'd4;
                jb_q    <= jb_q + 11'sd1;
                fslot_q <= !g_q[0];
                f_q     <= first_tgt;
                s_q     <= first_tgt;
                f_b_q   <= !((pad_l_i[1:0] != 2'd0) && !one_chunk_q);  // need_a of group g+1 > 0
                f_all_q <= 1'b0;
              end else if (!last_b) begin
                b_q     <= b_q + 1'b1;
                img_q   <= img_q + img_stride_q;
                g_q     <= '0;
                left_q  <= stream_w_i;
                jb_q    <= -$signed({9'd0, pad_l_i[3:2]});
                fslot_q <= 1'b0;
                f_q     <= '{vr: '0, hr: '0, h: h_start_i, vr_ch: '0, vr_plane: img_q + img_stride_q, hr_off: '0};
                s_q     <= '{vr: '0, hr: '0, h: h_start_i, vr_ch: '0, vr_plane: img_q + img_stride_q, hr_off: '0};
                f_b_q   <= 1'b1;
                f_all_q <= 1'b0;
              end else begin
                phase_q <= Idle;
              end
            end
          end
        end
        default: ;
      endcase
    end
  end

  // Line buffer writes: B of group g in slot g[0], A in the other slot.
  logic                 rsp_valid;
  logic [63:0]          rsp_data;
  logic [SideW-1:0]     rsp_side;
  always_ff @(posedge clk_i) begin
    if (rsp_valid) lb_q[rsp_side[SideW-1:1]][rsp_side[0]] <= rsp_data;
  end

  glb_reader #(.AddrWidth(AddrWidth), .SideWidth(SideW)) u_reader (
    .clk_i, .rst_ni,
    .req_valid_i     (filling && f_need),
    .req_ready_o     (req_ready),
    .req_addr_i      (f_addr),
    .req_skip_i      (1'b0),
    .req_side_i      ({f_idx, f_b_q ? fslot_q : !fslot_q}),
    .glb_o, .glb_i,
    .out_valid_o     (rsp_valid),
    .out_ready_i     (1'b1),
    .out_data_o      (rsp_data),
    .out_side_o      (rsp_side),
    .idle_o          (reader_idle)
  );

  assign gin_valid_o   = phase_q == Emit && e_covered;
  assign gin_o.data    = word;
  assign gin_o.row_tag = NocRowIdWidth'(e_q.vr);
  assign gin_o.col_tag = NocColIdWidth'(e_q.hr);
  assign busy_o        = phase_q != Idle || !reader_idle;

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_gin_stable, gin_valid_o, gin_ready_i, gin_o)
  // Every word sent goes to a target of the tile (the emit walk ends with the chunk's targets).
  `OCELLI_ASSERT(a_emit_in_tile, gin_valid_o |-> e_q.vr < sets_v_i && e_q.hr < rows_tile_i)
  // The chunk's entries fit the line buffer.
  `OCELLI_ASSERT(a_lb_fits, filling |-> 32'(f_tl_q) * 32'(q_i) < LbEntries)
endmodule
