// FP8 instructions of the C600 on one tile: lane order, the format and scale
// CSRs, NANOO, ldb8, gating on arch_version. Hand-worked values where a case
// is small; exhaustive sweeps compare with the host reference
// (sim/numeric/fp8.hpp, itself tested exhaustively in fp8_test.cpp).
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "sim/numeric/fp8.hpp"
#include "tile_harness.hpp"

using namespace ipusim;
using test::worker_program;

namespace {

tile::TileParams c600() {
  tile::TileParams p = test::default_params();
  p.machine_name = "c600";
  p.arch_version = 21;
  return p;
}

// Runs `body` in one worker on a C600 tile; results go to `out` ($m9).
std::unique_ptr<test::TileRun> run_body(const std::string &body, const std::string &data = "") {
  auto r = test::run(worker_program("  setzi $m9, out\n" + body, ".align 8\nout:\n  .space 64\n" + data), c600());
  REQUIRE(r->core.finished());
  return r;
}

std::string fault_of(const std::string &text, tile::TileParams p) {
  try {
    test::run(text, p);
  } catch (const SimulationError &e) {
    return e.what();
  }
  return "no fault";
}

// Sets $FP_NFMT / $FP_SCL / $FP_CTL from immediates (as poplibs does with uput).
std::string fp8_config(unsigned nfmt, int scl, bool nanoo = false) {
  return fmt::format("  setzi $a7, {}\n  uput $FP_NFMT, $a7\n  setzi $a7, {}\n  uput $FP_SCL, $a7\n"
                     "  setzi $a7, {}\n  or $a7, $a7, {}\n  uput $FP_CTL, $a7\n",
                     nfmt, unsigned(scl) & 0xFFFFF, 0, nanoo ? "0x100000" : "0");
}

} // namespace

TEST_CASE("f8v4tof16 / f8v2tof16: byte k to half k, 1.4.3 at scale 0") {
  // Codes 1.0 (0x40), 7.0 (0x56), 240 (0x7F), NaN (0x80), little-endian in one word.
  auto r = run_body(fp8_config(3, 0) + R"(
  setzi $a0, 0x7F56
  or    $a0, $a0, 0x80400000     // bytes 0..3 = 0x56, 0x7F, 0x40, 0x80
  f8v4tof16 $a2:3, $a0
  st32  $a2, $mzero, $m9, 0
  st32  $a3, $mzero, $m9, 1
  f8v2tof16 $a4, $a0             // the low two bytes only
  st32  $a4, $mzero, $m9, 2
)");
  CHECK(r->word("out", 0) == 0x5B804700u); // {7.0, 240.0}
  CHECK(r->word("out", 1) == 0x7E003C00u); // {1.0, NaN}
  CHECK(r->word("out", 2) == 0x5B804700u);
}

TEST_CASE("FP8 -> fp16 uses $FP_NFMT.ARF_FMT and multiplies by 2^$FP_SCL") {
  // Code 0x40 is 1.0 in both formats; 0x7F is 240 (1.4.3) or 57344 (1.5.2).
  auto r = run_body(fp8_config(0, 0) + R"(
  setzi $a0, 0x7F40
  f8v2tof16 $a2, $a0
  st32  $a2, $mzero, $m9, 0
)" + fp8_config(0, 1) + R"(
  f8v2tof16 $a2, $a0             // 1.5.2 scale +1: {2.0, 114688 -> +inf}
  st32  $a2, $mzero, $m9, 1
)" + fp8_config(1, -3) + R"(
  f8v2tof16 $a2, $a0             // CWEI_FMT alone does not select 1.4.3
  st32  $a2, $mzero, $m9, 2
)" + fp8_config(2, -3) + R"(
  f8v2tof16 $a2, $a0             // 1.4.3 scale -3: {0.125, 30.0}
  st32  $a2, $mzero, $m9, 3
)");
  CHECK(r->word("out", 0) == 0x7B003C00u); // {1.0, 57344.0}
  CHECK(r->word("out", 1) == 0x7C004000u);
  CHECK(r->word("out", 2) == 0x6F003000u); // 1.5.2: {0.125, 57344/8 = 7168}
  CHECK(r->word("out", 3) == 0x4F803000u); // {0.125, 30.0}
}

TEST_CASE("f16v2tof8: rounding to nearest even, upper half cleared, scale negated by the codelet") {
  auto r = run_body(fp8_config(3, 0) + R"(
  setzi $a0, 0x4840
  or    $a0, $a0, 0x3C000000     // {8.5, 1.0}
  setzi $a2, 0xFFFFF
  f16v2tof8 $a2, $a0             // 8.5 ties to 8.0 (0x58); 1.0 = 0x40
  st32  $a2, $mzero, $m9, 0
)" + fp8_config(3, -2) + R"(
  f16v2tof8 $a2, $a0             // tensor scale 2: codes of {8.5/4, 1/4}
  st32  $a2, $mzero, $m9, 1
)");
  CHECK(r->word("out", 0) == 0x00004058u);
  // 2.125 between 2.0 (0x48) and 2.25 (0x49): ties to 0x48; 0.25 = 2^-2 -> 0x30.
  CHECK(r->word("out", 1) == 0x00003048u);
}

TEST_CASE("f16v8tof8: overlapping operands, $aq0, saturation or NaN by $FP_CTL.NANOO") {
  // Halves: 1.0, -2.0, 300 (overflows 1.4.3), +inf, NaN, -0, 2^-11 (ties to 0), 0.5
  const std::string data = ".align 8\nin:\n  .short 0x3C00, 0xC000, 0x5CB0, 0x7C00, 0x7E00, 0x8000, 0x1000, 0x3800\n";
  const std::string body = R"(
  setzi $m0, in
  ld64  $a0:1, $m0, $mzero, 0
  ld64  $a2:3, $m0, $mzero, 1
  f16v8tof8 $a0:1, $a0:3
  st32  $a0, $mzero, $m9, OUT
  st32  $a1, $mzero, $m9, OUT+1
  ld64  $a0:1, $m0, $mzero, 0
  f16v8tof8 $a4:5, $aq0
  st32  $a4, $mzero, $m9, OUT+2
)";
  auto at = [&](int k) {
    std::string b = body;
    for (size_t p; (p = b.find("OUT")) != std::string::npos;) b.replace(p, 3, std::to_string(k));
    return b;
  };
  auto r = run_body(fp8_config(3, 0, false) + at(0) + fp8_config(3, 0, true) + at(3), data);
  // Byte k of the result is half k: {1.0 (0x40), -2.0 (0xC8), 300 -> +240 (0x7F), +inf -> NaN}
  CHECK(r->word("out", 0) == 0x807FC840u);
  CHECK(r->word("out", 1) == 0x38000080u); // {NaN, -0 -> 0x00, 2^-11 -> 0x00 (tie), 0.5 (0x38)}
  CHECK(r->word("out", 2) == 0x807FC840u);
  CHECK(r->word("out", 3) == 0x8080C840u); // NANOO: 300 -> NaN
  CHECK(r->word("out", 4) == 0x38000080u);
  CHECK(r->word("out", 5) == 0x8080C840u);
}

TEST_CASE("ldb8 broadcasts a byte; a metadata byte sets up a conversion as poplibs does") {
  // Metadata 0xBE: 1.4.3 (bit 7), scale -2 (0x3E). f8 -> f16 writes the
  // broadcast byte to $FP_SCL and all-ones to $FP_NFMT.
  auto r = run_body(R"(
  setzi $m0, meta
  ldb8  $a0, $m0, $mzero, 0
  st32  $a0, $mzero, $m9, 0
  ldb8  $a1, $mzero, $m0, 1        // the second byte, immediate offset in bytes
  st32  $a1, $mzero, $m9, 1
  uput  $FP_SCL, $a0
  setzi $a2, 0xFFFFF
  or    $a2, $a2, 0xFFF00000
  uput  $FP_NFMT, $a2
  uget  $a3, $FP_SCL
  st32  $a3, $mzero, $m9, 2
  uget  $a3, $FP_NFMT
  st32  $a3, $mzero, $m9, 3
  setzi $a4, 0x40                 // code 1.0
  f8v2tof16 $a5, $a4
  st32  $a5, $mzero, $m9, 4
)",
                    ".align 4\nmeta:\n  .byte 0xBE, 0x07\n");
  CHECK(r->word("out", 0) == 0xBEBEBEBEu);
  CHECK(r->word("out", 1) == 0x07070707u);
  CHECK(r->word("out", 2) == 0x3Eu); // reserved bits read as zero
  CHECK(r->word("out", 3) == 0x3u);
  CHECK(r->word("out", 4) == 0x00003400u); // {0.25, code 0 -> 0}
}

TEST_CASE("workers start with $FP_NFMT / $FP_SCL from the supervisor's $FP_INFMT / $FP_ISCL") {
  const std::string text = R"(
.section .text.sup, "ax"
.supervisor
.align 8
main:
  setzi $m0, 2
  put   $FP_INFMT, $m0
  setzi $m0, 0x3D
  put   $FP_ISCL, $m0
  setzi $m0, worker
  setzi $m1, 0
  run   $m0, $m1, 0
  sync  2
  bri   done
done:
  nop
.section .text.w, "ax"
.worker
.align 8
worker:
  setzi $m9, out
  uget  $a0, $FP_NFMT
  st32  $a0, $mzero, $m9, 0
  uget  $a0, $FP_SCL
  st32  $a0, $mzero, $m9, 1
  exitz $mzero
.section .data, "aw"
.align 8
out:
  .space 8
)";
  auto r = test::run(text, c600());
  REQUIRE(r->core.finished());
  CHECK(r->word("out", 0) == 2u);
  CHECK(r->word("out", 1) == 0x3Du);
}

TEST_CASE("every FP8 code through f8v4tof16 matches the host reference") {
  for (unsigned nfmt : {0u, 3u})
    for (int scl : {0, 5, -9, 31, -32}) {
      std::string data = ".align 8\ncodes:\n";
      for (unsigned c = 0; c < 256; ++c) data += fmt::format("  .byte {}\n", c);
      data += ".align 8\nhalves:\n  .space 512\n";
      auto r = run_body(fp8_config(nfmt, scl) + R"(
  setzi $m0, codes
  setzi $m1, halves
  setzi $m2, 63
1:
  ld32step $a0, $mzero, $m0+=, 1
  f8v4tof16 $a2:3, $a0
  st64step $a2:3, $mzero, $m1+=, 1
  brnzdec $m2, 1b
)",
                        data);
      const Fp8Format f = nfmt ? Fp8Format::f143 : Fp8Format::f152;
      unsigned bad = 0;
      for (unsigned c = 0; c < 256; ++c) {
        const uint16_t got = r->core.sram().read<uint16_t>(r->sym("halves") + 2 * c);
        if (got != fp8_to_f16(uint8_t(c), f, scl)) ++bad;
      }
      CAPTURE(nfmt);
      CAPTURE(scl);
      CHECK(bad == 0);
    }
}

TEST_CASE("every fp16 code through f16v8tof8 matches the host reference") {
  for (unsigned nfmt : {0u, 3u})
    for (int scl : {0, -6, 20}) {
      auto r = test::load(worker_program(fp8_config(nfmt, scl, scl == -6) + R"(
  setzi $m0, halves
  setzi $m1, codes
  setzi $m2, 8191
1:
  ld64step $a0:1, $mzero, $m0+=, 1
  ld64step $a2:3, $mzero, $m0+=, 1
  f16v8tof8 $a0:1, $a0:3
  st64step $a0:1, $mzero, $m1+=, 1
  brnzdec $m2, 1b
)",
                                         ".align 8\nhalves:\n  .space 131072\ncodes:\n  .space 65536\n"),
                          c600());
      for (uint32_t h = 0; h < 0x10000; ++h) r->core.sram().write<uint16_t>(r->sym("halves") + 2 * h, uint16_t(h));
      r->core.run(100000000);
      REQUIRE(r->core.finished());
      const Fp8Format f = nfmt ? Fp8Format::f143 : Fp8Format::f152;
      const Fp8Overflow ov = scl == -6 ? Fp8Overflow::nan : Fp8Overflow::saturate;
      unsigned bad = 0;
      for (uint32_t h = 0; h < 0x10000; ++h)
        if (r->core.sram().read<uint8_t>(r->sym("codes") + h) != f16_to_fp8(uint16_t(h), f, -scl, ov)) ++bad;
      CAPTURE(nfmt);
      CAPTURE(scl);
      CHECK(bad == 0);
    }
}

TEST_CASE("FP8 instructions and CSRs fault before the C600") {
  for (const char *insn : {"f8v2tof16 $a0, $a1", "f8v4tof16 $a0:1, $a2", "f16v2tof8 $a0, $a1",
                           "f16v8tof8 $a0:1, $a4:7", "ldb8 $a0, $m0, $mzero, 0"}) {
    tile::TileParams p = test::default_params();
    p.machine_name = "gc200";
    p.arch_version = 2;
    const std::string msg = fault_of(worker_program(std::string("  setzi $m0, vstate\n  ") + insn), p);
    const std::string mnemonic = std::string(insn).substr(0, std::string(insn).find(' '));
    CAPTURE(msg);
    CHECK(msg.find(mnemonic + " is an FP8 instruction of the C600 (arch_version 21); machine 'gc200' has "
                              "arch_version 2") != std::string::npos);
    CHECK(msg.find("tile 0, worker 0") == 0);
    CHECK(msg.find('\n') == std::string::npos);
  }
  const std::string msg = fault_of(worker_program("  uput $FP_SCL, $azero"), test::default_params());
  CHECK(msg.find("$FP_SCL is an FP8 CSR of the C600 (arch_version 21); machine 'gc2' has arch_version 1") !=
        std::string::npos);
}
