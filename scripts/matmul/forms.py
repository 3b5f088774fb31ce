"""The AMP instruction a matmul uses, by data type and AMP sets (docs/model.md, "The AMP")."""


class Form:
    def __init__(self, name, mnemonic, sets, ocb, icb, in_dtype, in_bytes, part_dtype, part_bytes, macs,
                 needs_arch=0):
        self.name = name            # the --dtype value
        self.mnemonic = mnemonic
        self.sets = sets            # AMP sets the instruction uses
        self.ocb = ocb              # output channels per weight block
        self.icb = icb              # input channels per weight block (four phases)
        self.in_dtype = in_dtype    # A and B in the run file
        self.in_bytes = in_bytes
        self.part_dtype = part_dtype  # partial sums and C
        self.part_bytes = part_bytes
        self.macs = macs            # multiply-accumulates per instruction
        self.needs_arch = needs_arch

    @property
    def prow(self):
        """Bytes of one row's partial sums (or results) for one weight block."""
        return self.ocb * self.part_bytes

    @property
    def phases(self):
        """Instructions per row per weight block."""
        return 8 if self.in_dtype == "float" else 4

    @property
    def worker(self):
        """The worker loop: 'wide' (4 phases, 8 bytes of partials in and out per instruction),
        'narrow' (4 phases, 4 bytes) or 'f32' (8 phases, one float in, 8 bytes of partials)."""
        if self.in_dtype == "float":
            return "f32"
        return "wide" if self.prow == 32 else "narrow"

    def weight_slots(self):
        """ld128putcs slots in the order the AMP-ordered weights are stored: output channel by
        output channel, two 128-bit loads each (words 0-1, 2-3 of one conv unit). With two sets,
        channels 4p..4p+3 are units 2p, 2p+1 of set 0 then of set 1; with one, channel u is unit u."""
        if self.in_dtype == "float":  # phase p carries channels 2p, 2p+1: set p % 2, units 2(p/2), +1
            units = [(p % 2, 2 * (p // 2) + k) for p in range(8) for k in range(2)]
        elif self.sets == 2:
            units = []
            for pair in range(4):
                units += [(0, 2 * pair), (0, 2 * pair + 1), (1, 2 * pair), (1, 2 * pair + 1)]
        else:
            units = [(0, u) for u in range(8)]
        return [32 * s + 4 * u + w for s, u in units for w in (0, 2)]


def choose_form(dtype, amp_sets, arch_version):
    if dtype == "half":
        if amp_sets >= 2:
            return Form("half", "f16v4hihov4amp", 2, 16, 16, "half", 2, "half", 2, 64)
        return Form("half", "f16v4hihoamp", 1, 8, 16, "half", 2, "half", 2, 32)
    if dtype == "half-float":
        return Form("half-float", "f16v4sisoamp", 1, 8, 16, "half", 2, "float", 4, 32)
    if dtype == "float":
        if amp_sets < 2:
            raise SystemExit("gen-matmul: --dtype float uses f32sisov2amp, which needs two AMP sets")
        return Form("float", "f32sisov2amp", 2, 16, 8, "float", 4, "float", 4, 16)
    if dtype == "fp8":
        if arch_version < 21 or amp_sets < 2:
            raise SystemExit("gen-matmul: --dtype fp8 needs the C600 (arch_version 21, two AMP sets): --machine c600")
        return Form("fp8", "f8v8hihov4amp", 2, 16, 32, "fp8_143", 1, "half", 2, 128, needs_arch=21)
    raise SystemExit(f"gen-matmul: unknown --dtype '{dtype}' (half, half-float, float, fp8)")
