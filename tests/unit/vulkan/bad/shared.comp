#version 450
// SPDX-License-Identifier: MIT
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer B { uint d[]; };
shared uint big[5000];
void main() { big[gl_LocalInvocationID.x] = d[gl_GlobalInvocationID.x]; barrier(); d[gl_GlobalInvocationID.x] = big[63u - gl_LocalInvocationID.x]; }
