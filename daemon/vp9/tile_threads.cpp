// SPDX-License-Identifier: MIT
// Tile columns on several threads: VP9 tile columns are independent, so
// each worker decodes whole columns, the first in place and the others into
// outputs of their own, which are then joined in bitstream order
// (decode_tile_columns).
#include <exception>
#include <memory>
#include <mutex>

#include "daedalus/dispatch/fork_join.h"
#include "tile_decoder_internal.h"

namespace daedalus::vp9::tile {
namespace {

// One thread's outputs when tile columns are decoded in parallel.
struct TileColumnWorker {
  std::vector<ModeInfo> blocks;
  dispatch::FrameWork work;  // blocks, tx_blocks and coeffs only
  FrameCounts counts{};
};

// Worker outputs are shared by every decoder of the process, not kept per
// stream: a new stream's first frame (a key frame, often its largest) then
// writes into memory earlier frames already faulted in. Only its own
// FrameWork is new, as on one thread.
class WorkerPool {
 public:
  std::unique_ptr<TileColumnWorker> acquire() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return std::make_unique<TileColumnWorker>();
    std::unique_ptr<TileColumnWorker> w = std::move(free_.back());
    free_.pop_back();
    return w;
  }
  void release(std::unique_ptr<TileColumnWorker> w) {
    std::lock_guard lock(mutex_);
    if (free_.size() < kMaxIdle) free_.push_back(std::move(w));
  }

 private:
  static constexpr size_t kMaxIdle = 8;  // two 4-thread streams' worth
  std::mutex mutex_;
  std::vector<std::unique_ptr<TileColumnWorker>> free_;
};

WorkerPool& worker_pool() {
  static WorkerPool pool;
  return pool;
}

}  // namespace

// Tile columns on the pool's threads. VP9 tile columns are independent: a
// block's contexts, neighbours and MV candidates never cross a tile
// column's edges (they do cross tile rows, so one worker takes a column's
// tiles top to bottom). Worker w decodes a run of adjacent columns. With
// one tile row, worker 0's columns come first in bitstream order, so it
// writes the frame's own arrays in place; the other workers (all of them
// with several tile rows) write outputs of their own, which are appended
// in bitstream order with the indices they hold (mode info grid,
// coefficient offsets) moved along, so the frame's work, grid and counts
// are exactly those of decoding on one thread.
void decode_tile_columns(const std::vector<TileSpan>& tiles, int tile_cols, dispatch::ForkJoin& threads,
                         const TileDecodeContext& ctx) {
  const FrameHeader& h = *ctx.hdr;
  const size_t mis = static_cast<size_t>(h.mi_rows) * h.mi_cols;
  const unsigned n = std::min(threads.size(), static_cast<unsigned>(tile_cols));
  const auto first_col = [&](unsigned w) { return static_cast<int>(w * static_cast<unsigned>(tile_cols) / n); };
  const bool in_place = tiles.size() == static_cast<size_t>(tile_cols);
  std::vector<std::unique_ptr<TileColumnWorker>> pool(n);
  for (unsigned w = in_place ? 1 : 0; w < n; ++w) pool[w] = worker_pool().acquire();
  struct Release {  // back to the process's pool on every way out
    std::vector<std::unique_ptr<TileColumnWorker>>& pool;
    ~Release() {
      for (auto& w : pool)
        if (w) worker_pool().release(std::move(w));
    }
  } release{pool};
  struct Output {  // one tile's share of its worker's outputs: [begin, end)
    size_t blocks[2] = {}, work_blocks[2] = {}, tx[2] = {}, coeffs[2] = {};
    size_t unread = 0;
    bool decoded = false;
  };
  std::vector<Output> out(tiles.size());
  std::vector<std::exception_ptr> error(n);
  std::vector<size_t> error_tile(n, tiles.size());
  // In place: no reallocation while decoding (TileDecoder keeps pointers).
  ctx.blocks->clear();
  ctx.blocks->reserve(mis);
  auto run = [&](unsigned w) {
    if (w >= n) return;
    size_t i = 0;
    try {
      TileDecodeContext c = ctx;
      c.tile_unread_bytes = nullptr;
      c.threads = nullptr;
      if (TileColumnWorker* wk = pool[w].get()) {
        // Room for the worst case of this worker's columns up front, as
        // FrameCore reserves the frame's work (see there): grown by
        // doubling, a stream's first frame would copy its coefficients over
        // and over.
        size_t mi = 0;
        for (int tc = first_col(w); tc < first_col(w + 1); ++tc)
          mi += static_cast<size_t>(tiles[static_cast<size_t>(tc)].c1 - tiles[static_cast<size_t>(tc)].c0) * h.mi_rows;
        const size_t units = std::min<size_t>(mi * 4, (4096 / 4) * (2304 / 4));
        wk->blocks.clear();
        wk->blocks.reserve(mi);  // at most one per 8x8; TileDecoder keeps pointers into it
        wk->work.blocks.clear();
        wk->work.blocks.reserve(units);
        wk->work.tx_blocks.clear();
        wk->work.tx_blocks.reserve(units * 3 / 2);
        wk->work.coeffs.clear();
        wk->work.coeffs.reserve(units * 16 * 3 / 2);
        wk->counts = FrameCounts{};
        c.counts = &wk->counts;
        c.blocks = &wk->blocks;
        c.work = &wk->work;
      }
      TileDecoder td(c);
      for (int tc = first_col(w); tc < first_col(w + 1); ++tc)
        for (i = static_cast<size_t>(tc); i < tiles.size(); i += static_cast<size_t>(tile_cols)) {
          const TileSpan& t = tiles[i];
          if (t.empty()) continue;
          Output& o = out[i];
          o.blocks[0] = c.blocks->size();
          o.work_blocks[0] = c.work->blocks.size();
          o.tx[0] = c.work->tx_blocks.size();
          o.coeffs[0] = c.work->coeffs.size();
          o.unread = td.decode_tile(t.data, t.size, t.r0, t.r1, t.c0, t.c1);
          o.blocks[1] = c.blocks->size();
          o.work_blocks[1] = c.work->blocks.size();
          o.tx[1] = c.work->tx_blocks.size();
          o.coeffs[1] = c.work->coeffs.size();
          o.decoded = true;
        }
      td.flush_coef_counts();
    } catch (...) {
      error[w] = std::current_exception();
      error_tile[w] = i;
    }
  };
  threads.run(run);
  // The error of the first failing tile in bitstream order, as one thread
  // would have reported it.
  unsigned first = n;
  for (unsigned w = 0; w < n; ++w)
    if (error[w] && (first == n || error_tile[w] < error_tile[first])) first = w;
  if (first != n) std::rethrow_exception(error[first]);

  dispatch::FrameWork& work = *ctx.work;
  std::vector<int32_t>& grid = *ctx.grid;
  for (size_t i = 0; i < tiles.size(); ++i) {
    const Output& o = out[i];
    if (!o.decoded) continue;
    if (ctx.tile_unread_bytes) ctx.tile_unread_bytes->push_back(o.unread);
    const int tc = static_cast<int>(i % static_cast<size_t>(tile_cols));
    unsigned w = 0;
    while (tc >= first_col(w + 1)) ++w;
    if (w == 0 && in_place) continue;  // already where it belongs
    const TileColumnWorker& wk = *pool[w];
    const int32_t block_shift = static_cast<int32_t>(ctx.blocks->size()) - static_cast<int32_t>(o.blocks[0]);
    ctx.blocks->insert(ctx.blocks->end(), wk.blocks.begin() + o.blocks[0], wk.blocks.begin() + o.blocks[1]);
    work.blocks.insert(work.blocks.end(), wk.work.blocks.begin() + o.work_blocks[0],
                       wk.work.blocks.begin() + o.work_blocks[1]);
    const uint32_t coeff_shift = static_cast<uint32_t>(work.coeffs.size() - o.coeffs[0]);  // modulo 2^32
    const size_t tx0 = work.tx_blocks.size();
    work.tx_blocks.insert(work.tx_blocks.end(), wk.work.tx_blocks.begin() + o.tx[0], wk.work.tx_blocks.begin() + o.tx[1]);
    for (size_t k = tx0; k < work.tx_blocks.size(); ++k)
      if (work.tx_blocks[k].eob) work.tx_blocks[k].coeff_offset += coeff_shift;
    work.coeffs.insert(work.coeffs.end(), wk.work.coeffs.begin() + o.coeffs[0], wk.work.coeffs.begin() + o.coeffs[1]);
    const TileSpan& t = tiles[i];
    for (int r = t.r0; r < t.r1; ++r) {
      int32_t* row = grid.data() + static_cast<size_t>(r) * h.mi_cols;
      for (int c = t.c0; c < t.c1; ++c) row[c] += block_shift;
    }
  }
  for (const auto& wk : pool)
    if (wk) add_counts(*ctx.counts, wk->counts);
}

}  // namespace daedalus::vp9::tile
