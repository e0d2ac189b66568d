// SPDX-License-Identifier: MIT
#include "dpb.h"

#include <algorithm>
#include <string>

#include "daedalus/error.h"

namespace daedalus::h264 {

int64_t pic_num(const RefFrame& f, uint32_t cur_frame_num, uint32_t max_frame_num) {
  if (f.long_term) return f.long_term_frame_idx;
  return f.frame_num > cur_frame_num ? int64_t(f.frame_num) - max_frame_num : int64_t(f.frame_num);
}

std::vector<int> build_p_list(std::span<const RefFrame> refs, const SliceHeader& sh, uint32_t max_frame_num) {
  const uint32_t cur = sh.frame_num;
  // 8.2.4.2.1: short-term frames by descending PicNum, then long-term ones
  // by ascending LongTermPicNum.
  std::vector<int> list;
  for (size_t i = 0; i < refs.size(); ++i) list.push_back(int(i));
  std::stable_sort(list.begin(), list.end(), [&](int a, int b) {
    const RefFrame &fa = refs[size_t(a)], &fb = refs[size_t(b)];
    if (fa.long_term != fb.long_term) return !fa.long_term;
    const int64_t na = pic_num(fa, cur, max_frame_num), nb = pic_num(fb, cur, max_frame_num);
    return fa.long_term ? na < nb : na > nb;
  });
  const size_t active = size_t(sh.num_ref_idx_active(0));
  // 8.2.4.2: a longer initial list is cut to the active count; a shorter
  // one leaves "no reference picture" entries.
  list.resize(active, -1);
  if (!sh.ref_pic_list_modification_flag[0]) return list;

  // 8.2.4.3: each modification puts its picture at refIdxLX and removes the
  // later copy of it; the list is one entry longer while it happens.
  const int64_t curr_pic_num = cur;
  int64_t pred = curr_pic_num;
  for (size_t idx = 0; idx < sh.num_ref_pic_list_modifications[0]; ++idx) {
    const RefPicListModification& m = sh.ref_pic_list_modification[0][idx];
    if (idx >= active) throw Error("h264: ref_pic_list_modification: more modifications than references");
    int found = -1;
    bool long_term = m.modification_of_pic_nums_idc == 2;
    int64_t num;
    if (!long_term) {
      const int64_t abs_diff = int64_t(m.abs_diff_pic_num_minus1) + 1;
      if (abs_diff > max_frame_num) throw Error("h264: ref_pic_list_modification: abs_diff_pic_num_minus1 out of range");
      // 8-35 / 8-36 on picNumNoWrap, then picNum (8-37).
      int64_t no_wrap = m.modification_of_pic_nums_idc == 0 ? pred - abs_diff : pred + abs_diff;
      if (m.modification_of_pic_nums_idc == 0 && no_wrap < 0) no_wrap += max_frame_num;
      if (m.modification_of_pic_nums_idc == 1 && no_wrap >= int64_t(max_frame_num)) no_wrap -= max_frame_num;
      pred = no_wrap;
      num = no_wrap > curr_pic_num ? no_wrap - max_frame_num : no_wrap;
    } else {
      num = m.long_term_pic_num;
    }
    for (size_t i = 0; i < refs.size(); ++i)
      if (refs[i].long_term == long_term && pic_num(refs[i], cur, max_frame_num) == num) found = int(i);
    if (found < 0)
      throw Error("h264: ref_pic_list_modification names " + std::string(long_term ? "LongTermPicNum " : "PicNum ") +
                  std::to_string(num) + ", which is no reference picture");
    list.insert(list.begin() + std::ptrdiff_t(idx), found);
    // Remove the later copy (8-38 / 8-39): the same picture after idx.
    for (size_t i = idx + 1; i < list.size(); ++i)
      if (list[i] == found) {
        list.erase(list.begin() + std::ptrdiff_t(i));
        break;
      }
    list.resize(active, -1);
  }
  return list;
}

void RefMarking::check_frame_num(const Sps& sps, const SliceHeader& sh) const {
  if (sh.idr() || !prev_ref_frame_num_) return;
  const uint32_t prev = *prev_ref_frame_num_;
  if (sh.frame_num != prev && sh.frame_num != (prev + 1) % sps.max_frame_num())
    throw Error("h264: frame_num gap (" + std::to_string(prev) + " to " + std::to_string(sh.frame_num) +
                "): gaps_in_frame_num / lost reference pictures are not decoded yet");
}

bool RefMarking::holds(int buffer) const {
  return std::any_of(refs_.begin(), refs_.end(), [&](const RefFrame& f) { return f.buffer == buffer; });
}

void RefMarking::unmark_long_term_idx(uint32_t idx, int except_buffer) {
  std::erase_if(refs_, [&](const RefFrame& f) {
    return f.long_term && f.long_term_frame_idx == idx && f.buffer != except_buffer;
  });
}

void RefMarking::mark(const Sps& sps, const SliceHeader& sh, int buffer, int32_t poc) {
  const uint32_t max_frame_num = sps.max_frame_num();
  RefFrame cur{buffer, sh.frame_num, false, 0, poc};
  bool cur_long_term = false;
  if (sh.idr()) {
    refs_.clear();
    if (sh.long_term_reference_flag) {
      max_long_term_frame_idx_ = 0;
      cur.long_term = cur_long_term = true;
    } else {
      max_long_term_frame_idx_.reset();
    }
  } else if (sh.adaptive_ref_pic_marking_mode_flag) {
    const auto short_term = [&](int64_t num) -> RefFrame* {
      for (RefFrame& f : refs_)
        if (!f.long_term && pic_num(f, sh.frame_num, max_frame_num) == num) return &f;
      return nullptr;
    };
    for (size_t i = 0; i < sh.num_mmco_ops; ++i) {
      const MemoryManagementOp& op = sh.mmco[i];
      const int64_t pic_num_x = int64_t(sh.frame_num) - (int64_t(op.difference_of_pic_nums_minus1) + 1);
      switch (op.memory_management_control_operation) {
        case 1: {  // a short-term picture unused
          RefFrame* f = short_term(pic_num_x);
          if (!f) throw Error("h264: MMCO 1 names PicNum " + std::to_string(pic_num_x) + ", no short-term picture");
          std::erase_if(refs_, [&](const RefFrame& r) { return &r == f; });
          break;
        }
        case 2: {  // a long-term picture unused
          const auto n = std::erase_if(refs_, [&](const RefFrame& r) {
            return r.long_term && r.long_term_frame_idx == op.long_term_pic_num;
          });
          if (!n)
            throw Error("h264: MMCO 2 names LongTermPicNum " + std::to_string(op.long_term_pic_num) +
                        ", no long-term picture");
          break;
        }
        case 3: {  // a short-term picture becomes long-term
          if (!max_long_term_frame_idx_ || op.long_term_frame_idx > *max_long_term_frame_idx_)
            throw Error("h264: MMCO 3: long_term_frame_idx above MaxLongTermFrameIdx");
          RefFrame* f = short_term(pic_num_x);
          if (!f) throw Error("h264: MMCO 3 names PicNum " + std::to_string(pic_num_x) + ", no short-term picture");
          const int b = f->buffer;
          unmark_long_term_idx(op.long_term_frame_idx, b);
          for (RefFrame& r : refs_)
            if (r.buffer == b) {
              r.long_term = true;
              r.long_term_frame_idx = op.long_term_frame_idx;
            }
          break;
        }
        case 4:  // MaxLongTermFrameIdx
          if (op.max_long_term_frame_idx_plus1 == 0)
            max_long_term_frame_idx_.reset();
          else
            max_long_term_frame_idx_ = op.max_long_term_frame_idx_plus1 - 1;
          std::erase_if(refs_, [&](const RefFrame& r) {
            return r.long_term && (!max_long_term_frame_idx_ || r.long_term_frame_idx > *max_long_term_frame_idx_);
          });
          break;
        case 5:  // everything unused; the picture counts as frame_num 0
          refs_.clear();
          max_long_term_frame_idx_.reset();
          cur.frame_num = 0;
          break;
        case 6:  // the current picture becomes long-term
          if (!max_long_term_frame_idx_ || op.long_term_frame_idx > *max_long_term_frame_idx_)
            throw Error("h264: MMCO 6: long_term_frame_idx above MaxLongTermFrameIdx");
          unmark_long_term_idx(op.long_term_frame_idx, -1);
          cur.long_term = cur_long_term = true;
          cur.long_term_frame_idx = op.long_term_frame_idx;
          break;
        default:
          throw Error("h264: memory_management_control_operation " +
                      std::to_string(op.memory_management_control_operation) + " out of range 1..6");
      }
    }
  } else {
    // 8.2.5.3 sliding window: the short-term frame with the smallest
    // FrameNumWrap goes when the references are full.
    const size_t max_refs = std::max<size_t>(sps.max_num_ref_frames, 1);
    if (refs_.size() >= max_refs) {
      auto oldest = refs_.end();
      for (auto it = refs_.begin(); it != refs_.end(); ++it)
        if (!it->long_term && (oldest == refs_.end() || pic_num(*it, sh.frame_num, max_frame_num) <
                                                            pic_num(*oldest, sh.frame_num, max_frame_num)))
          oldest = it;
      if (oldest != refs_.end()) refs_.erase(oldest);
    }
  }
  (void)cur_long_term;
  refs_.push_back(cur);
  if (refs_.size() > std::max<size_t>(sps.max_num_ref_frames, 1))
    throw Error("h264: " + std::to_string(refs_.size()) + " reference frames, more than max_num_ref_frames (" +
                std::to_string(sps.max_num_ref_frames) + ")");
  prev_ref_frame_num_ = cur.frame_num;
}

size_t OutputOrder::pick() const {
  size_t out = 0;
  for (size_t i = 1; i < delayed_.size() && !delayed_[i].barrier; ++i)
    if (delayed_[i].poc < delayed_[out].poc) out = i;
  return out;
}

bool OutputOrder::waiting(int id) const {
  return std::any_of(delayed_.begin(), delayed_.end(), [&](const Picture& p) { return p.id == id; });
}

std::optional<int> OutputOrder::push(const Sps& sps, Picture cur, std::vector<int>& dropped) {
  if (sps.vui.bitstream_restriction_flag) has_b_frames_ = std::max<int>(has_b_frames_, sps.vui.max_num_reorder_frames);
  if (cur.barrier) std::fill(last_pocs_.begin(), last_pocs_.end(), INT32_MIN);
  // How far out of order this POC arrives among the last ones.
  int i = 0;
  for (;; ++i) {
    if (i == kMaxDpbFrames || cur.poc < last_pocs_[size_t(i)]) {
      if (i) last_pocs_[size_t(i - 1)] = cur.poc;
      break;
    }
    if (i) last_pocs_[size_t(i - 1)] = last_pocs_[size_t(i)];
  }
  int out_of_order = kMaxDpbFrames - i;
  if (cur.b_slices || (last_pocs_[kMaxDpbFrames - 2] > INT32_MIN &&
                       last_pocs_[kMaxDpbFrames - 1] - last_pocs_[kMaxDpbFrames - 2] > 2))
    out_of_order = std::max(out_of_order, 1);
  if (out_of_order == kMaxDpbFrames) {  // a POC below every recent one: a new sequence
    std::fill(last_pocs_.begin() + 1, last_pocs_.end(), INT32_MIN);
    last_pocs_[0] = cur.poc;
    cur.barrier = true;
  } else if (has_b_frames_ < out_of_order && !sps.vui.bitstream_restriction_flag) {
    has_b_frames_ = out_of_order;
  }

  delayed_.push_back(cur);
  const size_t out = pick();
  if (has_b_frames_ == 0 && delayed_[0].barrier) next_output_poc_ = INT32_MIN;
  const Picture p = delayed_[out];
  const bool late = p.poc < next_output_poc_;
  const bool ready = int(delayed_.size()) > has_b_frames_;
  if (!late && !ready) return std::nullopt;
  delayed_.erase(delayed_.begin() + std::ptrdiff_t(out));
  if (late) {
    dropped.push_back(p.id);
    return std::nullopt;
  }
  next_output_poc_ = out == 0 && !delayed_.empty() && delayed_[0].barrier ? INT32_MIN : p.poc;
  return p.id;
}

std::vector<int> OutputOrder::flush() {
  std::vector<int> ids;
  while (!delayed_.empty()) {
    const size_t out = pick();
    ids.push_back(delayed_[out].id);
    delayed_.erase(delayed_.begin() + std::ptrdiff_t(out));
  }
  next_output_poc_ = INT32_MIN;
  std::fill(last_pocs_.begin(), last_pocs_.end(), INT32_MIN);
  return ids;
}

}  // namespace daedalus::h264
