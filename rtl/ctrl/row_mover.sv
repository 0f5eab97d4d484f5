// Moves blocks of rows from DRAM into the GLB, keeping the DMA read channel busy: commands are issued ahead of
// the data (the DMA takes a new command once the previous one is requested), and the returning words are
// consumed in order by a separate consumer that knows what each command was.
// Raw command: `words` consecutive DRAM words to consecutive GLB words (a filter chunk, or a plane's raw rows).
// RLC command: `rows` coded rows: first their row-table entries in one burst, then each row's coded words from its
// slot, through the RLC decoder, `elems` elements per row packed four per GLB word, rows `glb_pitch` words apart.
// Row-table entries are 64-bit words, or (tbl16) 16-bit entries four per word, the first in lane `index_lane`: the
// burst is then ceil((lane + rows) / 4) words and the consumer takes one entry per cycle.
// A stream error stops the mover with err_rlc_o; DMA errors are seen by the controller directly.
`include "common/ocelli_assert.svh"

module row_mover
  import ocelli_pkg::*;
  import mem_pkg::*;
#(
  parameter int unsigned AddrWidth = 14,
  parameter int unsigned MaxRows   = 64
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,

  input  logic                    cmd_valid_i,
  output logic                    cmd_ready_o,
  input  logic                    cmd_rlc_i,
  input  logic [MemAddrWidth-1:0] cmd_dram_addr_i,   // raw: first word; RLC: slot of the first row
  input  logic [MemAddrWidth-1:0] cmd_index_addr_i,  // RLC: row-table word of the first row
  input  logic                    cmd_tbl16_i,       // RLC: 16-bit row-table entries
  input  logic [1:0]              cmd_index_lane_i,  // RLC, tbl16: lane of the first row's entry in its word
  input  logic [23:0]             cmd_words_i,       // raw: words to move
  input  logic [6:0]              cmd_rows_i,        // RLC: rows (1..MaxRows)
  input  logic [7:0]              cmd_slot_words_i,  // RLC: DRAM words between row slots
  input  logic [15:0]             cmd_elems_i,       // RLC: elements per row
  input  logic [7:0]              cmd_glb_pitch_i,   // RLC: GLB words between rows
  input  logic [AddrWidth-1:0]    cmd_glb_addr_i,
  input  logic                    cmd_weights_i,     // raw: a filter chunk (only counted: DRAM bytes by purpose)
  output logic                    idle_o,
  output logic                    rd_weights_o,      // the words now read belong to a filter chunk

  output dma_rd_req_t             rd_req_o,
  input  dma_rd_rsp_t             rd_rsp_i,

  output glb_port_req_t           glb_o,           // GLB writes of whole words
  input  logic                    glb_ready_i,

  output logic                    err_rlc_o,
  output rlc_err_e                err_rlc_code_o,
  output logic [31:0]             err_rlc_word_o,
  input  logic                    perf_clear_i,    // restart the counter (each layer's start)
  output logic [31:0]             rlc_words_o      // coded words taken by the decoder (performance counter)
);
  localparam int unsigned RowW = $clog2(MaxRows + 1);

  typedef enum logic [1:0] {JobRaw, JobIndex, JobRow} job_e;
  typedef struct packed {
    job_e                 kind;
    logic                 weights;
    logic [23:0]          words;
    logic [AddrWidth-1:0] glb;
  } job_t;

  // ------------------------------------------------------------------ issuer
  typedef enum logic [1:0] {IsIdle, IsIndex, IsWaitIndex, IsRows} issue_e;
  issue_e                  is_q;
  logic [MemAddrWidth-1:0] slot_q, index_q;
  logic [RowW-1:0]         rows_q, row_k_q;
  logic [7:0]              slot_words_q, glb_pitch_q;
  logic                    tbl16_q;
  logic [1:0]              lane_q;
  logic [RowW:0]           index_words;     // words of the row-table burst
  logic [15:0]             elems_q;
  logic [AddrWidth-1:0]    glb_row_q;
  logic [MemAddrWidth-1:0] raw_addr_q;
  logic [23:0]             raw_words_q;
  logic                    raw_pending_q;
  logic                    raw_weights_q;

  logic [MaxRows-1:0][8:0] idx_q;           // row lengths in words of the current RLC command
  logic [RowW-1:0]         idx_filled_q;    // entries written by the consumer

  logic                    job_push, job_ready, job_valid, job_pop;
  job_t                    job_in, job_head;
  logic [3:0]              job_count;

  assign index_words = tbl16_q ? (RowW+1)'(({1'b0, rows_q} + (RowW+1)'(lane_q) + (RowW+1)'(3)) >> 2)
                                : {1'b0, rows_q};

  always_comb begin
    rd_req_o.cmd_valid = 1'b0;
    rd_req_o.cmd.addr  = raw_addr_q;
    rd_req_o.cmd.words = raw_words_q;
    job_in             = '{kind: JobRaw, weights: raw_weights_q, words: raw_words_q, glb: glb_row_q};
    if (raw_pending_q) begin
      rd_req_o.cmd_valid = job_ready;
    end else if (is_q == IsIndex) begin
      rd_req_o.cmd_valid = job_ready;
      rd_req_o.cmd.addr  = index_q;
      rd_req_o.cmd.words = 24'(index_words);
      job_in             = '{kind: JobIndex, weights: 1'b0, words: 24'(index_words), glb: glb_row_q};
    end else if (is_q == IsRows) begin
      rd_req_o.cmd_valid = job_ready;
      rd_req_o.cmd.addr  = slot_q;
      rd_req_o.cmd.words = 24'(idx_q[row_k_q]);
      job_in             = '{kind: JobRow, weights: 1'b0, words: 24'(idx_q[row_k_q]), glb: glb_row_q};
    end
  end
  assign job_push    = rd_req_o.cmd_valid && rd_rsp_i.cmd_ready;
  assign cmd_ready_o = (is_q == IsIdle) && !raw_pending_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      is_q          <= IsIdle;
      slot_q        <= '0;
      index_q       <= '0;
      rows_q        <= '0;
      row_k_q       <= '0;
      slot_words_q  <= '0;
      glb_pitch_q   <= '0;
      tbl16_q       <= 1'b0;
      lane_q        <= '0;
      elems_q       <= '0;
      glb_row_q     <= '0;
      raw_addr_q    <= '0;
      raw_words_q   <= '0;
      raw_pending_q <= 1'b0;
      raw_weights_q <= 1'b0;
    end else begin
      if (cmd_valid_i && cmd_ready_o) begin
        glb_row_q <= cmd_glb_addr_i;
        if (cmd_rlc_i) begin
          is_q         <= (cmd_rows_i == '0) ? IsIdle : IsIndex;
          slot_q       <= cmd_dram_addr_i;
          index_q      <= cmd_index_addr_i;
          rows_q       <= RowW'(cmd_rows_i);
          slot_words_q <= cmd_slot_words_i;
          glb_pitch_q  <= cmd_glb_pitch_i;
          tbl16_q      <= cmd_tbl16_i;
          lane_q       <= cmd_tbl16_i ? cmd_index_lane_i : 2'd0;
          elems_q      <= cmd_elems_i;
        end else begin
          raw_addr_q    <= cmd_dram_addr_i;
          raw_words_q   <= cmd_words_i;
          raw_pending_q <= cmd_words_i != '0;
          raw_weights_q <= cmd_weights_i;
        end
      end
      if (raw_pending_q && job_push) raw_pending_q <= 1'b0;
      unique case (is_q)
        IsIndex: if (job_push) is_q <= IsWaitIndex;
        IsWaitIndex: if (idx_filled_q == rows_q) begin
          row_k_q <= '0;
          is_q    <= IsRows;
        end
        IsRows: if (job_push) begin
          slot_q    <= slot_q + MemAddrWidth'({slot_words_q, 3'b000});
          glb_row_q <= glb_row_q + AddrWidth'(glb_pitch_q);
          row_k_q   <= row_k_q + 1'b1;
          if (row_k_q + 1'b1 == rows_q) is_q <= IsIdle;
        end
        default: ;
      endcase
    end
  end

  stream_fifo #(.Width($bits(job_t)), .Depth(8)) u_jobs (
    .clk_i,
    .rst_ni,
    .clear_i     (1'b0),
    .in_valid_i  (job_push),
    .in_ready_o  (job_ready),
    .in_data_i   (job_in),
    .out_valid_o (job_valid),
    .out_ready_i (job_pop),
    .out_data_o  (job_head),
    .count_o     (job_count)
  );

  // ------------------------------------------------------------------ consumer
  typedef enum logic [2:0] {CoIdle, CoRaw, CoIndex, CoRowStart, CoRow, CoError} consume_e;
  consume_e             co_q;
  logic [23:0]          co_left_q;
  logic [AddrWidth-1:0] co_glb_q;
  logic                 co_weights_q;  // the consumer's job is a filter chunk
  logic [RowW-1:0]      co_idx_q;
  logic [1:0]           co_lane_q;       // tbl16: lane of the next entry in the word on the port
  logic [63:0]          idx_entry;       // the next row-table entry
  logic                 idx_last;        // it is the command's last
  assign idx_entry = tbl16_q ? {48'd0, rd_rsp_i.data[{co_lane_q, 4'd0} +: 16]} : rd_rsp_i.data;
  assign idx_last  = co_idx_q + 1'b1 == rows_q;
  logic [31:0]          coded_words_q;

  logic       dec_in_ready, dec_out_valid, dec_out_ready, dec_out_last, dec_done, dec_error, dec_busy;
  data_t      dec_out_data;
  rlc_err_e   dec_err_code;
  logic [31:0] dec_err_word;
  logic [2:0]  dec_out_count, dec_take;
  logic [2:0]  pack_n_q;       // elements collected for the next GLB word (element i at bits 16i)
  logic [47:0] pack_q;
  logic        pack_flush;
  logic [63:0] pack_word;

  assign job_pop = job_valid && (co_q == CoIdle);
  assign rd_weights_o = co_weights_q;

  // The decoder offers a level or a group of zeros; take as many as the word being packed has room for. Zeros add
  // nothing to the word (it starts at 0), a level goes into lane pack_n_q.
  assign dec_take   = (dec_out_count < 3'd4 - pack_n_q) ? dec_out_count : 3'd4 - pack_n_q;
  assign pack_word  = {16'd0, pack_q} | ({48'd0, dec_out_data} << {pack_n_q[1:0], 4'd0});
  assign pack_flush = dec_out_valid && ((pack_n_q + dec_take == 3'd4) || dec_out_last);

  always_comb begin
    glb_o               = '{valid: 1'b0, req: '{write: 1'b1, addr: GlbAddrWidth'(co_glb_q), wdata: rd_rsp_i.data,
                                                wmask: 4'hf}};
    rd_req_o.data_ready = 1'b0;
    dec_out_ready       = 1'b0;
    unique case (co_q)
      CoRaw: begin
        glb_o.valid         = rd_rsp_i.data_valid;
        rd_req_o.data_ready = glb_ready_i;
      end
      // a word is taken with its last entry (64-bit entries: each word)
      CoIndex: rd_req_o.data_ready = !tbl16_q || (co_lane_q == 2'd3) || idx_last;
      CoRow: begin
        rd_req_o.data_ready = dec_in_ready;
        glb_o.valid         = pack_flush;
        glb_o.req.wdata     = pack_word;
        dec_out_ready       = !pack_flush || glb_ready_i;
      end
      default: ;
    endcase
  end

  rlc_decoder u_decoder (
    .clk_i,
    .rst_ni,
    .start_i     (co_q == CoRowStart),
    .count_i     ({16'd0, elems_q}),
    .max_words_i ({8'd0, co_left_q}),
    .in_valid_i  ((co_q == CoRow) && rd_rsp_i.data_valid),
    .in_ready_o  (dec_in_ready),
    .in_word_i   (rd_rsp_i.data),
    .out_valid_o (dec_out_valid),
    .out_ready_i (dec_out_ready),
    .out_data_o  (dec_out_data),
    .out_count_o (dec_out_count),
    .out_take_i  (dec_take),
    .out_last_o  (dec_out_last),
    .busy_o      (dec_busy),
    .done_o      (dec_done),
    .error_o     (dec_error),
    .err_code_o  (dec_err_code),
    .err_word_o  (dec_err_word)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      co_q           <= CoIdle;
      co_left_q      <= '0;
      co_glb_q       <= '0;
      co_weights_q   <= 1'b0;
      co_idx_q       <= '0;
      co_lane_q      <= '0;
      idx_q          <= '0;
      idx_filled_q   <= '0;
      pack_n_q       <= '0;
      pack_q         <= '0;
      coded_words_q  <= '0;
      err_rlc_code_o <= RlcOk;
    end else begin
      if (cmd_valid_i && cmd_ready_o && cmd_rlc_i) idx_filled_q <= '0;
      unique case (co_q)
        CoIdle: if (job_valid) begin
          co_left_q <= job_head.words;
          co_glb_q  <= job_head.glb;
          co_weights_q <= job_head.weights;
          co_idx_q  <= '0;
          co_lane_q <= lane_q;
          unique case (job_head.kind)
            JobRaw:   co_q <= (job_head.words == '0) ? CoIdle : CoRaw;
            JobIndex: co_q <= CoIndex;
            default:  co_q <= CoRowStart;
          endcase
        end
        CoRaw: if (rd_rsp_i.data_valid && glb_ready_i) begin
          co_glb_q  <= co_glb_q + 1'b1;
          co_left_q <= co_left_q - 1'b1;
          if (co_left_q == 24'd1) co_q <= CoIdle;
        end
        CoIndex: if (rd_rsp_i.data_valid) begin
          // A row-table entry longer than the row's slot would read into the next row: refuse it.
          if (idx_entry > 64'(slot_words_q) || idx_entry == '0) begin
            co_q           <= CoError;
            err_rlc_code_o <= RlcErrBadLength;
          end
          idx_q[co_idx_q] <= idx_entry[8:0];
          co_idx_q        <= co_idx_q + 1'b1;
          co_lane_q       <= co_lane_q + 1'b1;
          idx_filled_q    <= co_idx_q + 1'b1;
          if (idx_last && idx_entry <= 64'(slot_words_q) && idx_entry != '0) begin
            co_q <= CoIdle;
          end
        end
        CoRowStart: begin
          pack_n_q <= '0;
          pack_q   <= '0;
          co_q     <= CoRow;
        end
        CoRow: begin
          if (rd_rsp_i.data_valid && dec_in_ready) coded_words_q <= coded_words_q + 1;
          if (dec_out_valid && dec_out_ready) begin
            if (pack_flush) begin
              pack_n_q <= '0;
              pack_q   <= '0;
              co_glb_q <= co_glb_q + 1'b1;
            end else begin
              pack_n_q <= pack_n_q + dec_take;
              pack_q   <= pack_word[47:0];
            end
          end
          if (dec_error) begin
            co_q           <= CoError;
            err_rlc_code_o <= dec_err_code;
          end else if (dec_done) begin
            co_q <= CoIdle;
          end
        end
        default: ;
      endcase
      if (perf_clear_i) coded_words_q <= '0;
    end
  end

  assign idle_o         = (is_q == IsIdle) && !raw_pending_q && !job_valid && (co_q == CoIdle);
  assign err_rlc_o      = co_q == CoError;
  assign err_rlc_word_o = dec_err_word;
  assign rlc_words_o    = coded_words_q;

`ifndef SYNTHESIS
  `OCELLI_ASSERT(a_decoder_idle, (co_q == CoIdle) |-> !dec_busy)
  `OCELLI_ASSERT(a_rows_in_range, (cmd_valid_i && cmd_ready_o && cmd_rlc_i) |-> (cmd_rows_i <= 7'(MaxRows)))
  `OCELLI_ASSERT(a_jobs_bounded, job_count <= 4'd8)
`endif

  // Handshake rule: an offered request or word stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_rd_cmd_stable, rd_req_o.cmd_valid, rd_rsp_i.cmd_ready, rd_req_o.cmd)
  `OCELLI_ASSERT_STREAM(a_glb_req_stable, glb_o.valid, glb_ready_i, glb_o.req)
endmodule
