// SPDX-License-Identifier: MIT
#include "reference_decoder.h"

#include <cstring>

#include <fmt/format.h>

#include "av_error.h"
#include "daedalus/error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/pixdesc.h>
}

namespace daedalus::media {

namespace {

const AVCodec* find_decoder(Codec codec) {
  switch (codec) {
    case Codec::kVP9: return avcodec_find_decoder_by_name("vp9");
    case Codec::kH264: return avcodec_find_decoder_by_name("h264");
    // ffmpeg itself picks libdav1d first for AV1; do the same.
    case Codec::kAV1: {
      const AVCodec* c = avcodec_find_decoder_by_name("libdav1d");
      return c ? c : avcodec_find_decoder(AV_CODEC_ID_AV1);
    }
    case Codec::kUnknown: break;
  }
  return nullptr;
}

}  // namespace

ReferenceDecoder::ReferenceDecoder(Codec codec, const AVCodecParameters* params, int threads) {
  const AVCodec* dec = find_decoder(codec);
  if (!dec) throw Error(fmt::format("libavcodec: no decoder for {}", codec_name(codec)));
  ctx_ = avcodec_alloc_context3(dec);
  if (params && avcodec_parameters_to_context(ctx_, params) < 0) {
    avcodec_free_context(&ctx_);
    throw Error("libavcodec: cannot apply codec parameters");
  }
  ctx_->thread_count = threads;
  int err = avcodec_open2(ctx_, dec, nullptr);
  if (err < 0) {
    avcodec_free_context(&ctx_);
    throw Error(fmt::format("libavcodec: cannot open the {} decoder: {}", codec_name(codec), av_error_text(err)));
  }
  frame_ = av_frame_alloc();
  pkt_ = av_packet_alloc();
}

ReferenceDecoder::~ReferenceDecoder() {
  av_packet_free(&pkt_);
  av_frame_free(&frame_);
  avcodec_free_context(&ctx_);
}

void ReferenceDecoder::decode(const Packet& packet, const FrameSink& sink) {
  decode(packet.data.data(), packet.data.size(), packet.pts, sink);
}

void ReferenceDecoder::decode(const uint8_t* data, size_t size, int64_t pts, const FrameSink& sink) {
  if (av_new_packet(pkt_, static_cast<int>(size)) < 0) throw Error("libavcodec: out of memory");
  std::memcpy(pkt_->data, data, size);
  pkt_->pts = pts;
  int err = avcodec_send_packet(ctx_, pkt_);
  av_packet_unref(pkt_);
  if (err < 0 && err != AVERROR(EAGAIN)) {
    throw Error(fmt::format("libavcodec: corrupt or undecodable packet: {}", av_error_text(err)));
  }
  drain(sink);
}

void ReferenceDecoder::flush(const FrameSink& sink) {
  avcodec_send_packet(ctx_, nullptr);
  drain(sink);
  avcodec_flush_buffers(ctx_);
}

void ReferenceDecoder::drain(const FrameSink& sink) {
  for (;;) {
    int err = avcodec_receive_frame(ctx_, frame_);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    if (err < 0) throw Error(fmt::format("libavcodec: decode error: {}", av_error_text(err)));
    Nv12Frame out = to_nv12(*frame_);
    av_frame_unref(frame_);
    sink(std::move(out));
  }
}

Nv12Frame to_nv12(const AVFrame& f) {
  auto fmt = static_cast<AVPixelFormat>(f.format);
  // yuvj420p differs from yuv420p only in its range tag; ffmpeg's own
  // conversion would rescale it, so refuse it rather than disagree silently.
  if (fmt != AV_PIX_FMT_YUV420P) {
    const char* name = av_get_pix_fmt_name(fmt);
    throw Error(fmt::format("libavcodec: unsupported pixel format {} (8-bit 4:2:0 only)", name ? name : "?"));
  }
  Nv12Frame out;
  out.allocate(f.width, f.height);
  out.pts = f.pts;
  for (int row = 0; row < f.height; ++row) {
    std::memcpy(&out.y[static_cast<size_t>(row) * f.width], f.data[0] + static_cast<ptrdiff_t>(row) * f.linesize[0], f.width);
  }
  const int cw = Nv12Frame::chroma_width(f.width);
  const int ch = Nv12Frame::chroma_height(f.height);
  for (int row = 0; row < ch; ++row) {
    const uint8_t* u = f.data[1] + static_cast<ptrdiff_t>(row) * f.linesize[1];
    const uint8_t* v = f.data[2] + static_cast<ptrdiff_t>(row) * f.linesize[2];
    uint8_t* dst = &out.uv[static_cast<size_t>(row) * 2 * cw];
    for (int x = 0; x < cw; ++x) {
      dst[2 * x] = u[x];
      dst[2 * x + 1] = v[x];
    }
  }
  return out;
}

}  // namespace daedalus::media
