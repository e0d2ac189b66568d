// SPDX-License-Identifier: MIT
// What a compute module declares at its host interface, read from the
// SPIR-V words: the push-constant block's members (offsets, sizes, nested
// structs) and the descriptor bindings. Enough for
// interface_test.cpp to compare each pipeline with the backend's C++ side;
// not a general reflection library (SPIRV-Cross would be, and is not
// installed here).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace daedalus::test {

struct SpirvMember {
  std::string name;  // empty when the module has no debug names
  std::string type;  // "uint", "int", "uint[3]", "struct NAME" (32-bit scalars; others "?")
  uint32_t offset = 0, size = 0;
  std::vector<SpirvMember> members;  // of a struct member
};

struct SpirvBinding {
  uint32_t set = 0, binding = 0;
  bool storage_buffer = false;  // StorageBuffer, or Uniform + BufferBlock
  bool array = false;           // an array of descriptors
};

struct SpirvInterface {
  std::optional<SpirvMember> push;  // the block, its fields in members; size: the block's
  std::vector<SpirvBinding> bindings;
  uint32_t local_size[3] = {0, 0, 0};  // 0: not a literal LocalSize
  std::string error;  // set when the module could not be read
};

inline SpirvInterface reflect_spirv(std::span<const uint32_t> w) {
  SpirvInterface out;
  if (w.size() < 5 || w[0] != 0x07230203u) {
    out.error = "not a SPIR-V module";
    return out;
  }
  enum : uint32_t {
    OpName = 5, OpMemberName = 6, OpExecutionMode = 16, OpTypeInt = 21, OpTypeFloat = 22, OpTypeVector = 23, OpTypeArray = 28,
    OpTypeRuntimeArray = 29, OpTypeStruct = 30, OpTypePointer = 32, OpConstant = 43, OpVariable = 59,
    OpDecorate = 71, OpMemberDecorate = 72,
  };
  enum : uint32_t { kBufferBlock = 3, kArrayStride = 6, kBinding = 33, kDescriptorSet = 34, kOffset = 35 };
  enum : uint32_t { kUniformConstant = 0, kUniform = 2, kPushConstant = 9, kStorageBuffer = 12 };

  struct Type {
    uint32_t op = 0;
    std::vector<uint32_t> args;
  };
  std::map<uint32_t, Type> types;
  std::map<uint32_t, uint32_t> constants, array_stride, binding, set;
  std::map<uint32_t, bool> buffer_block;
  std::map<uint32_t, std::string> names;
  std::map<std::pair<uint32_t, uint32_t>, std::string> member_names;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> member_offset;
  struct Var {
    uint32_t id, ptr_type, storage;
  };
  std::vector<Var> vars;

  auto str = [&](const uint32_t* a, uint32_t na) {
    std::string s;
    for (uint32_t k = 0; k < na; ++k)
      for (int b = 0; b < 4; ++b) {
        const char c = char((a[k] >> (8 * b)) & 0xff);
        if (!c) return s;
        s += c;
      }
    return s;
  };
  for (size_t i = 5; i < w.size();) {
    const uint32_t op = w[i] & 0xffff, n = w[i] >> 16;
    if (n == 0 || i + n > w.size()) {
      out.error = "malformed instruction stream";
      return out;
    }
    const uint32_t* a = &w[i + 1];
    const uint32_t na = n - 1;
    switch (op) {
      case OpExecutionMode:
        if (na >= 5 && a[1] == 17 /* LocalSize */) std::copy(a + 2, a + 5, out.local_size);
        break;
      case OpName: if (na >= 2) names[a[0]] = str(a + 1, na - 1); break;
      case OpMemberName: if (na >= 3) member_names[{a[0], a[1]}] = str(a + 2, na - 2); break;
      case OpTypeInt: case OpTypeFloat: case OpTypeVector: case OpTypeArray: case OpTypeRuntimeArray:
      case OpTypeStruct: case OpTypePointer:
        if (na >= 1) types[a[0]] = Type{op, std::vector<uint32_t>(a + 1, a + na)};
        break;
      case OpConstant: if (na >= 3) constants[a[1]] = a[2]; break;
      case OpVariable: if (na >= 3) vars.push_back({a[1], a[0], a[2]}); break;
      case OpDecorate:
        if (na >= 3 && a[1] == kArrayStride) array_stride[a[0]] = a[2];
        if (na >= 3 && a[1] == kBinding) binding[a[0]] = a[2];
        if (na >= 3 && a[1] == kDescriptorSet) set[a[0]] = a[2];
        if (na >= 2 && a[1] == kBufferBlock) buffer_block[a[0]] = true;
        break;
      case OpMemberDecorate:
        if (na >= 4 && a[2] == kOffset) member_offset[{a[0], a[1]}] = a[3];
        break;
      default: break;
    }
    i += n;
  }

  auto type_name = [&](auto&& self, uint32_t id, int depth) -> std::string {
    auto it = types.find(id);
    if (it == types.end() || depth > 16) return "?";
    const Type& t = it->second;
    if (t.op == OpTypeInt && t.args.size() >= 2 && t.args[0] == 32) return t.args[1] ? "int" : "uint";
    if (t.op == OpTypeArray && t.args.size() >= 2) {
      auto len = constants.find(t.args[1]);
      return self(self, t.args[0], depth + 1) + "[" + (len == constants.end() ? "?" : std::to_string(len->second)) + "]";
    }
    if (t.op == OpTypeStruct) return "struct " + (names.count(id) ? names[id] : std::string("?"));
    return "?";
  };
  // Members of struct `id` with their explicit offsets; sizes as laid out
  // (arrays: length x ArrayStride; a struct: the end of its last member).
  auto size_of = [&](auto&& self, uint32_t id, int depth) -> uint32_t {
    auto it = types.find(id);
    if (it == types.end() || depth > 16) return 0;
    const Type& t = it->second;
    switch (t.op) {
      case OpTypeInt: case OpTypeFloat: return t.args.at(0) / 8;
      case OpTypeVector: return self(self, t.args.at(0), depth + 1) * t.args.at(1);
      case OpTypeArray: {
        auto len = constants.find(t.args.at(1));
        auto stride = array_stride.find(id);
        const uint32_t elem = stride != array_stride.end() ? stride->second : self(self, t.args.at(0), depth + 1);
        return len == constants.end() ? 0 : len->second * elem;
      }
      case OpTypeStruct: {
        uint32_t end = 0;
        for (uint32_t m = 0; m < t.args.size(); ++m) {
          auto off = member_offset.find({id, m});
          const uint32_t o = off == member_offset.end() ? 0 : off->second;
          end = std::max(end, o + self(self, t.args[m], depth + 1));
        }
        return end;
      }
      default: return 0;
    }
  };
  auto members_of = [&](auto&& self, uint32_t id, int depth) -> std::vector<SpirvMember> {
    std::vector<SpirvMember> ms;
    auto it = types.find(id);
    if (it == types.end() || it->second.op != OpTypeStruct || depth > 16) return ms;
    for (uint32_t m = 0; m < it->second.args.size(); ++m) {
      SpirvMember sm;
      const uint32_t type = it->second.args[m];
      if (auto nm = member_names.find({id, m}); nm != member_names.end()) sm.name = nm->second;
      if (auto off = member_offset.find({id, m}); off != member_offset.end()) sm.offset = off->second;
      sm.size = size_of(size_of, type, 0);
      sm.type = type_name(type_name, type, 0);
      sm.members = self(self, type, depth + 1);
      ms.push_back(std::move(sm));
    }
    return ms;
  };

  for (const Var& v : vars) {
    auto pt = types.find(v.ptr_type);
    if (pt == types.end() || pt->second.op != OpTypePointer || pt->second.args.size() < 2) continue;
    uint32_t pointee = pt->second.args[1];
    if (v.storage == kPushConstant) {
      SpirvMember block;
      if (auto nm = names.find(pointee); nm != names.end()) block.name = nm->second;
      block.size = size_of(size_of, pointee, 0);
      block.members = members_of(members_of, pointee, 0);
      if (out.push) out.error = "more than one push-constant block";
      out.push = std::move(block);
    } else if (v.storage == kStorageBuffer || v.storage == kUniform || v.storage == kUniformConstant) {
      SpirvBinding b;
      b.set = set.count(v.id) ? set[v.id] : 0;
      b.binding = binding.count(v.id) ? binding[v.id] : 0;
      auto t = types.find(pointee);
      b.array = t != types.end() && (t->second.op == OpTypeArray || t->second.op == OpTypeRuntimeArray);
      if (b.array) pointee = t->second.args.at(0);
      b.storage_buffer = v.storage == kStorageBuffer || (v.storage == kUniform && buffer_block.count(pointee));
      out.bindings.push_back(b);
    }
  }
  return out;
}

}  // namespace daedalus::test
