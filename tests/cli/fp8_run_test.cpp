// FP8 end to end: the configs/runs/fp8_scale example on a C600 (FP8 tensors
// initialised by the loader, converted on the tile, written out as uint8
// codes) against the host reference, and the loader's FP8 errors.
#include <doctest/doctest.h>

#include <cmath>

#include "cli_harness.hpp"
#include "sim/io/npy.hpp"
#include "sim/numeric/fp8.hpp"

using namespace ipusim;
namespace fs = std::filesystem;

TEST_CASE("fp8_scale: x (1.4.3, scale -2) doubled into halves, stored as y (1.5.2, scale 3)") {
  auto dir = test::scratch("fp8_scale");
  const std::string yaml = test::source_dir() + "/configs/runs/fp8_scale/run.yaml";
  auto o = test::ipusim("run '" + yaml + "' -o '" + (dir / "r").string() + "'", dir.string());
  INFO(o.out);
  REQUIRE(o.exit_code == 0);
  const NpyArray x = read_npy((dir / "r/outputs/x.npy").string());
  const NpyArray d = read_npy((dir / "r/outputs/doubled.npy").string());
  const NpyArray y = read_npy((dir / "r/outputs/y.npy").string());
  CHECK(x.dtype == "|u1");
  CHECK(y.dtype == "|u1");
  REQUIRE(x.element_count() == 64u);
  REQUIRE(d.element_count() == 64u);
  REQUIRE(y.element_count() == 64u);
  unsigned distinct = 0, bad = 0;
  for (size_t i = 0; i < 64; ++i) {
    const double xv = fp8_to_double(x.data[i], Fp8Format::f143, -2);
    // The random init is uniform in [-60, 60), encoded to the nearest code.
    CHECK(std::fabs(xv) <= 60.0);
    distinct += i > 0 && x.data[i] != x.data[i - 1];
    uint16_t h;
    std::memcpy(&h, d.data.data() + 2 * i, 2);
    // Doubling is exact in fp16; then 1.5.2 at scale 3 (saturating: $FP_CTL is 0).
    bad += h != f16_from_double(2 * xv);
    bad += y.data[i] != f16_to_fp8(h, Fp8Format::f152, 3, Fp8Overflow::saturate);
  }
  CHECK(distinct > 32); // really random data
  CHECK(bad == 0);
}

TEST_CASE("fp8 tensors: fill values are checked against the format and scale; arch is checked") {
  auto dir = test::scratch("fp8_fill");
  const std::string src = ".section .text.w, \"ax\"\n.worker\n.align 8\nw:\n  f8v2tof16 $a0, $a1\n  exitz $mzero\n";
  test::write(dir / "w.S", src);
  int n = 0;
  auto run = [&](const std::string &machine, const std::string &tensor) {
    test::write(dir / "run.yaml", "name: t\nmachine: " + machine +
                                      "\nprogram:\n  sources: [w.S]\n  entry: w\n  start: worker\n  tensors:\n    - " +
                                      tensor + "\n");
    return test::ipusim("run run.yaml -o out" + std::to_string(++n), dir.string());
  };
  auto o = run("c600", "{name: x, dtype: fp8_143, scale: 1, shape: [4], init: {fill: 500}}");
  CHECK(o.exit_code != 0);
  CHECK(o.out.find("fill value 500 is out of range for fp8_143 with scale 1 (largest magnitude 240 * 2^1)") !=
        std::string::npos);
  o = run("c600", "{name: x, dtype: fp8_152, shape: [4], init: {fill: .inf}}");
  CHECK(o.out.find("is infinite, and FP8 (1.5.2) has no infinities") != std::string::npos);
  o = run("c600", "{name: x, dtype: fp8_143, scale: 1, shape: [4], init: {fill: 479}, output: true}");
  INFO(o.out);
  REQUIRE(o.exit_code == 0); // 479 / 2 rounds to 240: no overflow
  CHECK(read_npy((dir / "out3/outputs/x.npy").string()).data == std::vector<uint8_t>(4, 0x7F));
  o = run("gc200", "{name: x, dtype: fp8_143, shape: [4]}");
  CHECK(o.exit_code != 0);
  CHECK(o.out.find("f8v2tof16 is an FP8 instruction of the C600 (arch_version 21); machine 'gc200' has "
                   "arch_version 2") != std::string::npos);
}
