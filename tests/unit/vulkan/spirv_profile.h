// SPDX-License-Identifier: MIT
// Checks a SPIR-V compute module against what Mesa V3DV (Raspberry Pi 5)
// can run: no Int8/Int16/Int64/Float16/Float64 capabilities, no arrays of
// descriptors, at most 256 invocations per workgroup and at most 16 KiB of
// workgroup (shared) memory, at most 8 storage buffers, no dynamic indexing into push constants (drivers
// may turn that into memory loads). Parses the words directly.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace daedalus::test {

inline std::vector<std::string> v3dv_profile_violations(std::span<const uint32_t> w) {
  std::vector<std::string> out;
  if (w.size() < 5 || w[0] != 0x07230203u) {
    out.push_back("not a SPIR-V module");
    return out;
  }
  enum : uint32_t {
    OpExecutionMode = 16, OpCapability = 17, OpTypeBool = 20, OpTypeInt = 21, OpTypeFloat = 22,
    OpTypeVector = 23, OpTypeMatrix = 24, OpTypeImage = 25, OpTypeSampler = 26, OpTypeSampledImage = 27,
    OpTypeArray = 28, OpTypeRuntimeArray = 29, OpTypeStruct = 30, OpTypePointer = 32, OpConstant = 43,
    OpVariable = 59, OpAccessChain = 65, OpInBoundsAccessChain = 66, OpSpecConstant = 50, OpExecutionModeId = 331,
  };
  enum : uint32_t { kUniformConstant = 0, kUniform = 2, kWorkgroup = 4, kPushConstant = 9, kStorageBuffer = 12 };
  const std::map<uint32_t, const char*> banned_caps = {
      {9, "Float16"}, {10, "Float64"}, {11, "Int64"}, {12, "Int64Atomics"}, {22, "Int16"}, {39, "Int8"}};

  struct Type {
    uint32_t op = 0;
    std::vector<uint32_t> args;
  };
  std::map<uint32_t, Type> types;
  std::map<uint32_t, uint32_t> constants;  // id -> 32-bit value
  struct Var {
    uint32_t id, ptr_type, storage;
  };
  std::vector<Var> vars;
  std::map<uint32_t, uint32_t> var_storage;  // variable id -> storage class
  std::vector<std::vector<uint32_t>> chains;  // access chains: base, indexes...

  for (size_t i = 5; i < w.size();) {
    uint32_t op = w[i] & 0xffff, n = w[i] >> 16;
    if (n == 0 || i + n > w.size()) {
      out.push_back("malformed instruction stream");
      return out;
    }
    const uint32_t* a = &w[i + 1];
    uint32_t na = n - 1;
    switch (op) {
      case OpCapability:
        if (auto it = banned_caps.find(a[0]); it != banned_caps.end())
          out.push_back(std::string("declares capability ") + it->second);
        break;
      case OpExecutionMode:
        if (na >= 5 && a[1] == 17 /* LocalSize */) {
          uint64_t inv = uint64_t(a[2]) * a[3] * a[4];
          if (inv > 256) out.push_back("LocalSize of " + std::to_string(inv) + " invocations (max 256)");
        }
        break;
      case OpExecutionModeId:
        if (na >= 2 && a[1] == 38 /* LocalSizeId */) out.push_back("LocalSizeId (cannot verify <= 256)");
        break;
      case OpTypeBool: case OpTypeInt: case OpTypeFloat: case OpTypeVector: case OpTypeMatrix:
      case OpTypeImage: case OpTypeSampler: case OpTypeSampledImage: case OpTypeArray:
      case OpTypeRuntimeArray: case OpTypeStruct: case OpTypePointer:
        types[a[0]] = Type{op, std::vector<uint32_t>(a + 1, a + na)};
        break;
      case OpConstant:
      case OpSpecConstant:
        if (na >= 3) constants[a[1]] = a[2];
        break;
      case OpVariable:
        if (na >= 3) {
          vars.push_back({a[1], a[0], a[2]});
          var_storage[a[1]] = a[2];
        }
        break;
      case OpAccessChain:
      case OpInBoundsAccessChain:
        if (na >= 3) chains.emplace_back(a + 2, a + na);
        break;
      default:
        break;
    }
    i += n;
  }

  // Byte size of a type (natural alignment, enough for a bound check).
  std::function<uint64_t(uint32_t, int)> size_of = [&](uint32_t id, int depth) -> uint64_t {
    auto it = types.find(id);
    if (it == types.end() || depth > 32) return 0;
    const Type& t = it->second;
    switch (t.op) {
      case OpTypeBool: return 4;
      case OpTypeInt: case OpTypeFloat: return t.args[0] / 8;
      case OpTypeVector: case OpTypeMatrix: return size_of(t.args[0], depth + 1) * t.args[1];
      case OpTypeArray: {
        auto c = constants.find(t.args[1]);
        return size_of(t.args[0], depth + 1) * (c == constants.end() ? 0 : c->second);
      }
      case OpTypeStruct: {
        uint64_t s = 0;
        for (uint32_t m : t.args) s += size_of(m, depth + 1);
        return s;
      }
      default: return 0;
    }
  };

  uint64_t shared = 0;
  int storage_buffers = 0;
  for (const Var& v : vars) {
    if (v.storage == kStorageBuffer) storage_buffers++;
    auto pt = types.find(v.ptr_type);
    if (pt == types.end() || pt->second.op != OpTypePointer || pt->second.args.size() < 2) continue;
    uint32_t pointee = pt->second.args[1];
    if (v.storage == kWorkgroup) shared += size_of(pointee, 0);
    if (v.storage == kStorageBuffer || v.storage == kUniform || v.storage == kUniformConstant) {
      auto t = types.find(pointee);
      if (t != types.end() && (t->second.op == OpTypeArray || t->second.op == OpTypeRuntimeArray))
        out.push_back("array of descriptors (variable %" + std::to_string(v.id) + ")");
    }
  }
  for (const auto& c : chains) {
    auto it = var_storage.find(c[0]);
    if (it == var_storage.end() || it->second != kPushConstant) continue;
    for (size_t k = 1; k < c.size(); ++k)
      if (!constants.count(c[k])) {
        out.push_back("dynamic index into push constants");
        break;
      }
  }
  // A conservative bound, below the per-stage storage buffer limit of V3DV.
  if (storage_buffers > 8) out.push_back(std::to_string(storage_buffers) + " storage buffers (max 8)");
  if (shared > 16384) out.push_back("workgroup memory of " + std::to_string(shared) + " bytes (max 16384)");
  return out;
}

}  // namespace daedalus::test
