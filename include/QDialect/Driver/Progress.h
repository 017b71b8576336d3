//===- Progress.h - Steps, times and progress of the tools --*- C++ -*-===//
//
// A tool that works for tens of seconds says what it is doing: each step
// with its time, a progress line for long loops (calibration batches), and
// one summary line at the end. What shows depends on where stderr goes:
//
//   on a terminal      steps with times, progress lines, the summary
//   not a terminal     only the summary (tests and pipes stay stable)
//   -v (verbose)       steps and details (commands) wherever it goes
//   --quiet            nothing but errors, not even the summary
//
// Steps, details and progress go to stderr; the summary to stdout.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_DRIVER_PROGRESS_H
#define QDIALECT_DRIVER_PROGRESS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <chrono>
#include <string>

namespace mlir::q::driver {

enum class Verbosity { Quiet, Normal, Verbose };

class StepTimer {
public:
  /// `terminal`: whether stderr is a terminal (isatty(2) by default).
  StepTimer(llvm::StringRef tool, Verbosity verbosity);
  StepTimer(llvm::StringRef tool, Verbosity verbosity, bool terminal);
  ~StepTimer();

  /// Ends the current step (if any) and starts `name`.
  void begin(llvm::StringRef name);
  /// Ends the current step, printing its time.
  void end();
  /// A progress line of the current step, rewritten in place on a
  /// terminal: "batch 3/10, 120.5 samples/s, ETA 4 s".
  void progress(size_t done, size_t total, size_t perUnit,
                llvm::StringRef unit = "samples");
  /// A detail line (commands, counts): only with -v.
  void detail(const llvm::Twine &line);
  /// The one-line summary ("<tool>: <line>") on stdout, unless quiet.
  void summary(const llvm::Twine &line);

  /// Seconds since the timer was made.
  double elapsed() const;
  bool showsSteps() const { return steps_; }
  bool verbose() const { return verbosity_ == Verbosity::Verbose; }
  bool quiet() const { return verbosity_ == Verbosity::Quiet; }

private:
  using Clock = std::chrono::steady_clock;
  std::string tool_;
  Verbosity verbosity_;
  bool terminal_, steps_;
  Clock::time_point start_, stepStart_;
  std::string step_;
  bool progressShown_ = false;
};

} // namespace mlir::q::driver

#endif // QDIALECT_DRIVER_PROGRESS_H
