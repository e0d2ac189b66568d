// SPDX-License-Identifier: MIT
#include "daedalus/daedalus_v4l2_proto.h"

/* Seen from C, so the C++ test can compare layouts across languages. */
unsigned long daedalus_proto_c_hdr_size(void);
unsigned long daedalus_proto_c_hdr_size(void) { return sizeof(struct daedalus_msg_hdr); }
