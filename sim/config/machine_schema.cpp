#include "sim/config/machine_schema.hpp"

#include "sim/config/tree.hpp"

#include <fmt/format.h>

namespace ipusim::config {
namespace {

std::string hex(std::uint64_t v) { return fmt::format("{:#x}", v); }

// The element organisation the memory model relies on: region 0 is whole
// elements one after another, region 1 (from interleaved_base to the end) is
// whole pairs of elements interleaved every interleave_bytes.
void check_sram(const ConfigNode &sram) {
  const std::uint64_t base = sram.get_uint("base_address");
  const std::uint64_t size = sram.get_uint("size_bytes");
  const std::uint64_t element = sram.get_uint("element_bytes");
  const std::uint64_t interleaved = sram.get_uint("interleaved_base");
  const std::uint64_t granule = sram.get_uint("interleave_bytes");
  if (size > (std::uint64_t{1} << 32) - base)
    sram.fail("size_bytes", "the SRAM from " + hex(base) + " with size_bytes " + std::to_string(size) +
                                " does not fit in 32-bit addresses");
  const std::uint64_t end = base + size;
  if (size % element != 0)
    sram.fail("size_bytes", fmt::format("size_bytes {} is not a whole number of {}-byte memory elements", size, element));
  if (interleaved < base || interleaved > end)
    sram.fail("interleaved_base", "interleaved_base " + hex(interleaved) + " is outside the SRAM [" + hex(base) +
                                      ", " + hex(end) + "]");
  if ((interleaved - base) % element != 0)
    sram.fail("interleaved_base", "interleaved_base " + hex(interleaved) +
                                      " is not on a memory-element boundary (base_address + n * element_bytes)");
  if ((end - interleaved) % (2 * element) != 0)
    sram.fail("interleaved_base", fmt::format("the interleaved region [{}, {}) is not a whole number of element "
                                              "pairs ({} bytes each)",
                                              hex(interleaved), hex(end), 2 * element));
  if ((granule & (granule - 1)) != 0 || element % granule != 0)
    sram.fail("interleave_bytes",
              fmt::format("interleave_bytes {} must be a power of two that divides element_bytes {}", granule, element));
}

Schema timing_class() {
  return Struct("timing_class", "Cost of one class of instructions")
      .field("issue_cycles", UInt()
                                 .unit("thread cycles")
                                 .range(1, 1000)
                                 .def(1)
                                 .desc("Issue slots of its context that one instruction of this class takes "
                                       "(1 = fully pipelined)"))
      .field("description", String().optional().desc("What the class contains"));
}

// Every class at one issue slot: no public source gives a per-class issue
// time, so each is an assumption to be calibrated against measurements.
const char *const default_timing = R"yaml({
  alu: {issue_cycles: 1, description: "integer add, subtract, logic, shifts, compares, moves"},
  mul: {issue_cycles: 1, description: "integer multiply"},
  load: {issue_cycles: 1, description: "loads, including post-incrementing and paired forms"},
  store: {issue_cycles: 1, description: "stores, including post-incrementing and paired forms"},
  branch: {issue_cycles: 1, description: "br, brz, brnz, brnzdec, brpos, brneg, call"},
  control: {issue_cycles: 1, description: "rpt, run, runall, sync, exit and other control instructions"},
  system: {issue_cycles: 1, description: "system instructions (trap, exchange setup)"},
  csr: {issue_cycles: 1, description: "get, put, uget, uput"},
  fp32: {issue_cycles: 1, description: "fp32 scalar and vector arithmetic"},
  fp16: {issue_cycles: 1, description: "fp16 vector arithmetic, AMP and SLIC"},
  fpconv: {issue_cycles: 1, description: "conversions between fp32, fp16 and integers"},
  transcendental: {issue_cycles: 1, description: "exp, ln, sigmoid, tanh, sqrt, divide, reciprocal"}
})yaml";

Schema build() {
  const Schema address = UInt().unit("bytes").hex().max(0xFFFFFFFF);
  const Schema sram =
      Struct("sram", "Tile SRAM: code and data share it; no caches")
          .field("base_address", address.def(0x40000)
                                     .desc("First SRAM address")
                                     .source("ipu-reference.md §2 Memory (Mk1 0x40000); Mk2: assumption, same base"))
          .field("size_bytes", UInt()
                                   .unit("bytes")
                                   .min(1)
                                   .def(638976)
                                   .desc("SRAM size (624 KiB on GC200)")
                                   .source("ipu-reference.md §1 Chip (derived: ~896 MiB / 1472 tiles)"))
          .field("element_bytes", UInt()
                                      .unit("bytes")
                                      .min(8)
                                      .def(16384)
                                      .desc("Size of one memory element (one access per element per cycle)")
                                      .source("ipu-reference.md §2 Memory (16 KiB on Mk1); poplar-sdk-names.md "
                                              "TMEM_ELEMSIZE 0x4000"))
          .field("interleaved_base",
                 address.def(0xBC000)
                     .desc("Start of the interleaved region, which runs to the end of the SRAM (ld128 needs it)")
                     .assumption("Mk2 map not public; the last 128 KiB, as large as Mk1's interleaved region"))
          .field("interleave_bytes", UInt()
                                         .unit("bytes")
                                         .min(1)
                                         .def(8)
                                         .desc("Granule of interleaving between the two elements of a pair")
                                         .source("ipu-reference.md §2 Memory (every 64 bits on Mk1)"))
          .field("latency_cycles", UInt()
                                       .unit("cycles")
                                       .range(1, 100)
                                       .def(6)
                                       .desc("Load latency, hidden by the 6-slot barrel")
                                       .source("ipu-reference.md §2 Memory"))
          .field("conflict_penalty_cycles", UInt()
                                                .unit("cycles")
                                                .range(0, 1000)
                                                .def(1)
                                                .desc("Extra cycles when two accesses hit one element in a cycle")
                                                .assumption("not public; ipu-reference.md §2 suggests 1"))
          .check(check_sram);

  const Schema tile =
      Struct("tile", "One tile: barrel-scheduled contexts, SRAM and instruction costs")
          .field("workers", UInt()
                                .range(1, 6)
                                .def(6)
                                .desc("Worker contexts (the supervisor is extra)")
                                .source("ipu-reference.md §2 Contexts and issue"))
          .field("sram", sram)
          .field("amp_sets", UInt()
                                 .range(1, 2)
                                 .def(2)
                                 .desc("AMP sets: 8 conv units each (16 fp16 MACs per cycle per unit pair); the "
                                       "second set doubles the fp16 peak (f16v4hihov4amp)")
                                 .source("ipu-reference.md §1 per tile (derived): Mk1 32 fp16 MAC/cycle (one AMP "
                                         "set), Mk2 / Bow 64 (two sets)"))
          .field("repeat_count_bits", UInt()
                                          .unit("bits")
                                          .range(1, 32)
                                          .def(16)
                                          .desc("Width of $REPEAT_COUNT (largest rpt count is 2^bits - 1)")
                                          .source("ISA text, $REPEAT_COUNT (16 bits); Mk1 is 12 "
                                                  "(CSR_W_REPEAT_COUNT__VALUE__MASK 0xfff)"))
          .field("branch_taken_extra_cycles", UInt()
                                                  .unit("thread cycles")
                                                  .range(0, 1000)
                                                  .def(0)
                                                  .desc("Issue slots added to a context when a branch is taken")
                                                  .assumption("branch costs are not public"))
          .field("timing", Map(timing_class())
                               .def_yaml(default_timing)
                               .desc("Instruction classes and their issue costs; entries given in a file "
                                     "change or add classes")
                               .assumption("every class 1 issue slot; not public"));

  return Struct("machine", "One IPU: clock and tile parameters (defaults: Colossus GC200, Mk2)")
      .field("name", String().def("gc200").desc("Preset name"))
      .field("generation", Enum({"mk1", "mk2", "bow", "c600"})
                               .def("mk2")
                               .desc("IPU generation (selects ISA features and register aliases)")
                               .source("ipu-reference.md, Generations"))
      .field("arch_version", UInt()
                                 .range(1, 255)
                                 .def(2)
                                 .desc("Value of __IPU_ARCH_VERSION__ for assembly sources")
                                 .source("poplar-sdk-names.md: 1 Mk1, 2 Mk2; poplibs ipu21 = C600 (FP8)"))
      .field("clock_hz", Float()
                             .unit("Hz")
                             .min(1)
                             .def(1.33e9)
                             .desc("Tile clock")
                             .source("ipu-reference.md §1 Chip (GC200 1.33 GHz)"))
      .field("tile", tile)
      .field("chip",
             Struct("chip", "The whole IPU: how many tiles and its internal-zone sync")
                 .field("tiles", UInt()
                                     .range(1, 2048)
                                     .def(1472)
                                     .desc("Usable tiles on the chip")
                                     .source("ipu-reference.md §1 Chip (GC2 1216 usable, GC200 1472)"))
                 .field("sync",
                        Struct("sync", "The sync controller")
                            .field("internal_latency_cycles",
                                   UInt()
                                       .unit("cycles")
                                       .max(1000000)
                                       .def(90)
                                       .desc("Cycles from the last tile's `sync 3` to the release of all tiles")
                                       .source("ipu-reference.md §3: poplibs plans an internal sync at about 90 "
                                               "tile cycles")))
                 .field("exchange",
                        Struct("exchange", "The time-deterministic exchange fabric")
                            .field("bytes_per_cycle", UInt().unit("bytes").range(1, 64).def(4)
                                                          .desc("Exchange bandwidth out of (and into) one tile")
                                                          .source("ipu-reference.md §1: about 4 bytes per cycle per tile"))
                            .field("send_cycles", UInt().unit("cycles").max(1000).def(8)
                                                      .desc("From a word leaving the tile to the exchange")
                                                      .source("ipu-reference.md §3: Mk1 'send to exchange out' 8"))
                            .field("receive_cycles", UInt().unit("cycles").max(1000).def(2)
                                                         .desc("From the exchange into the receiving tile's memory")
                                                         .source("ipu-reference.md §3: Mk1 'exchange in to load' 2"))
                            .field("cross_column_cycles", UInt().unit("cycles").max(1000).def(36)
                                                              .desc("Extra cycles between tiles in different columns")
                                                              .source("ipu-reference.md §3: Mk1 column base to opposite "
                                                                      "side 17 + opposite side to column base 19"))
                            .field("supertile_cycles", UInt().unit("cycles").max(1000).def(1)
                                                           .desc("Extra cycles per supertile of distance along a column")
                                                           .source("assumption: not public (Citadel: latency grows with "
                                                                   "distance)"))
                            .field("tiles_per_supertile", UInt().range(1, 64).def(4)
                                                              .desc("Tiles in a supertile (tile id bits below the column)")
                                                              .source("ipu-reference.md §1: Mk1 tile id bits [1:0]"))
                            .field("columns", UInt().range(1, 256).def(16)
                                                  .desc("Columns of supertiles")
                                                  .source("ipu-reference.md §1: Mk1 16 columns; Mk2 assumption: same")))
                 .field("host_link",
                        Struct("host_link", "The link to the host that host streams cross (sync zone 5)")
                            .field("bytes_per_second",
                                   Float().unit("bytes/s").min(1).def(32e9)
                                       .desc("Raw rate in each direction (the link is full duplex)")
                                       .source("ipu-reference.md §1: PCIe Gen4 x16, 64 GB/s (both directions)"))
                            .field("efficiency",
                                   Float().unit("ratio").range(0.01, 1).def(0.9)
                                       .desc("Share of the raw rate that carries payload")
                                       .source("assumption: PCIe packet headers and link-layer traffic; not "
                                               "published for the IPU"))
                            .field("latency_ns",
                                   Float().unit("ns").range(0, 1e9).def(1000)
                                       .desc("From the sync with the host to the first byte of a host exchange")
                                       .source("assumption: about one PCIe round trip; not published for the IPU"))))
      .field("watchdog_cycles", UInt()
                                    .unit("cycles")
                                    .min(1)
                                    .def(1000000)
                                    .desc("Cycles without progress before the run stops with a deadlock error"));
}

} // namespace

const Schema &machine_schema() {
  static const Schema schema = build();
  return schema;
}

} // namespace ipusim::config
