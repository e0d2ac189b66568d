// SPDX-License-Identifier: MIT
// Coefficient tokens (spec 6.4.24 / libvpx vp9_detokenize.c): each transform
// block's tokens, dequantised into the frame's coefficient array, and the
// token counts for backward adaptation.
#include "tile_decoder_internal.h"

namespace daedalus::vp9::tile {

namespace {

constexpr ptrdiff_t ctx8(int token_cache_sum) { return ((1 + token_cache_sum) >> 1) * 8; }

}  // namespace

const CoefScans& coef_scans() {
  static const CoefScans* const tables = [] {
    auto* t = new CoefScans{};
    size_t next = 0;
    for (int tx = 0; tx < 4; ++tx)
      for (int type = 0; type < 4; ++type) {
        const ScanOrder so = scan_order(tx, type);
        const CoefScan* found = nullptr;
        for (int prev = 0; prev < type && !found; ++prev)
          if (scan_order(tx, prev).scan == so.scan) found = t->by[tx][prev];
        if (!found) {
          CoefScan* e = t->entries + next;
          const int n = 16 << (2 * tx);
          for (int i = 0; i < n; ++i) {
            const int band = tx == 0 ? (i < 16 ? kCoefBand4x4[i] : 5) : coef_band_8x8plus(i);
            e[i] = {so.scan[i], so.neighbors[2 * i], so.neighbors[2 * i + 1], static_cast<int16_t>(band * 48)};
          }
          next += static_cast<size_t>(n);
          found = e;
        }
        t->by[tx][type] = found;
      }
    return t;
  }();
  return *tables;
}

// Zeros appended to work_.coeffs past coeff_end_ at a time: per block,
// vector::resize() was a call that zeroed the block element by element.
constexpr size_t kCoeffChunk = 4096;
constexpr int16_t kZeroCoeffs[kCoeffChunk] = {};

void TileDecoder::grow_coeffs(size_t n) {
  std::vector<int16_t>& v = work_.coeffs;
  const size_t want = coeff_end_ + n;
  while (v.size() < want) v.insert(v.end(), kZeroCoeffs, kZeroCoeffs + kCoeffChunk);
}

// Adds the token counts gathered in coef_counts_ to the frame's counts.
void TileDecoder::flush_coef_counts() {
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        for (int bc = 0; bc < kBandCtxs; ++bc) {
          const uint32_t* n = coef_counts_[t][i][j][bc];
          for (int k = 0; k < 4; ++k) counts_.coef[t][i][j][bc / 6][bc % 6][k] += n[k];
          counts_.eob_branch[t][i][j][bc / 6][bc % 6] += n[4];
        }
}

// Decodes one transform block's tokens (spec 6.4.24 / libvpx
// decode_coefs), returns eob. `probs`/`cnt` are the block's
// coef_probs_/coef_counts_ slices, `ctx` the above/left context. Blocks
// with tokens get their dequantised n*n raster appended to work_.coeffs
// at *coeff_offset; a block whose first token is EOB (the common case)
// costs no coefficient storage.
template <int kTx>
[[gnu::noinline]] int TileDecoder::decode_coefs(const uint8_t* probs, uint32_t* cnt, const CoefScan* scan,
                                                const int16_t* dq, int ctx, uint32_t* coeff_offset) {
  constexpr int kMaxEob = 16 << (2 * kTx);
  constexpr int kShift = kTx == 3;
  // A local copy of the bool decoder: the token_cache/count stores below
  // could alias its members, which would pin them to memory.
  BoolDecoder bd = bd_;
  const size_t off = coeff_end_;
  *coeff_offset = static_cast<uint32_t>(off);
  ptrdiff_t bc8 = ctx * 8;  // band 0
  // Each "more coefficients" read reserves the reads of the common token
  // path after it: ZERO?, ONE?, sign.
  bd.reserve_reads(4);
  ++cnt[bc8 + 4];
  if (!bd.read_unchecked(probs[bc8])) {
    ++cnt[bc8 + 3];
    bd_ = bd;
    return 0;
  }
  if (work_.coeffs.size() - off < kMaxEob) [[unlikely]] grow_coeffs(kMaxEob);
  coeff_end_ = off + kMaxEob;
  int16_t* const out = work_.coeffs.data() + off;
  uint8_t token_cache[kMaxEob];
  const CoefScan* s = scan;
  const CoefScan* const end = scan + kMaxEob;
  const int dq_ac = dq[1];
  int dqv = dq[0];
  // At the loop head the "more coefficients" bit of position s was 1 and
  // bc8 is position s's index.
  for (;;) {
    while (!bd.read_unchecked(probs[bc8 + 1])) {  // ZERO_TOKEN (no EOB check follows one)
      ++cnt[bc8];
      token_cache[s->pos] = 0;
      dqv = dq_ac;
      if (++s == end) {
        bd_ = bd;
        return kMaxEob;
      }
      bc8 = s->band8 + ctx8(token_cache[s->nb0] + token_cache[s->nb1]);
      bd.reserve_reads(3);
    }
    const int pos = s->pos;
    if (!bd.read_unchecked(probs[bc8 + 2])) {  // ONE_TOKEN
      ++cnt[bc8 + 1];
      token_cache[pos] = 1;
      const int v = dqv >> kShift;
      out[pos] = static_cast<int16_t>(bd.read_unchecked(128) ? -v : v);
    } else {
      ++cnt[bc8 + 2];
      const int v = (read_two_plus(bd, probs[bc8 + 2], token_cache[pos]) * dqv) >> kShift;
      // libavcodec's 8-bit path stores int16 and wraps; so do we.
      out[pos] = static_cast<int16_t>(bd.read(128) ? -v : v);
    }
    dqv = dq_ac;
    if (++s == end) break;
    bc8 = s->band8 + ctx8(token_cache[s->nb0] + token_cache[s->nb1]);
    bd.reserve_reads(4);
    ++cnt[bc8 + 4];
    if (!bd.read_unchecked(probs[bc8])) {
      ++cnt[bc8 + 3];
      break;
    }
  }
  bd_ = bd;
  return static_cast<int>(s - scan);
}

// The rest of a token known to be TWO or more (Pareto model tail and
// extra bits); sets its token_cache entry, returns its magnitude.
[[gnu::always_inline]] inline int TileDecoder::read_two_plus(BoolDecoder& bd, int p2, uint8_t& cache) {
  const uint8_t* pp = kParetoFull[p2 - 1];
  if (bd.read(pp[0])) {
    if (bd.read(pp[3])) {
      cache = 5;
      if (bd.read(pp[5])) {
        if (bd.read(pp[7])) return 67 + read_extra(bd, kCat6Prob, 14);
        return 35 + read_extra(bd, kCat5Prob, 5);
      }
      if (bd.read(pp[6])) return 19 + read_extra(bd, kCat4Prob, 4);
      return 11 + read_extra(bd, kCat3Prob, 3);
    }
    cache = 4;
    if (bd.read(pp[4])) return 7 + read_extra(bd, kCat2Prob, 2);
    return 5 + read_extra(bd, kCat1Prob, 1);
  }
  if (bd.read(pp[1])) {
    cache = 3;
    return 3 + bd.read(pp[2]);
  }
  cache = 2;
  return 2;
}

[[gnu::always_inline]] inline int TileDecoder::read_extra(BoolDecoder& bd, const uint8_t* probs, int n) {
  int v = 0;
  for (int i = 0; i < n; ++i) v = (v << 1) | bd.read(probs[i]);
  return v;
}

// emit_plane_tx_blocks (block_output.cpp) calls each size.
template int TileDecoder::decode_coefs<0>(const uint8_t*, uint32_t*, const CoefScan*, const int16_t*, int, uint32_t*);
template int TileDecoder::decode_coefs<1>(const uint8_t*, uint32_t*, const CoefScan*, const int16_t*, int, uint32_t*);
template int TileDecoder::decode_coefs<2>(const uint8_t*, uint32_t*, const CoefScan*, const int16_t*, int, uint32_t*);
template int TileDecoder::decode_coefs<3>(const uint8_t*, uint32_t*, const CoefScan*, const int16_t*, int, uint32_t*);

}  // namespace daedalus::vp9::tile
