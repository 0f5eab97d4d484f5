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

  // A PE's rule checks (pe.sv, pe_fifo.sv): 6 of its own, then 5 for each of its 4 queues (filter, ifmap, psum in,
  // psum out). pe_array asserts that none fails and names the PE and the rule (pe_check_name).
  localparam int unsigned PeOwnChecks   = 6;  // bits 0..5
  localparam int unsigned PeQueueChecks = 5;  // per queue, from bit PeOwnChecks + queue * PeQueueChecks
  localparam int unsigned PeCheckBits   = PeOwnChecks + 4 * PeQueueChecks;
  function automatic string pe_check_name(int unsigned bit_index);
    string queue;
    if (bit_index < PeOwnChecks) begin
      case (bit_index)
        0: return "a_cfg_legal (start with an illegal pass configuration)";
        1: return "a_filt_addr (filter spad read outside the loaded filters)";
        2: return "a_filt_wr_addr (filter word count 0, above FilterLanes or past the pass's filters)";
        3: return "a_ifmap_ptrs (ifmap ring pointer or occupancy out of range, or ifmap word count 0 or above IfmapLanes)";
        4: return "a_psum_addr (psum spad address out of range)";
        default: return "a_no_start_while_busy (start while a pass runs)";
      endcase
    end
    case ((bit_index - PeOwnChecks) / PeQueueChecks)
      0: queue = "filter queue";
      1: queue = "ifmap queue";
      2: queue = "psum-in queue";
      default: queue = "psum-out queue";
    endcase
    case ((bit_index - PeOwnChecks) % PeQueueChecks)
      0: return {queue, ": a_no_overflow"};
      1: return {queue, ": a_pop_has_data"};
      2: return {queue, ": a_push_has_room"};
      3: return {queue, ": a_in_hold (offered input word changed or withdrawn before it was taken)"};
      default: return {queue, ": a_out_hold (offered output word changed or withdrawn before it was taken)"};
    endcase
  endfunction

  // Run-length code (docs/numerics.md): three (5-bit run, 16-bit level) pairs and a terminator bit per 64-bit word.
  localparam int unsigned RlcRunWidth   = 5;
  localparam int unsigned RlcPairWidth  = RlcRunWidth + DataWidth;
  localparam int unsigned RlcPairsPerWord = 3;
  localparam int unsigned RlcMaxRun     = (1 << RlcRunWidth) - 1;

  typedef logic signed [DataWidth-1:0] data_t;
  typedef logic signed [PsumWidth-1:0] psum_t;
  typedef logic [DramWidth-1:0] dram_word_t;

  // Requantization, the one implementation (docs/numerics.md): value / 2^shift rounded half up, saturated to 16 bits.
  // Used by the output stage (psum + bias, shift from the descriptor) and the post-processing unit (LRN products).
  typedef struct packed {
    logic  saturated;  // the result was clipped
    data_t value;
  } requant_t;
  function automatic requant_t requantize(logic signed [33:0] value, logic [4:0] shift);
    logic signed [33:0] scaled;
    requant_t r;
    scaled = (value + ((shift == '0) ? 34'sd0 : (34'sd1 <<< (shift - 5'd1)))) >>> shift;
    r.saturated = 1'b1;
    if (scaled > 34'sd32767)       r.value = data_t'(16'sh7fff);
    else if (scaled < -34'sd32768) r.value = data_t'(16'sh8000);
    else begin
      r.value     = data_t'(scaled[15:0]);
      r.saturated = 1'b0;
    end
    return r;
  endfunction

  // Run-length decoder errors (docs/numerics.md lists the same cases for the golden codec).
  typedef enum logic [2:0] {
    RlcOk               = 3'd0,
    RlcErrRunPastEnd    = 3'd1,  // a pair's zeros + level would go past the element count
    RlcErrEarlyTerm     = 3'd2,  // terminator bit set in a word before the element count is reached
    RlcErrMissingTerm   = 3'd3,  // element count reached in a word without the terminator bit
    RlcErrBadPadding    = 3'd4,  // a pair after the last element is not (0, 0)
    RlcErrTruncated     = 3'd5,  // the word budget ran out before the element count was reached
    RlcErrTrailingWords = 3'd6,  // words left in the budget after the terminator
    RlcErrBadLength     = 3'd7   // a row-table entry is zero or longer than the row's slot (row mover)
  } rlc_err_e;

  // ---- PE / PE array (docs/pe-array.md) ----
  // Per-pass configuration shared by every active PE. The host derives ifmap_width = (ofmap_width-1)*stride +
  // filt_width; the PE checks it. Limits: num_channels*filt_width <= IfmapSpadDepth, num_filters <= PsumSpadDepth,
  // num_filters*num_channels*filt_width <= FilterSpadDepth.
  typedef struct packed {
    logic [3:0] filt_width;    // S: filter taps per row, 1..12
    logic [3:0] stride;        // U: horizontal stride, 1..15
    logic [4:0] num_filters;   // p: filters interleaved, 1..24
    logic [3:0] num_channels;  // q: channels interleaved, 1..12
    logic [7:0] ofmap_width;   // F: psum columns per image row, 1..255
    logic [9:0] ifmap_width;   // W: ifmap columns per image row streamed into the PE, (F-1)*U+S
    logic [3:0] num_images;    // n: ifmap rows (images) concatenated in one pass, 1..15
    // Psums kept in the PE across channel passes (FC: ofmap_width 1, num_images*num_filters <= PsumSpadDepth; the
    // psum spad then holds one entry per image and filter):
    logic       psum_hold;     // the pass ends with its sums in the psum spad and outputs nothing
    logic       psum_resume;   // the pass starts from the sums the previous (hold) pass left in the spad
    // MAC issue order per output column (docs/pe-array.md): filter m outer, window offset k inner (filter spad in
    // order m, s, c), else k outer, m inner (order s, c, m).
    logic       filt_outer;
  } pe_cfg_t;

  // Filter network word: up to FilterLanes consecutive filter values for one PE per handshake (Eyeriss's filter GIN
  // is 64 bits wide), lane 0 first, `count` of them valid (1..FilterLanes). Four lanes match the 64-bit DRAM port,
  // so a layer whose weights are each used once (FC at batch 1) is not limited by the filter network.
  localparam int unsigned FilterLanes = 4;
  typedef struct packed {
    logic [2:0]                            count;
    logic [FilterLanes-1:0][DataWidth-1:0] lanes;
  } filt_word_t;
  localparam int unsigned FiltWordWidth = $bits(filt_word_t);

  // Ifmap network word: the next 1..IfmapLanes values of one PE diagonal's ifmap stream (order image, column,
  // channel; docs/pe-array.md), lane 0 first, `count` of them valid. A word never spans two images, so only an
  // image's last word for a diagonal may be partial. The PE writes one value per cycle into its ifmap spad, which is
  // as fast as its MACs can use new values; the lanes cut the shared ifmap network's transfers up to 4-fold.
  localparam int unsigned IfmapLanes = 4;
  typedef struct packed {
    logic [2:0]                           count;
    logic [IfmapLanes-1:0][DataWidth-1:0] lanes;
  } ifmap_word_t;
  localparam int unsigned IfmapWordWidth = $bits(ifmap_word_t);

  // Psum network word: the psums of filters 2k (lo) and 2k+1 (hi) of one output position, as they lie in one
  // 64-bit GLB psum word (Eyeriss's output network is 64 bits wide). `two` is low on the last word of an odd p,
  // which carries filter p-1 alone in lo. The psum GIN and the GON move one pair per transfer.
  typedef struct packed {
    logic  two;
    psum_t hi;
    psum_t lo;
  } psum_pair_t;
  localparam int unsigned PsumPairWidth = $bits(psum_pair_t);

  // ---- Global buffer and NoC (docs/glb-noc.md) ----
  // Default GLB: 27 single-port banks of 512 x 64 bit = 108 KB (25 banks for ifmaps/psums, 2 for filters).
  localparam int unsigned GlbNumBanks  = 27;
  localparam int unsigned GlbBankWords = 512;
  localparam int unsigned GlbNumPorts  = 4;
  localparam int unsigned GlbAddrWidth = $clog2(GlbBankWords) + $clog2(GlbNumBanks);  // word address
  typedef logic [GlbAddrWidth-1:0] glb_addr_t;  // a GLB word address, or a count of GLB words
  // A request on a GLB port (valid/ready beside it); a read's data comes back glb_rsp_valid one cycle later.
  typedef struct packed {
    logic                    write;
    logic [GlbAddrWidth-1:0] addr;
    logic [63:0]             wdata;
    logic [3:0]              wmask;  // 16-bit lanes a write changes
  } glb_req_t;
  // A GLB port as one struct each way (the glb block itself, tested alone, takes one array per field: ocelli_top).
  // A write client reads only `ready` of the answer.
  typedef struct packed {
    logic     valid;
    glb_req_t req;
  } glb_port_req_t;
  typedef struct packed {
    logic        ready;      // the request is taken this cycle
    logic        rsp_valid;  // a read's data, one cycle after the read was taken
    logic [63:0] rsp_data;
  } glb_port_rsp_t;
  // A hardware configuration: ocelli_top's size parameters in one value (register HwConfig reports it), for the
  // blocks that depend on several of them.
  typedef struct packed {
    int unsigned rows;
    int unsigned cols;
    int unsigned ifmap_spad;
    int unsigned filter_spad;
    int unsigned psum_spad;
    int unsigned glb_banks;       // the last two hold filters
    int unsigned glb_bank_words;
  } hw_cfg_t;
  // (A function, not an assignment pattern: Verilator 5.006 takes a pattern of parameters for a concatenation of
  // unsized values, WIDTHCONCAT.)
  function automatic hw_cfg_t hw_cfg(int unsigned rows, int unsigned cols, int unsigned ifmap_spad,
                                     int unsigned filter_spad, int unsigned psum_spad, int unsigned glb_banks,
                                     int unsigned glb_bank_words);
    hw_cfg_t c;
    c.rows           = rows;
    c.cols           = cols;
    c.ifmap_spad     = ifmap_spad;
    c.filter_spad    = filter_spad;
    c.psum_spad      = psum_spad;
    c.glb_banks      = glb_banks;
    c.glb_bank_words = glb_bank_words;
    return c;
  endfunction
  localparam hw_cfg_t DefaultHw = hw_cfg(ArrayRows, ArrayCols, IfmapSpadDepth, FilterSpadDepth, PsumSpadDepth,
                                         GlbNumBanks, GlbBankWords);
  // Multicast IDs: a row ID per X-bus (4 bits cover 12 rows), a column ID per PE. 6 column-ID bits cover the
  // diagonal ifmap IDs i + j*U of a set: CONV1 (R = 11, e = 7, U = 4) needs 35 distinct ifmap rows.
  localparam int unsigned NocRowIdWidth = 4;
  localparam int unsigned NocColIdWidth = 6;
  // The words the feeders send into the three GINs: data with its multicast row and column tags (valid/ready beside).
  typedef struct packed {
    filt_word_t               data;
    logic [NocRowIdWidth-1:0] row_tag;
    logic [NocColIdWidth-1:0] col_tag;
  } filt_gin_word_t;
  typedef struct packed {
    ifmap_word_t              data;
    logic [NocRowIdWidth-1:0] row_tag;
    logic [NocColIdWidth-1:0] col_tag;
  } ifmap_gin_word_t;
  typedef struct packed {
    psum_pair_t               data;
    logic [NocRowIdWidth-1:0] row_tag;
    logic [NocColIdWidth-1:0] col_tag;
  } psum_gin_word_t;

endpackage
