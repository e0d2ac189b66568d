#version 450
// SPDX-License-Identifier: MIT
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer B { uint d[]; };
void main() { double v = double(d[gl_GlobalInvocationID.x]) * 1.5lf; d[gl_GlobalInvocationID.x] = uint(v); }
