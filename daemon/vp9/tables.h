// SPDX-License-Identifier: MIT
// VP9 constants and normative tables (bitstream spec sections 9 and 10).
// The large tables live in tables_data.cpp (the spec's normative values); the
// small ones are written out here.
#pragma once

#include <cstdint>

namespace daedalus::vp9 {

enum BlockSize : uint8_t {
  kBlock4x4, kBlock4x8, kBlock8x4, kBlock8x8, kBlock8x16, kBlock16x8, kBlock16x16,
  kBlock16x32, kBlock32x16, kBlock32x32, kBlock32x64, kBlock64x32, kBlock64x64, kBlockSizes
};
enum Partition : uint8_t { kPartNone, kPartHorz, kPartVert, kPartSplit };
enum TxMode : uint8_t { kOnly4x4, kAllow8x8, kAllow16x16, kAllow32x32, kTxModeSelect };
// Intra modes use dd_intra_mode numbering 0..9; inter modes follow.
enum PredMode : uint8_t { kNearestMv = 10, kNearMv = 11, kZeroMv = 12, kNewMv = 13 };
// Reference frames as VP9 numbers them; kNone marks "no second reference".
enum RefFrame : int8_t { kNoneRef = -1, kIntraFrame = 0, kLastFrame = 1, kGoldenFrame = 2, kAltrefFrame = 3 };
enum ReferenceMode : uint8_t { kSingleRef, kCompoundRef, kRefModeSelect };
constexpr int kSwitchableFilter = 4;  // frame-level "per block" filter type

// Block dimensions in 4x4 units (log2) and 8x8 units.
constexpr uint8_t kBWidthLog2[kBlockSizes] = {0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4};
constexpr uint8_t kBHeightLog2[kBlockSizes] = {0, 1, 0, 1, 2, 1, 2, 3, 2, 3, 4, 3, 4};
constexpr uint8_t kNum8x8W[kBlockSizes] = {1, 1, 1, 1, 1, 2, 2, 2, 4, 4, 4, 8, 8};
constexpr uint8_t kNum8x8H[kBlockSizes] = {1, 1, 1, 1, 2, 1, 2, 4, 2, 4, 8, 4, 8};
constexpr uint8_t kSizeGroup[kBlockSizes] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3};
constexpr uint8_t kMaxTxSize[kBlockSizes] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3};
// Sub-size of a square block (index log2(size/8)) for each partition type.
constexpr BlockSize kSubsize[4][4] = {
    // 8x8, 16x16, 32x32, 64x64
    {kBlock8x8, kBlock16x16, kBlock32x32, kBlock64x64},  // none
    {kBlock8x4, kBlock16x8, kBlock32x16, kBlock64x32},   // horz
    {kBlock4x8, kBlock8x16, kBlock16x32, kBlock32x64},   // vert
    {kBlock4x4, kBlock8x8, kBlock16x16, kBlock32x32},    // split
};
// Partition context bits written above/left of a decoded block.
constexpr uint8_t kPartitionCtxAbove[kBlockSizes] = {15, 15, 14, 14, 14, 12, 12, 12, 8, 8, 8, 0, 0};
constexpr uint8_t kPartitionCtxLeft[kBlockSizes] = {15, 14, 15, 14, 12, 14, 12, 8, 12, 8, 0, 8, 0};
constexpr TxMode kTxModeToBiggest[5] = {kOnly4x4, kAllow8x8, kAllow16x16, kAllow32x32, kAllow32x32};

// Partition probabilities of key frames and intra-only frames.
constexpr uint8_t kKfPartitionProbs[16][3] = {
    {158, 97, 94}, {93, 24, 99}, {85, 119, 44}, {62, 59, 67}, {149, 53, 53}, {94, 20, 48},
    {83, 53, 24},  {52, 18, 18}, {150, 40, 39}, {78, 12, 26}, {67, 33, 11},  {24, 7, 5},
    {174, 35, 49}, {68, 11, 27}, {57, 15, 9},   {12, 3, 3}};

// Intra mode -> transform type (dd_tx_type numbering).
constexpr uint8_t kModeToTxType[10] = {0, 1, 2, 0, 3, 1, 2, 2, 1, 3};

// Trees (libvpx layout: pairs of children, <= 0 is a leaf -symbol).
constexpr int8_t kIntraModeTree[18] = {-0, 2, -9, 4, -1, 6, 8, 12, -2, 10, -4, -5, -3, 14, -8, 16, -6, -7};
constexpr int8_t kInterModeTree[6] = {-(kZeroMv - kNearestMv), 2, -(kNearestMv - kNearestMv), 4,
                                      -(kNearMv - kNearestMv), -(kNewMv - kNearestMv)};
constexpr int8_t kPartitionTree[6] = {-kPartNone, 2, -kPartHorz, 4, -kPartVert, -kPartSplit};
constexpr int8_t kSegmentTree[14] = {2, 4, 6, 8, 10, 12, 0, -1, -2, -3, -4, -5, -6, -7};
constexpr int8_t kSwitchableInterpTree[4] = {0, 2, -1, -2};
constexpr int8_t kMvJointTree[6] = {0, 2, -1, 4, -2, -3};
constexpr int8_t kMvClassTree[20] = {0, 2, -1, 4, 6, 8, -2, -3, 10, 12, -4, -5, -6, 14, 16, 18, -7, -8, -9, -10};
constexpr int8_t kMvClass0Tree[2] = {0, -1};
constexpr int8_t kMvFrTree[6] = {0, 2, -1, 4, -2, -3};

// Coefficient token coding.
constexpr uint8_t kCoefBand4x4[16] = {0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5};
constexpr int coef_band_8x8plus(int c) {
  return c == 0 ? 0 : c < 3 ? 1 : c < 6 ? 2 : c < 10 ? 3 : c < 21 ? 4 : 5;
}
constexpr uint8_t kCat1Prob[1] = {159};
constexpr uint8_t kCat2Prob[2] = {165, 145};
constexpr uint8_t kCat3Prob[3] = {173, 148, 140};
constexpr uint8_t kCat4Prob[4] = {176, 155, 140, 135};
constexpr uint8_t kCat5Prob[5] = {180, 157, 141, 134, 130};
constexpr uint8_t kCat6Prob[14] = {254, 254, 254, 252, 249, 243, 230, 196, 177, 153, 140, 133, 130, 129};

// Inter mode context from the two nearest neighbours' modes.
constexpr uint8_t kMode2Counter[14] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 3, 1};
constexpr uint8_t kCounterToContext[19] = {2, 3, 4, 1, 3, 9, 0, 9, 9, 5, 5, 9, 5, 9, 9, 9, 9, 9, 6};

// Candidate positions (row, col in 8x8 units) for the reference MV search.
struct MvRefPos {
  int8_t row, col;
};
constexpr MvRefPos kMvRefBlocks[kBlockSizes][8] = {
    {{-1, 0}, {0, -1}, {-1, -1}, {-2, 0}, {0, -2}, {-2, -1}, {-1, -2}, {-2, -2}},
    {{-1, 0}, {0, -1}, {-1, -1}, {-2, 0}, {0, -2}, {-2, -1}, {-1, -2}, {-2, -2}},
    {{-1, 0}, {0, -1}, {-1, -1}, {-2, 0}, {0, -2}, {-2, -1}, {-1, -2}, {-2, -2}},
    {{-1, 0}, {0, -1}, {-1, -1}, {-2, 0}, {0, -2}, {-2, -1}, {-1, -2}, {-2, -2}},
    {{0, -1}, {-1, 0}, {1, -1}, {-1, -1}, {0, -2}, {-2, 0}, {-2, -1}, {-1, -2}},
    {{-1, 0}, {0, -1}, {-1, 1}, {-1, -1}, {-2, 0}, {0, -2}, {-1, -2}, {-2, -1}},
    {{-1, 0}, {0, -1}, {-1, 1}, {1, -1}, {-1, -1}, {-3, 0}, {0, -3}, {-3, -3}},
    {{0, -1}, {-1, 0}, {2, -1}, {-1, -1}, {-1, 1}, {0, -3}, {-3, 0}, {-3, -3}},
    {{-1, 0}, {0, -1}, {-1, 2}, {-1, -1}, {1, -1}, {-3, 0}, {0, -3}, {-3, -3}},
    {{-1, 1}, {1, -1}, {-1, 2}, {2, -1}, {-1, -1}, {-3, 0}, {0, -3}, {-3, -3}},
    {{0, -1}, {-1, 0}, {4, -1}, {-1, 2}, {-1, -1}, {0, -3}, {-3, 0}, {2, -1}},
    {{-1, 0}, {0, -1}, {-1, 4}, {2, -1}, {-1, -1}, {-3, 0}, {0, -3}, {-1, 2}},
    {{-1, 3}, {3, -1}, {-1, 4}, {4, -1}, {-1, -1}, {-1, 0}, {0, -1}, {-1, 6}},
};
// Sub-8x8 candidate: which 4x4 of the neighbour to take, by block index and
// whether the neighbour is the left (col -1) one.
constexpr uint8_t kIdxNColumnToSubblock[4][2] = {{1, 2}, {1, 3}, {3, 2}, {3, 3}};

// Generated normative data (tables_data.cpp).
extern const uint8_t kDefaultCoefProbs[4][2][2][6][6][3];
extern const uint8_t kParetoFull[255][8];
extern const uint8_t kKfUvModeProbs[10][9];
extern const uint8_t kKfYModeProbs[10][10][9];
extern const int16_t kDefaultScan4x4[16], kDefaultScan4x4Neighbors[34];
extern const int16_t kDefaultScan8x8[64], kDefaultScan8x8Neighbors[130];
extern const int16_t kDefaultScan16x16[256], kDefaultScan16x16Neighbors[514];
extern const int16_t kDefaultScan32x32[1024], kDefaultScan32x32Neighbors[2050];
extern const int16_t kColScan4x4[16], kColScan4x4Neighbors[34];
extern const int16_t kColScan8x8[64], kColScan8x8Neighbors[130];
extern const int16_t kColScan16x16[256], kColScan16x16Neighbors[514];
extern const int16_t kRowScan4x4[16], kRowScan4x4Neighbors[34];
extern const int16_t kRowScan8x8[64], kRowScan8x8Neighbors[130];
extern const int16_t kRowScan16x16[256], kRowScan16x16Neighbors[514];
extern const int16_t kDcQLookup[256];
extern const int16_t kAcQLookup[256];

struct ScanOrder {
  const int16_t* scan;
  const int16_t* neighbors;  // two raster positions per scan position
};
// Scans by [tx_size][dd_tx_type & 3] (scan_order.cpp).
extern const ScanOrder kScanOrders[4][4];
// Scan for a transform size and dd_tx_type (ADST_DCT -> row scan,
// DCT_ADST -> column scan, others default; 32x32 always default).
inline ScanOrder scan_order(int tx_size, int tx_type) {
  return tx_type > 3 ? kScanOrders[tx_size][0] : kScanOrders[tx_size][tx_type];
}

}  // namespace daedalus::vp9
