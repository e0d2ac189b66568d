#version 450
// Mesa V3DV (25.0.7, V3D 4.2 and 7.1): vkCreateComputePipelines never
// returns on this shader. v3d_optimize_nir's loop reports progress forever:
// `a` is set in the first if (live), used only in the second one, after a
// barrier(); nir_opt_if (opt_if_phi_src_unused) turns the phi's unused
// "else" source into undef, nir_lower_undef_to_zero turns that back into a
// 0, nir_opt_cse merges the 0 with another one, and round it goes.
// tests/v3d/v3d-check.sh compiles it with the loop bounded
// (patches/0002) and reports whether it still reproduces.
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer Buf { uint data[]; };
shared uint tmp[64];

void main() {
  uint i = gl_LocalInvocationID.x;
  bool live = i < data[0];
  uint a = 0u, b = 0u;
  if (live) {
    a = data[i + 1u];
    b = data[a];
    tmp[i] = a;
  }
  barrier();
  if (live) data[i + 65u] = a + b + tmp[63u - i];
}
