// Rows x Cols array of row-stationary PEs with vertical psum links (docs/pe-array.md).
//
// PE index = row * Cols + col, row 0 at the bottom. Every PE has its own filter, ifmap and psum-in streams
// (the NoC drives them later). A PE takes its psum-in from the PE below when it is enabled, accumulates and is not
// marked psum-external; otherwise from its own psum-in port. A PE whose psum-out is not taken by the PE above is
// the top of its chain and drives its column's output; at most one top per column (checked at start).
// All PEs share the pass configuration; unused PEs are clock-enable gated (pe_en_i low).
`include "common/ocelli_assert.svh"

module pe_array
  import ocelli_pkg::*;
#(
  parameter int unsigned Rows = ArrayRows,
  parameter int unsigned Cols = ArrayCols,
  parameter int unsigned IfmapSpad  = IfmapSpadDepth,   // scratchpad depths of every PE (pe.sv)
  parameter int unsigned FilterSpad = FilterSpadDepth,
  parameter int unsigned PsumSpad   = PsumSpadDepth,
  localparam int unsigned NumPes = Rows * Cols
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,

  input  pe_cfg_t                           cfg_i,
  input  logic                              start_i,       // one-cycle pulse while idle starts a pass
  input  logic [NumPes-1:0]                 pe_en_i,       // PE is used in this pass
  input  logic [NumPes-1:0]                 pe_accum_i,    // PE adds an incoming psum to its outputs
  input  logic [NumPes-1:0]                 pe_psum_ext_i, // PE takes its psum-in from its port, not from below
  output logic                              busy_o,

  input  logic [NumPes-1:0]                 filt_valid_i,
  input  filt_word_t [NumPes-1:0]           filt_data_i,
  output logic [NumPes-1:0]                 filt_ready_o,

  input  logic [NumPes-1:0]                 ifmap_valid_i,
  input  ifmap_word_t [NumPes-1:0]          ifmap_data_i,
  output logic [NumPes-1:0]                 ifmap_ready_o,

  input  logic [NumPes-1:0]                 psum_valid_i,
  input  logic [NumPes-1:0][PsumWidth-1:0]  psum_data_i,
  output logic [NumPes-1:0]                 psum_ready_o,

  output logic [Cols-1:0]                   col_psum_valid_o,
  output logic [Cols-1:0][PsumWidth-1:0]    col_psum_data_o,
  input  logic [Cols-1:0]                   col_psum_ready_i,

  input  logic                              perf_clear_i,
  output logic [63:0]                       perf_active_cycles_o,  // cycles with at least one PE busy
  output logic [63:0]                       perf_pe_busy_cycles_o, // sum over PEs of their busy cycles
  output logic [63:0]                       perf_macs_o,           // MACs issued (gated ones included)
  output logic [63:0]                       perf_gated_macs_o      // MACs with a zero ifmap operand
);
  // The PE's counters and ring pointers are sized for the default depths.
  if (IfmapSpad < 1 || IfmapSpad > IfmapSpadDepth || FilterSpad < 1 || FilterSpad > FilterSpadDepth ||
      PsumSpad < 1 || PsumSpad > PsumSpadDepth) begin : g_bad_spads
    $error("pe_array: scratchpad depths must lie between 1 and the defaults (ocelli_pkg)");
  end

  // Internal per-PE nets are unpacked arrays: Verilator builds element-wise assignments into wide packed vectors
  // out of wide temporaries every evaluation, which made the 168-PE model several times slower.
  logic [NumPes-1:0] pe_busy, pe_mac, pe_mac_gated;  // packed: reduced with $countones
  logic pe_in_valid [NumPes];
  logic pe_in_ready [NumPes];
  logic pe_out_valid [NumPes];
  logic pe_out_ready [NumPes];
  psum_t pe_in_data [NumPes];
  psum_t pe_out_data [NumPes];
  logic from_below [NumPes];  // PE takes its psum from the PE below
  logic is_top [NumPes];      // PE drives its column's output
  logic [PeCheckBits-1:0] pe_check_fail [NumPes];  // rules each PE found broken (pe.sv)
  logic [NumPes-1:0] pe_failed;

  for (genvar r = 0; r < Rows; r++) begin : g_row
    for (genvar c = 0; c < Cols; c++) begin : g_col
      localparam int unsigned Idx = r * Cols + c;
      if (r == 0) begin : g_bottom
        assign from_below[Idx] = 1'b0;
      end else begin : g_chained
        assign from_below[Idx] = pe_en_i[Idx] && pe_accum_i[Idx] && !pe_psum_ext_i[Idx];
      end
      if (r == Rows - 1) begin : g_top_row
        assign is_top[Idx] = pe_en_i[Idx];
        assign pe_out_ready[Idx] = col_psum_ready_i[c];
      end else begin : g_inner_row
        assign is_top[Idx] = pe_en_i[Idx] && !from_below[Idx + Cols];
        assign pe_out_ready[Idx] = is_top[Idx] ? col_psum_ready_i[c] : pe_in_ready[Idx + Cols];
      end
      if (r == 0) begin : g_in_port
        assign pe_in_valid[Idx] = psum_valid_i[Idx];
        assign pe_in_data[Idx]  = psum_data_i[Idx];
      end else begin : g_in_mux
        assign pe_in_valid[Idx] = from_below[Idx] ? pe_out_valid[Idx - Cols] : psum_valid_i[Idx];
        assign pe_in_data[Idx]  = from_below[Idx] ? pe_out_data[Idx - Cols] : psum_data_i[Idx];
      end
      assign psum_ready_o[Idx] = pe_in_ready[Idx] && !from_below[Idx];

      pe #(.IfmapSpad(IfmapSpad), .FilterSpad(FilterSpad), .PsumSpad(PsumSpad)) u_pe (
        .clk_i,
        .rst_ni,
        .en_i         (pe_en_i[Idx]),
        .start_i,
        .cfg_i,
        .accum_i      (pe_accum_i[Idx]),
        .busy_o       (pe_busy[Idx]),
        .filt_valid_i (filt_valid_i[Idx]),
        .filt_data_i  (filt_data_i[Idx]),
        .filt_ready_o (filt_ready_o[Idx]),
        .ifmap_valid_i(ifmap_valid_i[Idx]),
        .ifmap_data_i (ifmap_data_i[Idx]),
        .ifmap_ready_o(ifmap_ready_o[Idx]),
        .psum_valid_i (pe_in_valid[Idx]),
        .psum_data_i  (pe_in_data[Idx]),
        .psum_ready_o (pe_in_ready[Idx]),
        .psum_valid_o (pe_out_valid[Idx]),
        .psum_data_o  (pe_out_data[Idx]),
        .psum_ready_i (pe_out_ready[Idx]),
        .mac_o        (pe_mac[Idx]),
        .mac_gated_o  (pe_mac_gated[Idx]),
        .check_fail_o (pe_check_fail[Idx])
      );
      assign pe_failed[Idx] = |pe_check_fail[Idx];
    end
  end

  // Column outputs: AND-OR mux over the rows (one top per column).
  logic [Cols-1:0] col_top_count_ok;
  for (genvar c = 0; c < Cols; c++) begin : g_col_out
    logic [Rows-1:0] col_top;
    logic  col_valid;
    psum_t col_data;
    for (genvar r = 0; r < Rows; r++) begin : g_pick
      assign col_top[r] = is_top[r * Cols + c];
    end
    always_comb begin
      col_valid = 1'b0;
      col_data  = '0;
      for (int r = 0; r < Rows; r++) begin
        if (is_top[r * Cols + c]) begin
          col_valid = col_valid | pe_out_valid[r * Cols + c];
          col_data  = col_data | pe_out_data[r * Cols + c];
        end
      end
    end
    assign col_psum_valid_o[c] = col_valid;
    assign col_psum_data_o[c]  = col_data;
    assign col_top_count_ok[c] = $countones(col_top) <= 1;
    // A column output, once valid, holds its data until taken.
    `OCELLI_ASSERT(a_col_out_stable, col_psum_valid_o[c] && !col_psum_ready_i[c] |=>
      col_psum_valid_o[c] && col_psum_data_o[c] == $past(col_psum_data_o[c]))
  end

  assign busy_o = |pe_busy;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      perf_active_cycles_o  <= '0;
      perf_pe_busy_cycles_o <= '0;
      perf_macs_o           <= '0;
      perf_gated_macs_o     <= '0;
    end else if (perf_clear_i) begin
      perf_active_cycles_o  <= '0;
      perf_pe_busy_cycles_o <= '0;
      perf_macs_o           <= '0;
      perf_gated_macs_o     <= '0;
    end else begin
      perf_active_cycles_o  <= perf_active_cycles_o + 64'(busy_o);
      perf_pe_busy_cycles_o <= perf_pe_busy_cycles_o + 64'($countones(pe_busy));
      perf_macs_o           <= perf_macs_o + 64'($countones(pe_mac));
      perf_gated_macs_o     <= perf_gated_macs_o + 64'($countones(pe_mac_gated));
    end
  end

  `OCELLI_ASSERT(a_one_top_per_column, start_i |-> &col_top_count_ok)

  // Every PE's own rules (spad addresses, pass configuration, its queues' handshakes), checked here once for the
  // whole array so that the 168 PEs share one copy of their evaluation code (pe.sv). Names the PE and the rule.
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      a_pe_rules: assert (pe_failed == '0) else begin
        for (int i = 0; i < int'(NumPes); i++) begin
          for (int b = 0; b < int'(PeCheckBits); b++) begin
            if (pe_check_fail[i][b]) $error("PE row %0d col %0d: %s", i / int'(Cols), i % int'(Cols), pe_check_name(b));
          end
        end
      end
    end
  end
endmodule
