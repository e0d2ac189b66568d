// SPDX-License-Identifier: MIT
// The host/shader interface, compiled twice: the C++ side (the backend's
// kPipelineSpecs, its push structs as C++ lays them out) against the SPIR-V
// the build embeds (each module's push-constant block and descriptor
// bindings), field by field. Both come from daedalus/shader_interface.h;
// this catches a shader that declares its own block, a struct whose C++
// and std430 layouts differ, a pipeline paired with the wrong struct or
// buffer count, and a stale module.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <string>
#include <vector>

#include "daedalus/shaders.h"
#include "spirv_reflect.h"
#include "vk_interface.h"

namespace daedalus::dispatch::vk {
namespace {

using test::SpirvBinding;
using test::SpirvMember;

// Differences between the C++ fields and the SPIR-V members of one struct
// level, then of each nested struct; `where` names the level.
void compare_fields(std::span<const PushField> cpp, const std::vector<SpirvMember>& spv, const std::string& where,
                    std::vector<std::string>& diffs) {
  if (cpp.size() != spv.size())
    diffs.push_back(fmt::format("{}: {} members in C++, {} in SPIR-V", where, cpp.size(), spv.size()));
  for (size_t i = 0; i < std::min(cpp.size(), spv.size()); ++i) {
    const PushField& c = cpp[i];
    const SpirvMember& s = spv[i];
    const std::string at = fmt::format("{}.{}", where, c.name);
    // Names only where the module kept them (spirv-opt may drop them).
    if (!s.name.empty() && s.name != c.name)
      diffs.push_back(fmt::format("{}: member {} is '{}' in SPIR-V", at, i, s.name));
    if (s.type != c.type) diffs.push_back(fmt::format("{}: {} in C++, {} in SPIR-V", at, c.type, s.type));
    if (c.offset != s.offset) diffs.push_back(fmt::format("{}: offset {} in C++, {} in SPIR-V", at, c.offset, s.offset));
    if (c.size != s.size) diffs.push_back(fmt::format("{}: size {} in C++, {} in SPIR-V", at, c.size, s.size));
    compare_fields(c.members, s.members, at, diffs);
  }
}

std::vector<std::string> compare_push(const PipelineSpec& spec, const std::optional<SpirvMember>& block) {
  std::vector<std::string> diffs;
  if (!block) {
    if (spec.push_size) diffs.push_back(fmt::format("{}: no push-constant block in SPIR-V", spec.module));
    return diffs;
  }
  // The convention of shader_interface.h: one member, the struct, at 0.
  if (block->members.size() != 1) {
    diffs.push_back(fmt::format("{}: push-constant block with {} members, not one dd_*_push struct", spec.module,
                                block->members.size()));
    return diffs;
  }
  const SpirvMember& pc = block->members[0];
  if (pc.offset != 0) diffs.push_back(fmt::format("{}: push struct at offset {}", spec.module, pc.offset));
  if (block->size != spec.push_size)
    diffs.push_back(fmt::format("{}: push constants {} bytes in C++, {} in SPIR-V", spec.module, spec.push_size,
                                block->size));
  compare_fields(spec.push_fields, pc.members, spec.module, diffs);
  return diffs;
}

std::vector<std::string> compare_bindings(const PipelineSpec& spec, std::vector<SpirvBinding> bindings) {
  std::vector<std::string> diffs;
  for (const SpirvBinding& b : bindings)
    if (!b.storage_buffer || b.array)
      diffs.push_back(fmt::format("{}: binding {} is not a single storage buffer", spec.module, b.binding));
  // Several views of one buffer (words and bytes, say) are one descriptor
  // the backend writes.
  const auto at = [](const SpirvBinding& b) { return std::pair(b.set, b.binding); };
  std::sort(bindings.begin(), bindings.end(), [&](const SpirvBinding& a, const SpirvBinding& b) { return at(a) < at(b); });
  bindings.erase(std::unique(bindings.begin(), bindings.end(),
                             [&](const SpirvBinding& a, const SpirvBinding& b) { return at(a) == at(b); }),
                 bindings.end());
  if (bindings.size() != spec.num_buffers)
    diffs.push_back(fmt::format("{}: {} storage buffers in C++, {} descriptors in SPIR-V", spec.module,
                                spec.num_buffers, bindings.size()));
  for (size_t i = 0; i < bindings.size(); ++i) {
    const SpirvBinding& b = bindings[i];
    if (b.set != 0 || b.binding != i)
      diffs.push_back(fmt::format("{}: descriptor {} at set {} binding {}, the backend writes set 0 binding {}",
                                  spec.module, i, b.set, b.binding, i));
  }
  return diffs;
}

std::vector<std::string> compare(const PipelineSpec& spec, const shaders::Module& m) {
  const test::SpirvInterface spv = test::reflect_spirv({m.words, m.num_words});
  if (!spv.error.empty()) return {fmt::format("{}: {}", spec.module, spv.error)};
  std::vector<std::string> diffs = compare_push(spec, spv.push);
  const uint32_t invocations = spv.local_size[0] * spv.local_size[1] * spv.local_size[2];
  if (invocations != spec.invocations)
    diffs.push_back(fmt::format("{}: {} invocations per workgroup in C++, {} in SPIR-V", spec.module,
                                spec.invocations, invocations));
  for (std::string& d : compare_bindings(spec, spv.bindings)) diffs.push_back(std::move(d));
  return diffs;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += x + "\n";
  return s;
}

TEST(ShaderInterface, EveryPipelineMatchesItsModuleFieldByField) {
  for (const PipelineSpec& spec : kPipelineSpecs) {
    SCOPED_TRACE(spec.module);
    const shaders::Module* m = shaders::find_module(spec.module);
    ASSERT_NE(m, nullptr) << spec.module << " is not embedded";
    const std::vector<std::string> diffs = compare(spec, *m);
    EXPECT_TRUE(diffs.empty()) << joined(diffs);
  }
}

TEST(ShaderInterface, EveryEmbeddedModuleIsAPipeline) {
  for (const shaders::Module& m : shaders::all_modules()) {
    const bool used = std::any_of(std::begin(kPipelineSpecs), std::end(kPipelineSpecs),
                                  [&](const PipelineSpec& s) { return std::string_view(s.module) == m.name; });
    EXPECT_TRUE(used) << m.name << " is embedded but no pipeline uses it";
  }
}

// The comparison itself can fail: a push struct paired with another
// pipeline's module, two fields swapped, a field's size changed, a buffer
// too few, another workgroup size.
TEST(ShaderInterface, ComparisonFindsAMismatch) {
  const PipelineSpec& intra = kPipelineSpecs[kIntraRecon];
  const shaders::Module* m = shaders::find_module(intra.module);
  ASSERT_NE(m, nullptr);
  ASSERT_TRUE(compare(intra, *m).empty());

  PipelineSpec wrong_struct = intra;
  wrong_struct.push_size = kPipelineSpecs[kAddResidual].push_size;
  wrong_struct.push_fields = kPipelineSpecs[kAddResidual].push_fields;
  EXPECT_FALSE(compare(wrong_struct, *m).empty());

  std::vector<PushField> swapped(intra.push_fields.begin(), intra.push_fields.end());
  std::swap(swapped[0].offset, swapped[1].offset);
  PipelineSpec swapped_spec = intra;
  swapped_spec.push_fields = swapped;
  EXPECT_FALSE(compare(swapped_spec, *m).empty());

  std::vector<PushField> resized(intra.push_fields.begin(), intra.push_fields.end());
  std::vector<PushField> planes(resized[2].members.begin(), resized[2].members.end());
  planes[1].size = 8;  // stride[2] instead of stride[3]
  resized[2].members = planes;
  PipelineSpec resized_spec = intra;
  resized_spec.push_fields = resized;
  EXPECT_FALSE(compare(resized_spec, *m).empty());

  PipelineSpec fewer_buffers = intra;
  fewer_buffers.num_buffers--;
  EXPECT_FALSE(compare(fewer_buffers, *m).empty());

  PipelineSpec other_size = intra;
  other_size.invocations *= 2;
  EXPECT_FALSE(compare(other_size, *m).empty());
}

}  // namespace
}  // namespace daedalus::dispatch::vk
