// Small synchronous FIFO with a valid/ready stream on each side (the PE's input and output queues).
// in_ready_o depends only on the fill level, out_valid_o only on the fill level: neither depends on the other side.
module pe_fifo #(
  parameter int unsigned Width = 16,
  parameter int unsigned Depth = 2
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             en_i,        // clock enable: a disabled FIFO neither takes nor gives data

  input  logic             in_valid_i,
  input  logic [Width-1:0] in_data_i,
  output logic             in_ready_o,

  output logic             out_valid_o,
  output logic [Width-1:0] out_data_o,
  input  logic             out_ready_i
);
  localparam int unsigned PtrWidth = Depth > 1 ? $clog2(Depth) : 1;
  localparam int unsigned CntWidth = $clog2(Depth + 1);

  logic [Width-1:0]    mem_q [Depth];
  logic [PtrWidth-1:0] rd_ptr_q, wr_ptr_q;
  logic [CntWidth-1:0] count_q;

  logic push, pop;
  assign in_ready_o  = en_i && (count_q != CntWidth'(Depth));
  assign out_valid_o = en_i && (count_q != '0);
  assign out_data_o  = mem_q[rd_ptr_q];
  assign push = in_valid_i && in_ready_o;
  assign pop  = out_valid_o && out_ready_i;

  function automatic logic [PtrWidth-1:0] next_ptr(logic [PtrWidth-1:0] ptr);
    return (ptr == PtrWidth'(Depth - 1)) ? '0 : ptr + 1'b1;
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_ptr_q <= '0;
      wr_ptr_q <= '0;
      count_q  <= '0;
    end else if (en_i) begin
      if (push) wr_ptr_q <= next_ptr(wr_ptr_q);
      if (pop)  rd_ptr_q <= next_ptr(rd_ptr_q);
      if (push && !pop) count_q <= count_q + 1'b1;
      else if (pop && !push) count_q <= count_q - 1'b1;
    end
  end

  // Storage needs no reset: an entry is only read after it was written.
  always_ff @(posedge clk_i) begin
    if (push) mem_q[wr_ptr_q] <= in_data_i;
  end

  // Overflow/underflow cannot happen through the handshake; these catch a broken handshake or counter.
  a_no_overflow: assert property (@(posedge clk_i) disable iff (!rst_ni) count_q <= CntWidth'(Depth));
  a_pop_has_data: assert property (@(posedge clk_i) disable iff (!rst_ni) pop |-> count_q != '0);
  // Stream rules on the input side (checks the sender: a PE below, the testbench, later the NoC): an offered word
  // stays offered, unchanged, until it is taken. Only checked while enabled: a disabled FIFO is not a receiver.
  a_in_hold: assert property (@(posedge clk_i) disable iff (!rst_ni)
      en_i && in_valid_i && !in_ready_o |=> in_valid_i && in_data_i == $past(in_data_i));
  a_out_hold: assert property (@(posedge clk_i) disable iff (!rst_ni)
      out_valid_o && !out_ready_i |=> out_valid_o && out_data_o == $past(out_data_o));
  a_push_has_room: assert property (@(posedge clk_i) disable iff (!rst_ni) push |-> count_q != CntWidth'(Depth));
endmodule
