// SPDX-License-Identifier: MIT
#include "kernel_channel.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "daedalus/error.h"

namespace daedalus::bridge {

DeviceChannel::DeviceChannel(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) {
    const int err = errno;
    std::string hint;
    if (err == ENOENT) hint = " (is the daedalus_v4l2 module loaded?)";
    if (err == EBUSY) hint = " (another daedalus-daemon is already attached)";
    if (err == EACCES) hint = " (needs root or the device's group)";
    throw Error(fmt::format("cannot open {}: {}{}", path, std::strerror(err), hint));
  }
}

DeviceChannel::~DeviceChannel() {
  if (fd_ >= 0) ::close(fd_);
}

size_t DeviceChannel::read_message(std::span<uint8_t> buf) {
  for (;;) {
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) throw ChannelClosed("kernel closed the channel (read returned 0)");
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return 0;
    throw ChannelClosed(fmt::format("read from the kernel failed: {}", std::strerror(errno)));
  }
}

int DeviceChannel::write_message(std::span<const uint8_t> msg) {
  std::lock_guard lock(write_mutex_);
  for (;;) {
    ssize_t n = ::write(fd_, msg.data(), msg.size());
    if (n == static_cast<ssize_t>(msg.size())) return 0;
    if (n >= 0) return -EIO;  // the chardev never writes partially
    if (errno == EINTR) continue;
    return -errno;
  }
}

int DeviceChannel::get_buf_fd(daedalus_buf_fd& arg) {
  for (;;) {
    if (::ioctl(fd_, DAEDALUS_IOC_GET_BUF_FD, &arg) == 0) return 0;
    if (errno == EINTR) continue;
    return -errno;
  }
}

int DeviceChannel::get_buf_id(daedalus_buf_id& arg) {
  for (;;) {
    if (::ioctl(fd_, DAEDALUS_IOC_GET_BUF_ID, &arg) == 0) return 0;
    if (errno == EINTR) continue;
    return -errno;
  }
}

}  // namespace daedalus::bridge
