// What the controller and the subsystems of ocelli_top report to each other and to the register port
// (docs/architecture.md, "The top and its subsystems"). A package of its own: it uses the types of isa_pkg,
// mem_pkg and ctrl_pkg, which come before it in the source list.
package subsys_pkg;
  import ocelli_pkg::*;
  import mem_pkg::*;
  import ctrl_pkg::*;
  import isa_pkg::*;

  // The controller's status (registers Status and Position, docs/isa.md).
  typedef struct packed {
    logic        busy;
    logic        done;
    logic        error;
    ctrl_err_e   err_code;
    logic [15:0] err_index;
    logic [15:0] layer;
  } ctrl_status_t;

  // DRAM traffic by purpose (bytes), counted by the memory subsystem (registers 8-12).
  typedef struct packed {
    logic [63:0] ifmap;        // ifmap rows and row tables
    logic [63:0] weights;      // filter chunks and the LRN table
    logic [63:0] bias;
    logic [63:0] descriptors;
    logic [63:0] ofmap;        // written: ofmap rows and row tables
  } dram_bytes_t;

  // The memory subsystem's errors (the controller stops a layer on dma_error or rlc_err) and counters.
  typedef struct packed {
    logic                    dma_error;     // sticky
    dma_err_e                dma_err_code;
    logic [MemAddrWidth-1:0] dma_err_addr;
    logic                    rlc_err;       // sticky: the RLC decoder met a malformed word
    rlc_err_e                rlc_err_code;
    logic [31:0]             rlc_err_word;
    logic [31:0]             rlc_words_in;  // coded words into the decoder
    logic [31:0]             dma_rd_beats;
    logic [31:0]             dma_wr_beats;
  } mem_status_t;

  // The GLB's sticky address error and its counters, summed over the ports.
  typedef struct packed {
    logic        err_addr;         // a request past the buffer (register NetErrors)
    logic [63:0] reads;
    logic [63:0] writes;
    logic [63:0] conflict_cycles;  // port-cycles with a request refused
  } glb_status_t;

  // The pass subsystem's counters (registers 2-4, 7, 18, 20-22).
  typedef struct packed {
    logic [63:0] array_active_cycles;
    logic [63:0] pe_busy_cycles;
    logic [63:0] macs;
    logic [63:0] gated_macs;
    logic [63:0] noc_deliveries;  // fan-out summed over the three GINs
    logic [63:0] noc_words;       // words into the three GINs
    logic [63:0] noc_stall_cycles;
    logic [63:0] gon_words;
  } pass_perf_t;

  // The pass subsystem's sticky GIN errors: a word matched no PE (register NetErrors).
  typedef struct packed {
    logic filter;
    logic ifmap;
    logic psum;
  } gin_err_t;

  // The output subsystem's counters (registers 14 and 16).
  typedef struct packed {
    logic [31:0] rlc_words_out;   // coded words out of the encoder
    logic [63:0] saturated;       // outputs clipped by requantization or by the LRN multiply
  } out_perf_t;

endpackage
