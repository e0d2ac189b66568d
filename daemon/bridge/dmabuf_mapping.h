// SPDX-License-Identifier: MIT
// A job buffer's dmabuf (GET_BUF_FD), optionally mapped; unmapped and
// closed on every path.
#pragma once

#include <cerrno>
#include <cstring>

#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

#include "decode_job.h"
#include "kernel_channel.h"

namespace daedalus::bridge {

// A dmabuf fd from GET_BUF_FD, mapped; unmapped and closed on every path.
class DmabufMapping {
 public:
  DmabufMapping() = default;
  ~DmabufMapping() { reset(); }
  DmabufMapping(const DmabufMapping&) = delete;
  DmabufMapping& operator=(const DmabufMapping&) = delete;

  // ref: the reference slot for which == DAEDALUS_BUF_REF.
  void map(KernelChannel& ch, uint64_t cookie, uint32_t which, uint32_t plane, bool writable, uint32_t ref = 0) {
    open(ch, cookie, which, plane, ref);
    writable_ = writable;
    const int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    void* p = ::mmap(nullptr, length_, prot, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) {
      throw JobError(-EIO, fmt::format("mmap of a {} byte dmabuf failed: {}", length_, std::strerror(errno)));
    }
    data_ = static_cast<uint8_t*>(p);
    sync(DMA_BUF_SYNC_START);
  }

  // GET_BUF_FD only (no mapping): for backends that import the dmabuf.
  void open(KernelChannel& ch, uint64_t cookie, uint32_t which, uint32_t plane, uint32_t ref = 0) {
    reset();
    daedalus_buf_fd arg{};
    arg.cookie = cookie;
    arg.which = which;
    arg.plane = plane;
    arg.ref = ref;
    int err = ch.get_buf_fd(arg);
    if (err == -ENOENT) throw JobError(-ENOENT, "job cancelled by the kernel");
    if (err < 0) {
      const char* name = which == DAEDALUS_BUF_OUTPUT ? "OUTPUT" : which == DAEDALUS_BUF_CAPTURE ? "CAPTURE" : "REF";
      throw JobError(-EIO, fmt::format("GET_BUF_FD {} {} plane {}: {}", name, ref, plane, std::strerror(-err)));
    }
    fd_ = arg.fd;
    length_ = arg.length;
    if (length_ == 0) throw JobError(-EIO, "GET_BUF_FD returned an empty buffer");
  }

  void reset() {
    if (data_) {
      sync(DMA_BUF_SYNC_END);
      ::munmap(data_, length_);
      data_ = nullptr;
    }
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

  uint8_t* data() const { return data_; }
  int fd() const { return fd_; }
  size_t length() const { return length_; }

 private:
  // CPU access bracketing for non-coherent buffers; fds that are not
  // dmabufs (tests use memfds) answer ENOTTY, which is fine.
  void sync(uint64_t phase) {
    dma_buf_sync s{};
    s.flags = phase | (writable_ ? DMA_BUF_SYNC_RW : DMA_BUF_SYNC_READ);
    while (::ioctl(fd_, DMA_BUF_IOCTL_SYNC, &s) < 0 && errno == EINTR) {
    }
  }

  int fd_ = -1;
  uint8_t* data_ = nullptr;
  size_t length_ = 0;
  bool writable_ = false;
};

}  // namespace daedalus::bridge
