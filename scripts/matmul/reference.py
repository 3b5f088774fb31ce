"""What the AMP model computes for C = A . B (docs/model.md, "The AMP"), on the host, with numpy.
Per weight block of input channels the partial sum widens to fp32, each of the four phases adds
a pairwise sum of exact fp32 products, and the sum is rounded to the partial type; K slices are
then summed in slice order, each addition rounded to the partial type."""
import numpy as np

from . import fp8


def _phase_sum(x, w):
    """x: (m, c) fp32, w: (c, n) fp32 with c = 4 or 8 -> (m, n): the pairwise tree of products."""
    p = [x[:, None, k] * w[k][None, :] for k in range(x.shape[1])]  # exact in fp32
    s = [p[2 * i] + p[2 * i + 1] for i in range(len(p) // 2)]
    while len(s) > 1:
        s = [s[2 * i] + s[2 * i + 1] for i in range(len(s) // 2)]
    return s[0]


def slice_partials_f32(a, b, form):
    """fp32 forms: per phase one product, rounded to fp32, added to the running sum."""
    m, kt = a.shape
    n = b.shape[1]
    out = np.zeros((m, n), dtype=np.float32)
    for c0 in range(0, n, 2048):
        cols = slice(c0, min(n, c0 + 2048))
        acc = np.zeros((m, cols.stop - c0), dtype=np.float32)
        for ic in range(kt):
            acc = acc + a[:, ic:ic + 1] * b[ic:ic + 1, cols]
        out[:, cols] = acc
    return out


def slice_partials(a, b, form, scale_exp=0):
    """One K slice from zero partials: a (m, kt), b (kt, n) as exact fp32 values."""
    if form.in_dtype == "float":
        return slice_partials_f32(a, b, form)
    m, kt = a.shape
    n = b.shape[1]
    part = np.float16 if form.part_dtype == "half" else np.float32
    per_phase = form.icb // 4
    scale = np.float32(2.0 ** scale_exp)
    out = np.zeros((m, n), dtype=part)
    for c0 in range(0, n, 2048):
        cols = slice(c0, min(n, c0 + 2048))
        partial = np.zeros((m, cols.stop - c0), dtype=part)
        for kb in range(kt // form.icb):
            acc = partial.astype(np.float32)
            for p in range(4):
                ic = form.icb * kb + per_phase * p
                s = _phase_sum(a[:, ic:ic + per_phase] * scale, b[ic:ic + per_phase, cols])
                acc = acc + s
            partial = acc.astype(part)
        out[:, cols] = partial
    return out


def reduce_slices(partials, form):
    if form.part_dtype == "half":
        acc = partials[0]
        for p in partials[1:]:
            acc = (acc.astype(np.float64) + p.astype(np.float64)).astype(np.float16)  # exact, rounded once
        return acc
    acc = partials[0]
    for p in partials[1:]:
        acc = acc + p
    return acc


def matmul(a_values, b_values, form, ks, scale_exp=0):
    """C as the generated program computes it; a_values, b_values are exact float32 values."""
    kt = a_values.shape[1] // ks
    parts = [slice_partials(a_values[:, l * kt:(l + 1) * kt], b_values[l * kt:(l + 1) * kt], form, scale_exp)
             for l in range(ks)]
    return reduce_slices(parts, form)
