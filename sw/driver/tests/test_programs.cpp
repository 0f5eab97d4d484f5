// Layer programs: every shipped program parses, alexnet.prog is the golden AlexNet, bad programs name file:line,
// field and value.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "ocelli/driver/program.hpp"
#include "ocelli/golden/alexnet.hpp"
#include "ocelli/golden/alexnet_data.hpp"

namespace ocelli::driver {
namespace {

namespace fs = std::filesystem;
using golden::LayerKind;

const fs::path kProgramsDir = OCELLI_PROGRAMS_DIR;

std::vector<fs::path> shipped_programs() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kProgramsDir)) {
    if (e.path().extension() == ".prog") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Programs, EveryShippedProgramParses) {
  const auto files = shipped_programs();
  // alexnet.prog, a program per AlexNet layer (13) and the small ones.
  ASSERT_GE(files.size(), 17u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    Program p;
    ASSERT_NO_THROW(p = parse_program_file(f.string()));
    EXPECT_FALSE(p.network.layers.empty());
    EXPECT_EQ(p.options.size(), p.network.layers.size());
    EXPECT_EQ(p.network.name, f.stem().string()) << "network name should be the file name";
  }
}

void expect_same_layer(const golden::LayerDesc& got, const golden::LayerDesc& want) {
  SCOPED_TRACE(want.name);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.in_shape, want.in_shape);
  EXPECT_EQ(got.out_shape, want.out_shape);
  EXPECT_EQ(got.relu, want.relu);
  if (want.has_weights()) {
    EXPECT_EQ(got.weight_shape, want.weight_shape);
  }
  if (want.kind == LayerKind::Conv) {
    EXPECT_EQ(got.conv.stride_h, want.conv.stride_h);
    EXPECT_EQ(got.conv.stride_w, want.conv.stride_w);
    EXPECT_EQ(got.conv.pad_top, want.conv.pad_top);
    EXPECT_EQ(got.conv.pad_bottom, want.conv.pad_bottom);
    EXPECT_EQ(got.conv.pad_left, want.conv.pad_left);
    EXPECT_EQ(got.conv.pad_right, want.conv.pad_right);
    EXPECT_EQ(got.conv.groups, want.conv.groups);
  }
  if (want.kind == LayerKind::MaxPool) {
    EXPECT_EQ(got.pool.kernel_h, want.pool.kernel_h);
    EXPECT_EQ(got.pool.kernel_w, want.pool.kernel_w);
    EXPECT_EQ(got.pool.stride_h, want.pool.stride_h);
    EXPECT_EQ(got.pool.stride_w, want.pool.stride_w);
    EXPECT_EQ(got.pool.pad_top + got.pool.pad_bottom + got.pool.pad_left + got.pool.pad_right,
              want.pool.pad_top + want.pool.pad_bottom + want.pool.pad_left + want.pool.pad_right);
  }
  if (want.kind == LayerKind::Lrn) {
    EXPECT_EQ(got.lrn.size, want.lrn.size);
    EXPECT_DOUBLE_EQ(got.lrn.alpha, want.lrn.alpha);
    EXPECT_DOUBLE_EQ(got.lrn.beta, want.lrn.beta);
    EXPECT_DOUBLE_EQ(got.lrn.k, want.lrn.k);
  }
  EXPECT_EQ(got.macs(), want.macs());
}

TEST(Programs, AlexNetEqualsGoldenDescription) {
  const Program p = parse_program_file((kProgramsDir / "alexnet.prog").string());
  const golden::NetworkDesc want = golden::alexnet_description(1);
  EXPECT_TRUE(p.calibrate);
  EXPECT_EQ(p.batch(), 1);
  EXPECT_EQ(p.network.input_shape, want.input_shape);
  ASSERT_EQ(p.network.layers.size(), want.layers.size());
  for (std::size_t i = 0; i < want.layers.size(); ++i) expect_same_layer(p.network.layers[i], want.layers[i]);
  EXPECT_EQ(p.network.macs(), want.macs());
}

TEST(Programs, SingleLayerAlexNetProgramsMatchTheirLayer) {
  const golden::NetworkDesc want = golden::alexnet_description(1);
  for (const char* name : {"conv1", "norm1", "pool1", "conv2", "norm2", "pool2", "conv3", "conv4", "conv5", "pool5",
                           "fc6", "fc7", "fc8"}) {
    SCOPED_TRACE(name);
    const Program p = parse_program_file((kProgramsDir / fmt::format("alexnet_{}.prog", name)).string());
    ASSERT_EQ(p.network.layers.size(), 1u);
    const auto& ref = want.layers[want.index_of(name)];
    // fc7/fc8 take a flattened 4096x1x1 input; the golden's previous layer has the same shape.
    expect_same_layer(p.network.layers[0], ref);
  }
}

TEST(Programs, CalibrationCopiesFormatsByName) {
  Program p = parse_program_file((kProgramsDir / "alexnet_conv3.prog").string());
  golden::NetworkDesc cal = golden::alexnet_description(1);
  for (std::size_t i = 0; i < cal.layers.size(); ++i) {
    cal.layers[i].in_frac = static_cast<int>(i);
    cal.layers[i].weight_frac = 10 + static_cast<int>(i);
    cal.layers[i].out_frac = 2 * static_cast<int>(i);
  }
  apply_calibration(p, cal);
  const auto& ref = cal.layers[cal.index_of("conv3")];
  EXPECT_EQ(p.network.layers[0].in_frac, ref.in_frac);
  EXPECT_EQ(p.network.layers[0].weight_frac, ref.weight_frac);
  EXPECT_EQ(p.network.layers[0].out_frac, ref.out_frac);
  EXPECT_EQ(p.network.input_frac, ref.in_frac);

  Program other = parse_program_file((kProgramsDir / "alexnet_conv3.prog").string());
  EXPECT_THROW(apply_calibration(other, golden::alexnet_description(2)), ProgramError);  // batch differs
}

// The real calibration: alexnet.prog with make_alexnet's formats and parameters is a network the golden accepts.
TEST(Programs, CalibratedAlexNetValidatesInTheGolden) {
  Program p = parse_program_file((kProgramsDir / "alexnet.prog").string());
  const golden::CalibratedNetwork cal = golden::make_alexnet(p.seed, p.batch());
  apply_calibration(p, cal.net.desc);
  EXPECT_EQ(p.network.input_frac, cal.net.desc.input_frac);
  EXPECT_NO_THROW(golden::validate(golden::Network{p.network, cal.net.params}));
  for (const char* name : {"conv2", "fc8"}) {
    Program one = parse_program_file((kProgramsDir / fmt::format("alexnet_{}.prog", name)).string());
    apply_calibration(one, cal.net.desc);
    const auto& ref = cal.net.desc.layers[cal.net.desc.index_of(name)];
    EXPECT_EQ(one.network.input_frac, ref.in_frac) << name;
    EXPECT_EQ(one.network.layers[0].out_frac, ref.out_frac) << name;
  }
}

TEST(Programs, ExplicitFormatsChain) {
  const Program p = parse_program_file((kProgramsDir / "small_fc.prog").string());
  ASSERT_EQ(p.network.layers.size(), 2u);
  EXPECT_EQ(p.batch(), 4);
  EXPECT_EQ(p.network.layers[0].in_shape, (golden::Shape{4, 16, 2, 2}));
  EXPECT_EQ(p.network.layers[0].weight_shape, (golden::Shape{32, 64, 1, 1}));
  EXPECT_EQ(p.network.layers[1].in_frac, 8);
  EXPECT_EQ(p.network.layers[1].out_frac, 8 + 10 - 10);  // shift=10
  EXPECT_TRUE(p.network.layers[0].relu);
  EXPECT_FALSE(p.network.layers[1].relu);
  EXPECT_EQ(p.seed, 3u);
}

TEST(Programs, RlcAndInputSource) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("ocelli_prog_src_{}", ::getpid());
  fs::create_directories(dir);
  const std::string file = (dir / "x.prog").string();
  std::ofstream(file) << "network x\ninput shape=2x4x4 frac=3 source=file path=in.tensor\nrlc off\n"
                         "layer a maxpool kernel=2 stride=2\nlayer b maxpool kernel=2 stride=2 rlc=on\n";
  const Program p = parse_program_file(file);
  EXPECT_EQ(p.input.source, InputSource::File);
  EXPECT_EQ(p.input.path, (dir / "in.tensor").string());
  ASSERT_EQ(p.options.size(), 2u);
  EXPECT_FALSE(p.options[0].rlc);
  EXPECT_TRUE(p.options[1].rlc);
  EXPECT_EQ(p.options[1].line, 5);
  EXPECT_EQ(p.network.layers[1].out_shape, (golden::Shape{1, 2, 1, 1}));
  EXPECT_EQ(p.network.layers[1].out_frac, 3);
  fs::remove_all(dir);
}

// A bad program, written to a temp dir, and what its error must contain.
struct BadCase {
  const char* what;
  std::string text;
  int line;
  std::string expected;  // substring of the message after "file:line: "
};

const std::string kHead = "network t\ninput shape=8x16x16 frac=8\n";  // lines 1-2; layers start on line 3

std::vector<BadCase> bad_cases() {
  return {
      {"stride zero", kHead + "layer c conv filters=4 kernel=3 stride=0 frac_w=8 frac_out=8\n", 3,
       "field 'stride': value '0' must be 1..12"},
      {"unknown key", kHead + "layer c conv filters=4 kernel=3 strid=2 frac_w=8 frac_out=8\n", 3,
       "field 'strid': value '2' is not a known key"},
      {"missing filters", kHead + "layer c conv kernel=3 frac_w=8 frac_out=8\n", 3,
       "layer 'c': missing required field 'filters'"},
      {"missing format", kHead + "layer c conv filters=4 kernel=3 frac_w=8\n", 3,
       "missing required field 'frac_out' or 'shift'"},
      {"bad number", kHead + "layer c conv filters=4x kernel=3 frac_w=8 frac_out=8\n", 3,
       "field 'filters': value '4x' is not an integer"},
      {"duplicate name", kHead + "layer c conv filters=4 kernel=3 frac_w=8 frac_out=8\n# comment\n"
                                 "layer c conv filters=4 kernel=3 frac_w=8 frac_out=8\n",
       5, "field 'name': value 'c' duplicates the layer on line 3"},
      {"chain width", kHead + "layer c conv filters=4 kernel=3 frac_w=8 frac_out=8\n"
                              "layer d conv filters=4 kernel=3 frac_w=8 frac_out=8 in=4x14x15\n",
       4, "field 'in': value '4x14x15' does not chain: layer 'c' (line 3) gives 4x14x14 (dimension W: 15 vs 14)"},
      {"chain channels from input", kHead + "layer c conv filters=4 kernel=3 frac_w=8 frac_out=8 in=3x16x16\n", 3,
       "does not chain: the input (line 2) gives 8x16x16 (dimension C: 3 vs 8)"},
      {"groups", kHead + "layer c conv filters=4 kernel=3 groups=3 frac_w=8 frac_out=8\n", 3,
       "field 'groups': value '3' does not divide the 8 input channels"},
      {"kernel too big", kHead + "layer c conv filters=4 kernel=17 frac_w=8 frac_out=8\n", 3,
       "field 'kernel': value '17' is taller than the padded input"},
      {"shift range", kHead + "layer c conv filters=4 kernel=3 frac_w=8 frac_out=20\n", 3,
       "field 'frac_out': value '20' gives shift -4"},
      {"unknown kind", kHead + "layer c pool\n", 3, "field 'kind': value 'pool' must be conv, fc, maxpool or lrn"},
      {"pool padding", kHead + "layer p maxpool kernel=3 stride=2 pad=3\n", 3,
       "field 'pad': value '3' does not fit: max_pool"},
      {"lrn size even", kHead + "layer n lrn size=4\n", 3, "field 'size': value '4' must be odd"},
      {"lrn alpha", kHead + "layer n lrn alpha=-1\n", 3, "field 'alpha': value '-1' must be > 0"},
      {"relu value", kHead + "layer f fc outputs=10 relu=yes frac_w=8 frac_out=8\n", 3,
       "field 'relu': value 'yes' must be on or off"},
      {"wrong out", kHead + "layer p maxpool kernel=2 stride=2 out=8x7x7\n", 3,
       "field 'out': value '8x7x7' differs from the computed output 8x8x8"},
      {"frac_in chain", kHead + "layer p maxpool frac_in=7\n", 3,
       "field 'frac_in': value '7' does not chain: the input (line 2) gives frac 8"},
      {"batch", "network t\nbatch 0\n", 2, "field 'batch': value '0' must be 1..1024"},
      {"header after layer", kHead + "layer p maxpool\nbatch 2\n", 4, "header 'batch' must come before the first"},
      {"unknown statement", "network t\nlayre c conv\n", 2, "unknown statement 'layre'"},
      {"no input", "network t\nlayer c conv filters=1 kernel=1\n", 2, "header 'input' must come before"},
      {"bad shape", "network t\ninput shape=3x227\n", 2, "input: field 'shape': value '3x227' must be a shape CxHxW"},
      {"file without path", "network t\ninput shape=3x8x8 source=file\n", 2, "missing required field 'path'"},
      {"calibrate non-alexnet", "network t\nformats calibrate\ninput shape=3x227x227\n"
                                "layer conv1 conv filters=96 kernel=11 stride=2 relu\n",
       4, "field 'formats': value 'calibrate' needs the AlexNet layer 'conv1' as it is: output"},
      {"calibrate with frac", "network t\nformats calibrate\ninput shape=3x227x227\n"
                              "layer conv1 conv filters=96 kernel=11 stride=4 relu frac_w=3\n",
       4, "field 'frac_w': value '3' is not allowed with 'formats calibrate'"},
      {"no layers", "network t\ninput shape=3x8x8\n", 2, "no 'layer' lines"},
      {"twice", kHead + "layer c conv filters=4 filters=5 kernel=3 frac_w=8 frac_out=8\n", 3,
       "field 'filters': value '5' is given twice"},
  };
}

TEST(Programs, BadProgramsNameFileLineFieldAndValue) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("ocelli_prog_bad_{}", ::getpid());
  fs::create_directories(dir);
  int index = 0;
  for (const BadCase& c : bad_cases()) {
    SCOPED_TRACE(c.what);
    const std::string file = (dir / fmt::format("bad{}.prog", index++)).string();
    std::ofstream(file) << c.text;
    try {
      parse_program_file(file);
      ADD_FAILURE() << "no error for:\n" << c.text;
    } catch (const ProgramError& e) {
      const std::string prefix = fmt::format("{}:{}: ", file, c.line);
      EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what() << "\nexpected prefix " << prefix;
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos)
          << e.what() << "\nexpected to contain: " << c.expected;
      EXPECT_EQ(e.line(), c.line);
      EXPECT_EQ(e.file(), file);
    }
  }
  fs::remove_all(dir);
}

// Every parse error carries a real line number: move a bad line down by N blank/comment lines and the reported line
// must move with it (fails if the parser reports 0, a fixed line or the statement count).
TEST(Programs, ErrorLineFollowsTheBadLine) {
  for (int padding : {0, 1, 7, 30}) {
    SCOPED_TRACE(padding);
    std::string text = "network t\n";
    for (int i = 0; i < padding; ++i) text += (i % 2 ? "\n" : "   # filler\n");
    text += "input shape=8x16x16 frac=8\nlayer c conv filters=4 kernel=3 stride=13 frac_w=8 frac_out=8\n";
    const int bad_line = 3 + padding;
    try {
      parse_program_text(text, "mem.prog");
      ADD_FAILURE() << "no error";
    } catch (const ProgramError& e) {
      EXPECT_EQ(e.line(), bad_line);
      const std::regex re("^mem\\.prog:([0-9]+): .*field 'stride': value '13'.*");
      std::smatch m;
      const std::string what = e.what();
      ASSERT_TRUE(std::regex_match(what, m, re)) << what;
      EXPECT_EQ(std::stoi(m[1].str()), bad_line) << what;
    }
  }
}

TEST(Programs, SeedIsDecimalOrHex) {
  const std::string body = "input shape=2x4x4\nlayer p maxpool kernel=2\n";
  EXPECT_EQ(parse_program_text("network t\nseed 010\n" + body, "s.prog").seed, 10u);
  EXPECT_EQ(parse_program_text("network t\nseed 0x1F\n" + body, "s.prog").seed, 31u);
  EXPECT_THROW(parse_program_text("network t\nseed -1\n" + body, "s.prog"), ProgramError);
  EXPECT_THROW(parse_program_text("network t\nseed 0x\n" + body, "s.prog"), ProgramError);
}

TEST(Programs, MissingFileIsAnError) {
  EXPECT_THROW(parse_program_file((kProgramsDir / "does_not_exist.prog").string()), ProgramError);
}

}  // namespace
}  // namespace ocelli::driver
