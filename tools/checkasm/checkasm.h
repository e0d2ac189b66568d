// SPDX-License-Identifier: MIT
// The checker's shared pieces: a seeded RNG whose sequence does not depend
// on the standard library, both backends, and surface comparison.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::checkasm {

using namespace daedalus::dispatch;

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint32_t next() {  // splitmix64, upper half
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
  }
  int range(int lo, int hi) { return lo + static_cast<int>(next() % uint32_t(hi - lo + 1)); }  // inclusive
  bool chance(int percent) { return range(0, 99) < percent; }

 private:
  uint64_t s_;
};

struct Env {
  Backend* cpu = nullptr;
  Backend* vk = nullptr;
  uint64_t seed = 0;
  bool bench = false;
  int bench_iters = 10;
  int failures = 0;
  int checks = 0;
};

// Result of one sub-case: empty if bit-exact, else where they first differ.
using Diff = std::string;

// Compares the planes of two surfaces of the same geometry (by plane
// width/height, through each surface's own layout). `what` names the case.
Diff compare_surfaces(Surface& a, Surface& b);
// Writes the same random bytes into every plane of each surface.
void fill_random(Rng& rng, Surface& a, Surface& b);
void fill_value(Surface& s, uint8_t v);

// Prints "  name: OK" or "  name: FAILED (diff)" and counts it.
void report(Env& env, const std::string& name, const Diff& diff);
// Prints the per-stage times of the last frame of both backends.
void report_bench(Env& env, const std::string& name, Stage stage, double cpu_wall_ms, double vk_wall_ms);

struct StageTest {
  const char* name;
  std::function<void(Env&, Rng&)> run;
};
const std::vector<StageTest>& stage_tests();
const std::vector<StageTest>& h264_stage_tests();  // h264_tests.cpp, part of stage_tests()

}  // namespace daedalus::checkasm
