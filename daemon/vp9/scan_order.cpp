// SPDX-License-Identifier: MIT
#include "tables.h"

namespace daedalus::vp9 {

ScanOrder scan_order(int tx_size, int tx_type) {
  static const ScanOrder kDefault[4] = {{kDefaultScan4x4, kDefaultScan4x4Neighbors},
                                        {kDefaultScan8x8, kDefaultScan8x8Neighbors},
                                        {kDefaultScan16x16, kDefaultScan16x16Neighbors},
                                        {kDefaultScan32x32, kDefaultScan32x32Neighbors}};
  static const ScanOrder kRow[3] = {{kRowScan4x4, kRowScan4x4Neighbors},
                                    {kRowScan8x8, kRowScan8x8Neighbors},
                                    {kRowScan16x16, kRowScan16x16Neighbors}};
  static const ScanOrder kCol[3] = {{kColScan4x4, kColScan4x4Neighbors},
                                    {kColScan8x8, kColScan8x8Neighbors},
                                    {kColScan16x16, kColScan16x16Neighbors}};
  if (tx_size < 3) {
    if (tx_type == 1) return kRow[tx_size];  // ADST vertically: row scan
    if (tx_type == 2) return kCol[tx_size];  // ADST horizontally: column scan
  }
  return kDefault[tx_size];
}

}  // namespace daedalus::vp9
