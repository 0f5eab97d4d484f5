// Restoring division, one quotient bit per cycle: start_i loads the dividend; Width cycles later done_o is high
// (and stays high until the next start) with the quotient and remainder. divisor_i must be stable meanwhile; a zero
// divisor gives an all-ones quotient (the caller checks its divisor: the controller's group count is at least 1).
// The controller's C / G and M / G (rtl/ctrl/layer_ctrl.sv); a testbench of its own (tb/cells/test_serial_divider.cpp).
`include "common/ocelli_assert.svh"

module serial_divider #(
  parameter int unsigned Width = 16,
  localparam int unsigned CountW = $clog2(Width + 1)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             start_i,
  input  logic [Width-1:0] dividend_i,
  input  logic [Width-1:0] divisor_i,
  output logic             done_o,
  output logic [Width-1:0] quotient_o,
  output logic [Width-1:0] remainder_o
);
  logic [Width-1:0]  num_q, quo_q, rem_q;
  logic [CountW-1:0] bit_q;
  logic [Width:0]    trial;

  assign trial  = {rem_q, num_q[Width-1]} - {1'b0, divisor_i};
  assign done_o = bit_q == CountW'(Width);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      num_q <= '0;
      quo_q <= '0;
      rem_q <= '0;
      bit_q <= CountW'(Width);  // idle: nothing to divide
    end else if (start_i) begin
      num_q <= dividend_i;
      quo_q <= '0;
      rem_q <= '0;
      bit_q <= '0;
    end else if (!done_o) begin
      if (!trial[Width]) begin
        rem_q <= trial[Width-1:0];
        quo_q <= {quo_q[Width-2:0], 1'b1};
      end else begin
        rem_q <= {rem_q[Width-2:0], num_q[Width-1]};
        quo_q <= {quo_q[Width-2:0], 1'b0};
      end
      num_q <= {num_q[Width-2:0], 1'b0};
      bit_q <= bit_q + 1'b1;
    end
  end

  assign quotient_o  = quo_q;
  assign remainder_o = rem_q;

  `OCELLI_ASSERT(a_divisor_stable, !done_o && !start_i |=> $stable(divisor_i) || start_i)
endmodule
