// SPDX-License-Identifier: MIT
#include "run_command.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace daedalus::test {

CommandResult run_command(const std::vector<std::string>& argv) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  CommandResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* bufs[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        bufs[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::vector<CorpusClip> corpus_clips(const std::string& codec) {
  std::ifstream in(std::string(DAEDALUS_CORPUS_DIR) + "/corpus.txt");
  std::vector<CorpusClip> clips;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    CorpusClip c;
    std::getline(fields, c.name, '\t');
    std::getline(fields, c.codec, '\t');
    std::getline(fields, c.path, '\t');
    if (codec.empty() || c.codec == codec) clips.push_back(c);
  }
  return clips;
}

std::vector<std::string> ffmpeg_framemd5(const std::string& path) {
  auto r = run_command({"ffmpeg", "-nostdin", "-v", "error", "-i", path, "-pix_fmt", "nv12",
                        // Streams that change size mid-way (scaled references) must
                        // be hashed at their decoded size, not rescaled to the first.
                        "-autoscale", "0", "-f", "framemd5", "-"});
  if (r.exit_code != 0) throw std::runtime_error("ffmpeg failed on " + path + ": " + r.err);
  std::vector<std::string> md5s;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto comma = line.rfind(',');
    auto md5 = line.substr(comma + 1);
    md5.erase(0, md5.find_first_not_of(' '));
    md5s.push_back(md5);
  }
  return md5s;
}

std::vector<std::string> parse_index_md5(const std::string& text) {
  std::vector<std::string> md5s;
  std::istringstream in(text);
  long index;
  std::string md5;
  while (in >> index >> md5) {
    if (index != static_cast<long>(md5s.size())) throw std::runtime_error("frame indices out of order");
    md5s.push_back(md5);
  }
  return md5s;
}

}  // namespace daedalus::test
