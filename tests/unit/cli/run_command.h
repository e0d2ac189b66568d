// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace daedalus::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs argv without a shell, capturing stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv);

struct CorpusClip {
  std::string name, codec, path;
};
// Clips listed in DAEDALUS_CORPUS_DIR/corpus.txt, optionally of one codec.
std::vector<CorpusClip> corpus_clips(const std::string& codec = "");

// The md5 column of `ffmpeg -i path -pix_fmt nv12 -f framemd5 -`.
std::vector<std::string> ffmpeg_framemd5(const std::string& path);

// "<index> <md5>" lines -> md5s, checking the indices count up from 0.
std::vector<std::string> parse_index_md5(const std::string& text);

}  // namespace daedalus::test
