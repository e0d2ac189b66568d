#version 450
// SPDX-License-Identifier: MIT
#extension GL_EXT_shader_8bit_storage : require
layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) buffer B { uint8_t d[]; };
shared uint tile[4096];
void main() { uint i = gl_LocalInvocationIndex; tile[i] = uint(d[i]); barrier(); d[i] = uint8_t(tile[255u - i]); }
