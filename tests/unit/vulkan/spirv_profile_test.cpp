// SPDX-License-Identifier: MIT
// Every embedded shader must fit the Raspberry Pi 5's V3DV profile; the
// checker itself must reject modules that do not (bad/*.comp).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "daedalus/shaders.h"
#include "spirv_profile.h"

namespace {

std::vector<uint32_t> load_spv(const std::string& name) {
  std::ifstream f(std::string(DAEDALUS_PROFILE_CASES) + "/" + name + ".spv", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<uint32_t> words(bytes.size() / 4);
  std::memcpy(words.data(), bytes.data(), words.size() * 4);
  return words;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += x + "; ";
  return s;
}

TEST(SpirvProfile, EveryEmbeddedShaderFitsV3dv) {
  auto modules = daedalus::shaders::all_modules();
  ASSERT_FALSE(modules.empty());
  for (const auto& m : modules) {
    auto v = daedalus::test::v3dv_profile_violations({m.words, m.num_words});
    EXPECT_TRUE(v.empty()) << m.name << ": " << join(v);
  }
}

TEST(SpirvProfile, EveryStageShaderIsEmbedded) {
  for (const char* name : {"pack_nv12", "pack_nv12_words_y", "pack_nv12_words_uv", "residual_4x4", "residual_8x8", "residual_16x16",
                           "residual_32x32", "inter_pred_copy", "inter_pred_h", "inter_pred_v", "inter_pred_hv",
                           "inter_pred_scaled", "add_residual", "intra_recon", "loop_filter", "loop_filter_masks"})
    EXPECT_NE(daedalus::shaders::find_module(name), nullptr) << name;
}

TEST(SpirvProfile, AcceptsAConformingModule) {
  auto w = load_spv("good");
  ASSERT_FALSE(w.empty());
  auto v = daedalus::test::v3dv_profile_violations(w);
  EXPECT_TRUE(v.empty()) << join(v);
}

struct BadCase {
  const char* file;
  const char* expect;  // substring of the violation
};

class SpirvProfileRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(SpirvProfileRejects, Module) {
  auto w = load_spv(GetParam().file);
  ASSERT_FALSE(w.empty()) << GetParam().file;
  auto v = daedalus::test::v3dv_profile_violations(w);
  EXPECT_NE(join(v).find(GetParam().expect), std::string::npos) << GetParam().file << ": got '" << join(v) << "'";
}

INSTANTIATE_TEST_SUITE_P(Bad, SpirvProfileRejects,
                         ::testing::Values(BadCase{"int64", "Int64"}, BadCase{"int16", "Int16"},
                                           BadCase{"float64", "Float64"}, BadCase{"wide", "LocalSize of 512"},
                                           BadCase{"shared", "workgroup memory of 20000"},
                                           BadCase{"desc_array", "array of descriptors"},
                                           BadCase{"push_index", "dynamic index into push constants"},
                                           BadCase{"many_buffers", "9 storage buffers"}),
                         [](const auto& info) { return std::string(info.param.file); });

TEST(SpirvProfile, RejectsGarbage) {
  std::vector<uint32_t> w = {1, 2, 3};
  EXPECT_FALSE(daedalus::test::v3dv_profile_violations(w).empty());
}

}  // namespace
