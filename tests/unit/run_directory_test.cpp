// Tests of the run folder (naming, refusal to overwrite, commit/fail/
// destructor), of atomic file writes, and of the run manifest.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "sim/common/error.hpp"
#include "sim/engine/manifest.hpp"
#include "sim/engine/run_directory.hpp"

#include "test_files.hpp"

using ipusim::test::read_all;
using ipusim::test::TempDir;
using ipusim::test::write_text;

using namespace ipusim;
namespace fs = std::filesystem;

namespace {




std::string error_of(const std::string &requested, const std::string &parent,
                     const std::string &name) {
  try {
    RunDirectory::create(requested, parent, name).commit();
  } catch (const InputError &e) {
    return e.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("RunDirectory numbers runs <name>-NNN and stages them in .partial") {
  TempDir tmp("auto");
  std::string parent = tmp.file("runs"); // does not exist yet: created
  {
    RunDirectory run = RunDirectory::create("", parent, "matmul");
    CHECK(run.final_path() == parent + "/matmul-001");
    CHECK(run.staging_path() == parent + "/matmul-001.partial");
    CHECK(run.state() == RunDirectory::State::staging);
    CHECK(fs::is_directory(run.staging_path()));
    CHECK_FALSE(fs::exists(run.final_path()));
    CHECK(run.path("stats.json") == parent + "/matmul-001.partial/stats.json");
    write_file_atomic(run.path("stats.json"), "{}\n");
    run.commit();
    CHECK(run.state() == RunDirectory::State::committed);
    CHECK(run.current_path() == parent + "/matmul-001");
    CHECK(run.path("stats.json") == parent + "/matmul-001/stats.json");
  }
  CHECK(read_all(parent + "/matmul-001/stats.json") == "{}\n");
  CHECK_FALSE(fs::exists(parent + "/matmul-001.partial"));

  {
    RunDirectory run = RunDirectory::create("", parent, "matmul");
    CHECK(run.final_path() == parent + "/matmul-002");
    run.commit();
  }
  // Numbering continues after the highest number in use, failed runs included;
  // folders of other run names or with other tails do not count.
  fs::create_directory(parent + "/matmul-007.failed");
  fs::create_directory(parent + "/matmul-050x");
  fs::create_directory(parent + "/other-090");
  fs::create_directory(parent + "/matmul-");
  {
    RunDirectory run = RunDirectory::create("", parent, "matmul");
    CHECK(run.final_path() == parent + "/matmul-008");
    run.commit();
  }
  fs::create_directory(parent + "/matmul-999");
  {
    RunDirectory run = RunDirectory::create("", parent, "matmul");
    CHECK(run.final_path() == parent + "/matmul-1000"); // at least 3 digits, more when needed
    run.commit();
  }
  {
    RunDirectory other = RunDirectory::create("", parent, "other");
    CHECK(other.final_path() == parent + "/other-091");
    other.commit();
  }
}

TEST_CASE("RunDirectory never reuses a name while a run is staging") {
  TempDir tmp("concurrent");
  RunDirectory first = RunDirectory::create("", tmp.path.string(), "p");
  RunDirectory second = RunDirectory::create("", tmp.path.string(), "p");
  CHECK(first.final_path() == tmp.file("p-001"));
  CHECK(second.final_path() == tmp.file("p-002"));
  second.commit();
  first.commit();
  CHECK(fs::is_directory(tmp.file("p-001")));
  CHECK(fs::is_directory(tmp.file("p-002")));
}

TEST_CASE("RunDirectory with -o: new or empty folders only") {
  TempDir tmp("explicit");
  SUBCASE("missing folder and parents are created") {
    std::string out = tmp.file("a/b/out");
    RunDirectory run = RunDirectory::create(out, "ignored", "ignored");
    CHECK(run.final_path() == out);
    CHECK(run.staging_path() == out + ".partial");
    run.commit();
    CHECK(fs::is_directory(out));
    CHECK_FALSE(fs::exists(tmp.file("ignored")));
  }
  SUBCASE("a trailing slash names the same folder") {
    RunDirectory run = RunDirectory::create(tmp.file("out") + "/", "", "x");
    CHECK(run.final_path() == tmp.file("out"));
    CHECK(run.staging_path() == tmp.file("out.partial"));
    run.commit();
  }
  SUBCASE("an existing empty folder is replaced on commit") {
    fs::create_directory(tmp.file("empty"));
    RunDirectory run = RunDirectory::create(tmp.file("empty"), "", "x");
    write_file_atomic(run.path("summary.txt"), "ok\n");
    run.commit();
    CHECK(read_all(tmp.file("empty/summary.txt")) == "ok\n");
  }
  SUBCASE("an existing non-empty folder is refused") {
    fs::create_directory(tmp.file("full"));
    write_text(tmp.file("full/old.txt"), "earlier run");
    CHECK(error_of(tmp.file("full"), "", "x") ==
          "output directory '" + tmp.file("full") + "' exists; choose another with -o or remove it");
    CHECK(read_all(tmp.file("full/old.txt")) == "earlier run");
    CHECK_FALSE(fs::exists(tmp.file("full.partial")));
  }
  SUBCASE("a file is refused") {
    write_text(tmp.file("file"), "x");
    CHECK(error_of(tmp.file("file"), "", "x") ==
          "output directory '" + tmp.file("file") +
              "' exists and is not a folder; choose another with -o");
  }
  SUBCASE("leftover .partial and .failed folders are refused") {
    fs::create_directory(tmp.file("run.partial"));
    CHECK(error_of(tmp.file("run"), "", "x") ==
          "'" + tmp.file("run.partial") +
              "' exists (an interrupted or running run); remove it or choose another with -o");
    fs::create_directory(tmp.file("run2.failed"));
    CHECK(error_of(tmp.file("run2"), "", "x") ==
          "'" + tmp.file("run2.failed") +
              "' is left from a failed run; remove it or choose another with -o");
    CHECK_FALSE(fs::exists(tmp.file("run2.partial")));
  }
  SUBCASE("'.' and '..' are not new folders") {
    CHECK(error_of(".", "", "x") ==
          "output directory '.' does not name a new folder; choose another with -o");
    CHECK(error_of(tmp.file(".."), "", "x").find("does not name a new folder") != std::string::npos);
  }
}

TEST_CASE("RunDirectory rejects run names that are not one folder name") {
  TempDir tmp("names");
  CHECK(error_of("", tmp.path.string(), "") == "run name '' cannot name a folder");
  CHECK(error_of("", tmp.path.string(), "a/b") == "run name 'a/b' cannot name a folder");
  CHECK(error_of("", tmp.path.string(), "..") == "run name '..' cannot name a folder");
}

TEST_CASE("RunDirectory::fail and the destructor leave a .failed folder with error.txt") {
  TempDir tmp("fail");
  SUBCASE("fail") {
    RunDirectory run = RunDirectory::create(tmp.file("out"), "", "x");
    write_file_atomic(run.path("partial-trace.json"), "[");
    run.fail("tile 3: error: load from unmapped address 0x1000");
    CHECK(run.state() == RunDirectory::State::failed);
    CHECK(run.current_path() == tmp.file("out.failed"));
    CHECK_FALSE(fs::exists(tmp.file("out")));
    CHECK_FALSE(fs::exists(tmp.file("out.partial")));
    CHECK(read_all(tmp.file("out.failed/error.txt")) ==
          "tile 3: error: load from unmapped address 0x1000\n");
    CHECK(read_all(tmp.file("out.failed/partial-trace.json")) == "[");
    run.fail("again"); // no effect once failed
    CHECK(read_all(tmp.file("out.failed/error.txt")) ==
          "tile 3: error: load from unmapped address 0x1000\n");
    CHECK_THROWS_AS(run.commit(), std::logic_error);
  }
  SUBCASE("destructor without commit") {
    { RunDirectory run = RunDirectory::create("", tmp.path.string(), "prog"); }
    CHECK(read_all(tmp.file("prog-001.failed/error.txt")) == "interrupted\n");
    CHECK_FALSE(fs::exists(tmp.file("prog-001")));
    // The failed number stays used.
    RunDirectory next = RunDirectory::create("", tmp.path.string(), "prog");
    CHECK(next.final_path() == tmp.file("prog-002"));
    next.commit();
  }
  SUBCASE("a taken .failed name moves on to .failed-2") {
    RunDirectory run = RunDirectory::create(tmp.file("out"), "", "x");
    fs::create_directory(tmp.file("out.failed")); // appeared after create()
    run.fail("boom");
    CHECK(run.current_path() == tmp.file("out.failed-2"));
    CHECK(read_all(tmp.file("out.failed-2/error.txt")) == "boom\n");
  }
  SUBCASE("after commit, fail and the destructor change nothing") {
    {
      RunDirectory run = RunDirectory::create(tmp.file("done"), "", "x");
      run.commit();
      run.fail("late");
      CHECK(run.state() == RunDirectory::State::committed);
      CHECK_THROWS_AS(run.commit(), std::logic_error);
    }
    CHECK(fs::is_directory(tmp.file("done")));
    CHECK_FALSE(fs::exists(tmp.file("done.failed")));
  }
  SUBCASE("a commit that cannot rename throws and the run then fails") {
    {
      RunDirectory run = RunDirectory::create(tmp.file("raced"), "", "x");
      fs::create_directory(tmp.file("raced"));
      write_text(tmp.file("raced/other.txt"), "someone else");
      CHECK_THROWS_AS(run.commit(), InputError);
      CHECK(run.state() == RunDirectory::State::staging);
    }
    CHECK(read_all(tmp.file("raced/other.txt")) == "someone else");
    CHECK(read_all(tmp.file("raced.failed/error.txt")) == "interrupted\n");
  }
}

TEST_CASE("RunDirectory moves hand over the run") {
  TempDir tmp("move");
  RunDirectory a = RunDirectory::create(tmp.file("one"), "", "x");
  {
    RunDirectory b = std::move(a);
    CHECK(b.state() == RunDirectory::State::staging);
    b.commit();
  }
  CHECK(fs::is_directory(tmp.file("one")));
  // The moved-from object does nothing when destroyed.
  CHECK_FALSE(fs::exists(tmp.file("one.failed")));

  RunDirectory c = RunDirectory::create(tmp.file("two"), "", "x");
  c = RunDirectory::create(tmp.file("three"), "", "x"); // the run "two" is abandoned: failed
  CHECK(read_all(tmp.file("two.failed/error.txt")) == "interrupted\n");
  c.commit();
  CHECK(fs::is_directory(tmp.file("three")));
}

TEST_CASE("write_file_atomic replaces the file whole and reports failures") {
  TempDir tmp("atomic");
  std::string file = tmp.file("f.txt");
  write_file_atomic(file, "first");
  write_file_atomic(file, std::string("second\0bytes", 12));
  CHECK(read_all(file) == std::string("second\0bytes", 12));
  CHECK_FALSE(fs::exists(file + ".tmp"));
  std::string bad = tmp.file("no-such-folder/f.txt");
  CHECK_THROWS_WITH_AS(write_file_atomic(bad, "x"),
                       ("cannot write '" + bad + "': No such file or directory").c_str(),
                       InputError);
}

TEST_CASE("sha256_hex matches the FIPS 180-4 examples") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Lengths around the padding boundary (55, 56, 64 bytes) agree with the file path.
  TempDir tmp("sha");
  for (std::size_t n : {55u, 56u, 63u, 64u, 65u, 70000u}) {
    std::string data(n, 'x');
    write_text(tmp.file("d"), data);
    uint64_t bytes = 0;
    auto from_file = sha256_file_hex(tmp.file("d"), &bytes);
    REQUIRE(from_file.has_value());
    CHECK(*from_file == sha256_hex(data));
    CHECK(bytes == n);
  }
  CHECK_FALSE(sha256_file_hex(tmp.file("missing")).has_value());
}

TEST_CASE("make_manifest_json records version, command line, seed and input hashes") {
  TempDir tmp("manifest");
  std::string prog = tmp.file("prog.s");
  write_text(prog, "abc");
  ManifestInfo info;
  info.command_line = {"ipusim", "run", "--seed", "42", prog};
  info.seed = 42;
  info.run_name = "prog";
  info.machine_name = "mk2";
  info.input_files = {prog, tmp.file("missing.yaml")};
  info.hostname = "builder";
  info.started_utc = "2024-01-02T03:04:05Z";
  std::string text = make_manifest_json(info);
  CHECK(text.back() == '\n');
  CHECK(make_manifest_json(info) == text); // deterministic
  auto m = nlohmann::json::parse(text);
  CHECK(m["manifest_version"] == 1);
#ifdef IPUSIM_VERSION
  CHECK(m["ipusim_version"] == IPUSIM_VERSION);
#else
  CHECK(m["ipusim_version"] == "dev");
#endif
  CHECK(m["run_name"] == "prog");
  CHECK(m["machine"] == "mk2");
  CHECK(m["seed"] == 42);
  CHECK(m["command_line"] == nlohmann::json::array({"ipusim", "run", "--seed", "42", prog}));
  REQUIRE(m["inputs"].size() == 2);
  CHECK(m["inputs"][0]["path"] == prog);
  CHECK(m["inputs"][0]["bytes"] == 3);
  CHECK(m["inputs"][0]["sha256"] ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(m["inputs"][1]["bytes"].is_null());
  CHECK(m["inputs"][1]["sha256"].is_null());
  CHECK(m["host"]["hostname"] == "builder");
  CHECK(m["host"]["started_utc"] == "2024-01-02T03:04:05Z");
  // Field order is fixed: version first, host last.
  CHECK(text.find("\"manifest_version\"") < text.find("\"command_line\""));
  CHECK(text.find("\"inputs\"") < text.find("\"host\""));

  info.command_line = {"ipusim", std::string("bad\xFFutf8")}; // replaced, not an exception
  auto m2 = nlohmann::json::parse(make_manifest_json(info));
  CHECK(m2["command_line"][1] == "bad\xEF\xBF\xBDutf8");
}

TEST_CASE("host_name and utc_timestamp_now have the documented shapes") {
  CHECK_FALSE(host_name().empty());
  std::string t = utc_timestamp_now();
  REQUIRE(t.size() == 20);
  CHECK(t[4] == '-');
  CHECK(t[10] == 'T');
  CHECK(t[19] == 'Z');
}
