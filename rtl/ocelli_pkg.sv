// Shared parameters and types of the ocelli accelerator. Numeric widths follow docs/numerics.md.
package ocelli_pkg;

  // Data words: 16-bit two's complement fixed point (activations and weights).
  localparam int unsigned DataWidth = 16;
  // Products and partial sums: 32-bit two's complement, wrap-around (order independent).
  localparam int unsigned PsumWidth = 32;
  // DRAM interface word.
  localparam int unsigned DramWidth = 64;

  // Default array geometry: Eyeriss v1.
  localparam int unsigned ArrayRows = 12;
  localparam int unsigned ArrayCols = 14;

  // Default scratchpad depths: Eyeriss v1 (entries).
  localparam int unsigned IfmapSpadDepth  = 12;
  localparam int unsigned FilterSpadDepth = 224;
  localparam int unsigned PsumSpadDepth   = 24;

  // Run-length code (docs/numerics.md): three (5-bit run, 16-bit level) pairs and a terminator bit per 64-bit word.
  localparam int unsigned RlcRunWidth   = 5;
  localparam int unsigned RlcPairWidth  = RlcRunWidth + DataWidth;
  localparam int unsigned RlcPairsPerWord = 3;
  localparam int unsigned RlcMaxRun     = (1 << RlcRunWidth) - 1;

  typedef logic signed [DataWidth-1:0] data_t;
  typedef logic signed [PsumWidth-1:0] psum_t;
  typedef logic [DramWidth-1:0] dram_word_t;

endpackage
