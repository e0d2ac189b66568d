// SPDX-License-Identifier: MIT
#include "av_error.h"

extern "C" {
#include <libavutil/error.h>
}

namespace daedalus {

std::string av_error_text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

}  // namespace daedalus
