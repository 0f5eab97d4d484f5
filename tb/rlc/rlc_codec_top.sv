// Test wrapper holding one RLC encoder and one RLC decoder side by side, so both verilate into one model.
module rlc_codec_top
  import ocelli_pkg::*;
(
  input  logic        clk_i,
  input  logic        rst_ni,

  input  logic        enc_in_valid_i,
  output logic        enc_in_ready_o,
  input  data_t       enc_in_data_i,
  input  logic        enc_in_last_i,
  output logic        enc_out_valid_o,
  input  logic        enc_out_ready_i,
  output dram_word_t  enc_out_word_o,
  output logic        enc_out_last_o,

  input  logic        dec_start_i,
  input  logic [31:0] dec_count_i,
  input  logic [31:0] dec_max_words_i,
  input  logic        dec_in_valid_i,
  output logic        dec_in_ready_o,
  input  dram_word_t  dec_in_word_i,
  output logic        dec_out_valid_o,
  input  logic        dec_out_ready_i,
  output data_t       dec_out_data_o,
  output logic [2:0]  dec_out_count_o,
  input  logic [2:0]  dec_out_take_i,
  output logic        dec_out_last_o,
  output logic        dec_busy_o,
  output logic        dec_done_o,
  output logic        dec_error_o,
  output logic [2:0]  dec_err_code_o,
  output logic [31:0] dec_err_word_o
);

  rlc_err_e dec_err_code;

  rlc_encoder u_encoder (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .in_valid_i  (enc_in_valid_i),
    .in_ready_o  (enc_in_ready_o),
    .in_data_i   (enc_in_data_i),
    .in_last_i   (enc_in_last_i),
    .out_valid_o (enc_out_valid_o),
    .out_ready_i (enc_out_ready_i),
    .out_word_o  (enc_out_word_o),
    .out_last_o  (enc_out_last_o)
  );

  rlc_decoder u_decoder (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (dec_start_i),
    .count_i     (dec_count_i),
    .max_words_i (dec_max_words_i),
    .in_valid_i  (dec_in_valid_i),
    .in_ready_o  (dec_in_ready_o),
    .in_word_i   (dec_in_word_i),
    .out_valid_o (dec_out_valid_o),
    .out_ready_i (dec_out_ready_i),
    .out_data_o  (dec_out_data_o),
    .out_count_o (dec_out_count_o),
    .out_take_i  (dec_out_take_i),
    .out_last_o  (dec_out_last_o),
    .busy_o      (dec_busy_o),
    .done_o      (dec_done_o),
    .error_o     (dec_error_o),
    .err_code_o  (dec_err_code),
    .err_word_o  (dec_err_word_o)
  );

  assign dec_err_code_o = dec_err_code;

endmodule
