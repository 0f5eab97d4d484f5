// Block loader: brings one pass's inputs into the GLB beside the pass sequencer: the filter chunk through the row
// mover (CONV only, unless the chunk is resident in the GLB), then, when the pass starts a channel block whose ifmap is not yet in the GLB, the block's ifmap
// rows (ifmap loader). What to load and where (cfg ld_* fields) the controller registers with start_i; this block
// only orders the commands and tells when the loads are in (idle_o).
module block_loader (
  input  logic clk_i,
  input  logic rst_ni,

  input  logic start_i,             // load a block (the controller registers its ld_* configuration now)
  input  logic filters_i,           // with start_i: the layer has filters (CONV); POOL/LRN load only ifmap rows
  input  logic ifmap_i,             // with start_i: load the ifmap rows after the filter chunk
  input  logic clear_i,             // the controller fails or starts: drop the load
  output logic idle_o,

  // the row mover takes the filter chunk command while mover_sel_filter_o (else the ifmap loader's)
  output logic mover_sel_filter_o,
  output logic filter_cmd_valid_o,
  input  logic mover_cmd_ready_i,
  input  logic mover_idle_i,
  output logic ifmap_load_start_o,
  input  logic ifmap_load_busy_i
);
  typedef enum logic [2:0] {LdIdle, LdFiltCmd, LdFiltWait, LdIfmap, LdIfmapWait} ld_state_e;

  ld_state_e state_q;
  logic      ifmap_q;  // the running load brings ifmap rows after the filter chunk

  assign idle_o             = state_q == LdIdle;
  assign mover_sel_filter_o = (state_q == LdFiltCmd) || (state_q == LdFiltWait);
  assign filter_cmd_valid_o = state_q == LdFiltCmd;
  assign ifmap_load_start_o = state_q == LdIfmap;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= LdIdle;
      ifmap_q <= 1'b0;
    end else if (clear_i) begin
      state_q <= LdIdle;
    end else if (start_i) begin
      ifmap_q <= ifmap_i;
      // (a CONV pass whose chunk is resident and whose ifmap is in loads nothing)
      state_q <= filters_i ? LdFiltCmd : ifmap_i ? LdIfmap : LdIdle;
    end else begin
      unique case (state_q)
        LdFiltCmd:   if (mover_cmd_ready_i) state_q <= LdFiltWait;
        LdFiltWait:  if (mover_idle_i) state_q <= ifmap_q ? LdIfmap : LdIdle;
        LdIfmap:     state_q <= LdIfmapWait;
        LdIfmapWait: if (!ifmap_load_busy_i && mover_idle_i) state_q <= LdIdle;
        default: ;
      endcase
    end
  end
endmodule
