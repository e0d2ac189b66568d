// SPDX-License-Identifier: MIT
#include "tables.h"

namespace daedalus::vp9 {

// ADST vertically (ADST_DCT) reads rows first: row scan; ADST horizontally
// (DCT_ADST): column scan; DCT_DCT, ADST_ADST and every 32x32: default.
const ScanOrder kScanOrders[4][4] = {
    {{kDefaultScan4x4, kDefaultScan4x4Neighbors},
     {kRowScan4x4, kRowScan4x4Neighbors},
     {kColScan4x4, kColScan4x4Neighbors},
     {kDefaultScan4x4, kDefaultScan4x4Neighbors}},
    {{kDefaultScan8x8, kDefaultScan8x8Neighbors},
     {kRowScan8x8, kRowScan8x8Neighbors},
     {kColScan8x8, kColScan8x8Neighbors},
     {kDefaultScan8x8, kDefaultScan8x8Neighbors}},
    {{kDefaultScan16x16, kDefaultScan16x16Neighbors},
     {kRowScan16x16, kRowScan16x16Neighbors},
     {kColScan16x16, kColScan16x16Neighbors},
     {kDefaultScan16x16, kDefaultScan16x16Neighbors}},
    {{kDefaultScan32x32, kDefaultScan32x32Neighbors},
     {kDefaultScan32x32, kDefaultScan32x32Neighbors},
     {kDefaultScan32x32, kDefaultScan32x32Neighbors},
     {kDefaultScan32x32, kDefaultScan32x32Neighbors}},
};

}  // namespace daedalus::vp9
