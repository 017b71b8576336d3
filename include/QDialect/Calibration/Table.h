//===- Table.h - The calibration table q-calibrate writes -------*- C++ -*-===//
//
// A JSON file that maps MXNet-style tensor names (`data`, `conv0_output`)
// to calibrated ranges; `q-calibrate` writes it and `--q-calibrate` reads
// it. People edit it by hand, so the reader names the file, the entry and
// the field of every mistake. docs/CALIBRATION.md shows the format:
//
//   {
//     "format": "q-calibration-table", "version": 1,
//     "mode": "entropy", "dtype": "auto",
//     "tensors": {
//       "data": {"min": -0.98, "max": 1.0},
//       "relu0_output": {"min": 0, "max": 5.1, "observed_max": 9.7}
//     }
//   }
//
// `min` and `max` are what the passes use, and `channel_min`/`channel_max`
// (arrays) where a depthwise convolution reads the tensor; other fields of
// an entry (observed_min/observed_max, method, negative_fraction) are
// informational and kept.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_CALIBRATION_TABLE_H
#define QDIALECT_CALIBRATION_TABLE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qcalib {

struct TableEntry {
  std::string name;
  double min = 0, max = 0;
  /// The data's own range, when it differs from the calibrated one.
  std::optional<double> observedMin, observedMax;
  /// How min/max were found (naive, entropy, percentile, manual, ...).
  std::string method;
  /// The fraction of the observed values below zero (what uint8 would
  /// clip), when calibration counted it.
  std::optional<double> negativeFraction;
  /// Per-channel ranges (axis 1) of a tensor only depthwise convolutions
  /// read: they get one step per channel (docs/CALIBRATION.md). Empty, or
  /// one min and one max per channel.
  std::vector<double> channelMin, channelMax;
};

struct CalibrationTable {
  std::string mode;  // naive | entropy | percentile (informational)
  std::string dtype; // int8 | uint8 | auto (informational)
  std::vector<TableEntry> entries; // in the order written

  /// The entry of `name`, or null.
  const TableEntry *find(llvm::StringRef name) const;
  /// Adds or replaces the entry of `entry.name`.
  void set(TableEntry entry);
};

/// Parses a table; `fileName` only names the file in errors.
llvm::Expected<CalibrationTable> parseCalibrationTable(llvm::StringRef text,
                                                       llvm::StringRef fileName);
llvm::Expected<CalibrationTable> readCalibrationTable(llvm::StringRef path);

/// Writes the table with one entry per line, in entry order.
void printCalibrationTable(const CalibrationTable &table,
                           llvm::raw_ostream &os);
/// Writes to a temporary file and renames it, so a failure leaves nothing.
llvm::Error writeCalibrationTable(const CalibrationTable &table,
                                  llvm::StringRef path);

} // namespace qcalib

#endif // QDIALECT_CALIBRATION_TABLE_H
