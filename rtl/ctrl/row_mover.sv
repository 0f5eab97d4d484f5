// Moves one row (or any linear block) from DRAM into the GLB per command.
// Raw: reads `words` 64-bit words and writes them to consecutive GLB words.
// RLC: reads the row's length from its row-table entry, then the coded words through the RLC decoder, packing
// `elems` decoded elements four per GLB word (the last word zero-padded). Errors of the stream stop the mover
// with err_rlc_o; DMA errors are seen by the controller directly.
module row_mover
  import ocelli_pkg::*;
  import mem_pkg::*;
#(
  parameter int unsigned AddrWidth = 14
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,

  input  logic                    cmd_valid_i,
  output logic                    cmd_ready_o,
  input  logic [MemAddrWidth-1:0] cmd_dram_addr_i,   // raw: first word; RLC: first word of the slot
  input  logic [MemAddrWidth-1:0] cmd_index_addr_i,  // RLC: the row-table entry
  input  logic [23:0]             cmd_words_i,       // raw: words to move
  input  logic [15:0]             cmd_elems_i,       // RLC: elements of the row
  input  logic                    cmd_rlc_i,
  input  logic [AddrWidth-1:0]    cmd_glb_addr_i,
  output logic                    idle_o,

  // DMA read channel
  output logic                    rd_cmd_valid_o,
  input  logic                    rd_cmd_ready_i,
  output logic [MemAddrWidth-1:0] rd_cmd_addr_o,
  output logic [23:0]             rd_cmd_words_o,
  input  logic                    rd_data_valid_i,
  output logic                    rd_data_ready_o,
  input  logic [63:0]             rd_data_i,

  // GLB write port
  output logic                    glb_valid_o,
  input  logic                    glb_ready_i,
  output logic [AddrWidth-1:0]    glb_addr_o,
  output logic [63:0]             glb_wdata_o,

  output logic                    err_rlc_o,
  output rlc_err_e                err_rlc_code_o,
  output logic [31:0]             err_rlc_word_o,  // offset of the bad word within the row's stream
  output logic [31:0]             rlc_words_o      // coded words taken by the decoder (performance counter)
);
  typedef enum logic [2:0] {
    StIdle, StRawCmd, StRawData, StIdxCmd, StIdxData, StRlcCmd, StRlcData, StError
  } state_e;

  state_e                  state_q;
  logic [MemAddrWidth-1:0] dram_addr_q;
  logic [23:0]             words_q;
  logic [15:0]             elems_q;
  logic [AddrWidth-1:0]    glb_q;
  logic [31:0]             coded_words_q;

  // decoder
  logic       dec_start, dec_in_ready, dec_out_valid, dec_out_ready, dec_out_last;
  logic       dec_done, dec_error, dec_busy;
  data_t      dec_out_data;
  rlc_err_e   dec_err_code;
  logic [31:0] dec_err_word;

  // element packer
  logic [2:0]  pack_n_q;
  logic [47:0] pack_q;
  logic        pack_flush;
  logic [63:0] pack_word;

  assign cmd_ready_o = state_q == StIdle;
  assign idle_o      = state_q == StIdle;

  always_comb begin
    rd_cmd_valid_o = 1'b0;
    rd_cmd_addr_o  = dram_addr_q;
    rd_cmd_words_o = words_q;
    unique case (state_q)
      StRawCmd: rd_cmd_valid_o = 1'b1;
      StIdxCmd: rd_cmd_valid_o = 1'b1;
      StRlcCmd: rd_cmd_valid_o = 1'b1;
      default: ;
    endcase
  end

  // The element that completes a word (4th, or the row's last) is written together with the packed ones.
  always_comb begin
    unique case (pack_n_q)
      3'd0:    pack_word = {48'd0, dec_out_data};
      3'd1:    pack_word = {32'd0, dec_out_data, pack_q[47:32]};
      3'd2:    pack_word = {16'd0, dec_out_data, pack_q[47:16]};
      default: pack_word = {dec_out_data, pack_q};
    endcase
  end
  assign pack_flush = dec_out_valid && ((pack_n_q == 3'd3) || dec_out_last);

  always_comb begin
    glb_valid_o     = 1'b0;
    glb_addr_o      = glb_q;
    glb_wdata_o     = rd_data_i;
    rd_data_ready_o = 1'b0;
    dec_out_ready   = 1'b0;
    unique case (state_q)
      StRawData: begin
        glb_valid_o     = rd_data_valid_i;
        rd_data_ready_o = glb_ready_i;
      end
      StIdxData: rd_data_ready_o = 1'b1;
      StRlcData: begin
        rd_data_ready_o = dec_in_ready;
        glb_valid_o     = pack_flush;
        glb_wdata_o     = pack_word;
        dec_out_ready   = !pack_flush || glb_ready_i;
      end
      default: ;
    endcase
  end

  assign dec_start = (state_q == StRlcCmd) && rd_cmd_ready_i;

  rlc_decoder u_decoder (
    .clk_i,
    .rst_ni,
    .start_i     (dec_start),
    .count_i     ({16'd0, elems_q}),
    .max_words_i ({8'd0, words_q}),
    .in_valid_i  ((state_q == StRlcData) && rd_data_valid_i),
    .in_ready_o  (dec_in_ready),
    .in_word_i   (rd_data_i),
    .out_valid_o (dec_out_valid),
    .out_ready_i (dec_out_ready),
    .out_data_o  (dec_out_data),
    .out_last_o  (dec_out_last),
    .busy_o      (dec_busy),
    .done_o      (dec_done),
    .error_o     (dec_error),
    .err_code_o  (dec_err_code),
    .err_word_o  (dec_err_word)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q       <= StIdle;
      dram_addr_q   <= '0;
      words_q       <= '0;
      elems_q       <= '0;
      glb_q         <= '0;
      pack_n_q      <= '0;
      pack_q        <= '0;
      coded_words_q <= '0;
      err_rlc_code_o <= RlcOk;
    end else begin
      unique case (state_q)
        StIdle: begin
          if (cmd_valid_i) begin
            glb_q   <= cmd_glb_addr_i;
            elems_q <= cmd_elems_i;
            if (cmd_rlc_i) begin
              dram_addr_q <= cmd_index_addr_i;
              words_q     <= 24'd1;
              state_q     <= StIdxCmd;
            end else begin
              dram_addr_q <= cmd_dram_addr_i;
              words_q     <= cmd_words_i;
              state_q     <= (cmd_words_i == '0) ? StIdle : StRawCmd;
            end
            // The slot address waits in the index command's shadow.
            if (cmd_rlc_i) glb_q <= cmd_glb_addr_i;
          end
        end
        StRawCmd: if (rd_cmd_ready_i) state_q <= StRawData;
        StRawData: begin
          if (rd_data_valid_i && glb_ready_i) begin
            glb_q   <= glb_q + 1'b1;
            words_q <= words_q - 1'b1;
            if (words_q == 24'd1) state_q <= StIdle;
          end
        end
        StIdxCmd: if (rd_cmd_ready_i) state_q <= StIdxData;
        StIdxData: begin
          if (rd_data_valid_i) begin
            words_q     <= rd_data_i[23:0];
            dram_addr_q <= slot_addr_q;
            state_q     <= StRlcCmd;
          end
        end
        StRlcCmd: if (rd_cmd_ready_i) begin
          state_q  <= StRlcData;
          pack_n_q <= '0;
        end
        StRlcData: begin
          if (rd_data_valid_i && dec_in_ready) coded_words_q <= coded_words_q + 1;
          if (dec_out_valid && dec_out_ready) begin
            if (pack_flush) begin
              pack_n_q <= '0;
              pack_q   <= '0;
              glb_q    <= glb_q + 1'b1;
            end else begin
              pack_n_q <= pack_n_q + 1'b1;
              pack_q   <= {dec_out_data, pack_q[47:16]};
            end
          end
          if (dec_error) begin
            state_q        <= StError;
            err_rlc_code_o <= dec_err_code;
          end else if (dec_done) begin
            state_q <= StIdle;
          end
        end
        StError: ;
        default: state_q <= StIdle;
      endcase
    end
  end

  // The slot address of an RLC row, kept while the row-table entry is read.
  logic [MemAddrWidth-1:0] slot_addr_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) slot_addr_q <= '0;
    else if (state_q == StIdle && cmd_valid_i) slot_addr_q <= cmd_dram_addr_i;
  end

  assign err_rlc_o      = state_q == StError;
  assign err_rlc_word_o = dec_err_word;
  assign rlc_words_o = coded_words_q;

`ifndef SYNTHESIS
  a_decoder_idle: assert property (@(posedge clk_i) disable iff (!rst_ni) (state_q == StIdle) |-> !dec_busy);
`endif

endmodule
