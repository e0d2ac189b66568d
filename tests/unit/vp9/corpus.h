// SPDX-License-Identifier: MIT
// The generated VP9 test clips (tests/corpus/make-corpus.sh writes
// corpus.txt: name<TAB>codec<TAB>path) and a clip's packets.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "demuxer.h"

namespace daedalus::vp9::test {

struct Clip {
  std::string name, path;
};

inline std::vector<Clip> vp9_corpus() {
  std::vector<Clip> clips;
  std::ifstream in(std::string(DAEDALUS_CORPUS_DIR) + "/corpus.txt");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string name, codec, path;
    if (std::getline(ls, name, '\t') && std::getline(ls, codec, '\t') && std::getline(ls, path) && codec == "vp9")
      clips.push_back({name, path});
  }
  return clips;
}

// Every packet of a clip, in demuxing order.
inline std::vector<media::Packet> read_all(const std::string& path) {
  media::Demuxer dm(path);
  std::vector<media::Packet> out;
  media::Packet p;
  while (dm.read(p)) out.push_back(p);
  return out;
}

}  // namespace daedalus::vp9::test
