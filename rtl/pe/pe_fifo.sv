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
  input  logic             out_ready_i,

  output logic [ocelli_pkg::PeQueueChecks-1:0] check_fail_o  // broken rules, for the array's assertion (see below)
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

  // No function for the pointer step: Verilator names the temporaries of every inlined call apart, which would
  // give each of the 168 PEs its own copy of the evaluation code.
  logic [PtrWidth-1:0] rd_ptr_next, wr_ptr_next;
  assign wr_ptr_next = (wr_ptr_q == PtrWidth'(Depth - 1)) ? '0 : wr_ptr_q + 1'b1;
  assign rd_ptr_next = (rd_ptr_q == PtrWidth'(Depth - 1)) ? '0 : rd_ptr_q + 1'b1;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_ptr_q <= '0;
      wr_ptr_q <= '0;
      count_q  <= '0;
    end else if (en_i) begin
      if (push) wr_ptr_q <= wr_ptr_next;
      if (pop)  rd_ptr_q <= rd_ptr_next;
      if (push && !pop) count_q <= count_q + 1'b1;
      else if (pop && !push) count_q <= count_q - 1'b1;
    end
  end

  // Storage needs no reset: an entry is only read after it was written.
  always_ff @(posedge clk_i) begin
    if (push) mem_q[wr_ptr_q] <= in_data_i;
  end

  // Rule checks as plain logic, asserted for all PEs at once in pe_array (pe.sv says why). Bits:
  // 0 no overflow, 1 pop only with data, 2 push only with room, 3 an offered input word stays offered and unchanged
  // until taken (checks the sender; only while enabled: a disabled FIFO is not a receiver), 4 the same for the output.
  logic in_held_q, out_held_q;
  logic [Width-1:0] in_held_data_q, out_held_data_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      in_held_q  <= 1'b0;
      out_held_q <= 1'b0;
    end else begin
      in_held_q  <= en_i && in_valid_i && !in_ready_o;
      out_held_q <= out_valid_o && !out_ready_i;
    end
  end
  always_ff @(posedge clk_i) begin
    in_held_data_q  <= in_data_i;
    out_held_data_q <= out_data_o;
  end
  // Evaluated only while enabled (a disabled FIFO does not change): the verilated model skips idle PEs' checks.
  always_comb begin
    check_fail_o = '0;
    if (en_i) begin
      check_fail_o[0] = count_q > CntWidth'(Depth);
      check_fail_o[1] = pop && count_q == '0;
      check_fail_o[2] = push && count_q == CntWidth'(Depth);
      check_fail_o[3] = in_held_q && !(in_valid_i && in_data_i == in_held_data_q);
      check_fail_o[4] = out_held_q && !(out_valid_o && out_data_o == out_held_data_q);
    end
  end
endmodule
