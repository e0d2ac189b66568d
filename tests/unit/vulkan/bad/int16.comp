#version 450
// SPDX-License-Identifier: MIT
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer B { uint d[]; };
void main() { int16_t v = int16_t(d[gl_GlobalInvocationID.x]); v = v * int16_t(3); d[gl_GlobalInvocationID.x] = uint(v); }
