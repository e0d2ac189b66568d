// SPDX-License-Identifier: MIT
// The daemon's side of /dev/daedalus-v4l2, behind an interface so the
// server can be driven by a fake kernel in tests.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>

#include "daedalus/daedalus_v4l2_proto.h"

namespace daedalus::bridge {

// The kernel side went away (read error, POLLHUP, module unloaded).
class ChannelClosed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class KernelChannel {
 public:
  virtual ~KernelChannel() = default;
  // Pollable for POLLIN when a message is queued.
  virtual int poll_fd() const = 0;
  // One whole message into buf (>= DAEDALUS_MSG_MAX_SIZE). Returns its
  // size, 0 when none is queued. Throws ChannelClosed.
  virtual size_t read_message(std::span<uint8_t> buf) = 0;
  // One whole message. Returns 0 or -errno. Safe from any thread.
  virtual int write_message(std::span<const uint8_t> msg) = 0;
  // DAEDALUS_IOC_GET_BUF_FD. Returns 0 or -errno. Safe from any thread.
  virtual int get_buf_fd(daedalus_buf_fd& arg) = 0;
  // DAEDALUS_IOC_GET_BUF_ID. Returns 0 or -errno (-ENOTTY: a module that
  // does not name buffers; nothing is then kept across jobs).
  virtual int get_buf_id(daedalus_buf_id&) { return -ENOTTY; }
};

// The real chardev.
class DeviceChannel final : public KernelChannel {
 public:
  // Throws daedalus::Error with a message saying what to check.
  explicit DeviceChannel(const std::string& path);
  ~DeviceChannel() override;
  DeviceChannel(const DeviceChannel&) = delete;
  DeviceChannel& operator=(const DeviceChannel&) = delete;

  int poll_fd() const override { return fd_; }
  size_t read_message(std::span<uint8_t> buf) override;
  int write_message(std::span<const uint8_t> msg) override;
  int get_buf_fd(daedalus_buf_fd& arg) override;
  int get_buf_id(daedalus_buf_id& arg) override;

 private:
  int fd_ = -1;
  std::mutex write_mutex_;
};

}  // namespace daedalus::bridge
