// SPDX-License-Identifier: MIT
// --decoder daedalus for VP9: a true stateless decoder. Each DECODE is
// decoded from its own controls (v4l2_ctrl_vp9_frame, optionally
// v4l2_ctrl_vp9_compressed_hdr), its OUTPUT bitstream and the reference
// CAPTURE buffers the kernel resolved from the control's timestamps
// (GET_BUF_FD DAEDALUS_BUF_REF) straight into the job's CAPTURE buffer.
// Only what a stateless VP9 decoder must keep per context (probability
// contexts, segmentation map, previous MVs, frame sizes by timestamp) lives
// in the context (daemon/vp9 StatelessDecoder).
#pragma once

#include <memory>

#include "decode_job.h"
#include "kernel_channel.h"
#include "protocol.h"

namespace daedalus::bridge {

// The context's job decoder: a backend of that kind with those options (a
// parked one when there is one: a daemon has one set of options) and a
// StatelessDecoder on it (entropy_threads: 0 for its default). Throws
// JobError (-ENOSYS) when the backend is unavailable or VP9 is not built in.
std::unique_ptr<JobDecoder> make_vp9_stateless_decoder(uint32_t ctx_id, dispatch::BackendKind backend,
                                                       const dispatch::BackendOptions& options,
                                                       unsigned entropy_threads = 0);

// Creates one backend now, runs dispatch::warm_up() on it and parks it for
// the first context, so the first frame a client sends does not wait for
// pipelines and shader code to compile (Vulkan: seconds on lavapipe or V3DV,
// minutes under QEMU TCG; GStreamer gives a request one second). Returns the
// milliseconds it took. Throws
// daedalus::Error when the backend is unavailable, so `--backend vulkan`
// without a usable device fails at start instead of on every job.
// Frames up to reserve_width x reserve_height find their buffers allocated
// (dispatch::Backend::reserve; 0 x 0: none).
double prewarm_vp9_backend(dispatch::BackendKind backend, const dispatch::BackendOptions& options,
                           uint32_t reserve_width = 0, uint32_t reserve_height = 0);

}  // namespace daedalus::bridge
