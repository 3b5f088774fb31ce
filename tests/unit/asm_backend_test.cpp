// The assembler back end: form selection, pseudo-instructions, bundles,
// branch targets and its diagnostics (file:line:column and what was expected).
#include <doctest/doctest.h>

#include "sim/assembler/linker.hpp"
#include "sim/assembler/unit.hpp"
#include "sim/common/error.hpp"
#include "sim/isa/encoding.hpp"

using namespace ipusim;

namespace {
assembler::LinkedProgram assemble(const std::string &text) {
  std::vector<assembler::AssemblyUnit> units{assembler::assemble_text(text, "t.S")};
  assembler::LinkOptions lo;
  return assembler::link(units, lo);
}
std::string error_of(const std::string &text) {
  try {
    assemble(text);
  } catch (const InputError &e) {
    return e.what();
  }
  return "no error";
}
std::string listing_text(const assembler::LinkedProgram &p, size_t i) { return p.listing.at(i).text; }
} // namespace

TEST_CASE("forms are chosen by operand kinds and immediate ranges") {
  auto p = assemble(".section .text, \"ax\"\nf:\n  add $m0, $m1, 5\n  add $m0, $m1, -5\n  add $m0, $m1, $m2\n"
                    "  or $m0, $m1, 0xFFF00000\n  ld32 $a0, $m1, $mzero, 3\n  ld32 $m0, $m1, $m2, $m3\n");
  CHECK(isa::decode(p.listing[0].words[0])->op == isa::Op::ADD_U16);
  CHECK(isa::decode(p.listing[1].words[0])->op == isa::Op::ADD_S16);
  CHECK(isa::decode(p.listing[2].words[0])->op == isa::Op::ADD_R);
  CHECK(isa::decode(p.listing[3].words[0])->op == isa::Op::OR_Z12);
  CHECK(isa::decode(p.listing[4].words[0])->op == isa::Op::LD32_AI);
  CHECK(isa::decode(p.listing[5].words[0])->op == isa::Op::LD32_MR);
}

TEST_CASE("pseudo-instructions expand to real forms") {
  auto p = assemble(".section .text, \"ax\"\nf:\n  nop\n  fnop\n  mov $m1, $m2\n  mov $a1, $a2\n  mov $m3, $a4\n"
                    "  zero $a2:3\n  sub $m1, $m1, 1\n  ld32 $m1, $mvertex_base, 2\n");
  CHECK(listing_text(p, 0) == "or $mzero, $mzero, 0");
  CHECK(listing_text(p, 1) == "or $azero, $azero, 0");
  CHECK(listing_text(p, 2) == "or $m1, $m2, 0");
  CHECK(listing_text(p, 3) == "or $a1, $a2, 0");
  CHECK(listing_text(p, 4) == "atom $m3, $a4");
  CHECK(listing_text(p, 5) == "or64 $a2:3, $azeros, $azeros");
  CHECK(listing_text(p, 6) == "add $m1, $m1, -1");
  CHECK(listing_text(p, 7) == "ld32 $m1, $m13, $mzero, 2");
}

TEST_CASE("branch targets are absolute addresses of labels") {
  auto p = assemble(".section .text, \"ax\"\nf:\n  nop\nl:\n  bri l\n  brnzdec $m1, f\n");
  CHECK(listing_text(p, 1) == "bri 0x40004");
  CHECK(listing_text(p, 2) == "brnzdec $m1, 0x40000");
}

TEST_CASE("bundles: main first in memory, either order in the source") {
  auto p = assemble(".section .text, \"ax\"\n.align 8\nf:\n  { f16v4add $a0:1, $a2:3, $a4:5 ; ld64 $a2:3, $m0, $mzero, 0 }\n");
  REQUIRE(p.listing.size() == 1u);
  CHECK(p.listing[0].words.size() == 2u);
  CHECK((p.listing[0].words[0] & isa::kBundleBit) != 0);
  CHECK(listing_text(p, 0) == "{ ld64 $a2:3, $m0, $mzero, 0 ; f16v4add $a0:1, $a2:3, $a4:5 }");
}

TEST_CASE("assembler diagnostics name file:line:column and what was expected") {
  CHECK(error_of(".section .text, \"ax\"\n  frob $m0\n") == "t.S:2:3: error: unknown instruction 'frob'");
  std::string bad_reg = error_of(".section .text, \"ax\"\n  add $m0, $m16, 1\n");
  CHECK(bad_reg.rfind("t.S:2:12: error: unknown register '$m16'", 0) == 0);
  std::string range = error_of(".section .text, \"ax\"\n  setzi $m0, 0x100000\n");
  CHECK(range.rfind("t.S:2:14: error: value 1048576 does not fit zimm20 [0, 1048575]", 0) == 0);
  std::string count = error_of(".section .text, \"ax\"\n  ld32 $m0\n");
  CHECK(count.find("t.S:2:") == 0);
  CHECK(count.find("ld32 forms: m,m,m,m | a,m,m,m | m,m,m,u12 | a,m,m,u12") != std::string::npos);
  std::string pair = error_of(".section .text, \"ax\"\n  ld64 $a1:2, $m0, $mzero, 0\n");
  CHECK(pair.find("register group '$a1:2' must start at a multiple of 2") != std::string::npos);
  std::string two_main = error_of(".section .text, \"ax\"\n.align 8\n  { add $m0, $m0, 1 ; add $m1, $m1, 1 }\n");
  CHECK(two_main.find("a bundle needs one main-pipeline and one auxiliary-pipeline instruction") !=
        std::string::npos);
  std::string undef = error_of(".section .text, \"ax\"\n  bri nowhere\n");
  CHECK(undef.find("t.S:2:") == 0);
  CHECK(undef.find("nowhere") != std::string::npos);
}

TEST_CASE("half-precision literals give their binary16 bits") {
  auto p = assemble(".section .text, \"ax\"\nf:\n  setzi $a0, -1.0h\n  setzi $a1, 0.5h\n  or $m0, $m1, 1\n");
  CHECK(listing_text(p, 0) == "setzi $a0, 48128"); // 0xBC00
  CHECK(listing_text(p, 1) == "setzi $a1, 14336"); // 0x3800
}
