// Block loader: brings a pass's inputs into the GLB beside the pass sequencer: the filter chunk through the row
// mover (CONV only, unless the chunk is resident in the GLB), then, when asked, a channel block's ifmap rows
// (ifmap loader). What to load and where (cfg ld_* fields) the controller registers with start_i; this block only
// orders the commands and tells when the loads are in.
//
// Two engines share the row mover: the filter engine (one chunk per start) and the ifmap engine (one channel
// block's planes, started after that start's chunk). The ifmap engine may still run when the next start comes: a
// channel block's rows then load over several passes of the block before it (the filter blocks of a group share
// one ifmap block), and each new chunk takes the row mover between two of the ifmap loader's plane commands
// (the chunk is needed by the next pass; the rows only by the next channel block). filt_idle_o says the last
// start's chunk is in; idle_o says everything is in.
`include "common/ocelli_assert.svh"

module block_loader (
  input  logic clk_i,
  input  logic rst_ni,

  input  logic start_i,             // load a block (the controller registers its ld_* configuration now)
  input  logic filters_i,           // with start_i: the layer has filters (CONV); POOL/LRN load only ifmap rows
  input  logic ifmap_i,             // with start_i: load the ifmap rows after the filter chunk
  input  logic clear_i,             // the controller fails or starts: drop the load
  output logic idle_o,              // nothing loads or waits to load
  output logic filt_idle_o,         // the filter chunk of the last start is in (the ifmap rows may still load)

  // the row mover takes the filter chunk command while mover_sel_filter_o (else the ifmap loader's)
  output logic mover_sel_filter_o,
  output logic filter_cmd_valid_o,
  input  logic mover_cmd_ready_i,
  input  logic mover_idle_i,
  output logic ifmap_load_start_o,  // the ifmap loader takes its configuration (cfg ld_*) with this pulse
  input  logic ifmap_load_busy_i
);
  typedef enum logic [1:0] {FIdle, FCmd, FWait} filt_state_e;
  typedef enum logic [1:0] {IIdle, IPending, IStart, IRun} ifmap_state_e;

  filt_state_e  filt_q;
  ifmap_state_e ifmap_q;

  assign filt_idle_o        = filt_q == FIdle;
  assign idle_o             = (filt_q == FIdle) && (ifmap_q == IIdle);
  assign mover_sel_filter_o = filt_q != FIdle;
  assign filter_cmd_valid_o = filt_q == FCmd;
  assign ifmap_load_start_o = ifmap_q == IStart;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      filt_q  <= FIdle;
      ifmap_q <= IIdle;
    end else if (clear_i) begin
      filt_q  <= FIdle;
      ifmap_q <= IIdle;
    end else begin
      // Filter engine: the chunk command, then the row mover drains (the ifmap loader's plane commands wait, since
      // the mover serves the filter side until then).
      unique case (filt_q)
        FIdle:   if (start_i && filters_i) filt_q <= FCmd;
        FCmd:    if (mover_cmd_ready_i) filt_q <= FWait;
        FWait:   if (mover_idle_i) filt_q <= FIdle;
        default: filt_q <= FIdle;
      endcase
      // Ifmap engine: starts once the chunk of its start is in (the ifmap loader latches the ld_* fields then, two
      // cycles before the controller can register the next start's), then runs until every plane is in the GLB.
      unique case (ifmap_q)
        IIdle:    if (start_i && ifmap_i) ifmap_q <= filters_i ? IPending : IStart;
        IPending: if (filt_q == FWait && mover_idle_i) ifmap_q <= IStart;
        IStart:   ifmap_q <= IRun;
        IRun:     if (!ifmap_load_busy_i && mover_idle_i && filt_q == FIdle) ifmap_q <= IIdle;
        default:  ifmap_q <= IIdle;
      endcase
    end
  end

`ifndef SYNTHESIS
  // A start finds the filter engine idle (the controller starts a pass's load only once the last chunk is in) and
  // asks for ifmap rows only when no channel block is loading.
  `OCELLI_ASSERT(a_start_filter_idle, start_i |-> filt_q == FIdle)
  `OCELLI_ASSERT(a_start_ifmap_idle, (start_i && ifmap_i) |-> ifmap_q == IIdle)
`endif
endmodule
