// SPDX-License-Identifier: MIT
// AV1 clips as a V4L2 stateless client sends them: per frame the controls
// GStreamer's v4l2slav1dec fills and the OUTPUT data it copies, made from
// an encoder's stream with reference parsers (dav1d's parse of each frame
// header, libavcodec's trace_headers for where the tiles lie). Shared by
// the frame header rebuild test and the server test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <dav1d/dav1d.h>
#include <linux/v4l2-controls.h>

namespace daedalus::bridge::test {

// One OBU of a low-overhead bitstream: its type, where it starts, and the
// sizes of its header (with the leb128 size field) and payload.
struct Obu {
  int type;
  size_t start, header_size, payload_size;
};

// The OBUs of `d`, which must all carry obu_has_size_field.
std::vector<Obu> split_obus(const std::vector<uint8_t>& d);

// One client request for one frame.
struct Av1Request {
  v4l2_ctrl_av1_frame frame;
  v4l2_ctrl_av1_film_grain film_grain;
  std::vector<v4l2_ctrl_av1_tile_group_entry> tiles;
  std::vector<uint8_t> data;  // the frame OBU's payload
};

struct Av1Clip {
  v4l2_ctrl_av1_sequence seq;
  std::vector<Av1Request> requests;
  std::vector<std::string> want;  // md5 per decoded frame, hidden ones included
  int shown_again = 0;            // show_existing_frame headers (no request)
};

// Throws std::runtime_error on what it does not handle (several tile
// groups per frame, frame header OBUs other than show_existing_frame).
Av1Clip load_av1_clip(const std::string& path);

// Every picture dav1d outputs, in decode order: each frame it decodes
// (shown or not, output_invisible_frames) and each frame shown again by
// show_existing_frame.
class Dav1d {
 public:
  Dav1d();
  ~Dav1d();
  Dav1d(const Dav1d&) = delete;
  Dav1d& operator=(const Dav1d&) = delete;
  // Throws on a decode error.
  void decode(const std::vector<uint8_t>& bytes, Dav1dSequenceHeader* seq = nullptr);

  struct Frame {
    Dav1dFrameHeader hdr;
    std::string md5;
  };
  std::vector<Frame> frames;

 private:
  void drain(Dav1dSequenceHeader* seq);
  Dav1dContext* ctx_ = nullptr;
};

}  // namespace daedalus::bridge::test
