#version 450
// SPDX-License-Identifier: MIT
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer B { uint d[]; };
layout(push_constant) uniform P { uint off[3]; } pc;
void main() { d[gl_GlobalInvocationID.x] = pc.off[gl_GlobalInvocationID.x % 3u]; }
