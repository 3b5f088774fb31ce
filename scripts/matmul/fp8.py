"""FP8 1.4.3 codes for the generator's data: decoding (exact) and encoding of exact values
(sim/numeric/fp8.hpp is the reference implementation; this only needs values that are exact)."""
import numpy as np


def decode_143(codes):
    c = np.asarray(codes, dtype=np.uint8).astype(np.int64)
    sign = np.where(c & 0x80, -1.0, 1.0)
    e = (c >> 3) & 0xF
    f = c & 0x7
    mag = np.where(e == 0, f * 2.0 ** (1 - 8 - 3), (8 + f) * 2.0 ** (e.astype(np.float64) - 8 - 3))
    v = sign * mag
    return np.where(c == 0x80, np.nan, v)


def encode_143(values):
    """Codes of values that 1.4.3 holds exactly (checked)."""
    table = {}
    for code in range(256):
        if code == 0x80:
            continue
        v = float(decode_143([code])[0])
        if v not in table or code < table[v]:
            table[v] = code
    flat = np.asarray(values, dtype=np.float64)
    uniq, inverse = np.unique(flat, return_inverse=True)
    codes = []
    for v in uniq:
        if float(v) not in table:
            raise ValueError(f"{v} is not exact in FP8 1.4.3")
        codes.append(table[float(v)])
    return np.array(codes, dtype=np.uint8)[inverse].reshape(flat.shape)
