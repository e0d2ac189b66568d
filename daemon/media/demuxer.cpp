// SPDX-License-Identifier: MIT
#include "demuxer.h"

#include <fmt/format.h>

#include "av_error.h"
#include "daedalus/error.h"

extern "C" {
#include <libavformat/avformat.h>
}

namespace daedalus::media {

namespace {

Codec from_av(AVCodecID id) {
  switch (id) {
    case AV_CODEC_ID_VP9: return Codec::kVP9;
    case AV_CODEC_ID_H264: return Codec::kH264;
    case AV_CODEC_ID_AV1: return Codec::kAV1;
    default: return Codec::kUnknown;
  }
}

}  // namespace

Demuxer::Demuxer(const std::string& path) {
  av_log_set_level(AV_LOG_ERROR);
  int err = avformat_open_input(&fmt_, path.c_str(), nullptr, nullptr);
  if (err < 0) throw Error(fmt::format("{}: {}", path, av_error_text(err)));
  err = avformat_find_stream_info(fmt_, nullptr);
  if (err < 0) {
    avformat_close_input(&fmt_);
    throw Error(fmt::format("{}: cannot read stream info: {}", path, av_error_text(err)));
  }
  stream_ = av_find_best_stream(fmt_, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream_ < 0) {
    avformat_close_input(&fmt_);
    throw Error(fmt::format("{}: no video stream", path));
  }
  const AVCodecParameters* par = fmt_->streams[stream_]->codecpar;
  codec_ = from_av(par->codec_id);
  if (codec_ == Codec::kUnknown) {
    std::string name = avcodec_get_name(par->codec_id);
    avformat_close_input(&fmt_);
    throw Error(fmt::format("{}: unsupported codec '{}' (daedalus decodes vp9, h264, av1)", path, name));
  }
}

Demuxer::~Demuxer() { avformat_close_input(&fmt_); }

int Demuxer::width() const { return fmt_->streams[stream_]->codecpar->width; }
int Demuxer::height() const { return fmt_->streams[stream_]->codecpar->height; }
const AVCodecParameters* Demuxer::codec_parameters() const {
  return fmt_->streams[stream_]->codecpar;
}

bool Demuxer::read(Packet& out) {
  AVPacket* pkt = av_packet_alloc();
  for (;;) {
    int err = av_read_frame(fmt_, pkt);
    if (err == AVERROR_EOF) {
      av_packet_free(&pkt);
      return false;
    }
    if (err < 0) {
      av_packet_free(&pkt);
      throw Error(fmt::format("libavformat: read error: {}", av_error_text(err)));
    }
    if (pkt->stream_index == stream_) break;
    av_packet_unref(pkt);
  }
  out.data.assign(pkt->data, pkt->data + pkt->size);
  out.pts = pkt->pts;
  out.keyframe = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
  av_packet_free(&pkt);
  return true;
}

}  // namespace daedalus::media
