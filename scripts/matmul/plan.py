"""The partition: a grid of MS x NS x KS tiles. Tile (i, j, l) computes rows block i and columns
block j of C over input-channel slice l; slices are then summed by a reduce-scatter."""
import math

# Bytes per tile the generator leaves for code, control program, vertex states, stacks and scratch.
RESERVED_BYTES = 48 * 1024
# Cycle estimates for the choice of grid (docs/matmul.md, "What limits it").
BLOCK_OVERHEAD_CYCLES = 400   # per weight block: weight loads and hand-over (supervisor)
WORKER_OVERHEAD_INSNS = 16    # per weight block per worker: set-up, fill and drain
ROUND_CYCLES = 150            # per exchange round: the sync and the send set-up


class Grid:
    def __init__(self, m, k, n, ms, ns, ks, form):
        self.m, self.k, self.n = m, k, n
        self.ms, self.ns, self.ks = ms, ns, ks
        self.mt, self.kt, self.nt = m // ms, k // ks, n // ns
        self.form = form

    @property
    def tiles(self):
        return self.ms * self.ns * self.ks

    @property
    def chunk(self):
        """Rows of C each tile of a reduction group ends up with."""
        return self.mt // self.ks

    def tile(self, i, j, l):
        return (i * self.ns + j) * self.ks + l

    def coords(self, t):
        l = t % self.ks
        j = (t // self.ks) % self.ns
        return t // (self.ks * self.ns), j, l

    def rows(self):
        base, extra = divmod(self.mt, 6)
        return [base + (1 if w < extra else 0) for w in range(6)]

    def a_row_bytes(self):
        return self.kt * self.form.in_bytes

    def c_row_bytes(self):
        return self.nt * self.form.part_bytes

    def memory_bytes(self):
        f = self.form
        a = self.mt * self.kt * f.in_bytes
        b = self.kt * self.nt * f.in_bytes
        partials = 3 * self.mt * f.prow
        c = self.mt * self.nt * f.part_bytes
        if self.ks > 1:
            c += (self.ks - 1) * self.chunk * self.nt * f.part_bytes + self.chunk * self.nt * f.part_bytes
        return a + b + partials + c + RESERVED_BYTES

    def problems(self, machine):
        """Why this grid cannot be generated (empty: it can)."""
        f, out = self.form, []
        if self.m % self.ms or self.k % self.ks or self.n % self.ns:
            out.append("the grid does not divide the shape")
            return out
        if self.nt % f.ocb:
            out.append(f"columns per tile ({self.nt}) must be a multiple of {f.ocb}")
        if self.kt % f.icb or self.kt < 2 * f.icb:
            out.append(f"input channels per tile ({self.kt}) must be a multiple of {f.icb}, at least {2 * f.icb}")
        min_rows = 6 if f.worker == "wide" else 24
        if self.mt < min_rows:
            out.append(f"rows per tile ({self.mt}) must be at least {min_rows} (four per worker for {f.mnemonic})")
        if self.ks > 1 and (self.mt % self.ks or self.ks > 8):
            out.append(f"a K split of {self.ks} needs rows per tile divisible by it, and at most 8")
        # The pace instructions' strides are signed 10-bit counts of 8 bytes.
        if self.a_row_bytes() - 24 > 511 * 8 or self.c_row_bytes() - 8 > 511 * 8 or self.a_row_bytes() < 32:
            out.append("a row of A or C per tile is longer than a pace stride reaches (4 KiB)")
        if self.kt * self.nt * f.in_bytes > machine.interleaved_bytes - 4096:
            out.append(f"B per tile ({self.kt * self.nt * f.in_bytes} bytes) does not fit the interleaved region")
        if self.memory_bytes() > machine.sram_bytes:
            out.append(f"needs about {self.memory_bytes()} bytes per tile of {machine.sram_bytes}")
        if self.tiles > machine.tiles:
            out.append(f"needs {self.tiles} tiles of {machine.tiles}")
        return out

    def estimate_cycles(self, machine):
        f = self.form
        blocks = (self.nt // f.ocb) * (self.kt // f.icb)
        r = max(self.rows())
        compute = blocks * (6 * (f.phases * r + WORKER_OVERHEAD_INSNS) + BLOCK_OVERHEAD_CYCLES)
        bpc = machine.exchange_bytes_per_cycle
        exchange = 0
        if self.ns > 1:
            a_bytes = self.mt * self.kt * f.in_bytes
            exchange += a_bytes / bpc + ROUND_CYCLES * math.ceil(a_bytes / (4 * 65535))
        if self.ks > 1:
            piece = self.chunk * self.nt * f.part_bytes
            exchange += (self.ks - 1) * (piece / bpc + ROUND_CYCLES)
            exchange += piece / 8 * (self.ks + 3) + 200  # the sums: ks + 3 instructions per 8 bytes
        return compute + exchange

    def describe(self):
        return (f"{self.ms} x {self.ns} x {self.ks} tiles (rows x columns x K slices): "
                f"{self.mt} x {self.nt} of C over K {self.kt} per tile")


def divisors(x):
    return [d for d in range(1, x + 1) if x % d == 0]


def choose_grid(m, k, n, form, machine, fixed=None):
    """The grid with the least estimated cycles that fits (or `fixed`, checked)."""
    if fixed:
        g = Grid(m, k, n, *fixed, form)
        bad = g.problems(machine)
        if bad:
            raise SystemExit("gen-matmul: grid {}x{}x{}: {}".format(*fixed, "; ".join(bad)))
        return g
    best = None
    for ks in divisors(k):
        if ks > 8:
            break
        for ms in divisors(m):
            if ms * ks > machine.tiles:
                break
            for ns in divisors(n):
                if ms * ns * ks > machine.tiles:
                    break
                g = Grid(m, k, n, ms, ns, ks, form)
                if g.problems(machine):
                    continue
                key = (g.estimate_cycles(machine), g.tiles)
                if best is None or key < best[0]:
                    best = (key, g)
    if best is None:
        raise SystemExit(f"gen-matmul: no grid of at most {machine.tiles} tiles fits M {m}, K {k}, N {n} "
                         f"with {form.mnemonic} (try --grid MSxNSxKS to see why)")
    return best[1]
