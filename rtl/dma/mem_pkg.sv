// The 64-bit memory port between the DMA and the DRAM model (docs/architecture.md, "Stream interfaces").
// Requests carry a byte address (8-byte aligned), a burst length and a tag; write data follows its request in
// order; read data comes back beat by beat with its tag; every write burst is acknowledged once.
package mem_pkg;

  localparam int unsigned MemAddrWidth  = 32;
  localparam int unsigned MemBeatsWidth = 8;   // beats - 1: bursts of 1..256 beats
  localparam int unsigned MemTagWidth   = 4;

  typedef struct packed {
    logic [MemAddrWidth-1:0]  addr;      // byte address, multiple of 8
    logic [MemBeatsWidth-1:0] beats_m1;  // burst length - 1
    logic                     write;
    logic [MemTagWidth-1:0]   tag;
  } mem_req_t;

  typedef struct packed {
    logic [63:0]            data;
    logic [MemTagWidth-1:0] tag;
    logic                   last;
    logic                   err;         // the access failed (out of range); data is zero
  } mem_rsp_t;

  typedef struct packed {
    logic [MemTagWidth-1:0] tag;
    logic                   err;
  } mem_ack_t;

  // The memory port as one struct each way: what the accelerator drives (requests, write data, the response
  // ready) and what the memory drives. Used inside the memory subsystem; the top's ports are the same signals one by
  // one (ocelli_top), as the testbench drives them.
  typedef struct packed {
    logic        req_valid;
    mem_req_t    req;
    logic        wdata_valid;
    logic [63:0] wdata;
    logic        wdata_last;
    logic        rsp_ready;
  } mem_port_req_t;

  typedef struct packed {
    logic        req_ready;
    logic        wdata_ready;
    logic        rsp_valid;
    mem_rsp_t    rsp;
    logic        ack_valid;
    mem_ack_t    ack;
  } mem_port_rsp_t;

  // A DMA command on the read or the write channel: a burst of `words` 64-bit words from byte address `addr`.
  typedef struct packed {
    logic [MemAddrWidth-1:0] addr;
    logic [23:0]             words;
  } dma_cmd_t;

  // A client's side of a DMA channel, as a request/response pair of structs (one port each way): the read channel
  // takes a command and returns its words; the write channel takes a command and then its words.
  typedef struct packed {
    logic     cmd_valid;
    dma_cmd_t cmd;
    logic     data_ready;
  } dma_rd_req_t;

  typedef struct packed {
    logic        cmd_ready;
    logic        data_valid;
    logic [63:0] data;
  } dma_rd_rsp_t;

  typedef struct packed {
    logic        cmd_valid;
    dma_cmd_t    cmd;
    logic        data_valid;
    logic [63:0] data;
  } dma_wr_req_t;

  typedef struct packed {
    logic cmd_ready;
    logic data_ready;
    logic idle;        // every write acknowledged
  } dma_wr_rsp_t;

  // Sticky DMA error causes, readable by software through the controller's status.
  typedef enum logic [1:0] {
    DmaOk          = 2'd0,
    DmaErrRange    = 2'd1,  // a command reaches past the configured memory size
    DmaErrResponse = 2'd2,  // the memory answered with an error
    DmaErrTimeout  = 2'd3   // no response within the watchdog limit
  } dma_err_e;

endpackage
