// Global input network for one data type (docs/glb-noc.md): a Y-bus feeding one X-bus per PE row, with
// multicast controllers. Each input word carries a (row, col) tag. The Y-bus controller of X-bus r matches the row
// tag against its row ID (and its enable), the PE controller of PE (r, c) matches the col tag against the PE's
// col ID (and its enable); every PE that matches on both is a target.
//
// Pipeline: the tags are matched when a word enters the Y-bus register, which keeps the word and its target mask.
// The registered word is delivered in one cycle to all its targets together, in the first cycle in which every
// target is ready; a new word can enter in that same cycle, so the network carries one word per cycle.
// Documented exception to "valid never depends on ready": pe_valid_o depends on pe_ready_i of the other targets
// (the multicast is atomic). This makes no loop with pe_array, whose input ready is a registered not-full flag.
//
// A word that matches no PE is never dropped: it is not taken (in_ready_o stays low) and err_no_match_o is set
// (sticky until reset). The configuration must be stable while a word is in the network (idle_o low).
`include "common/ocelli_assert.svh"

module gin
  import ocelli_pkg::*;
#(
  parameter int unsigned Rows       = ArrayRows,
  parameter int unsigned Cols       = ArrayCols,
  parameter int unsigned Width      = DataWidth,
  parameter int unsigned RowIdWidth = NocRowIdWidth,
  parameter int unsigned ColIdWidth = NocColIdWidth,
  localparam int unsigned NumPes = Rows * Cols
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,

  // Per-layer configuration (PE index = row * Cols + col, as in pe_array).
  input  logic [Rows-1:0]                   cfg_row_en_i,  // X-bus r takes part
  input  logic [Rows-1:0][RowIdWidth-1:0]   cfg_row_id_i,  // row ID of X-bus r
  input  logic [NumPes-1:0]                 cfg_pe_en_i,   // PE takes part
  input  logic [NumPes-1:0][ColIdWidth-1:0] cfg_col_id_i,  // col ID of each PE

  // Tagged words from the global buffer.
  input  logic                              in_valid_i,
  input  logic [Width-1:0]                  in_data_i,
  input  logic [RowIdWidth-1:0]             in_row_tag_i,
  input  logic [ColIdWidth-1:0]             in_col_tag_i,
  output logic                              in_ready_o,

  // Per-PE streams (pe_array's filt_/ifmap_/psum_ inputs).
  output logic [NumPes-1:0]                 pe_valid_o,
  output logic [NumPes-1:0][Width-1:0]      pe_data_o,
  input  logic [NumPes-1:0]                 pe_ready_i,

  output logic                              idle_o,          // no word in the network
  output logic                              err_no_match_o,  // sticky: a word matched no PE

  input  logic                              perf_clear_i,
  output logic [63:0]                       perf_words_o,        // words delivered
  output logic [63:0]                       perf_deliveries_o,   // PE deliveries (sum of fan-out)
  output logic [63:0]                       perf_stall_cycles_o  // cycles with a word waiting for a target
);
  // ---- Multicast controllers on the incoming word ----
  // Matched only while a word is offered: the senders read in_ready_o only together with their valid (a FIFO's
  // pop), and a simulator then spends the Rows x Cols comparisons only on cycles in which a word moves.
  logic [NumPes-1:0] in_targets;
  always_comb begin
    in_targets = '0;
    if (in_valid_i) begin
      for (int r = 0; r < int'(Rows); r++) begin
        if (cfg_row_en_i[r] && cfg_row_id_i[r] == in_row_tag_i) begin
          for (int c = 0; c < int'(Cols); c++) begin
            in_targets[r * Cols + c] = cfg_pe_en_i[r * Cols + c] && cfg_col_id_i[r * Cols + c] == in_col_tag_i;
          end
        end
      end
    end
  end
  logic in_has_target;
  assign in_has_target = |in_targets;

  // ---- Y-bus register: the word and its target mask ----
  logic              word_valid_q;
  logic [Width-1:0]  word_data_q;
  logic [NumPes-1:0] word_targets_q;
  logic              deliver, accept, all_ready;

  assign all_ready  = &(pe_ready_i | ~word_targets_q);
  assign deliver    = word_valid_q && all_ready;
  assign in_ready_o = (!word_valid_q || deliver) && in_has_target;
  assign accept     = in_valid_i && in_ready_o;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      word_valid_q   <= 1'b0;
      word_targets_q <= '0;
    end else if (accept) begin
      word_valid_q   <= 1'b1;
      word_targets_q <= in_targets;
    end else if (deliver) begin
      word_valid_q   <= 1'b0;
      word_targets_q <= '0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (accept) word_data_q <= in_data_i;
  end

  // ---- Delivery: every target in the same cycle ----
  assign pe_valid_o = deliver ? word_targets_q : '0;
  assign pe_data_o  = {NumPes{word_data_q}};
  assign idle_o     = !word_valid_q;

  logic err_no_match_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) err_no_match_q <= 1'b0;
    else if (in_valid_i && !in_has_target) err_no_match_q <= 1'b1;
  end
  assign err_no_match_o = err_no_match_q;

  // ---- Performance counters ----
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      perf_words_o        <= '0;
      perf_deliveries_o   <= '0;
      perf_stall_cycles_o <= '0;
    end else if (perf_clear_i) begin
      perf_words_o        <= '0;
      perf_deliveries_o   <= '0;
      perf_stall_cycles_o <= '0;
    end else begin
      perf_words_o        <= perf_words_o + 64'(deliver);
      perf_deliveries_o   <= perf_deliveries_o + (deliver ? 64'($countones(word_targets_q)) : 64'd0);
      perf_stall_cycles_o <= perf_stall_cycles_o + 64'(word_valid_q && !all_ready);
    end
  end

  // ---- Assertions ----
  `OCELLI_ASSERT(a_word_has_target, in_valid_i |-> in_has_target)
  `OCELLI_ASSERT(a_held_word_has_target, word_valid_q |-> word_targets_q != '0)
  // An offered word stays offered and unchanged until taken.
  `OCELLI_ASSERT_STREAM(a_in_stable, in_valid_i, in_ready_o, {in_data_i, in_row_tag_i, in_col_tag_i})
endmodule
