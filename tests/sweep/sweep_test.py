#!/usr/bin/python3
"""End-to-end tests of scripts/sweep (run by ctest as `sweep`).

The sweep of tests/data/sweep/shift.yaml runs graph_shift (8 tiles) over four
points; every CSV value is checked against ipusim run directly with the same
overrides and the metric recomputed here. Also: a failing point, a metric
that cannot be computed, explicit points, byte-identical CSVs across -j,
--dry-run, errors in the sweep file (one line naming file:line, nothing run),
the example sweeps of configs/sweeps/ (checked, not run) and the expression
evaluator on its own.

environment: IPUSIM = the ipusim binary (default build/ipusim)
"""

import csv
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SWEEP = os.path.join(ROOT, "scripts", "sweep")
DATA = os.path.join(ROOT, "tests", "data", "sweep")
SHIFT = os.path.join(DATA, "shift.yaml")
RUN = os.path.join(ROOT, "configs", "runs", "graph_shift", "run.yaml")
IPUSIM = os.environ.get("IPUSIM", os.path.join(ROOT, "build", "ipusim"))

# The points of shift.yaml, in order: (bytes_per_cycle, send_cycles).
SHIFT_POINTS = [(4, 8), (4, 40), (16, 8), (16, 40)]


def load_sweep_module():
    loader = importlib.machinery.SourceFileLoader("sweep_script", SWEEP)
    spec = importlib.util.spec_from_loader("sweep_script", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def sweep(*args, cwd=None):
    env = dict(os.environ, IPUSIM=IPUSIM)
    return subprocess.run([SWEEP] + list(args), cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def ipusim_stats(out, overrides, run=RUN):
    """Runs a run file (graph_shift by default) directly and returns its stats.json values."""
    cmd = [IPUSIM, "run", run, "-o", out]
    for key, value in overrides.items():
        cmd += ["-p", f"{key}={value}"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with open(os.path.join(out, "stats.json")) as f:
        return {k: v["value"] for k, v in json.load(f).items()}


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ipusim-sweep-test-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text.replace("$RUN", os.path.relpath(RUN, self.dir)))
        return path


class ShiftSweep(Base):
    """The four points of shift.yaml, against ipusim run by hand."""

    def test_rows_match_direct_runs(self):
        out = os.path.join(self.dir, "out")
        p = sweep(SHIFT, "-j", "2", "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = read_csv(os.path.join(out, "results.csv"))
        self.assertEqual(list(rows[0]), ["point", "bytes_per_cycle", "machine.chip.exchange.send_cycles", "cycles",
                                         "exchange_bytes", "bytes_per_cycle_achieved", "words_per_us", "extra",
                                         "status", "error", "results"])
        self.assertEqual(len(rows), len(SHIFT_POINTS))
        for i, (row, (bpc, send)) in enumerate(zip(rows, SHIFT_POINTS)):
            with self.subTest(point=i):
                self.check_row(row, i, bpc, send, out)
        # one progress line per point, and a plot per varied parameter
        self.assertEqual(sum(f"/{len(SHIFT_POINTS)}] " in line for line in p.stderr.splitlines()), 4)
        for name in ("plot-bytes_per_cycle.png", "plot-machine.chip.exchange.send_cycles.png"):
            with open(os.path.join(out, name), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        with open(os.path.join(out, "summary.txt")) as f:
            self.assertEqual(f.read(), p.stdout)

    def check_row(self, row, i, bpc, send, out):
        stats = ipusim_stats(os.path.join(self.dir, f"direct{i}"), {
            "outputs.trace.enabled": "false",
            "machine.chip.exchange.bytes_per_cycle": bpc,
            "machine.chip.exchange.send_cycles": send})
        cycles, xbytes, seconds = stats["sim.cycles"], stats["chip.exchange_bytes"], stats["sim.simulated_seconds"]
        self.assertEqual(xbytes, 32 * 4)  # graph_shift moves its 32 floats once
        self.assertEqual(row["point"], str(i))
        self.assertEqual((row["bytes_per_cycle"], row["machine.chip.exchange.send_cycles"]), (str(bpc), str(send)))
        self.assertEqual(row["cycles"], str(cycles))
        self.assertEqual(row["exchange_bytes"], str(xbytes))
        self.assertAlmostEqual(float(row["bytes_per_cycle_achieved"]), xbytes / cycles, delta=1e-12)
        self.assertAlmostEqual(float(row["words_per_us"]), 32 / (seconds * 1e6), delta=1e-9)
        self.assertAlmostEqual(float(row["extra"]), max(cycles - 500, 0) ** 2 / bpc + min(send, 10), delta=1e-9)
        self.assertEqual((row["status"], row["error"]), ("ok", ""))
        self.assertTrue(os.path.isfile(os.path.join(out, row["results"], "stats.json")))

    def test_csv_is_the_same_whatever_the_parallelism(self):
        texts = []
        for jobs in ("1", "2"):
            out = os.path.join(self.dir, f"out{jobs}")
            p = sweep(SHIFT, "-j", jobs, "--out", out, "--no-plots")
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(out, "results.csv"), "rb") as f:
                texts.append(f.read())
        self.assertEqual(texts[0], texts[1])

    def test_dry_run_runs_nothing(self):
        out = os.path.join(self.dir, "out")
        p = sweep(SHIFT, "--dry-run", "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        commands = [line for line in p.stdout.splitlines() if line.startswith("    ")]
        self.assertEqual(len(commands), 4)
        self.assertIn("-p machine.chip.exchange.bytes_per_cycle=16 -p machine.chip.exchange.send_cycles=8",
                      commands[2])
        self.assertFalse(os.path.exists(out))


class Failures(Base):
    def test_a_failing_point_does_not_stop_the_others(self):
        path = self.write("fail.yaml", """
name: fail
run: $RUN
overrides: {outputs.trace.enabled: false}
parameters:
  max_cycles: [50, 100000000]
metrics:
  cycles: sim.cycles
""")
        out = os.path.join(self.dir, "out")
        p = sweep(path, "-j", "2", "--out", out)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("1 of 2 points failed", p.stderr)
        failed, ok = read_csv(os.path.join(out, "results.csv"))
        self.assertEqual((failed["status"], failed["cycles"]), ("failed", ""))
        self.assertRegex(failed["error"], r"^exit 4: .*max_cycles \(50\)")
        self.assertTrue(failed["results"].endswith(".failed"))
        self.assertTrue(os.path.isfile(os.path.join(out, failed["results"], "error.txt")))
        self.assertEqual(ok["status"], "ok")
        self.assertGreater(int(ok["cycles"]), 50)

    def test_a_metric_that_cannot_be_computed_fails_its_point(self):
        path = self.write("zero.yaml", """
name: zero
run: $RUN
overrides: {outputs.trace.enabled: false}
parameters:
  machine.chip.exchange.bytes_per_cycle: [4]
constants: {k: 3}
metrics:
  cycles: sim.cycles
  ratio: sim.cycles / (k - 3)
""")
        p = sweep(path, "--out", os.path.join(self.dir, "out"), "--no-plots")
        self.assertEqual(p.returncode, 1, p.stderr)
        (row,) = read_csv(os.path.join(self.dir, "out", "results.csv"))
        self.assertEqual((row["status"], row["error"], row["ratio"]), ("failed", "metric ratio: division by zero", ""))
        self.assertNotEqual(row["cycles"], "")


class ExplicitPoints(Base):
    def test_points_list(self):
        path = self.write("points.yaml", """
name: points
run: $RUN
overrides: {outputs.trace.enabled: false}
parameters:
  bpc: {key: machine.chip.exchange.bytes_per_cycle, unit: B/cycle}
points:
  - {bpc: 16, machine.chip.exchange.send_cycles: 8}
  - {bpc: 4, machine.chip.exchange.send_cycles: 40}
metrics:
  cycles: sim.cycles
""")
        out = os.path.join(self.dir, "out")
        p = sweep(path, "-j", "2", "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = read_csv(os.path.join(out, "results.csv"))
        self.assertEqual([(r["bpc"], r["machine.chip.exchange.send_cycles"]) for r in rows], [("16", "8"), ("4", "40")])
        direct = ipusim_stats(os.path.join(self.dir, "direct"), {
            "outputs.trace.enabled": "false", "machine.chip.exchange.bytes_per_cycle": 4,
            "machine.chip.exchange.send_cycles": 40})
        self.assertEqual(rows[1]["cycles"], str(direct["sim.cycles"]))


class GeneratedSweep(Base):
    """generate: each point's program written by scripts/gen-matmul, run, then checked by it."""

    def test_generated_points_run_and_check(self):
        gen = os.path.join(ROOT, "scripts", "gen-matmul")
        path = self.write("gen.yaml", f"""
name: gen
generate:
  command: [{gen}, "{{dir}}", --m, 48, --k, 64, --n, 64, --tiles, "{{tiles}}", --amp-sets, "{{sets}}"]
  run: run.yaml
  check: [{gen}, --check, "{{dir}}", "{{results}}"]
parameters:
  sets: {{arg: true, values: [1, 2]}}
  tiles: {{arg: true, values: [2, 4]}}
overrides: {{max_cycles: 10000000}}
metrics:
  cycles: sim.cycles
""")
        out = os.path.join(self.dir, "out")
        p = sweep(path, "-j", "2", "--out", out, "--no-plots")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = read_csv(os.path.join(out, "results.csv"))
        self.assertEqual([(r["sets"], r["tiles"], r["status"]) for r in rows],
                         [("1", "2", "ok"), ("1", "4", "ok"), ("2", "2", "ok"), ("2", "4", "ok")])
        # The same point by hand gives the same cycles, and the check passed (0 differ).
        subprocess.run([gen, os.path.join(self.dir, "g"), "--m", "48", "--k", "64", "--n", "64", "--tiles", "4",
                        "--amp-sets", "1"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        direct = ipusim_stats(os.path.join(self.dir, "d"), {"max_cycles": 10000000},
                              run=os.path.join(self.dir, "g", "run.yaml"))
        self.assertEqual(rows[1]["cycles"], str(direct["sim.cycles"]))
        with open(os.path.join(out, rows[1]["results"], "matmul-check.json")) as f:
            self.assertEqual(json.load(f)["differ"], 0)

    def test_a_failing_check_fails_its_point(self):
        path = self.write("gen.yaml", """
name: gen
generate:
  command: [true]
  run: ../../../../configs/runs/graph_shift/run.yaml
  check: ["false"]
parameters:
  x: {arg: true, values: [1]}
metrics:
  cycles: sim.cycles
""".replace("../../../../configs/runs/graph_shift/run.yaml", RUN))
        out = os.path.join(self.dir, "out")
        p = sweep(path, "--out", out, "--no-plots")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(read_csv(os.path.join(out, "results.csv"))[0]["error"].split(":")[0], "check")


GOOD = """name: e
run: $RUN
parameters:
  max_cycles: [1000, 2000]
metrics:
  cycles: sim.cycles
"""


class Errors(Base):
    """Each mistake: exit 3, one line on stderr naming file:line, nothing created."""

    def check(self, text, line, message):
        path = self.write("bad.yaml", text)
        out = os.path.join(self.dir, "out")
        p = sweep(path, "--out", out)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertIn(f"bad.yaml:{line}: {message}", p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_unknown_top_level_key(self):
        self.check(GOOD.replace("metrics:", "metric:"), 5, "unknown key 'metric' in the sweep file; "
                                                          "did you mean 'metrics'?")

    def test_unknown_run_key(self):
        self.check(GOOD.replace("  max_cycles:", "  max_cycle:"), 4, "unknown run key 'max_cycle'; "
                                                                    "did you mean max_cycles?")

    def test_unknown_machine_key(self):
        self.check(GOOD + "overrides: {machine.chip.exchange.bytes_per_cylce: 8}\n", 7,
                   "unknown machine key 'machine.chip.exchange.bytes_per_cylce'")

    def test_empty_values(self):
        self.check(GOOD.replace("[1000, 2000]", "[]"), 4, "parameter max_cycles: values must be a non-empty list")

    def test_bad_expression(self):
        self.check(GOOD + "  rate: sim.cycles *\n", 7, "metric rate: bad expression 'sim.cycles *': invalid syntax")

    def test_code_is_not_an_expression(self):
        self.check(GOOD + "  evil: __import__('os').getcwd()\n", 7, "metric evil: bad expression")

    def test_unknown_name(self):
        self.check(GOOD + "  rate: sim.cycle / 2\n", 7, "metric rate: unknown name 'sim.cycle' (not a parameter, "
                                                       "constant, earlier metric or statistic); did you mean sim.cycles?")

    def test_key_set_twice(self):
        self.check(GOOD + "overrides: {max_cycles: 5}\n", 4, "parameter max_cycles: 'max_cycles' is also a fixed "
                                                             "override")


    def test_run_and_generate(self):
        self.check(GOOD + "generate: {command: [x], run: r.yaml}\n", 7, "give either 'run' or 'generate', not both")

    def test_unknown_template(self):
        text = GOOD.replace("run: $RUN\n", "generate: {command: [x, '{tile}'], run: r.yaml}\n")
        self.check(text, 2, "generate command: '{tile}' is not a parameter, {dir} or {results}")

    def test_arg_without_generate(self):
        self.check(GOOD.replace("  max_cycles: [1000, 2000]", "  n: {arg: true, values: [1]}"), 4,
                   "parameter n: 'arg: true' needs 'generate'")


class Examples(unittest.TestCase):
    def test_every_example_sweep_is_valid(self):
        folder = os.path.join(ROOT, "configs", "sweeps")
        files = sorted(os.path.join(folder, d, "sweep.yaml") for d in os.listdir(folder))
        self.assertTrue(files)
        for path in files:
            with self.subTest(sweep=os.path.relpath(path, ROOT)):
                p = sweep(path, "--dry-run")
                self.assertEqual(p.returncode, 0, p.stderr)


class Expressions(unittest.TestCase):
    """The evaluator on its own: arithmetic only, nothing else is ever run."""

    @classmethod
    def setUpClass(cls):
        cls.sweep = load_sweep_module()

    def value(self, text, **names):
        names = {k.replace("__", "."): v for k, v in names.items()}
        return self.sweep.Expr(text).evaluate(lambda n: names[n])

    def test_arithmetic(self):
        self.assertEqual(self.value("2 ** 10 - 3 * (4 + 1) / 5"), 1021.0)
        self.assertEqual(self.value("-a + max(a, b, 1) * min(2, b)", a=3, b=7), 11)
        self.assertEqual(self.value("flops / sim.simulated_seconds / 1e12", flops=4e12, sim__simulated_seconds=2.0),
                         2.0)

    def test_rejected(self):
        for text in ("open('x')", "a.b(1)", "a[0]", "'text'", "a if b else c", "a // b", "a % b", "[1]",
                     "lambda: 1", "max(x=1)", "min()", "a < b", "True"):
            with self.subTest(text=text), self.assertRaises(self.sweep.ExprError):
                self.sweep.Expr(text)

    def test_evaluation_errors(self):
        for text, names in (("a / 0", {"a": 1}), ("a", {"a": "gc200"}), ("(-8) ** 0.5", {}), ("10 ** 400.0", {})):
            with self.subTest(text=text), self.assertRaises(self.sweep.ExprError):
                self.value(text, **names)


if __name__ == "__main__":
    unittest.main(verbosity=2)
