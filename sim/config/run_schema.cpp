#include "sim/config/run_schema.hpp"

#include "sim/config/tree.hpp"

#include <limits>

namespace ipusim::config {
namespace {

// A vertex field is wired to a tensor or holds a value, never both.
void check_vertex_field(const ConfigNode &field) {
  const std::string &kind = field.get_string("kind");
  const std::string &name = field.get_string("name");
  if (kind == "tensor") {
    if (!field.has("tensor")) field.fail("vertex field '" + name + "' of kind tensor needs 'tensor'");
    if (field.has("value")) field.fail("value", "vertex field '" + name + "' of kind tensor takes no 'value'");
  } else {
    if (!field.has("value")) field.fail("vertex field '" + name + "' of kind " + kind + " needs 'value'");
    if (field.has("tensor")) field.fail("tensor", "vertex field '" + name + "' of kind " + kind + " takes no 'tensor'");
  }
}

// A scale only means something for FP8 tensors; elsewhere it is a mistake.
void check_tensor_scale(const ConfigNode &tensor) {
  const std::string &dtype = tensor.get_string("dtype");
  if (tensor.get_int("scale") != 0 && dtype != "fp8_143" && dtype != "fp8_152")
    tensor.fail("scale", "tensor '" + tensor.get_string("name") + "' is " + dtype +
                             ": only FP8 tensors (fp8_143, fp8_152) have a scale");
}

void check_random(const ConfigNode &random) {
  if (random.get_float("min") > random.get_float("max"))
    random.fail("max", "random init: max is below min");
}

Schema build() {
  const Schema vertex_field =
      Struct("vertex_field", "One field of the vertex state the entry point reads")
          .field("name", String().required().desc("Field name (for messages and traces)"))
          .field("kind", Enum({"tensor", "uint", "int", "float", "half"})
                             .required()
                             .desc("tensor: the address of a tensor; otherwise a scalar value of this type"))
          .field("tensor", String().optional().desc("Name of the tensor whose address is stored (kind tensor)"))
          .field("value", Float().optional().desc("The value stored (scalar kinds)"))
          .field("offset_elems", UInt().def(0).desc("Elements added to the tensor's address (kind tensor; ignored otherwise)"))
          .check(check_vertex_field);

  const Schema random = Struct("random", "Uniform random values")
                            .field("seed", UInt().optional().desc("Seed; absent: derived from the run's seed"))
                            .field("min", Float().def(-1).desc("Smallest value"))
                            .field("max", Float().def(1).desc("Largest value"))
                            .check(check_random);

  const Schema init = Struct("init", "Initial contents; exactly one of npy, fill, random")
                          .field("npy", Path().optional().desc("A .npy file with the tensor's shape and dtype"))
                          .field("fill", Float().optional().desc("Every element set to this value"))
                          .field("random", random.optional())
                          .exactly_one_of({"npy", "fill", "random"})
                          .optional();

  // Shared by the program's and the graph's tensors.
  const Schema dtype = Enum({"half", "float", "int", "uint", "short", "ushort", "char", "uchar", "bool", "longlong",
                             "ulonglong", "fp8_143", "fp8_152"})
                           .required()
                           .desc("Element type (fp8_143, fp8_152: C600 FP8 codes, see 'scale')");
  const Schema fp8_scale =
      Int().min(-32).max(31).def(0).desc("FP8 dtypes: the tensor's power-of-two scale; code c stands for value(c) * 2^scale");
  const Schema tensor =
      Struct("tensor", "A tensor placed in tile memory")
          .field("name", String().required().desc("Tensor name"))
          .field("dtype", dtype)
          .field("scale", fp8_scale)
          .field("shape", List(UInt()).min_size(1).desc("Dimensions, outermost first"))
          .field("align", UInt().unit("bytes").min(1).def(8).desc("Alignment of the first element"))
          .field("region", Enum({"any", "interleaved", "non_interleaved"})
                               .def("any")
                               .desc("Memory region the tensor must be placed in"))
          .field("init", init.desc("Initial contents (absent: zero)"))
          .field("output", Bool().def(false).desc("Written out after the run"))
          .check(check_tensor_scale);

  const Schema program =
      Struct("program", "The code to run and its data")
          .field("tiles", UInt()
                              .min(1)
                              .def(1)
                              .desc("Tiles 0..tiles-1 each run the program on their own copy of the tensors "
                                    "(SPMD); at most the machine's chip.tiles. $TILE_ID tells them apart"))
          .field("sources", List(Path()).min_size(1).desc("Assembly (.S) sources, assembled in order"))
          .field("include_dirs", List(Path()).def_yaml("[]").desc("Directories searched by #include"))
          .field("defines", Map(String()).def_yaml("{}").desc("Preprocessor definitions NAME: value"))
          .field("entry", String().required().desc("Symbol where execution starts"))
          .field("start", Enum({"supervisor", "worker", "all_workers"})
                              .def("supervisor")
                              .desc("Which contexts start at the entry symbol"))
          .field("vertex", List(vertex_field).def_yaml("[]").desc("Vertex state, in field order"))
          .field("tensors", List(tensor).def_yaml("[]").desc("Tensors in tile memory"));

  // ---- the compiled-program form: tensors mapped over tiles, vertices,
  // compute sets and a control program (lowered by sim/loader/graph_loader).
  const Schema region =
      Struct("region", "Elements [begin, end) of the flattened tensor, placed on one tile")
          .field("tile", UInt().required().desc("The tile holding these elements"))
          .field("begin", UInt().required().desc("First element"))
          .field("end", UInt().required().desc("One past the last element"));
  const Schema graph_tensor =
      Struct("tensor", "A tensor whose regions are mapped to tiles")
          .field("name", String().required().desc("Tensor name"))
          .field("dtype", dtype)
          .field("scale", fp8_scale)
          .field("shape", List(UInt()).min_size(1).desc("Dimensions, outermost first"))
          .field("mapping", List(region).min_size(1).desc("Regions covering every element exactly once"))
          .field("align", UInt().unit("bytes").min(1).def(8).desc("Alignment of each region"))
          .field("region", Enum({"any", "interleaved", "non_interleaved"})
                               .def("any")
                               .desc("Memory region the tensor's regions must be placed in"))
          .field("init", init.desc("Initial contents of the whole tensor (absent: zero)"))
          .field("output", Bool().def(false).desc("Written out (whole) after the run"))
          .check(check_tensor_scale);
  const Schema graph_vertex =
      Struct("vertex", "One instance of a codelet on one tile")
          .field("codelet", String().required().desc("Entry symbol of the codelet"))
          .field("tile", UInt().required().desc("The tile it runs on"))
          .field("kind", Enum({"worker", "supervisor"}).def("worker")
                             .desc("worker: started on a worker context; supervisor: called by the supervisor"))
          .field("fields", List(vertex_field).def_yaml("[]")
                               .desc("Vertex state, one 32-bit word per field; a tensor field's offset_elems is "
                                     "an element of the whole tensor and must lie in a region on this tile"));
  const Schema compute_set =
      Struct("compute_set", "Vertices that run in the same compute phase")
          .field("name", String().required().desc("Compute-set name"))
          .field("vertices", List(graph_vertex).def_yaml("[]").desc("Its vertices"));
  const Schema slice = Struct("slice", "Elements [begin, end) of a tensor")
                            .field("tensor", String().required().desc("Tensor name"))
                            .field("begin", UInt().required().desc("First element"))
                            .field("end", UInt().required().desc("One past the last element"));
  const Schema copy_part =
      Struct("copy_part", "One source slice and where it goes")
          .field("source", slice.desc("What is copied"))
          .field("destination", slice.optional().desc("Where it goes (as many bytes as the source)"))
          .field("destinations", List(slice).min_size(1).optional()
                                     .desc("Several destinations: a broadcast (one send per source piece, received "
                                           "by all)"))
          .exactly_one_of({"destination", "destinations"});
  const Schema copy =
      Struct("copy", "A copy between tensor regions, lowered to the exchange")
          .field("name", String().required().desc("Copy name"))
          .field("source", slice.optional().desc("What is copied"))
          .field("destination", slice.optional().desc("Where it goes (as many bytes as the source)"))
          .field("destinations", List(slice).min_size(1).optional()
                                     .desc("Several destinations: a broadcast (one send per source piece, received "
                                           "by all)"))
          .field("parts", List(copy_part).min_size(1).optional()
                              .desc("Several sources, each with its destination(s), exchanged together: their "
                                    "pieces share the rounds (instead of source and destination)"))
          .exactly_one_of({"source", "parts"})
          .check([](const config::ConfigNode &c) {
            bool dest = c.has("destination") || c.has("destinations");
            if (c.has("parts") && dest)
              c.fail("'" + c.path() + "' has parts: each part names its destination(s)");
            if (c.has("source") && !dest)
              c.fail("'" + c.path() + "' needs exactly one of destination, destinations; none is given");
            if (c.has("destination") && c.has("destinations"))
              c.fail("'" + c.path() + "' needs exactly one of destination, destinations; both are given");
          });
  const Schema stream =
      Struct("stream", "A host stream: a tensor's contents moved over the host link at each `stream` step")
          .field("name", String().required().desc("Stream name"))
          .field("tensor", String().required().desc("The tensor written (to_device) or read (from_device)"))
          .field("direction", Enum({"to_device", "from_device"})
                                  .required()
                                  .desc("to_device: host -> tensor; from_device: tensor -> outputs/<name>.npy, one "
                                        "row per use"))
          .field("data", init.desc("to_device only: the host's data. npy: the tensor's shape (sent at every use) "
                                   "or [uses, ...shape] (one row per use); random: a fresh batch per use"));
  auto step = [](const Schema *body) {
    Schema st = Struct("step", "One step of the control program: exactly one of its keys")
                    .field("execute", String().optional().desc("Run a compute set on every tile, then sync 2"))
                    .field("copy", String().optional().desc("Run a copy over the exchange"))
                    .field("sync", Bool().optional().desc("sync 3: the internal BSP sync of all tiles"))
                    .field("stream", String().optional().desc("sync 5 (with the host), then move a host stream"));
    if (body)
      st = st.field("repeat", Struct("repeat", "Run a body a number of times")
                                  .field("count", UInt().max((1u << 20) - 1).required().desc("Times"))
                                  .field("body", List(*body).min_size(1).desc("The steps repeated"))
                                  .optional());
    return body ? st.exactly_one_of({"execute", "copy", "sync", "stream", "repeat"})
                : st.exactly_one_of({"execute", "copy", "sync", "stream"});
  };
  const Schema step0 = step(nullptr);
  const Schema step1 = step(&step0);
  const Schema step2 = step(&step1);
  const Schema graph =
      Struct("graph", "A compiled program: tensors mapped over tiles, vertices, compute sets, a control program")
          .field("tiles", UInt().min(1).required().desc("Tiles 0..tiles-1 of the chip that the program uses"))
          .field("sources", List(Path()).min_size(1).desc("Assembly (.S) sources of the codelets"))
          .field("include_dirs", List(Path()).def_yaml("[]").desc("Directories searched by #include"))
          .field("defines", Map(String()).def_yaml("{}").desc("Preprocessor definitions NAME: value"))
          .field("tensors", List(graph_tensor).def_yaml("[]").desc("Tensors"))
          .field("compute_sets", List(compute_set).def_yaml("[]").desc("Compute sets"))
          .field("copies", List(copy).def_yaml("[]").desc("Copies between tensor regions"))
          .field("streams", List(stream).def_yaml("[]").desc("Host streams"))
          .field("control", List(step2).min_size(1).desc("The control program (repeats nest up to two deep)"))
          .optional();

  const Schema trace =
      Struct("trace", "Instruction trace")
          .field("enabled", Bool().def(true).desc("Write the trace"))
          .field("format", Enum({"json", "compact"})
                               .def("json")
                               .desc("json: trace.json (Perfetto); compact: trace.ipt.zst (binary, zstd; "
                                     "read with ipusim trace)"))
          .field("start_cycle", UInt().unit("cycles").def(0).desc("First cycle traced"))
          .field("end_cycle", UInt()
                                  .unit("cycles")
                                  .def(std::numeric_limits<std::uint64_t>::max())
                                  .desc("Last cycle traced"))
          .field("max_events", UInt().min(1).def(10000000).desc("Events kept before tracing stops"));

  const Schema vcd = Struct("vcd", "Waveform (VCD) output")
                         .field("enabled", Bool().def(false).desc("Write a VCD file"))
                         .field("signals", List(Enum({"pc", "issue", "context", "stall"}))
                                               .def_yaml("[pc, issue]")
                                               .desc("Signals written"));

  const Schema outputs = Struct("outputs", "What the run writes")
                             .field("dir", Path().optional().desc("Output folder (absent: chosen by the command line)"))
                             .field("trace", trace)
                             .field("vcd", vcd);

  return Struct("run", "One simulation run")
      .field("name", String().required().desc("Run name"))
      .field("machine", String().required().desc("Machine preset (configs/machines/<name>.yaml) or path to a YAML file"))
      .field("machine_overrides", Map(AnyScalar())
                                      .def_yaml("{}")
                                      .desc("key.path: value pairs applied to the machine config like -p"))
      .field("seed", UInt().def(1).desc("Seed of every random choice in the run"))
      .field("max_cycles", UInt().unit("cycles").min(1).def(100000000).desc("Cycles after which the run stops"))
      .field("program", program.optional())
      .field("graph", graph)
      .field("outputs", outputs)
      .exactly_one_of({"program", "graph"});
}

} // namespace

const Schema &run_schema() {
  static const Schema schema = build();
  return schema;
}

} // namespace ipusim::config
