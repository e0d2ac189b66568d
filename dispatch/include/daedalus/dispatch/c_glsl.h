/* SPDX-License-Identifier: MIT */
/*
 * The few macros that let one header be read by C, C++ and GLSL (glslang
 * with GL_GOOGLE_include_directive), so that the host and the shaders take
 * enums, record layouts and push constants from one place instead of two
 * copies that can drift apart (tests/unit/vulkan/interface_test.cpp checks
 * the compiled SPIR-V against the C++ side).
 *
 * In such a header: DD_U32 for a 32-bit unsigned field, DD_ENUM /
 * DD_VALUE / DD_ENUM_END for an enum (a C enum; `const int` in GLSL, whose
 * arithmetic on the shaders' side is all 32-bit int), plain #define for
 * other constants, and struct declarations without the C `struct` keyword
 * on member types (C++ and GLSL only).
 */
#ifndef DAEDALUS_DISPATCH_C_GLSL_H
#define DAEDALUS_DISPATCH_C_GLSL_H

#if defined(__cplusplus) || defined(__STDC__)
#include <stdint.h>
#define DD_GLSL 0
#define DD_U32 uint32_t
#define DD_ENUM(name) enum name {
#define DD_VALUE(name, value) name = (value),
#define DD_ENUM_END };
#else
#define DD_GLSL 1
#define DD_U32 uint
#define DD_ENUM(name)
#define DD_VALUE(name, value) const int name = (value);
#define DD_ENUM_END
#endif

#endif /* DAEDALUS_DISPATCH_C_GLSL_H */
