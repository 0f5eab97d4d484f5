// Descriptor fetch: reads one layer descriptor (DescWords words) over the DMA read channel, decodes it and checks it
// (desc_check). The controller holds fetch_i while it waits for the descriptor; done_o is the decode cycle, and
// from the next cycle on desc_o and err_o describe the new layer until the next fetch decodes. abort_i (the
// controller fails this cycle) freezes the fetch as the controller leaves for its error state; a fetch always
// starts with the command once fetch_i rises again.
`include "common/ocelli_assert.svh"

module desc_fetch
  import ocelli_pkg::*;
  import ctrl_pkg::*;
  import isa_pkg::*;
  import mem_pkg::*;
#(
  parameter hw_cfg_t     Hw             = DefaultHw,  // the array and spads the mapping must fit
  parameter int unsigned MaxTileFilters = Hw.psum_spad * Hw.cols
) (
  input  logic        clk_i,
  input  logic        rst_ni,

  input  logic        fetch_i,          // the controller waits for a descriptor
  input  logic        abort_i,          // the controller fails this cycle: change nothing
  input  logic [31:0] addr_i,           // DRAM byte address of the descriptor
  output logic        done_o,           // decoding this cycle: desc_o and err_o are the new layer's next cycle

  output dma_rd_req_t rd_req_o,         // DMA read channel
  input  dma_rd_rsp_t rd_rsp_i,

  output layer_desc_t desc_o,
  output ctrl_err_e   err_o,            // ErrNone, or the first descriptor rule it breaks
  output logic [11:0] lut_entries_o,    // LRN multiplier table entries
  output logic [9:0]  stream_w_o        // (F-1)*stride_h + S
);
  typedef enum logic [1:0] {FetchCmd, FetchData, FetchDecode} fetch_state_e;

  fetch_state_e               state_q;  // FetchCmd also while the controller does not fetch
  logic [3:0]                 word_q;   // the next word to arrive
  // Unpacked, so that a simulator writes one word per arriving beat instead of copying the whole descriptor
  // every cycle (Verilator 5.006 shadows a packed array written at a variable index).
  logic [63:0]                words_q [DescWords];
  logic [DescDecodedWords-1:0][63:0] decoded_words;
  logic                       reserved_zero;
  layer_desc_t                desc_q;

  always_comb begin
    for (int i = 0; i < int'(DescDecodedWords); i++) decoded_words[i] = words_q[i];
    reserved_zero = 1'b1;
    for (int i = int'(DescDecodedWords); i < int'(DescWords); i++) begin
      reserved_zero = reserved_zero && words_q[i] == '0;
    end
  end

  assign rd_req_o.cmd_valid  = fetch_i && state_q == FetchCmd;
  assign rd_req_o.cmd.addr   = addr_i;
  assign rd_req_o.cmd.words  = 24'(DescWords);
  assign rd_req_o.data_ready = fetch_i && state_q == FetchData;
  assign done_o              = fetch_i && state_q == FetchDecode;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= FetchCmd;
      word_q  <= '0;
      words_q <= '{default: '0};
      desc_q  <= '0;
    end else if (!fetch_i) begin
      state_q <= FetchCmd;
    end else if (!abort_i) begin
      unique case (state_q)
        FetchCmd: if (rd_rsp_i.cmd_ready) begin
          word_q  <= '0;
          state_q <= FetchData;
        end
        FetchData: if (rd_rsp_i.data_valid) begin
          words_q[word_q] <= rd_rsp_i.data;
          word_q          <= word_q + 1'b1;
          if (word_q == 4'(DescWords - 1)) state_q <= FetchDecode;
        end
        FetchDecode: begin
          desc_q  <= decode_desc(decoded_words);
          state_q <= FetchCmd;
        end
        default: state_q <= FetchCmd;
      endcase
    end
  end

  assign desc_o = desc_q;

  desc_check #(.Hw(Hw), .MaxTileFilters(MaxTileFilters)) u_check (
    .desc_i          (desc_q),
    .reserved_zero_i (reserved_zero),
    .err_o,
    .lut_entries_o,
    .stream_w_o
  );

  // Handshake rule: an offered request stays offered, unchanged, until it is taken.
  `OCELLI_ASSERT_STREAM(a_rd_cmd_stable, rd_req_o.cmd_valid, rd_rsp_i.cmd_ready, rd_req_o.cmd)
endmodule
