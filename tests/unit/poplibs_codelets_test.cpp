// poplibs' own codelets for the AMP's SLIC forms, the accumulator shuffle and
// the fp32 AMP forms, unmodified: they must assemble with ipusim's assembler
// and SDK headers, and run on a tile to the results of host loops:
// BlockTransposeGradW_half (f16v4istacc / f16v4stacc), ConvPartial1x4SLIC
// (f16v4hihov4slic, f16v4sisoslic) and ConvPartial1x1Out<float, float>
// (f32sisoamp, f32sisov2amp). The weight arrangement, the pipeline fill and
// the phase order are poplibs' own, so these check ipusim's inferred
// semantics against code written for the real instructions.
//
// ipusim does not ship poplibs: set IPUSIM_POPLIBS to a checkout of
// graphcore/poplibs to run these; without it they pass with a message.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <vector>

#include "sim/assembler/assembler.hpp"
#include "sim/numeric/half.hpp"
#include "test_files.hpp"
#include "tile_harness.hpp"

using namespace ipusim;

namespace {

std::string poplibs_root() {
  const char *p = std::getenv("IPUSIM_POPLIBS");
  return p ? p : "";
}

// The codelets that use f16v4*slic, f32sisoslic, f16v4stacc / f16v4istacc, f32sisov2amp and the
// 8-phase f32sisoamp.
const char *kCodelets[] = {
    "lib/poplin/codelets/asm/ConvPartial1x4SLIC_half_half_8.S",
    "lib/poplin/codelets/asm/ConvPartial1x4SLIC_half_float_8_and_half_half_16.S",
    "lib/poplin/codelets/asm/ConvPartial1x4SLIC_half_float_8_and_half_half_16_cgpg_gt4.S",
    "lib/poplin/codelets/asm/conv_partial_nx1_float_float_16.S",
    "lib/poplin/codelets/asm/conv_partial_1x1_float_float_16.S",
    "lib/poplin/codelets/asm/conv_partial_nx1_float_float.S",
    "lib/popsparse/codelets/asm/StaticBlock16x8SparseDenseMatMul_float_float.S",
    "lib/popsparse/codelets/asm/StaticBlock8x8SparseDenseMatMul_float_float.S",
    "lib/popsparse/codelets/asm/BlockTransposeGradW_half.S",
    "lib/popops/codelets/asm/ReductionSpecial01Acc.S",
};

assembler::AssembleOptions options_for(const std::string &root, const std::vector<std::string> &sources) {
  assembler::AssembleOptions o;
  o.sources = sources;
  o.include_dirs = {std::filesystem::path(sources.front()).parent_path().string(), root + "/include"};
  return o;
}

} // namespace

TEST_CASE("poplibs: the SLIC, shuffle and fp32 AMP codelets assemble unmodified") {
  const std::string root = poplibs_root();
  if (root.empty()) {
    MESSAGE("IPUSIM_POPLIBS is not set: poplibs codelets not checked");
    return;
  }
  for (const char *rel : kCodelets) {
    const std::string file = root + "/" + rel;
    REQUIRE_MESSAGE(std::filesystem::is_regular_file(file), file);
    assembler::LinkOptions lo;
    lo.allow_undefined = true; // some call into other files (shared weight-loading tables)
    CHECK_NOTHROW_MESSAGE(assembler::link(assembler::assemble_sources(options_for(root, {file})), lo), rel);
  }
}

TEST_CASE("poplibs: BlockTransposeGradW_half transposes [Z][XY] into [XY/Bxy][Z/16][Bxy][16] blocks") {
  const std::string root = poplibs_root();
  if (root.empty()) {
    MESSAGE("IPUSIM_POPLIBS is not set: BlockTransposeGradW_half not run");
    return;
  }
  // Vertex state (BlockTransposeGradW.h.S): in, out, then u16 blockSizeXY, numXYBlocks, numZ,
  // maxBlocksXY. Six workers share the XY blocks, maxBlocksXY each: with 7 blocks of 2 workers 0..2
  // take two, worker 3 one and workers 4, 5 none.
  const unsigned block_xy = 8, num_xy_blocks = 7, num_z = 32, max_blocks = 2;
  const unsigned num_xy = block_xy * num_xy_blocks;
  std::vector<uint16_t> in(num_z * num_xy);
  for (unsigned k = 0; k < in.size(); ++k) in[k] = static_cast<uint16_t>(k * 2654435761u >> 16); // any bits
  std::string data;
  for (unsigned k = 0; k < in.size(); k += 4)
    data += fmt::format("  .short 0x{:04x}, 0x{:04x}, 0x{:04x}, 0x{:04x}\n", in[k], in[k + 1], in[k + 2], in[k + 3]);
  test::TempDir dir("poplibs_transpose");
  const std::string sup = dir.file("sup.S");
  test::write_text(sup, fmt::format(R"(
.section .text.sup, "ax"
.supervisor
.align 8
main:
  setzi $m0, __runCodelet_popsparse__BlockTransposeGradW___half
  setzi $m1, vstate
  runall $m0, $m1, 0
  sync 2
  bri done
done:
  nop
.section .data, "aw"
.align 8
vstate:
  .word in, out
  .short {}, {}, {}, {}
.align 8
in:
{}
.align 8
out:
  .space {}
)",
                                    block_xy, num_xy_blocks, num_z, max_blocks, data, 2 * in.size()));

  tile::TileParams p = test::default_params();
  auto run = std::make_unique<test::TileRun>(p);
  assembler::LinkOptions lo;
  lo.base_address = p.sram.base_address;
  lo.limit_address = p.sram.base_address + p.sram.size_bytes;
  run->program = assembler::link(
      assembler::assemble_sources(
          options_for(root, {root + "/lib/popsparse/codelets/asm/BlockTransposeGradW_half.S", sup})),
      lo);
  test::load_into(run->core, run->program);
  run->core.run(p.max_cycles);
  REQUIRE(run->core.finished());

  const uint32_t out = run->sym("out");
  unsigned wrong = 0;
  for (unsigned z = 0; z < num_z; ++z)
    for (unsigned xy = 0; xy < num_xy; ++xy) {
      unsigned xyb = xy / block_xy, xyi = xy % block_xy, zb = z / 16, zi = z % 16;
      unsigned idx = ((xyb * (num_z / 16) + zb) * block_xy + xyi) * 16 + zi;
      uint16_t got = run->core.sram().read<uint16_t>(out + 2 * idx);
      if (got != in[z * num_xy + xy] && wrong++ < 8)
        FAIL_CHECK(fmt::format("z {} xy {}: got 0x{:04x}, want 0x{:04x}", z, xy, got, in[z * num_xy + xy]));
    }
  CHECK(wrong == 0);
}

namespace {

// Runs poplibs' ConvPartial1xNSLIC supervisor codelet (half in, `partials` half or float, output
// stride 1 or 2, 4 conv groups per group of 1 input and 1 output channel each) with two 1x4
// sub-kernels and the 4x1x1 weight arrangement (mode 0: the workers spread each tap's 4 weights
// over the four conv groups, as poplibs does), on several workers' work lists, and checks
// out[f][g] = sum over sub-kernels s and taps k of in[stride f + 4s + k][g] * w[s][k][g].
void run_slic_conv(const std::string &root, const std::string &partials, unsigned stride) {
  const bool half_partials = partials == "half";
  const unsigned chains = half_partials ? 4 : 2, psize = half_partials ? 2 : 4;
  const std::string entry = fmt::format("__runCodelet_poplin__ConvPartial1xNSLIC___half_{}_{}_true_4_{}_4_false",
                                        partials, stride, chains);
  // Work items per worker (same for both sub-kernels): {out offset, count}; worker 5 has none.
  const std::vector<std::vector<std::pair<unsigned, unsigned>>> items = {
      {{0, 7}, {7, 2}}, {{9, 5}}, {{14, 3}}, {{17, 1}}, {{18, 6}}, {}};
  const unsigned n_out = 24, n_in = stride * n_out + 8;
  auto iv = [](unsigned f, unsigned g) { return static_cast<int>((f * 5 + g * 3) % 9) - 4; };
  auto wv = [](unsigned s, unsigned k, unsigned g) { return static_cast<int>((s * 7 + k * 3 + g * 5) % 7) - 3; };

  std::string d = ".section .data, \"aw\"\n.align 16\nvstate:\n  .word inlist, wlist, outlist, ofb, worklists, deltan\n"
                  "  .byte 0, 4\n  .short 1, 0\n  .short 0\n"
                  "inlist:\n  .word in\nwlist:\n  .word w0, w1, w1\noutlist:\n  .word out\n";
  for (unsigned s = 0; s < 2; ++s) { // taps [k][g] as halves, plus room for the workers' over-read
    d += fmt::format(".align 8\nw{}:\n", s);
    for (unsigned k = 0; k < 4; ++k)
      d += fmt::format("  .short 0x{:04x}, 0x{:04x}, 0x{:04x}, 0x{:04x}\n", f16_from_double(wv(s, k, 0)),
                       f16_from_double(wv(s, k, 1)), f16_from_double(wv(s, k, 2)), f16_from_double(wv(s, k, 3)));
    d += "  .space 24\n";
  }
  d += fmt::format(".align 16\nofb:\n  .space {}\n", 208 + n_out * 4 * psize + 64);
  // Work lists: per sub-kernel and worker {in offset, out offset, count} triples; the deltaN entry
  // holds the triple count << 20 | (byte offset from the list base) / 2.
  std::string wl = ".align 4\nworklists:\n", dn = ".align 4\ndeltan:\n";
  unsigned off = 0;
  for (unsigned s = 0; s < 2; ++s)
    for (const auto &w : items) {
      dn += fmt::format("  .word 0x{:08x}\n", w.empty() ? 0u : ((3u * w.size()) << 20) | (off / 2));
      for (auto [o, n] : w) {
        wl += fmt::format("  .short {}, {}, {}\n", stride * o + 4 * s, o, n);
        off += 6;
      }
    }
  d += wl + dn + ".align 8\nin:\n";
  for (unsigned f = 0; f < n_in; ++f)
    d += fmt::format("  .short 0x{:04x}, 0x{:04x}, 0x{:04x}, 0x{:04x}\n", f16_from_double(iv(f, 0)),
                     f16_from_double(iv(f, 1)), f16_from_double(iv(f, 2)), f16_from_double(iv(f, 3)));
  d += fmt::format(".align 16\nout:\n  .space {}\n.align 8\nstack:\n  .space 512\nstack_top:\n", n_out * 4 * psize);

  test::TempDir dir("poplibs_slic");
  const std::string sup = dir.file("sup.S");
  test::write_text(sup, fmt::format(".section .text.sup, \"ax\"\n.supervisor\n.align 8\nmain:\n  setzi $m0, vstate\n"
                                    "  setzi $m11, stack_top\n  call $m10, {}\n  bri done\ndone:\n  nop\n",
                                    entry) +
                            d);
  tile::TileParams p = test::default_params();
  p.amp_sets = 2;
  auto run = std::make_unique<test::TileRun>(p);
  assembler::LinkOptions lo;
  lo.base_address = p.sram.base_address;
  lo.limit_address = p.sram.base_address + p.sram.size_bytes;
  run->program = assembler::link(
      assembler::assemble_sources(options_for(
          root, {root + "/lib/poplin/codelets/asm/ConvPartial1x4SLIC_half_float_8_and_half_half_16.S", sup})),
      lo);
  test::load_into(run->core, run->program);
  run->core.run(p.max_cycles);
  REQUIRE(run->core.finished());

  const uint32_t out = run->sym("out");
  unsigned wrong = 0;
  for (unsigned f = 0; f < n_out; ++f)
    for (unsigned g = 0; g < 4; ++g) {
      int want = 0;
      for (unsigned s = 0; s < 2; ++s)
        for (unsigned k = 0; k < 4; ++k) want += iv(stride * f + 4 * s + k, g) * wv(s, k, g);
      float got = half_partials ? f16_to_f32(run->core.sram().read<uint16_t>(out + 2 * (4 * f + g)))
                                : run->core.sram().read<float>(out + 4 * (4 * f + g));
      if (got != static_cast<float>(want) && wrong++ < 8)
        FAIL_CHECK(fmt::format("{} partials, stride {}: out[{}][{}] = {}, want {}", partials, stride, f, g, got, want));
    }
  CHECK(wrong == 0);
}

} // namespace

TEST_CASE("poplibs: ConvPartial1x4SLIC (f16v4hihov4slic, f16v4sisoslic) computes 1x4 convolutions") {
  const std::string root = poplibs_root();
  if (root.empty()) {
    MESSAGE("IPUSIM_POPLIBS is not set: ConvPartial1x4SLIC not run");
    return;
  }
  for (const char *partials : {"half", "float"})
    for (unsigned stride : {1u, 2u}) {
      CAPTURE(partials);
      CAPTURE(stride);
      run_slic_conv(root, partials, stride);
    }
}

namespace {

// Runs poplibs' ConvPartial1x1Out<float, float> supervisor codelet with `outs` (8: f32sisoamp on one
// set, 16: f32sisov2amp on both) output channels and two input channel groups of 8 floats, on six
// workers' partitions, and checks out[f][oc] = sum over groups g and ic of W[g][oc][ic] x[g][f][ic].
void run_conv_1x1_float(const std::string &root, unsigned outs) {
  // Vertex state (conv_partial_1x1_supervisor.S): input, weight and output pointer lists, the
  // worker partitions, then u16 numConvGroupsM1, numOutChanGroupsM1, numInChanGroups, inStride,
  // outChansPerGroup, outStride. The weights of group g are W[g][oc][ic], which poplibs' weight
  // loads put in unit oc (8 channels) or in set (oc/2)%2, unit 2(oc/4) + oc%2 (16). Partitions
  // per worker: out offset and in offset in 64-bit atoms, count - 3.
  const std::vector<unsigned> counts = {5, 1, 2, 3, 0, 4};
  unsigned n_field = 0;
  for (unsigned c : counts) n_field += c;
  auto xv = [](unsigned g, unsigned f, unsigned ic) { return static_cast<int>((g * 5 + f * 3 + ic * 7) % 11) - 5; };
  auto wv = [](unsigned g, unsigned oc, unsigned ic) { return static_cast<int>((g * 3 + oc * 5 + ic) % 9) - 4; };
  std::string d = fmt::format(".section .data, \"aw\"\n.align 8\nvstate:\n  .word inlist, wlist, outlist, parts\n"
                              "  .short 0, 0, 2, 1, {}, 2\n"
                              "inlist:\n  .word in0, in1, in1\nwlist:\n  .word w0, w1, w1\noutlist:\n  .word out\n"
                              "parts:\n",
                              outs);
  unsigned f0 = 0;
  for (unsigned c : counts) {
    d += fmt::format("  .short {}, {}, {}\n", outs / 2 * f0, static_cast<int>(c) - 3, 4 * f0);
    f0 += c;
  }
  for (unsigned g = 0; g < 2; ++g) {
    d += fmt::format(".align 8\nw{}:\n", g);
    for (unsigned oc = 0; oc < outs; ++oc)
      for (unsigned ic = 0; ic < 8; ++ic) d += fmt::format("  .float {}\n", wv(g, oc, ic));
  }
  for (unsigned g = 0; g < 2; ++g) {
    d += fmt::format(".align 8\nin{}:\n", g);
    for (unsigned f = 0; f < n_field + 1; ++f) // one element of over-read
      for (unsigned ic = 0; ic < 8; ++ic) d += fmt::format("  .float {}\n", xv(g, f, ic));
  }
  d += fmt::format(".align 8\nout:\n  .space {}\n.align 8\nstack:\n  .space 512\nstack_top:\n", 4 * outs * (n_field + 1));

  const bool v2 = outs == 16;
  test::TempDir dir("poplibs_1x1");
  const std::string sup = dir.file("sup.S");
  test::write_text(sup, fmt::format(".section .text.sup, \"ax\"\n.supervisor\n.align 8\nmain:\n  setzi $m0, vstate\n"
                                    "  setzi $m11, stack_top\n"
                                    "  call $m10, __runCodelet_poplin__ConvPartial1x1Out___float_float_true_false_{}_2_false\n"
                                    "  bri done\ndone:\n  nop\n",
                                    outs) +
                            d);
  tile::TileParams p = test::default_params();
  p.amp_sets = v2 ? 2 : 1;
  auto run = std::make_unique<test::TileRun>(p);
  assembler::LinkOptions lo;
  lo.base_address = p.sram.base_address;
  lo.limit_address = p.sram.base_address + p.sram.size_bytes;
  const std::string file = v2 ? "conv_partial_1x1_float_float_16.S" : "conv_partial_1x1_float_float.S";
  run->program = assembler::link(
      assembler::assemble_sources(options_for(root, {root + "/lib/poplin/codelets/asm/" + file, sup})), lo);
  test::load_into(run->core, run->program);
  run->core.run(p.max_cycles);
  REQUIRE(run->core.finished());

  const uint32_t out = run->sym("out");
  unsigned wrong = 0;
  for (unsigned f = 0; f < n_field; ++f)
    for (unsigned oc = 0; oc < outs; ++oc) {
      int want = 0;
      for (unsigned g = 0; g < 2; ++g)
        for (unsigned ic = 0; ic < 8; ++ic) want += wv(g, oc, ic) * xv(g, f, ic);
      float got = run->core.sram().read<float>(out + 4 * (outs * f + oc));
      if (got != static_cast<float>(want) && wrong++ < 8)
        FAIL_CHECK(fmt::format("{} channels: out[{}][{}] = {}, want {}", outs, f, oc, got, want));
    }
  CHECK(wrong == 0);
}

} // namespace

TEST_CASE("poplibs: ConvPartial1x1Out float (f32sisoamp, f32sisov2amp) over two input channel groups") {
  const std::string root = poplibs_root();
  if (root.empty()) {
    MESSAGE("IPUSIM_POPLIBS is not set: ConvPartial1x1Out float not run");
    return;
  }
  for (unsigned outs : {8u, 16u}) {
    CAPTURE(outs);
    run_conv_1x1_float(root, outs);
  }
}
