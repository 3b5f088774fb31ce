// Transcendental functions: f32exp/exp2/ln/log2/sigm/tanh/oox/oorx and the
// f16v2 forms. The IPU's accuracy is not public: ipusim evaluates the exact
// function in long double and rounds once (sim/numeric/float32.hpp), so the
// results are correctly rounded but for astronomically rare cases
// (docs/isa.md). fp16 results follow $FP_CTL.ESR and NANOO like every fp16
// result; IEEE special cases raise invalid (ln of a negative number), divide
// by zero (ln 0, 1/0) and overflow (exp of a large number).
#include <cmath>

#include "models/tile/fp_env.hpp"
#include "models/tile/semantics.hpp"

namespace ipusim::tile {

namespace {

void f32_unary(TileCore &t, Context &c, const isa::Instruction &i, Transcendental fn) {
  FpEnv env(t, c);
  const uint32_t r = f32_transcendental(fn, aval(c, i, 1), env.flags());
  env.commit();
  t.write_a(c, reg(i, 0), r);
}

uint16_t f16_lane(FpEnv &env, Transcendental fn, uint16_t x) {
  const double v = f16_transcendental_value(fn, x, env.flags());
  if (std::isnan(v)) return kF16CanonicalNaN;
  return env.f16_from_double(v);
}

void f16v2_unary(TileCore &t, Context &c, const isa::Instruction &i, Transcendental fn) {
  FpEnv env(t, c);
  const uint32_t v = aval(c, i, 1);
  const uint16_t l = f16_lane(env, fn, static_cast<uint16_t>(v));
  const uint16_t h = f16_lane(env, fn, static_cast<uint16_t>(v >> 16));
  env.commit();
  t.write_a(c, reg(i, 0), l | (static_cast<uint32_t>(h) << 16));
}

} // namespace

IPUSIM_EXEC(F32EXP) { f32_unary(t, c, i, Transcendental::exp); }
IPUSIM_EXEC(F32EXP2) { f32_unary(t, c, i, Transcendental::exp2); }
IPUSIM_EXEC(F32LN) { f32_unary(t, c, i, Transcendental::ln); }
IPUSIM_EXEC(F32LOG2) { f32_unary(t, c, i, Transcendental::log2); }
IPUSIM_EXEC(F32SIGM) { f32_unary(t, c, i, Transcendental::sigm); }
IPUSIM_EXEC(F32TANH) { f32_unary(t, c, i, Transcendental::tanh); }
IPUSIM_EXEC(F32OOX) { f32_unary(t, c, i, Transcendental::oox); }
IPUSIM_EXEC(F32OORX) { f32_unary(t, c, i, Transcendental::oorx); }
IPUSIM_EXEC(F16V2EXP) { f16v2_unary(t, c, i, Transcendental::exp); }
IPUSIM_EXEC(F16V2EXP2) { f16v2_unary(t, c, i, Transcendental::exp2); }
IPUSIM_EXEC(F16V2LN) { f16v2_unary(t, c, i, Transcendental::ln); }
IPUSIM_EXEC(F16V2LOG2) { f16v2_unary(t, c, i, Transcendental::log2); }
IPUSIM_EXEC(F16V2SIGM) { f16v2_unary(t, c, i, Transcendental::sigm); }
IPUSIM_EXEC(F16V2TANH) { f16v2_unary(t, c, i, Transcendental::tanh); }

} // namespace ipusim::tile
