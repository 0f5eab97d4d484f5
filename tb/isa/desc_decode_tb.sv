// Test wrapper: isa_pkg's descriptor decoder alone, so tb/isa/test_isa_decode.cpp can check every field the C++
// encoder writes against what the RTL reads.
module desc_decode_tb
  import isa_pkg::*;
(
  input  logic [DescDecodedWords-1:0][63:0] words_i,
  output layer_desc_t                       desc_o
);
  assign desc_o = decode_desc(words_i);
endmodule
