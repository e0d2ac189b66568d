// SPDX-License-Identifier: MIT
#include "picture_decoder.h"

#include <cstring>

#include <fmt/format.h>

#include "av_error.h"
#include "daedalus/error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/pixdesc.h>
}

namespace daedalus::bridge {

namespace {

const AVCodec* find_decoder(media::Codec codec) {
  switch (codec) {
    case media::Codec::kVP9: return avcodec_find_decoder_by_name("vp9");
    case media::Codec::kH264: return avcodec_find_decoder_by_name("h264");
    case media::Codec::kAV1: {
      // Same choice as ffmpeg itself (and daemon/media): libdav1d first.
      const AVCodec* c = avcodec_find_decoder_by_name("libdav1d");
      return c ? c : avcodec_find_decoder(AV_CODEC_ID_AV1);
    }
    case media::Codec::kUnknown: break;
  }
  return nullptr;
}

}  // namespace

DecodedPicture::~DecodedPicture() { av_frame_free(&frame_); }

int DecodedPicture::width() const { return frame_->width; }
int DecodedPicture::height() const { return frame_->height; }

PlanarPicture DecodedPicture::planar() const {
  auto fmt = static_cast<AVPixelFormat>(frame_->format);
  // yuvj420p is yuv420p with a full-range tag: identical samples.
  if (fmt != AV_PIX_FMT_YUV420P && fmt != AV_PIX_FMT_YUVJ420P) {
    const char* name = av_get_pix_fmt_name(fmt);
    throw Error(fmt::format("unsupported pixel format {} (8-bit 4:2:0 only)", name ? name : "?"));
  }
  PlanarPicture p;
  p.width = frame_->width;
  p.height = frame_->height;
  for (int i = 0; i < 3; ++i) {
    p.data[i] = frame_->data[i];
    p.stride[i] = frame_->linesize[i];
  }
  return p;
}

PictureDecoder::PictureDecoder(media::Codec codec) : codec_(codec) {
  const AVCodec* dec = find_decoder(codec);
  if (!dec) throw Error(fmt::format("no libavcodec decoder for {}", media::codec_name(codec)));
  ctx_ = avcodec_alloc_context3(dec);
  if (!ctx_) throw Error("out of memory");
  // One thread: with frame threads a picture is not finished when
  // send_packet returns. Contexts run in parallel instead.
  ctx_->thread_count = 1;
  ctx_->thread_type = FF_THREAD_SLICE;  // never frame threads (see above)
  ctx_->opaque = this;
  ctx_->get_buffer2 = &PictureDecoder::get_buffer2;
  ctx_->flags |= AV_CODEC_FLAG_LOW_DELAY;
  // Report broken slices instead of concealing them: a request with a
  // corrupt bitstream must complete with an ERROR buffer.
  ctx_->err_recognition |= AV_EF_EXPLODE;
  int err = avcodec_open2(ctx_, dec, nullptr);
  if (err < 0) {
    avcodec_free_context(&ctx_);
    throw Error(fmt::format("cannot open {} decoder: {}", media::codec_name(codec), av_error_text(err)));
  }
  pkt_ = av_packet_alloc();
  out_ = av_frame_alloc();
  allocated_ = av_frame_alloc();
  if (!pkt_ || !out_ || !allocated_) {
    av_packet_free(&pkt_);
    av_frame_free(&out_);
    av_frame_free(&allocated_);
    avcodec_free_context(&ctx_);
    throw Error("out of memory");
  }
}

PictureDecoder::~PictureDecoder() {
  av_packet_free(&pkt_);
  av_frame_free(&out_);
  av_frame_free(&allocated_);
  avcodec_free_context(&ctx_);
}

int PictureDecoder::get_buffer2(AVCodecContext* ctx, AVFrame* frame, int flags) {
  int err = avcodec_default_get_buffer2(ctx, frame, flags);
  if (err < 0) return err;
  auto* self = static_cast<PictureDecoder*>(ctx->opaque);
  av_frame_unref(self->allocated_);
  // A reference to the same buffers: the pixels are written by the decoder
  // after this returns and read by us once the packet is decoded.
  if (av_frame_ref(self->allocated_, frame) == 0) self->got_allocation_ = true;
  return 0;
}

std::unique_ptr<DecodedPicture> PictureDecoder::decode(std::span<const uint8_t> data) {
  if (data.empty()) throw Error("empty bitstream");
  av_frame_unref(allocated_);
  got_allocation_ = false;
  if (av_new_packet(pkt_, static_cast<int>(data.size())) < 0) throw Error("out of memory");
  std::memcpy(pkt_->data, data.data(), data.size());
  int err = avcodec_send_packet(ctx_, pkt_);
  av_packet_unref(pkt_);
  if (err < 0 && err != AVERROR(EAGAIN)) {
    av_frame_unref(allocated_);
    throw Error(fmt::format("corrupt or undecodable bitstream: {}", av_error_text(err)));
  }
  // Empty libavcodec's display-order queue; keep the last frame it gave in
  // case this decoder does not allocate through get_buffer2.
  AVFrame* last_output = nullptr;
  for (;;) {
    err = avcodec_receive_frame(ctx_, out_);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) break;
    if (err < 0) {
      av_frame_free(&last_output);
      av_frame_unref(allocated_);
      throw Error(fmt::format("decode error: {}", av_error_text(err)));
    }
    if (!last_output) last_output = av_frame_alloc();
    av_frame_unref(last_output);
    av_frame_move_ref(last_output, out_);
  }
  if (got_allocation_) {
    av_frame_free(&last_output);
    AVFrame* pic = av_frame_alloc();
    if (!pic) throw Error("out of memory");
    av_frame_move_ref(pic, allocated_);
    got_allocation_ = false;
    return std::make_unique<DecodedPicture>(pic);
  }
  if (last_output) return std::make_unique<DecodedPicture>(last_output);
  return nullptr;
}

}  // namespace daedalus::bridge
