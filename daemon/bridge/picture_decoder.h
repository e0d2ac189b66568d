// SPDX-License-Identifier: MIT
// libavcodec driven the way a stateless V4L2 decoder is: one packet in,
// the picture *that packet* decoded out, immediately, in decode order.
//
// libavcodec's own output is in display order and held back by the
// reorder delay (H.264 B-frames, VP9 hidden alt-ref frames never come out
// at all), but a V4L2 request must complete with its own CAPTURE buffer
// before the kernel sends the next job of that context. So instead of the
// output queue we watch get_buffer2: the last picture buffer libavcodec
// allocated while decoding the packet is the packet's picture, complete
// once avcodec_send_packet() returns (no frame threading). Decoders that
// bypass get_buffer2 (libdav1d) fall back to the frame they output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "codec.h"
#include "nv12_writer.h"

struct AVCodecContext;
struct AVFrame;
struct AVPacket;

namespace daedalus::bridge {

class DecodedPicture {
 public:
  explicit DecodedPicture(AVFrame* frame) : frame_(frame) {}
  ~DecodedPicture();
  DecodedPicture(DecodedPicture&& o) noexcept : frame_(o.frame_) { o.frame_ = nullptr; }
  DecodedPicture(const DecodedPicture&) = delete;
  DecodedPicture& operator=(const DecodedPicture&) = delete;
  DecodedPicture& operator=(DecodedPicture&&) = delete;

  // Throws daedalus::Error unless the picture is 8-bit 4:2:0.
  PlanarPicture planar() const;
  int width() const;
  int height() const;

 private:
  AVFrame* frame_;
};

class PictureDecoder {
 public:
  // Throws daedalus::Error if libavcodec has no decoder for codec.
  explicit PictureDecoder(media::Codec codec);
  ~PictureDecoder();
  PictureDecoder(const PictureDecoder&) = delete;
  PictureDecoder& operator=(const PictureDecoder&) = delete;

  // Decodes one packet. Returns the picture it produced, or nullptr when it
  // produced none (hidden frame on a decoder without get_buffer2 hook, or
  // no picture data at all). Throws daedalus::Error on corrupt data; the
  // decoder stays usable.
  std::unique_ptr<DecodedPicture> decode(std::span<const uint8_t> data);

  media::Codec codec() const { return codec_; }

 private:
  static int get_buffer2(AVCodecContext* ctx, AVFrame* frame, int flags);
  media::Codec codec_;
  AVCodecContext* ctx_ = nullptr;
  AVPacket* pkt_ = nullptr;
  AVFrame* out_ = nullptr;
  AVFrame* allocated_ = nullptr;  // ref to the last picture get_buffer2 handed out
  bool got_allocation_ = false;
};

}  // namespace daedalus::bridge
