// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cstddef>

#include "daedalus/daedalus_v4l2_proto.h"

extern "C" unsigned long daedalus_proto_c_hdr_size(void);

namespace {

TEST(ProtoHeader, SameLayoutInCAndCpp) {
  EXPECT_EQ(daedalus_proto_c_hdr_size(), sizeof(daedalus_msg_hdr));
}

TEST(ProtoHeader, HeaderIsVersionedAndAligned) {
  EXPECT_GE(DAEDALUS_PROTO_VERSION, 1u);
  EXPECT_EQ(sizeof(daedalus_msg_hdr) % 8, 0u);
  // The cookie is 64-bit and naturally aligned so 32- and 64-bit daemons
  // (arm64 kernel with an armhf userland) agree on the layout.
  EXPECT_EQ(offsetof(daedalus_msg_hdr, cookie) % 8, 0u);
}

}  // namespace
