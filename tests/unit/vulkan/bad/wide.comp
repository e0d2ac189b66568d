#version 450
// SPDX-License-Identifier: MIT
layout(local_size_x = 512) in;
layout(std430, binding = 0) buffer B { uint d[]; };
void main() { d[gl_GlobalInvocationID.x] += 1u; }
