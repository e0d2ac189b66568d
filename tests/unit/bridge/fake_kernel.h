// SPDX-License-Identifier: MIT
// A KernelChannel that behaves like the daedalus_v4l2 chardev (one
// message per read, HELLO handshake, GET_BUF_FD handing out fresh fds)
// with memfds standing in for the vb2 dmabufs, so the whole daemon can be
// driven and inspected without the kernel module.
#pragma once

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <linux/videodev2.h>

#include "kernel_channel.h"
#include "protocol.h"

namespace daedalus::bridge::test {

class FakeKernel final : public KernelChannel {
 public:
  explicit FakeKernel(uint16_t version = DAEDALUS_PROTO_VERSION) : version_(version) {
    efd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
  }
  ~FakeKernel() override {
    for (auto& [cookie, job] : jobs_) close_job(job);
    ::close(efd_);
  }

  int poll_fd() const override { return efd_; }

  size_t read_message(std::span<uint8_t> buf) override {
    uint64_t one;
    std::unique_lock lock(mutex_);
    if (gone_) throw ChannelClosed("fake kernel went away");
    if (::read(efd_, &one, sizeof(one)) != sizeof(one)) return 0;
    auto msg = std::move(queue_.front());
    queue_.pop_front();
    if (msg.size() > buf.size()) throw ChannelClosed("buffer too small");
    std::memcpy(buf.data(), msg.data(), msg.size());
    return msg.size();
  }

  int write_message(std::span<const uint8_t> msg) override {
    std::lock_guard lock(mutex_);
    daedalus_msg_hdr hdr{};
    if (msg.size() < sizeof(hdr)) return -EINVAL;
    std::memcpy(&hdr, msg.data(), sizeof(hdr));
    if (hdr.type == DAEDALUS_MSG_HELLO) {
      try {
        auto hello = parse_hello(msg);
        hello_codecs_ = hello.codecs;
        const bool ok = hello.hdr.version == version_;
        push_locked(encode_hello_reply(ok ? 0 : -EPROTONOSUPPORT, version_, 2000));
        return ok ? 0 : -EPROTONOSUPPORT;
      } catch (const ProtocolError&) {
        return -EINVAL;
      }
    }
    try {
      auto done = parse_decode_done(msg);
      auto it = jobs_.find(done.hdr.cookie);
      if (it == jobs_.end() || it->second.answered || it->second.cancelled) return -ENOENT;
      if (done.status == 0 && done.num_planes != it->second.capture_fds.size()) return -ERANGE;
      it->second.answered = true;
      it->second.done = done;
      answered_.notify_all();
      return 0;
    } catch (const ProtocolError&) {
      return -EINVAL;
    }
  }

  int get_buf_fd(daedalus_buf_fd& arg) override {
    std::unique_lock lock(mutex_);
    answered_.wait(lock, [this] { return !buffers_blocked_; });
    auto it = jobs_.find(arg.cookie);
    if (it == jobs_.end() || it->second.answered || it->second.cancelled) return -ENOENT;
    const Job& job = it->second;
    int src = -1;
    size_t length = 0;
    int mode = O_RDONLY;
    if (arg.which == DAEDALUS_BUF_OUTPUT && arg.plane == 0) {
      src = job.output_fd;
      length = job.output_length;
    } else if (arg.which == DAEDALUS_BUF_CAPTURE && arg.plane < job.capture_fds.size()) {
      src = job.capture_fds[arg.plane];
      length = job.capture_lengths[arg.plane];
      mode = O_RDWR;
    } else if (arg.which == DAEDALUS_BUF_REF && arg.ref < job.ref_fds.size() && arg.plane < job.ref_fds[arg.ref].size()) {
      if (job.ref_fds[arg.ref].empty() || job.ref_fds[arg.ref][arg.plane] < 0) return -ENODATA;
      // Read-only, as the kernel exports references.
      const std::string path = "/proc/self/fd/" + std::to_string(job.ref_fds[arg.ref][arg.plane]);
      arg.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (arg.fd < 0) return -errno;
      arg.length = static_cast<uint32_t>(job.ref_lengths[arg.ref][arg.plane]);
      arg.flags = O_RDONLY;
      fds_handed_out_++;
      return 0;
    } else {
      return -EINVAL;
    }
    arg.fd = fcntl(src, F_DUPFD_CLOEXEC, 0);
    if (arg.fd < 0) return -errno;
    arg.length = static_cast<uint32_t>(length);
    arg.flags = mode;
    fds_handed_out_++;
    return 0;
  }

  // The memory's identity as the kernel gives it: here the inode of the
  // memfd behind the job's buffer (the same for every duplicate of it).
  int get_buf_id(daedalus_buf_id& arg) override {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(arg.cookie);
    if (it == jobs_.end() || it->second.answered || it->second.cancelled) return -ENOENT;
    if (arg.flags || arg.reserved || arg.id) return -EINVAL;
    const Job& job = it->second;
    int fd = -1;
    if (arg.which == DAEDALUS_BUF_OUTPUT && !arg.ref) {
      fd = job.output_fd;
    } else if (arg.which == DAEDALUS_BUF_CAPTURE && !arg.ref) {
      fd = job.capture_fds.at(0);
    } else if (arg.which == DAEDALUS_BUF_REF) {
      if (arg.ref >= job.ref_fds.size()) return -EINVAL;
      if (job.ref_fds[arg.ref].empty() || job.ref_fds[arg.ref][0] < 0) return -ENODATA;
      fd = job.ref_fds[arg.ref][0];
    } else {
      return -EINVAL;
    }
    struct stat st{};
    if (fstat(fd, &st) < 0) return -errno;
    arg.id = static_cast<uint64_t>(st.st_ino);
    ids_handed_out_++;
    return 0;
  }
  size_t ids_handed_out() {
    std::lock_guard lock(mutex_);
    return ids_handed_out_;
  }

  void push(std::vector<uint8_t> msg) {
    std::lock_guard lock(mutex_);
    push_locked(std::move(msg));
  }

  // Queues a DECODE whose OUTPUT holds bitstream and whose CAPTURE buffer
  // has the given layout (memfds filled with 0xcd). Returns the cookie.
  uint64_t decode(uint32_t ctx, uint32_t codec, std::span<const uint8_t> bitstream,
                  const daedalus_capture_format& cap, std::vector<Control> controls = {}, uint32_t flags = 0) {
    Job job;
    job.output_length = bitstream.size() + 64;  // as vb2 planes are larger than the data
    job.output_fd = memfd(job.output_length);
    ::pwrite(job.output_fd, bitstream.data(), bitstream.size(), 32);
    for (uint32_t i = 0; i < cap.num_mem_planes; ++i) {
      job.capture_lengths.push_back(cap.sizeimage[i]);
      int fd = memfd(cap.sizeimage[i]);
      std::vector<uint8_t> canary(cap.sizeimage[i], 0xcd);
      ::pwrite(fd, canary.data(), canary.size(), 0);
      job.capture_fds.push_back(fd);
    }
    daedalus_msg_decode m{};
    std::lock_guard lock(mutex_);
    const uint64_t cookie = next_cookie_++;
    m.hdr.cookie = cookie;
    m.ctx_id = ctx;
    m.codec = codec;
    m.output_bytesused = static_cast<uint32_t>(bitstream.size());
    m.output_data_offset = 32;
    m.output_length = static_cast<uint32_t>(job.output_length);
    m.capture = cap;
    m.flags = flags;
    jobs_[cookie] = std::move(job);
    push_locked(encode_decode(m, controls));
    return cookie;
  }

  // A stateless decode into CAPTURE buffers the test keeps (a V4L2 client's
  // pool): capture_fds / refs[i].fds are the memory planes of the
  // destination and of the resolved reference slots (empty: not found);
  // the job holds duplicates until release().
  struct RefBuffer {
    daedalus_ref ref{};
    std::vector<int> fds;
  };
  uint64_t decode_into(uint32_t ctx, uint32_t codec, std::span<const uint8_t> bitstream,
                       const daedalus_capture_format& cap, const std::vector<int>& capture_fds, uint64_t timestamp,
                       const std::vector<RefBuffer>& refs, std::vector<Control> controls) {
    Job job;
    job.output_length = bitstream.size() + 64;
    job.output_fd = memfd(job.output_length);
    ::pwrite(job.output_fd, bitstream.data(), bitstream.size(), 32);
    for (uint32_t i = 0; i < cap.num_mem_planes; ++i) {
      job.capture_lengths.push_back(cap.sizeimage[i]);
      job.capture_fds.push_back(fcntl(capture_fds.at(i), F_DUPFD_CLOEXEC, 0));
    }
    daedalus_msg_decode m{};
    for (size_t r = 0; r < refs.size(); ++r) {
      m.refs[r] = refs[r].ref;
      std::vector<int> fds;
      std::vector<size_t> lengths;
      for (uint32_t i = 0; i < refs[r].fds.size(); ++i) {
        fds.push_back(fcntl(refs[r].fds[i], F_DUPFD_CLOEXEC, 0));
        lengths.push_back(cap.sizeimage[i]);
      }
      job.ref_fds.push_back(std::move(fds));
      job.ref_lengths.push_back(std::move(lengths));
    }
    m.num_refs = static_cast<uint32_t>(refs.size());
    std::lock_guard lock(mutex_);
    const uint64_t cookie = next_cookie_++;
    m.hdr.cookie = cookie;
    m.ctx_id = ctx;
    m.codec = codec;
    m.output_bytesused = static_cast<uint32_t>(bitstream.size());
    m.output_data_offset = 32;
    m.output_length = static_cast<uint32_t>(job.output_length);
    m.timestamp = timestamp;
    m.capture = cap;
    jobs_[cookie] = std::move(job);
    push_locked(encode_decode(m, controls));
    return cookie;
  }

  void cancel(uint64_t cookie) {
    std::lock_guard lock(mutex_);
    jobs_.at(cookie).cancelled = true;
  }

  // Waits for the DECODE_DONE of cookie (the timeout only guards against a
  // hang; a missing answer fails the test).
  std::optional<daedalus_msg_decode_done> wait_done(uint64_t cookie,
                                                    std::chrono::seconds timeout = std::chrono::seconds(60)) {
    std::unique_lock lock(mutex_);
    if (!answered_.wait_for(lock, timeout, [&] { return jobs_.at(cookie).answered; })) return std::nullopt;
    return jobs_.at(cookie).done;
  }

  bool answered(uint64_t cookie) {
    std::lock_guard lock(mutex_);
    return jobs_.at(cookie).answered;
  }

  // Contents of the job's CAPTURE memory plane.
  std::vector<uint8_t> capture(uint64_t cookie, uint32_t plane) {
    std::lock_guard lock(mutex_);
    const Job& job = jobs_.at(cookie);
    std::vector<uint8_t> out(job.capture_lengths.at(plane));
    ::pread(job.capture_fds[plane], out.data(), out.size(), 0);
    return out;
  }

  // Frees a finished job's memfds (as vb2 would recycle the buffers).
  void release(uint64_t cookie) {
    std::lock_guard lock(mutex_);
    close_job(jobs_.at(cookie));
    jobs_.erase(cookie);
  }

  // While blocked, GET_BUF_FD does not return: a decode job stuck in the
  // daemon (as in a hung driver call).
  void block_buffers(bool blocked) {
    {
      std::lock_guard lock(mutex_);
      buffers_blocked_ = blocked;
    }
    answered_.notify_all();
  }

  void go_away() {
    std::lock_guard lock(mutex_);
    gone_ = true;
    uint64_t one = 1;
    ::write(efd_, &one, sizeof(one));
  }

  uint32_t hello_codecs() {
    std::lock_guard lock(mutex_);
    return hello_codecs_;
  }

 private:
  struct Job {
    int output_fd = -1;
    size_t output_length = 0;
    std::vector<int> capture_fds;
    std::vector<size_t> capture_lengths;
    std::vector<std::vector<int>> ref_fds;
    std::vector<std::vector<size_t>> ref_lengths;
    bool answered = false;
    bool cancelled = false;
    daedalus_msg_decode_done done{};
  };

  static int memfd(size_t size) {
    int fd = memfd_create("fake-vb2", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, static_cast<off_t>(size)) < 0) throw std::runtime_error("memfd");
    return fd;
  }
  static void close_job(Job& job) {
    if (job.output_fd >= 0) ::close(job.output_fd);
    for (int fd : job.capture_fds) ::close(fd);
    for (auto& fds : job.ref_fds)
      for (int fd : fds) ::close(fd);
    job.output_fd = -1;
    job.capture_fds.clear();
    job.ref_fds.clear();
  }
  void push_locked(std::vector<uint8_t> msg) {
    queue_.push_back(std::move(msg));
    uint64_t one = 1;
    ::write(efd_, &one, sizeof(one));
  }

  uint16_t version_;
  int efd_ = -1;
  std::mutex mutex_;
  std::condition_variable answered_;  // also signals block_buffers(false)
  bool buffers_blocked_ = false;
  std::deque<std::vector<uint8_t>> queue_;
  std::map<uint64_t, Job> jobs_;
  uint64_t next_cookie_ = 1;
  bool gone_ = false;
  uint32_t hello_codecs_ = 0;
  size_t fds_handed_out_ = 0;
  size_t ids_handed_out_ = 0;
};

// NV12 layout as a V4L2 client would allocate: width aligned to 64 bytes
// of stride, height to 16 rows; one or two memory planes.
inline daedalus_capture_format nv12_layout(uint32_t w, uint32_t h, bool two_planes) {
  daedalus_capture_format f{};
  const uint32_t stride = (w + 63) & ~63u;
  const uint32_t rows = (h + 15) & ~15u;
  f.width = w;
  f.height = rows;
  f.num_comp_planes = 2;
  if (!two_planes) {
    f.pixelformat = V4L2_PIX_FMT_NV12;
    f.num_mem_planes = 1;
    f.comp[0] = {0, 0, stride, rows};
    f.comp[1] = {0, stride * rows, stride, rows / 2};
    f.sizeimage[0] = stride * rows * 3 / 2;
  } else {
    f.pixelformat = V4L2_PIX_FMT_NV12M;
    f.num_mem_planes = 2;
    f.comp[0] = {0, 0, stride, rows};
    f.comp[1] = {1, 0, stride, rows / 2};
    f.sizeimage[0] = stride * rows;
    f.sizeimage[1] = stride * rows / 2;
  }
  return f;
}

}  // namespace daedalus::bridge::test
