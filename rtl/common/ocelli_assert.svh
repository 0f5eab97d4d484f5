// Assertion macros for ocelli's RTL (in the manner of lowRISC's prim_assert.sv and PULP's assertions.svh): the
// clock and reset clause is written once here, so a block states only what must hold. Compiled into the checked
// builds (tests, `ocelli run --checked`: Verilator --assert); the performance model drops them (--no-assert), and a
// synthesis flow defining SYNTHESIS sees none.
//
//   `OCELLI_ASSERT(name, prop)                      prop holds in every cycle out of reset
//   `OCELLI_ASSERT_STREAM(name, valid, ready, data) a valid/ready producer keeps valid up until ready and holds data
//                                                   stable meanwhile (the project's handshake rule)
//   `OCELLI_ASSERT_STREAM_IF(name, valid, ready, data, cond)   the same, only while cond holds (e.g. no abort)
// Optional last arguments name another clock and active-low reset (default clk_i, rst_ni).
`ifndef OCELLI_ASSERT_SVH
`define OCELLI_ASSERT_SVH

`ifndef SYNTHESIS

`define OCELLI_ASSERT(name, prop, clk = clk_i, rst_n = rst_ni) \
  name: assert property (@(posedge clk) disable iff (!(rst_n)) (prop));

`define OCELLI_ASSERT_STREAM(name, valid, ready, data, clk = clk_i, rst_n = rst_ni) \
  name: assert property (@(posedge clk) disable iff (!(rst_n)) \
      (valid) && !(ready) |=> (valid) && $stable(data));

`define OCELLI_ASSERT_STREAM_IF(name, valid, ready, data, cond, clk = clk_i, rst_n = rst_ni) \
  name: assert property (@(posedge clk) disable iff (!(rst_n)) \
      (cond) && (valid) && !(ready) |=> (valid) && $stable(data));

`else

`define OCELLI_ASSERT(name, prop, clk = clk_i, rst_n = rst_ni)
`define OCELLI_ASSERT_STREAM(name, valid, ready, data, clk = clk_i, rst_n = rst_ni)
`define OCELLI_ASSERT_STREAM_IF(name, valid, ready, data, cond, clk = clk_i, rst_n = rst_ni)

`endif

`endif  // OCELLI_ASSERT_SVH
