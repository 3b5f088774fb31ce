"""Machine presets as the generator needs them, read from configs/machines (following `base:`)."""
import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _merge(base, over):
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_machine(name):
    path = name if os.path.isfile(name) else os.path.join(ROOT, "configs", "machines", name + ".yaml")
    if not os.path.isfile(path):
        raise SystemExit(f"gen-matmul: no machine preset '{name}' (configs/machines/{name}.yaml)")
    with open(path) as f:
        m = yaml.safe_load(f)
    if "base" in m:
        m = _merge(load_machine(os.path.join(os.path.dirname(path), m.pop("base"))), m)
    return m


class Machine:
    """The few parameters the partition depends on."""

    def __init__(self, name, amp_sets=None, tiles=None):
        m = load_machine(name)
        self.name = name
        self.tiles = int(m["chip"]["tiles"])
        sram = m["tile"]["sram"]
        self.sram_bytes = int(sram["size_bytes"])
        base = int(sram.get("base_address", 0x40000))
        self.interleaved_bytes = base + self.sram_bytes - int(sram["interleaved_base"])
        self.amp_sets = int(amp_sets if amp_sets is not None else m["tile"]["amp_sets"])
        self.arch_version = int(m["arch_version"])
        self.clock_hz = float(m["clock_hz"])
        self.exchange_bytes_per_cycle = float(m["chip"]["exchange"]["bytes_per_cycle"])
        self.chip_tiles = self.tiles
        if tiles is not None:
            if tiles > self.tiles:
                raise SystemExit(f"gen-matmul: --tiles {tiles} is more than {name}'s {self.tiles}")
            self.tiles = tiles

    def peak_flops(self, form):
        """The form's peak over the whole chip (every tile, one instruction per cycle)."""
        return 2 * form.macs * self.chip_tiles * self.clock_hz
