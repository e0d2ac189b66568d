// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cstring>

#include "probs.h"
#include "tables.h"

namespace daedalus::vp9 {
namespace {

TEST(Probs, DefaultsAreValidProbabilities) {
  const FrameContext fc = default_frame_context();
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        for (int k = 0; k < 6; ++k)
          for (int l = 0; l < (k == 0 ? 3 : 6); ++l)
            for (int m = 0; m < 3; ++m) EXPECT_GT(fc.coef[t][i][j][k][l][m], 0);
  // Spot checks against the spec's tables.
  EXPECT_EQ(fc.coef[0][0][0][0][0][0], 195);
  EXPECT_EQ(fc.coef[3][1][1][5][5][2], kDefaultCoefProbs[3][1][1][5][5][2]);
  EXPECT_EQ(fc.skip[0], 192);
  EXPECT_EQ(fc.mv[0].classes[0], 224);
  EXPECT_EQ(fc.mv[1].classes[0], 216);
  for (int i = 0; i < 255; ++i)
    for (int j = 0; j < 8; ++j) EXPECT_GT(kParetoFull[i][j], 0);
}

TEST(Probs, AdaptationWithoutCountsKeepsTheSavedContext) {
  const FrameContext pre = default_frame_context();
  FrameContext cur = pre;
  cur.skip[0] = 7;  // a forward update that backward adaptation replaces
  FrameCounts counts{};
  AdaptParams ap{false, false, true, true, true};
  const FrameContext out = adapt_probs(pre, cur, counts, ap);
  EXPECT_EQ(std::memcmp(out.coef, pre.coef, sizeof pre.coef), 0);
  EXPECT_EQ(out.skip[0], pre.skip[0]);
  EXPECT_EQ(std::memcmp(out.y_mode, pre.y_mode, sizeof pre.y_mode), 0);
}

TEST(Probs, AdaptationMovesTowardsObservedFrequencies) {
  const FrameContext pre = default_frame_context();
  FrameCounts counts{};
  counts.skip[0][1] = 100;  // always "skip": probability of 0 must drop
  counts.coef[0][0][0][1][0][0] = 50;  // many ZERO tokens
  counts.eob_branch[0][0][0][1][0] = 50;
  AdaptParams ap{false, false, false, false, false};
  const FrameContext out = adapt_probs(pre, pre, counts, ap);
  EXPECT_LT(out.skip[0], pre.skip[0]);
  // 50 "more coefficients" out of 50: node 0 (probability of EOB) drops,
  // node 1 (probability of a ZERO token) rises.
  EXPECT_LT(out.coef[0][0][0][1][0][0], pre.coef[0][0][0][1][0][0]);
  EXPECT_GT(out.coef[0][0][0][1][0][1], pre.coef[0][0][0][1][0][1]);
  // Intra frames adapt coefficients only.
  AdaptParams intra{true, false, false, false, false};
  const FrameContext out2 = adapt_probs(pre, pre, counts, intra);
  EXPECT_EQ(out2.skip[0], pre.skip[0]);
}

TEST(Scan, OrdersArePermutations) {
  for (int tx = 0; tx < 4; ++tx)
    for (int type = 0; type < 4; ++type) {
      const ScanOrder so = scan_order(tx, type);
      const int n = 16 << (2 * tx);
      std::vector<int> seen(n, 0);
      for (int i = 0; i < n; ++i) {
        ASSERT_GE(so.scan[i], 0);
        ASSERT_LT(so.scan[i], n);
        ++seen[so.scan[i]];
        // Neighbours are raster positions decoded before position i.
        for (int k = 0; k < 2; ++k) ASSERT_LT(so.neighbors[2 * i + k], n);
      }
      for (int v : seen) ASSERT_EQ(v, 1);
      EXPECT_EQ(so.scan[0], 0);
    }
}

}  // namespace
}  // namespace daedalus::vp9
