// SPDX-License-Identifier: MIT
// Shared declarations of the daedalus compute shaders. V3DV has no
// shaderInt8/Int16: 8/16-bit values are only loaded/stored through
// 8/16-bit storage access and widened to 32-bit int for arithmetic.
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_16bit_storage : require

int clip_pixel(int v) { return clamp(v, 0, 255); }
