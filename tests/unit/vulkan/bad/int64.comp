#version 450
// SPDX-License-Identifier: MIT
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer B { uint d[]; };
void main() { int64_t v = int64_t(d[gl_GlobalInvocationID.x]) * 3000000000l; d[gl_GlobalInvocationID.x] = uint(v >> 20); }
