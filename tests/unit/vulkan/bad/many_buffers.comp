#version 450
// SPDX-License-Identifier: MIT
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer B0 { uint d0[]; };
layout(std430, binding = 1) buffer B1 { uint d1[]; };
layout(std430, binding = 2) buffer B2 { uint d2[]; };
layout(std430, binding = 3) buffer B3 { uint d3[]; };
layout(std430, binding = 4) buffer B4 { uint d4[]; };
layout(std430, binding = 5) buffer B5 { uint d5[]; };
layout(std430, binding = 6) buffer B6 { uint d6[]; };
layout(std430, binding = 7) buffer B7 { uint d7[]; };
layout(std430, binding = 8) buffer B8 { uint d8[]; };
void main() {
  uint i = gl_GlobalInvocationID.x;
  d0[i] = d1[i] + d2[i] + d3[i] + d4[i] + d5[i] + d6[i] + d7[i] + d8[i];
}
