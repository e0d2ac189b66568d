#version 450
// SPDX-License-Identifier: MIT
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer B { uint d[]; } bufs[4];
layout(push_constant) uniform P { uint which; } pc;
void main() { bufs[pc.which].d[gl_GlobalInvocationID.x] += 1u; }
