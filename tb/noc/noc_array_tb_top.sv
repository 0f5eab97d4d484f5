// Test top (not part of the accelerator): the three global input networks (filter, ifmap, psum) driving pe_array,
// and the global output network collecting its column psums. Lets the testbench run row-stationary passes through
// the multicast NoC the way the controller will (tb/noc/test_noc_array.cpp).
module noc_array_tb_top
  import ocelli_pkg::*;
#(
  parameter int unsigned Rows = ArrayRows,
  parameter int unsigned Cols = ArrayCols,
  localparam int unsigned NumPes      = Rows * Cols,
  localparam int unsigned RowIdWidth  = NocRowIdWidth,
  localparam int unsigned ColIdWidth  = NocColIdWidth,
  localparam int unsigned ColIdxWidth = Cols > 1 ? $clog2(Cols) : 1
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,

  // pe_array pass control
  input  pe_cfg_t                           cfg_i,
  input  logic                              start_i,
  input  logic [NumPes-1:0]                 pe_en_i,
  input  logic [NumPes-1:0]                 pe_accum_i,
  input  logic [NumPes-1:0]                 pe_psum_ext_i,
  output logic                              busy_o,

  // filter GIN
  input  logic [Rows-1:0]                   filt_row_en_i,
  input  logic [Rows-1:0][RowIdWidth-1:0]   filt_row_id_i,
  input  logic [NumPes-1:0]                 filt_pe_en_i,
  input  logic [NumPes-1:0][ColIdWidth-1:0] filt_col_id_i,
  input  logic                              filt_valid_i,
  input  filt_word_t                        filt_data_i,
  input  logic [RowIdWidth-1:0]             filt_row_tag_i,
  input  logic [ColIdWidth-1:0]             filt_col_tag_i,
  output logic                              filt_ready_o,

  // ifmap GIN
  input  logic [Rows-1:0]                   ifmap_row_en_i,
  input  logic [Rows-1:0][RowIdWidth-1:0]   ifmap_row_id_i,
  input  logic [NumPes-1:0]                 ifmap_pe_en_i,
  input  logic [NumPes-1:0][ColIdWidth-1:0] ifmap_col_id_i,
  input  logic                              ifmap_valid_i,
  input  ifmap_word_t                       ifmap_data_i,
  input  logic [RowIdWidth-1:0]             ifmap_row_tag_i,
  input  logic [ColIdWidth-1:0]             ifmap_col_tag_i,
  output logic                              ifmap_ready_o,

  // psum GIN
  input  logic [Rows-1:0]                   psum_row_en_i,
  input  logic [Rows-1:0][RowIdWidth-1:0]   psum_row_id_i,
  input  logic [NumPes-1:0]                 psum_pe_en_i,
  input  logic [NumPes-1:0][ColIdWidth-1:0] psum_col_id_i,
  input  logic                              psum_valid_i,
  input  logic [PsumWidth-1:0]              psum_data_i,
  input  logic [RowIdWidth-1:0]             psum_row_tag_i,
  input  logic [ColIdWidth-1:0]             psum_col_tag_i,
  output logic                              psum_ready_o,

  // GON output
  output logic                              out_valid_o,
  output logic [PsumWidth-1:0]              out_data_o,
  output logic [ColIdxWidth-1:0]            out_col_o,
  input  logic                              out_ready_i,

  output logic [2:0]                        err_no_match_o,  // filter, ifmap, psum
  output logic [2:0][63:0]                  gin_words_o,
  output logic [2:0][63:0]                  gin_deliveries_o,
  output logic [2:0][63:0]                  gin_stall_cycles_o,
  output logic [63:0]                       gon_words_o,
  output logic [63:0]                       macs_o
);
  logic [NumPes-1:0]                filt_pe_valid, filt_pe_ready;
  filt_word_t [NumPes-1:0]          filt_pe_data;
  logic [NumPes-1:0]                ifmap_pe_valid, ifmap_pe_ready;
  ifmap_word_t [NumPes-1:0]         ifmap_pe_data;
  logic [NumPes-1:0]                psum_pe_valid, psum_pe_ready;
  logic [NumPes-1:0][PsumWidth-1:0] psum_pe_data;
  logic [Cols-1:0]                  col_valid, col_ready;
  logic [Cols-1:0][PsumWidth-1:0]   col_data;
  logic [2:0]                       gin_idle;

  gin #(.Rows(Rows), .Cols(Cols), .Width(FiltWordWidth)) u_filt_gin (
    .clk_i, .rst_ni,
    .cfg_row_en_i(filt_row_en_i), .cfg_row_id_i(filt_row_id_i),
    .cfg_pe_en_i(filt_pe_en_i), .cfg_col_id_i(filt_col_id_i),
    .in_valid_i(filt_valid_i), .in_data_i(filt_data_i),
    .in_row_tag_i(filt_row_tag_i), .in_col_tag_i(filt_col_tag_i), .in_ready_o(filt_ready_o),
    .pe_valid_o(filt_pe_valid), .pe_data_o(filt_pe_data), .pe_ready_i(filt_pe_ready),
    .idle_o(gin_idle[0]), .err_no_match_o(err_no_match_o[0]),
    .perf_clear_i(1'b0), .perf_words_o(gin_words_o[0]), .perf_deliveries_o(gin_deliveries_o[0]),
    .perf_stall_cycles_o(gin_stall_cycles_o[0])
  );

  gin #(.Rows(Rows), .Cols(Cols), .Width(IfmapWordWidth)) u_ifmap_gin (
    .clk_i, .rst_ni,
    .cfg_row_en_i(ifmap_row_en_i), .cfg_row_id_i(ifmap_row_id_i),
    .cfg_pe_en_i(ifmap_pe_en_i), .cfg_col_id_i(ifmap_col_id_i),
    .in_valid_i(ifmap_valid_i), .in_data_i(ifmap_data_i),
    .in_row_tag_i(ifmap_row_tag_i), .in_col_tag_i(ifmap_col_tag_i), .in_ready_o(ifmap_ready_o),
    .pe_valid_o(ifmap_pe_valid), .pe_data_o(ifmap_pe_data), .pe_ready_i(ifmap_pe_ready),
    .idle_o(gin_idle[1]), .err_no_match_o(err_no_match_o[1]),
    .perf_clear_i(1'b0), .perf_words_o(gin_words_o[1]), .perf_deliveries_o(gin_deliveries_o[1]),
    .perf_stall_cycles_o(gin_stall_cycles_o[1])
  );

  gin #(.Rows(Rows), .Cols(Cols), .Width(PsumWidth)) u_psum_gin (
    .clk_i, .rst_ni,
    .cfg_row_en_i(psum_row_en_i), .cfg_row_id_i(psum_row_id_i),
    .cfg_pe_en_i(psum_pe_en_i), .cfg_col_id_i(psum_col_id_i),
    .in_valid_i(psum_valid_i), .in_data_i(psum_data_i),
    .in_row_tag_i(psum_row_tag_i), .in_col_tag_i(psum_col_tag_i), .in_ready_o(psum_ready_o),
    .pe_valid_o(psum_pe_valid), .pe_data_o(psum_pe_data), .pe_ready_i(psum_pe_ready),
    .idle_o(gin_idle[2]), .err_no_match_o(err_no_match_o[2]),
    .perf_clear_i(1'b0), .perf_words_o(gin_words_o[2]), .perf_deliveries_o(gin_deliveries_o[2]),
    .perf_stall_cycles_o(gin_stall_cycles_o[2])
  );

  logic [63:0] unused_active_cycles, unused_busy_cycles, unused_gated_macs;
  pe_array #(.Rows(Rows), .Cols(Cols)) u_array (
    .clk_i, .rst_ni,
    .cfg_i, .start_i, .pe_en_i, .pe_accum_i, .pe_psum_ext_i, .busy_o,
    .filt_valid_i(filt_pe_valid), .filt_data_i(filt_pe_data), .filt_ready_o(filt_pe_ready),
    .ifmap_valid_i(ifmap_pe_valid), .ifmap_data_i(ifmap_pe_data), .ifmap_ready_o(ifmap_pe_ready),
    .psum_valid_i(psum_pe_valid), .psum_data_i(psum_pe_data), .psum_ready_o(psum_pe_ready),
    .col_psum_valid_o(col_valid), .col_psum_data_o(col_data), .col_psum_ready_i(col_ready),
    .perf_clear_i(1'b0),
    .perf_active_cycles_o(unused_active_cycles), .perf_pe_busy_cycles_o(unused_busy_cycles),
    .perf_macs_o(macs_o), .perf_gated_macs_o(unused_gated_macs)
  );

  logic [63:0] unused_gon_stalls;
  gon #(.Cols(Cols), .Width(PsumWidth)) u_gon (
    .clk_i, .rst_ni,
    .col_valid_i(col_valid), .col_data_i(col_data), .col_ready_o(col_ready),
    .out_valid_o, .out_data_o, .out_col_o, .out_ready_i,
    .perf_clear_i(1'b0), .perf_words_o(gon_words_o), .perf_stall_cycles_o(unused_gon_stalls)
  );

  // Only the testbench reads these; keep lint quiet about the rest.
  logic unused;
  assign unused = ^{gin_idle, unused_active_cycles, unused_busy_cycles, unused_gated_macs, unused_gon_stalls};
endmodule
