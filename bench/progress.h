// SPDX-License-Identifier: MIT
// A one-line progress bar on stderr, drawn only when stderr is a terminal
// (CI logs and pipes get nothing, so JSON on stdout stays clean).
#pragma once

#include <unistd.h>

#include <chrono>
#include <string>

#include <fmt/format.h>

namespace daedalus::bench {

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}
  ~Progress() { finish(); }

  void start(std::string label, long total) {
    finish();
    label_ = std::move(label);
    total_ = total;
    done_ = 0;
    t0_ = std::chrono::steady_clock::now();
    active_ = true;
    draw();
  }
  void step(long n = 1) {
    done_ += n;
    draw();
  }
  void finish() {
    if (enabled_ && active_) fmt::print(stderr, "\n");
    active_ = false;
  }

 private:
  void draw() {
    if (!enabled_ || !active_) return;
    constexpr int kWidth = 30;
    const long total = total_ > 0 ? total_ : 1;
    const int filled = static_cast<int>(kWidth * std::min(done_, total) / total);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    fmt::print(stderr, "\r{:<40.40} [{:=<{}}{:<{}}] {:>4}/{:<4} {:6.1f}s", label_, "", filled, "", kWidth - filled,
               done_, total_, s);
  }

  bool enabled_;
  bool active_ = false;
  std::string label_;
  long total_ = 0, done_ = 0;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace daedalus::bench
