"""The codelets of one matmul: a supervisor that walks weight blocks, the AMP workers, and the
workers that sum the K slices. Generated for one form and shape (docs/matmul.md)."""

# Vertex state of the supervisor vertex (words): 0 A, 1 B (AMP order), 2 C, 3 P0, 4 P1, 5 column
# blocks, 6 input blocks, 7 Z, 8..11 the block record the workers read (x block, partials in,
# out base, out mode), 12 + 16w: worker w's record, 108/109: $FP_INFMT/$FP_ISCL (FP8 only).
FP8_WORDS = 108


class Emitter:
    """Assembly text with the byte offset tracked, so bundles and rpt bodies land on 8 bytes."""

    def __init__(self):
        self.lines, self.offset = [], 0

    def raw(self, text):
        self.lines.append(text)

    def one(self, insn):
        self.lines.append("  " + insn)
        self.offset += 4

    def bundle(self, main, aux):
        if self.offset % 8:
            self.one("nop")
        self.lines.append(f"  {{ {main} ; {aux} }}")
        self.offset += 8

    def rpt(self, count_reg, body_label, end_label):
        if self.offset % 8 == 0:
            self.one("nop")  # rpt at 8n + 4: its body follows directly
        self.one(f"rpt {count_reg}, ({end_label} - {body_label}) / 8 - 1")

    def text(self):
        return "\n".join(self.lines) + "\n"


def supervisor(form, grid):
    putcs = "\n".join(f"  ld128putcs {s}" for s in form.weight_slots())
    fp8 = ""
    if form.name == "fp8":
        fp8 = (f"  ld32    $m0, $mvertex_base, {FP8_WORDS}\n  put     $FP_INFMT, $m0           // formats: bit 0 B, bit 1 A\n"
               f"  ld32    $m0, $mvertex_base, {FP8_WORDS + 1}\n  put     $FP_ISCL, $m0            // A's scale + B's scale\n")
    return f"""  .section .text.matmul_sup, "ax"
  .supervisor
  .align 8
  .globl matmul_sup
matmul_sup:
{fp8}  ld32    $m0, $mvertex_base, 1        // B: the weight blocks, in the order they are used
  put     $CCCSLOAD, $m0               // advances 16 bytes per ld128putcs: never reset
  ld32    $m1, $mvertex_base, 5        // column blocks
  add     $m1, $m1, -1
  ld32    $m9, $mvertex_base, 2        // C + nb * {form.prow}: where the last input block writes
  setzi   $m8, matmul_worker
  add     $m7, $mvertex_base, 48       // worker records
.Lnb:
  ld32    $m2, $mvertex_base, 6        // input blocks
  add     $m2, $m2, -1
  ld32    $m3, $mvertex_base, 0        // x block: A + kb * 32
  ld32    $m4, $mvertex_base, 7        // partials in: Z (zeros) for the first input block,
  ld32    $m5, $mvertex_base, 3        // then P0, P1, P0, ...: out P0 first
  ld32    $m6, $mvertex_base, 4
.Lkb:
{putcs}
  st32    $m3, $mvertex_base, 8
  st32    $m4, $mvertex_base, 9
  st32    $m5, $mvertex_base, 10
  st32    $mzero, $mvertex_base, 11    // out mode 0: partials
  brnz    $m2, .Lrun
  st32    $m9, $mvertex_base, 10       // the last input block writes C
  setzi   $m0, 1
  st32    $m0, $mvertex_base, 11
.Lrun:
  runall  $m8, $m7, 16
  sync    TEXCH_SYNCZONE_LOCAL
  add     $m3, $m3, 32
  or      $m4, $m5, $mzero             // this block's out is the next one's in
  or      $m5, $m6, $mzero
  or      $m6, $m4, $mzero
  brnzdec $m2, .Lkb
  add     $m9, $m9, {form.prow}
  brnzdec $m1, .Lnb
  br      $lr
"""


WORKER_PREAMBLE = """
// Worker record (words): 0 bytes back to the block record, 1 row0 x A's row bytes, 2 row0 x
// partial row bytes, 3 unused, 4/5 strides for out mode 0/1, 6/7 row0 x out row bytes for mode 0/1,
// 8 the loop count. Strides (10-bit fields, in 8-byte atoms): 0 = A's row step, 1 = the out row step,
// 2 = {f2}.
  .section .text.matmul_worker, "ax"
  .worker
  .align 8
matmul_worker:
  ld32    $m1, $mvertex_base, 0
  sub     $m1, $mvertex_base, $m1      // block record
  ld32    $m6, $m1, 3                  // out mode
  ld32    $m3, $m1, 0
  ld32    $m7, $mvertex_base, 1
  add     $m3, $m3, $m7                // x: A row row0, this block's input channels
  ld32    $m4, $m1, 1
  ld32    $m7, $mvertex_base, 2
  add     $m4, $m4, $m7                // partials in: row row0
  ld32    $m5, $m1, 2
  setzi   $m7, 24
  ld32    $m9, $mvertex_base, $m7, $m6
  add     $m5, $m5, $m9                // out: row row0
  setzi   $m7, 16
  ld32    $m2, $mvertex_base, $m7, $m6 // strides
  ld32    $m8, $mvertex_base, 8        // loop count
  tapack  $m0:1, $m3, $m4, $m5
"""


def wide_worker(form):
    """8 bytes of partials in and out per instruction: one ld2xst64pace per AMP instruction."""
    a = form.mnemonic
    amp = lambda p: f"{a} $a4:5, $a0:1, $a2:3, TAMP_F16V4_E4_P{p}"
    return WORKER_PREAMBLE.format(f2="-3") + f"""  // Group 0 (pipeline fill): x is not used; x's pointer returns to the row start.
  ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b0000
  {{ ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b0000 ; {amp(0)} }}
  {{ ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b0000 ; {amp(1)} }}
  {{ ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b0011 ; {amp(2)} }}
  // Group 1: row0's inputs; its outputs (group 0's sums) are not stored.
  {{ ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b0000 ; {amp(3)} }}
  {{ ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b0000 ; {amp(0)} }}
  {{ ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b0000 ; {amp(1)} }}
  {{ ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b0001 ; {amp(2)} }}
  {{ ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b0000 ; {amp(3)} }}
  {{ ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b0000 ; {amp(0)} }}
  // From here each bundle also stores the result of the amp two steps back.
  {{ ld2xst64pace $a0:3, $a4:5, $m0:1+=, $m2, 0b000000 ; {amp(1)} }}
  {{ ld2xst64pace $a0:3, $a4:5, $m0:1+=, $m2, 0b000001 ; {amp(2)} }}
  rpt     $m8, (2f - 1f) / 8 - 1
1:
  {{ ld2xst64pace $a0:3, $a4:5, $m0:1+=, $m2, 0b000000 ; {amp(3)} }}
  {{ ld2xst64pace $a0:3, $a4:5, $m0:1+=, $m2, 0b100000 ; {amp(0)} }}
  {{ ld2xst64pace $a0:3, $a4:5, $m0:1+=, $m2, 0b000000 ; {amp(1)} }}
  {{ ld2xst64pace $a0:3, $a4:5, $m0:1+=, $m2, 0b000001 ; {amp(2)} }}
2:
  {{ st64pace $a4:5, $m0:1+=, $m2, 0b00 ; {amp(3)} }}
  st64pace $a4:5, $m0:1+=, $m2, 0b00
  exitz   $mzero
"""


def row_pipeline(e, n, main, amp):
    """The bundles of a worker that streams rows through the AMP, n instructions per row: bundle k
    holds main(k, group) and amp(k - 1). Groups 0-2 are the prologue, then a rpt loop ($m8 times)
    over one steady group, then groups R-1, R, R+1 (named so main can tell them apart; from the
    loop on only k modulo n and 2 matter)."""
    e.one(main(0, 0))
    for k in range(1, 3 * n):
        e.bundle(main(k, k // n), amp(k - 1))
    e.rpt("$m8", "1f", "2f")
    e.raw("1:")
    for k in range(3 * n, 4 * n):
        e.bundle(main(k, "mid"), amp(k - 1))
    e.raw("2:")
    for g, name in enumerate(("R-1", "R", "R+1")):
        for q in range(n):
            k = 4 * n + n * g + q
            e.bundle(main(k, name), amp(k - 1))


def narrow_worker(form):
    """4 bytes of partials in and out per instruction (one AMP set, half partials), as poplibs'
    conv_partial_1x1_half_half does it: even bundles load x and a pair of partials, odd ones load x
    and store a pair of results. Amp j runs in bundle j + 1; group g feeds x of row g - 1 and the
    partials of row g, and hands out row g - 2's results. Stride select: 0 = +8 bytes, 1 = A's row
    step, 2 = the out row step, 3 = stay. Needs R >= 4 rows: prologue groups 0-2, a loop over groups
    3..R-2 (count R - 4), epilogue groups R-1..R+1."""
    e = Emitter()
    e.raw(WORKER_PREAMBLE.format(f2="0 (stay)").rstrip("\n"))
    e.offset = 17 * 4  # the preamble's instructions

    def amp(j):
        reg, part = ("$a4", "$a2") if j % 2 == 0 else ("$a5", "$a3")
        return f"{form.mnemonic} {reg}, $a0:1, {part}, TAMP_F16V4_E4_P{j % 4}"

    def main(k, group):
        """The memory op of bundle k, in group `group` ('mid' in the loop): sel codes for x, p, out."""
        q = k % 4
        g = group
        x_real = g not in (0, "R+1")
        if not x_real:
            xs = 3
        elif q == 3:
            xs = 3 if g == "R" else 1
        else:
            xs = 0
        if k % 2 == 0:
            p_real = g not in ("R", "R+1")
            ps = 3 if (not p_real or (g == "R-1" and q == 2)) else 0
            return f"ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b{ps:02b}{xs:02b}"
        store = not (g in (0, 1) or (g == 2 and q == 1))
        if not store:
            return f"ld2x64pace $a0:1, $azeros, $m0:1+=, $m2, 0b11{xs:02b}"
        outs = 2 if q == 1 else 0
        return f"ldst64pace $a0:1, $a4:5, $m0:1+=, $m2, 0b{outs:02b}{xs:02b}"

    row_pipeline(e, 4, main, amp)
    e.one(amp(3))
    e.one("st64pace $a4:5, $m0:1+=, $m2, 0b10")
    e.one("exitz   $mzero")
    return e.text()


def f32_worker(form):
    """fp32 (f32sisov2amp): groups of 8 phases, one float in and 8 bytes of partials in and out
    per instruction. Amp j runs in bundle j + 1 and reads x from $a0 (even j) or $a1 (odd j);
    bundle k loads x pair (k % 8) / 2 twice (stay, then advance), the partials of amp k, and
    stores the result of amp k - 2. Group g feeds x of row g - 1 and the partials of row g, and
    hands out row g - 2's results. Stride select: 0 = +8 bytes, 1 = A's row step, 2 = the out row
    step, 3 = stay. Prologue groups 0-2, a loop over groups 3..R-2 (count R - 4), epilogue
    groups R-1..R+1: needs R >= 4 rows."""
    e = Emitter()
    e.raw(WORKER_PREAMBLE.format(f2="0 (stay)").rstrip("\n"))
    e.offset = 17 * 4

    def amp(j):
        x = "$a0" if j % 2 == 0 else "$a1"
        return f"{form.mnemonic} $a4:5, {x}, $a2:3, TAMP_F32_E4_P{j % 8}"

    def main(k, g):
        q = k % 8
        if g == 0 or g == "R+1" or q % 2 == 0:
            xs = 3
        elif q == 7:
            xs = 3 if g == "R" else 1
        else:
            xs = 0
        ps = 3 if (g in ("R", "R+1") or (g == "R-1" and q == 7)) else 0
        if k < 18 and g in (0, 1, 2):
            return f"ld2x64pace $a0:1, $a2:3, $m0:1+=, $m2, 0b{ps:02b}{xs:02b}"
        outs = 2 if (k - 2) % 8 == 7 else 0
        return f"ld2xst64pace $a0:3, $a4:5, $m0:1+=, $m2, 0b{outs:02b}{ps:02b}{xs:02b}"

    row_pipeline(e, 8, main, amp)
    e.bundle("st64pace $a4:5, $m0:1+=, $m2, 0b00", amp(7))
    e.one("st64pace $a4:5, $m0:1+=, $m2, 0b10")
    e.one("exitz   $mzero")
    return e.text()


def reduce_worker(form, ks):
    """Sums ks partial blocks in order, 8 bytes at a time: out = ((p0 + p1) + p2) + ..."""
    add = "f16v4add" if form.part_dtype == "half" else "f32v2add"
    ptrs = [f"$m{r}" for r in (4, 5, 6, 7, 8, 9, 10, 11)][:ks]
    e = Emitter()
    e.raw(f"""
// Vertex (words): 0 out, 1 vectors of 8 bytes - 1, 2.. the {ks} partial blocks in summation order.
  .section .text.reduce_worker, "ax"
  .worker
  .align 8
  .globl reduce_worker
reduce_worker:""")
    e.one("ld32    $m0, $mvertex_base, 0")
    e.one("ld32    $m1, $mvertex_base, 1")
    for n, r in enumerate(ptrs):
        e.one(f"ld32    {r}, $mvertex_base, {2 + n}")
    e.one("setzi   $m3, 0")
    if e.offset % 8:
        e.one("nop")
    e.raw(".Lsum:")
    e.one(f"ld64    $a0:1, {ptrs[0]}, $m3, 0")
    e.one(f"ld64    $a2:3, {ptrs[1]}, $m3, 0")
    for r in ptrs[2:]:
        e.bundle(f"ld64    $a2:3, {r}, $m3, 0", f"{add} $a0:1, $a0:1, $a2:3")
    e.one(f"{add} $a0:1, $a0:1, $a2:3")
    e.one("st64    $a0:1, $m0, $m3, 0")
    e.one("add     $m3, $m3, 8")
    e.one("brnzdec $m1, .Lsum")
    e.one("exitz   $mzero")
    return e.text()


def codelets(form, grid):
    head = (f"// Generated by scripts/gen-matmul: {form.name} matmul with {form.mnemonic}; per tile "
            f"{grid.mt} x {grid.nt} of C over K {grid.kt}.\n#include \"poplar/TileConstants.hpp\"\n\n")
    worker = {"wide": wide_worker, "narrow": narrow_worker, "f32": f32_worker}[form.worker]
    text = head + supervisor(form, grid) + worker(form)
    if grid.ks > 1:
        text += reduce_worker(form, grid.ks)
    return text
