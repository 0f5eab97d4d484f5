// DMA engine between the accelerator and the 64-bit memory port (docs/architecture.md).
// One read and one write channel, each taking (address, word count) commands and cutting them into bursts of at
// most MaxBurst beats. Reads keep up to MaxOutstanding bursts in flight; their data streams straight to the client
// with back-pressure. Writes send each burst's request and then its beats, and report done when every burst is
// acknowledged. A command outside memory, an error response, or a memory that goes silent for TimeoutCycles with
// work pending sets a sticky error (cause and address) and drops the channel's remaining work: it never hangs.
`include "common/ocelli_assert.svh"

module dma
  import mem_pkg::*;
#(
  parameter int unsigned MaxBurst       = 16,
  parameter int unsigned MaxOutstanding = 8,
  parameter int unsigned TimeoutCycles  = 100000
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,

  input  logic [MemAddrWidth:0]   mem_size_i,     // bytes of memory behind the port
  input  logic                    clear_i,        // clears a sticky error (next layer)

  // read channel
  input  logic                    rd_cmd_valid_i,
  output logic                    rd_cmd_ready_o,
  input  logic [MemAddrWidth-1:0] rd_cmd_addr_i,
  input  logic [23:0]             rd_cmd_words_i,
  output logic                    rd_data_valid_o,
  input  logic                    rd_data_ready_i,
  output logic [63:0]             rd_data_o,
  output logic                    rd_data_last_o,  // the last word of everything requested so far

  // write channel
  input  logic                    wr_cmd_valid_i,
  output logic                    wr_cmd_ready_o,
  input  logic [MemAddrWidth-1:0] wr_cmd_addr_i,
  input  logic [23:0]             wr_cmd_words_i,
  input  logic                    wr_data_valid_i,
  output logic                    wr_data_ready_o,
  input  logic [63:0]             wr_data_i,
  output logic                    wr_done_o,      // one-cycle pulse: every write burst so far acknowledged
  output logic                    wr_idle_o,      // no write command active and no acknowledgement pending

  // memory port
  output logic                    mem_req_valid_o,
  input  logic                    mem_req_ready_i,
  output mem_req_t                mem_req_o,
  output logic                    mem_wdata_valid_o,
  input  logic                    mem_wdata_ready_i,
  output logic [63:0]             mem_wdata_o,
  output logic                    mem_wdata_last_o,
  input  logic                    mem_rsp_valid_i,
  output logic                    mem_rsp_ready_o,
  input  mem_rsp_t                mem_rsp_i,
  input  logic                    mem_ack_valid_i,
  input  mem_ack_t                mem_ack_i,

  output logic                    busy_o,
  output logic                    error_o,
  output dma_err_e                err_code_o,
  output logic [MemAddrWidth-1:0] err_addr_o,
  output logic [31:0]             rd_beats_o,     // beats read since reset (performance counter)
  output logic [31:0]             wr_beats_o      // beats written since reset
);

  localparam int unsigned BurstW = $clog2(MaxBurst + 1);
  localparam int unsigned OutW   = $clog2(MaxOutstanding + 1);
  localparam int unsigned TimerW = $clog2(TimeoutCycles + 1);
  // Responses come back in request order per channel, so one tag per channel is enough to tell them apart.
  localparam logic [MemTagWidth-1:0] ReadTag  = MemTagWidth'(0);
  localparam logic [MemTagWidth-1:0] WriteTag = MemTagWidth'(1);

  function automatic logic in_range(logic [MemAddrWidth-1:0] addr, logic [23:0] words,
                                    logic [MemAddrWidth:0] size);
    logic [MemAddrWidth+1:0] end_addr;
    end_addr = {2'b00, addr} + {{(MemAddrWidth-25){1'b0}}, words, 3'b000};
    return (addr[2:0] == 3'b000) && (end_addr <= {1'b0, size});
  endfunction

  function automatic logic [BurstW-1:0] burst_of(logic [23:0] words_left);
    return (words_left > 24'(MaxBurst)) ? BurstW'(MaxBurst) : BurstW'(words_left);
  endfunction

  // ---------------- sticky error ----------------
  logic                    error_q;
  dma_err_e                err_code_q;
  logic [MemAddrWidth-1:0] err_addr_q;
  logic                    raise;
  dma_err_e                raise_code;
  logic [MemAddrWidth-1:0] raise_addr;

  // ---------------- read engine ----------------
  logic [MemAddrWidth-1:0] rd_addr_q;
  logic [23:0]             rd_to_request_q;   // words not yet requested
  logic [23:0]             rd_to_receive_q;   // words not yet delivered to the client
  logic [OutW-1:0]         rd_outstanding_q;  // bursts requested, not fully answered
  logic                    rd_req_want, rd_req_fire, rd_rsp_fire, rd_rsp_last_fire;
  logic                    rd_cmd_fire, rd_cmd_ok;

  // A new read command is taken once every burst of the previous one is requested: its data may still be on the
  // way (responses stay in order), so back-to-back commands keep the link busy.
  assign rd_cmd_ready_o   = (rd_to_request_q == '0) && !error_q;
  assign rd_cmd_fire      = rd_cmd_valid_i && rd_cmd_ready_o;
  assign rd_cmd_ok        = in_range(rd_cmd_addr_i, rd_cmd_words_i, mem_size_i);
  assign rd_req_want      = (rd_to_request_q != '0) && (rd_outstanding_q != OutW'(MaxOutstanding)) && !error_q;

  assign rd_data_valid_o  = mem_rsp_valid_i && !error_q && (rd_to_receive_q != '0);
  assign rd_data_o        = mem_rsp_i.data;
  assign rd_data_last_o   = rd_to_receive_q == 24'd1;
  // After an error the remaining beats are drained and dropped so the memory side never blocks.
  assign mem_rsp_ready_o  = error_q || rd_data_ready_i;
  assign rd_rsp_fire      = mem_rsp_valid_i && mem_rsp_ready_o;
  assign rd_rsp_last_fire = rd_rsp_fire && mem_rsp_i.last;

  // ---------------- write engine ----------------
  logic [MemAddrWidth-1:0] wr_addr_q;
  logic [23:0]             wr_to_request_q;   // words not yet covered by a request
  logic [BurstW-1:0]       wr_beats_left_q;   // beats of the requested burst still to send
  logic [OutW-1:0]         wr_unacked_q;      // bursts requested, not acknowledged
  logic                    wr_busy_q;
  logic                    wr_req_want, wr_req_fire, wr_beat_fire, wr_cmd_fire, wr_cmd_ok;

  assign wr_cmd_ready_o    = !wr_busy_q && !error_q;
  assign wr_cmd_fire       = wr_cmd_valid_i && wr_cmd_ready_o;
  assign wr_cmd_ok         = in_range(wr_cmd_addr_i, wr_cmd_words_i, mem_size_i);
  // The next burst is requested only once the previous one's beats are all sent: data follows requests in order.
  // A command with beats still to request or send keeps wr_busy_q set.
  assign wr_req_want       = wr_busy_q && (wr_to_request_q != '0) && (wr_beats_left_q == '0) &&
                             (wr_unacked_q != OutW'(MaxOutstanding)) && !error_q;
  assign mem_wdata_valid_o = wr_data_valid_i && (wr_beats_left_q != '0) && !error_q;
  assign mem_wdata_o       = wr_data_i;
  assign mem_wdata_last_o  = wr_beats_left_q == BurstW'(1);
  assign wr_data_ready_o   = mem_wdata_ready_i && (wr_beats_left_q != '0) && !error_q;
  assign wr_beat_fire      = mem_wdata_valid_o && mem_wdata_ready_i;

  // ---------------- request arbitration (reads first unless the writer waited last time) ----------------
  logic prefer_write_q;
  logic grant_write;
  // A request the memory has not taken stays as it is (a_req_stable): the choice is held until it is taken, even
  // when the other side starts wanting (reads and writes overlap while an output stage runs beside the next tile).
  logic held_q, held_write_q;
  assign grant_write     = held_q ? held_write_q : wr_req_want && (!rd_req_want || prefer_write_q);
  assign mem_req_valid_o = rd_req_want || wr_req_want;
  always_comb begin
    mem_req_o = '0;
    if (grant_write) begin
      mem_req_o.addr     = wr_addr_q;
      mem_req_o.beats_m1 = MemBeatsWidth'(burst_of(wr_to_request_q)) - 1'b1;
      mem_req_o.write    = 1'b1;
      mem_req_o.tag      = WriteTag;
    end else begin
      mem_req_o.addr     = rd_addr_q;
      mem_req_o.beats_m1 = MemBeatsWidth'(burst_of(rd_to_request_q)) - 1'b1;
      mem_req_o.write    = 1'b0;
      mem_req_o.tag      = ReadTag;
    end
  end
  assign rd_req_fire = mem_req_valid_o && mem_req_ready_i && !grant_write;
  assign wr_req_fire = mem_req_valid_o && mem_req_ready_i && grant_write;

  // ---------------- watchdog ----------------
  logic [TimerW-1:0] idle_cycles_q;
  logic              waiting;
  logic              progress;
  assign waiting  = (rd_outstanding_q != '0) || (wr_unacked_q != '0);
  assign progress = rd_rsp_fire || mem_ack_valid_i;

  always_comb begin
    raise      = 1'b0;
    raise_code = DmaOk;
    raise_addr = '0;
    if (rd_cmd_fire && !rd_cmd_ok) begin
      raise = 1'b1; raise_code = DmaErrRange;    raise_addr = rd_cmd_addr_i;
    end else if (wr_cmd_fire && !wr_cmd_ok) begin
      raise = 1'b1; raise_code = DmaErrRange;    raise_addr = wr_cmd_addr_i;
    end else if (rd_rsp_fire && mem_rsp_i.err && !error_q) begin
      raise = 1'b1; raise_code = DmaErrResponse; raise_addr = rd_addr_q;
    end else if (mem_ack_valid_i && mem_ack_i.err && !error_q) begin
      raise = 1'b1; raise_code = DmaErrResponse; raise_addr = wr_addr_q;
    end else if (waiting && !progress && idle_cycles_q == TimerW'(TimeoutCycles)) begin
      raise = 1'b1; raise_code = DmaErrTimeout;  raise_addr = rd_outstanding_q != '0 ? rd_addr_q : wr_addr_q;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      error_q          <= 1'b0;
      err_code_q       <= DmaOk;
      err_addr_q       <= '0;
      rd_addr_q        <= '0;
      rd_to_request_q  <= '0;
      rd_to_receive_q  <= '0;
      rd_outstanding_q <= '0;
      wr_addr_q        <= '0;
      wr_to_request_q  <= '0;
      wr_beats_left_q  <= '0;
      held_q           <= 1'b0;
      held_write_q     <= 1'b0;
      wr_unacked_q     <= '0;
      wr_busy_q        <= 1'b0;
      prefer_write_q   <= 1'b0;
      idle_cycles_q    <= '0;
      rd_beats_o       <= '0;
      wr_beats_o       <= '0;
      wr_done_o        <= 1'b0;
    end else begin
      wr_done_o <= 1'b0;

      // read engine
      if (rd_cmd_fire && rd_cmd_ok) begin
        rd_addr_q       <= rd_cmd_addr_i;
        rd_to_request_q <= rd_cmd_words_i;
      end
      if (rd_req_fire) begin
        rd_addr_q       <= rd_addr_q + {{(MemAddrWidth-BurstW-3){1'b0}}, burst_of(rd_to_request_q), 3'b000};
        rd_to_request_q <= rd_to_request_q - 24'(burst_of(rd_to_request_q));
      end
      // words still to deliver, over every accepted command
      rd_to_receive_q <= rd_to_receive_q + ((rd_cmd_fire && rd_cmd_ok) ? rd_cmd_words_i : 24'd0)
                         - ((rd_rsp_fire && !error_q && rd_to_receive_q != '0) ? 24'd1 : 24'd0);
      if (rd_rsp_fire) rd_beats_o <= rd_beats_o + 1;
      rd_outstanding_q <= rd_outstanding_q + OutW'(rd_req_fire) - OutW'(rd_rsp_last_fire);

      // write engine
      if (wr_cmd_fire && wr_cmd_ok && wr_cmd_words_i != '0) begin
        wr_busy_q       <= 1'b1;
        wr_addr_q       <= wr_cmd_addr_i;
        wr_to_request_q <= wr_cmd_words_i;
      end else if (wr_cmd_fire && wr_cmd_ok) begin
        wr_done_o <= 1'b1;  // nothing to write
      end
      if (wr_req_fire) begin
        wr_addr_q       <= wr_addr_q + {{(MemAddrWidth-BurstW-3){1'b0}}, burst_of(wr_to_request_q), 3'b000};
        wr_to_request_q <= wr_to_request_q - 24'(burst_of(wr_to_request_q));
        wr_beats_left_q <= burst_of(wr_to_request_q);
      end else if (wr_beat_fire) begin
        wr_beats_left_q <= wr_beats_left_q - 1'b1;
      end
      if (wr_beat_fire) wr_beats_o <= wr_beats_o + 1;
      wr_unacked_q <= wr_unacked_q + OutW'(wr_req_fire) - OutW'(mem_ack_valid_i);
      // A command is finished once its last beat is sent; the next one may start while acks are pending.
      if (wr_busy_q && wr_to_request_q == '0 && wr_beats_left_q == '0 && !wr_req_fire) begin
        wr_busy_q <= 1'b0;
      end
      // done: every write so far is acknowledged (the pulse a writer waits for at the end of a layer).
      if (mem_ack_valid_i && wr_unacked_q == OutW'(1) && !wr_req_fire && !error_q &&
          !(wr_busy_q && (wr_to_request_q != '0 || wr_beats_left_q != '0))) begin
        wr_done_o <= 1'b1;
      end

      if (mem_req_valid_o && mem_req_ready_i) prefer_write_q <= !grant_write;
      held_q       <= mem_req_valid_o && !mem_req_ready_i && !error_q && !raise;
      held_write_q <= grant_write;

      idle_cycles_q <= (!waiting || progress) ? '0 : idle_cycles_q + 1'b1;

      // errors: sticky until cleared; the failing channels drop their remaining work
      if (raise && !error_q) begin
        error_q    <= 1'b1;
        err_code_q <= raise_code;
        err_addr_q <= raise_addr;
      end
      if (raise || error_q) begin
        rd_to_request_q <= '0;
        rd_to_receive_q <= '0;
        wr_to_request_q <= '0;
        wr_beats_left_q <= '0;
        wr_busy_q       <= 1'b0;
        if (raise_code == DmaErrTimeout) begin
          rd_outstanding_q <= '0;
          wr_unacked_q     <= '0;
        end
      end
      if (clear_i && !waiting) begin
        error_q    <= 1'b0;
        err_code_q <= DmaOk;
        err_addr_q <= '0;
      end
    end
  end

  assign busy_o     = (rd_to_receive_q != '0) || wr_busy_q || waiting;
  assign wr_idle_o  = !wr_busy_q && (wr_unacked_q == '0);
  assign error_o    = error_q;
  assign err_code_o = err_code_q;
  assign err_addr_o = err_addr_q;

`ifndef SYNTHESIS
  `OCELLI_ASSERT(a_req_stable, (mem_req_valid_o && !mem_req_ready_i && !error_q && !raise) |=> (mem_req_valid_o && $stable(mem_req_o)))
  `OCELLI_ASSERT(a_no_ack_underflow, (mem_ack_valid_i && !error_q) |-> wr_unacked_q != '0)
  `OCELLI_ASSERT(a_rsp_tag, mem_rsp_valid_i |-> mem_rsp_i.tag == ReadTag)
  `OCELLI_ASSERT(a_ack_tag, mem_ack_valid_i |-> mem_ack_i.tag == WriteTag)
  `OCELLI_ASSERT(a_no_rsp_unexpected, (mem_rsp_valid_i && !error_q) |-> rd_outstanding_q != '0)
`endif

endmodule
