// SPDX-License-Identifier: MIT
// The generated VP9 test clips (tests/corpus/make-corpus.sh writes
// corpus.txt: name<TAB>codec<TAB>path).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

}  // namespace daedalus::vp9::test
