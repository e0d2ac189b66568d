// SPDX-License-Identifier: MIT
// tools/settings: the DAEDALUS_* variables and the flags a top-level
// program maps onto the libraries' options (the libraries read no
// environment).
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <initializer_list>
#include <string>
#include <vector>

#include "daedalus/error.h"
#include "settings.h"

using namespace daedalus;

namespace {

constexpr const char* kVariables[] = {
    "DAEDALUS_CPU_THREADS",     "DAEDALUS_ENTROPY_THREADS", "DAEDALUS_VK_VALIDATION",
    "DAEDALUS_VK_DEVICE",       "DAEDALUS_VK_NO_DMABUF_IMPORT", "DAEDALUS_VK_PIPELINE_LOG",
    "DAEDALUS_VK_STATS",        "DAEDALUS_VK_INTRA_CHAIN",  "DAEDALUS_VK_COUNT_LOOP_TRIPS"};

// Each test starts from an environment without them (CTest may set some).
class Settings : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : kVariables) unsetenv(v);
  }
  void TearDown() override {
    for (const char* v : kVariables) unsetenv(v);
  }
};

settings::DecoderSettings parse(std::vector<std::string> args, settings::DecoderSettings s) {
  CLI::App app;
  settings::add_flags(app, s);
  args.insert(args.begin(), "prog");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  app.parse(int(argv.size()), argv.data());
  return s;
}

TEST_F(Settings, NothingSetLeavesTheDefaults) {
  const settings::DecoderSettings s = settings::from_environment();
  const dispatch::BackendOptions defaults;
  EXPECT_EQ(s.backend.cpu_threads, 0u);
  EXPECT_EQ(s.entropy_threads, 0u);
  EXPECT_FALSE(s.backend.vulkan.validation);
  EXPECT_TRUE(s.backend.vulkan.device_name.empty());
  EXPECT_FALSE(s.backend.vulkan.no_dmabuf_import);
  EXPECT_FALSE(s.backend.vulkan.pipeline_log);
  EXPECT_FALSE(s.backend.vulkan.pipeline_stats);
  EXPECT_FALSE(s.backend.vulkan.frame_stats);
  EXPECT_FALSE(s.backend.vulkan.count_loop_trips);
  EXPECT_EQ(s.backend.vulkan.intra_chain_max_groups, defaults.vulkan.intra_chain_max_groups);
}

TEST_F(Settings, EachVariableSetsItsSetting) {
  setenv("DAEDALUS_CPU_THREADS", "3", 1);
  setenv("DAEDALUS_ENTROPY_THREADS", "2", 1);
  setenv("DAEDALUS_VK_VALIDATION", "1", 1);
  setenv("DAEDALUS_VK_DEVICE", "llvmpipe", 1);
  setenv("DAEDALUS_VK_NO_DMABUF_IMPORT", "yes", 1);
  setenv("DAEDALUS_VK_PIPELINE_LOG", "1", 1);
  setenv("DAEDALUS_VK_STATS", "1", 1);
  setenv("DAEDALUS_VK_INTRA_CHAIN", "0", 1);
  setenv("DAEDALUS_VK_COUNT_LOOP_TRIPS", "1", 1);
  const settings::DecoderSettings s = settings::from_environment();
  EXPECT_EQ(s.backend.cpu_threads, 3u);
  EXPECT_EQ(s.entropy_threads, 2u);
  EXPECT_TRUE(s.backend.vulkan.validation);
  EXPECT_EQ(s.backend.vulkan.device_name, "llvmpipe");
  EXPECT_TRUE(s.backend.vulkan.no_dmabuf_import);
  EXPECT_TRUE(s.backend.vulkan.pipeline_log);
  EXPECT_TRUE(s.backend.vulkan.pipeline_stats);  // the log prints the statistics
  EXPECT_TRUE(s.backend.vulkan.frame_stats);
  EXPECT_TRUE(s.backend.vulkan.count_loop_trips);
  EXPECT_EQ(s.backend.vulkan.intra_chain_max_groups, 0u);
}

TEST_F(Settings, ZeroOrEmptySwitchesOffAndCountsOutOfRangeAreIgnored) {
  settings::DecoderSettings base;
  base.backend.vulkan.validation = true;
  base.backend.cpu_threads = 2;
  setenv("DAEDALUS_VK_VALIDATION", "0", 1);  // as tests/v3d/ sets it
  setenv("DAEDALUS_VK_STATS", "", 1);
  setenv("DAEDALUS_CPU_THREADS", "0", 1);
  setenv("DAEDALUS_ENTROPY_THREADS", "17", 1);
  const settings::DecoderSettings s = settings::from_environment(base);
  EXPECT_FALSE(s.backend.vulkan.validation);
  EXPECT_FALSE(s.backend.vulkan.frame_stats);
  EXPECT_EQ(s.backend.cpu_threads, 2u);
  EXPECT_EQ(s.entropy_threads, 0u);
}

TEST_F(Settings, AMalformedNumberIsAnError) {
  for (const char* v : {"three", "3x", "-1"}) {
    SCOPED_TRACE(v);
    setenv("DAEDALUS_VK_INTRA_CHAIN", v, 1);
    EXPECT_THROW(settings::from_environment(), daedalus::Error);
  }
}

TEST_F(Settings, FlagsOverrideTheEnvironment) {
  setenv("DAEDALUS_VK_DEVICE", "llvmpipe", 1);
  setenv("DAEDALUS_CPU_THREADS", "3", 1);
  const settings::DecoderSettings env = settings::from_environment();
  const settings::DecoderSettings s =
      parse({"--vk-device", "V3D", "--entropy-threads", "4", "--vk-validation", "--vk-pipeline-log", "--vk-stats",
             "--vk-no-dmabuf-import", "--vk-intra-chain", "8", "--vk-count-loop-trips"},
            env);
  EXPECT_EQ(s.backend.vulkan.device_name, "V3D");
  EXPECT_EQ(s.backend.cpu_threads, 3u);  // no flag: the environment's
  EXPECT_EQ(s.entropy_threads, 4u);
  EXPECT_TRUE(s.backend.vulkan.validation);
  EXPECT_TRUE(s.backend.vulkan.pipeline_log);
  EXPECT_TRUE(s.backend.vulkan.pipeline_stats);
  EXPECT_TRUE(s.backend.vulkan.frame_stats);
  EXPECT_TRUE(s.backend.vulkan.no_dmabuf_import);
  EXPECT_TRUE(s.backend.vulkan.count_loop_trips);
  EXPECT_EQ(s.backend.vulkan.intra_chain_max_groups, 8u);
  EXPECT_THROW(parse({"--cpu-threads", "17"}, env), CLI::ValidationError);
}

}  // namespace
