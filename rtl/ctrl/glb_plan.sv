// GLB plan of a layer (combinational): from the words an ifmap tile, a filter block's psums and a resident group's
// ifmap take, where the buffers and psum regions go and whether they fit. Ifmap buffers, psum regions and filter
// buffers start on bank boundaries, so no two of them share a bank (docs/architecture.md, GLB use per tile).
module glb_plan
  import ocelli_pkg::GlbAddrWidth;
  import ocelli_pkg::glb_addr_t;
#(
  parameter int unsigned ActWords    = 25 * 512,  // GLB words for ifmap tiles and psums
  parameter int unsigned FilterWords = 2 * 512,   // GLB words for the filter chunk
  parameter int unsigned BankWords   = 512
) (
  input  logic [31:0] if_words_i,       // an ifmap tile
  input  logic [31:0] ps_words_i,       // a filter block's psums
  input  logic [31:0] res_words_i,      // upper bound of a group's ifmap (resident ifmap)
  input  logic [7:0]  filt_blocks_i,    // f: filter blocks per loaded ifmap block, a psum region each
  input  logic [23:0] chunk_words_i,    // a filter chunk
  input  logic        res_shape_i,      // the layer's shape allows a resident ifmap
  input  logic [31:0]  wres_words_i,     // resident filter chunks (descriptor wres x chunk words)
  output logic        fits_o,           // one ifmap tile, the f psum regions and one filter chunk fit
  output logic        dbuf_o,           // the next block loads during a pass: buffers doubled, or ifmap resident
  output logic        resident_o,       // every channel block of a group has its own ifmap buffer
  // GLB word addresses (below ActWords when fits_o)
  output glb_addr_t   if_buf1_o,        // the second ifmap buffer
  output glb_addr_t   ps_region0_o,     // the psum region after the ifmap buffers
  output glb_addr_t   ps_region1_o,     // a second one from the next bank boundary on
  output glb_addr_t   ps_banked_o,      // a psum region rounded up to whole banks (the step between regions)
  output logic        ps_two_fit_o,     // the second psum region fits as well
  output logic        wres_o,           // resident filter chunks are used (f >= 2, doubled buffers, ifmap not resident)
  output glb_addr_t   wres_base_o       // where they start: after the f psum regions, each of whole banks
);
  // GLB words of one ifmap tile rounded up to whole banks.
  logic [31:0] if_banked;
  assign if_banked = (if_words_i + 32'(BankWords - 1)) & ~32'(BankWords - 1);
  // The psum regions of a filter-block group: f regions of whole banks, the last one as long as the psums.
  logic [31:0] ps_banked, ps_span;
  assign ps_banked = (ps_words_i + 32'(BankWords - 1)) & ~32'(BankWords - 1);
  assign ps_span   = (32'(filt_blocks_i) - 32'd1) * ps_banked + ps_words_i;

  logic        wres_fits;
  assign fits_o = !((if_words_i > 32'(ActWords)) || (ps_words_i > 32'(ActWords)) ||
                    (if_banked + ps_span > 32'(ActWords)) ||
                    (32'(chunk_words_i) > 32'(FilterWords)) || (if_words_i[31:GlbAddrWidth] != '0) || !wres_fits);

  logic        dbuf_fits, res_fits;
  logic [31:0] res_banked;
  assign dbuf_fits  = (2 * if_banked + ps_span <= 32'(ActWords)) &&
                      (32'(chunk_words_i) <= 32'(FilterWords / 2));
  assign res_banked = (res_words_i + 32'(BankWords - 1)) & ~32'(BankWords - 1);
  assign res_fits   = res_shape_i &&
                      (res_banked + ps_words_i <= 32'(ActWords)) && (res_banked[31:GlbAddrWidth] == '0) &&
                      (32'(chunk_words_i) <= 32'(FilterWords / 2));

  // Resident filter chunks right after the last psum region's words (not rounded up to a bank: the words left
  // there hold another chunk; AlexNet conv1 at batch 4 keeps 4 of its tile's 6 chunks instead of 3).
  logic [31:0] wres_base;
  assign wres_o      = (wres_words_i != '0) && (filt_blocks_i >= 8'd2) && dbuf_fits && !res_fits;
  assign wres_base   = 2 * if_banked + ps_span;
  assign wres_fits   = !wres_o || (wres_base + wres_words_i <= 32'(ActWords));
  assign wres_base_o = glb_addr_t'(wres_base);

  assign dbuf_o       = dbuf_fits || res_fits;
  assign resident_o   = res_fits;
  logic [31:0] ps_region0, ps_region1;
  assign ps_region0   = res_fits ? res_banked : dbuf_fits ? 2 * if_banked : if_banked;
  assign ps_region1   = ps_region0 + ps_banked;
  assign ps_two_fit_o = ps_region1 + ps_words_i <= 32'(ActWords);

  assign if_buf1_o    = glb_addr_t'(if_banked);
  assign ps_region0_o = glb_addr_t'(ps_region0);
  assign ps_region1_o = glb_addr_t'(ps_region1);
  assign ps_banked_o  = glb_addr_t'(ps_banked);
endmodule
