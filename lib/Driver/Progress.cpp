//===- Progress.cpp - Steps, times and progress lines of the tools --------===//
//
// StepTimer (Progress.h): one place that decides what a tool prints about
// its own progress, so q-compile, q-calibrate and q-report agree.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Driver/Progress.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <unistd.h>

using namespace mlir::q::driver;

StepTimer::StepTimer(llvm::StringRef tool, Verbosity verbosity)
    : StepTimer(tool, verbosity, ::isatty(2)) {}

StepTimer::StepTimer(llvm::StringRef tool, Verbosity verbosity, bool terminal)
    : tool_(tool.str()), verbosity_(verbosity), terminal_(terminal),
      steps_(verbosity == Verbosity::Verbose ||
             (verbosity == Verbosity::Normal && terminal)),
      start_(Clock::now()), stepStart_(start_) {}

StepTimer::~StepTimer() { end(); }

double StepTimer::elapsed() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void StepTimer::begin(llvm::StringRef name) {
  end();
  step_ = name.str();
  stepStart_ = Clock::now();
  if (steps_ && terminal_) {
    llvm::errs() << tool_ << ": " << step_ << "...";
    llvm::errs().flush();
  }
}

void StepTimer::end() {
  if (step_.empty())
    return;
  double seconds =
      std::chrono::duration<double>(Clock::now() - stepStart_).count();
  if (steps_) {
    // On a terminal the line that began the step (or its progress line) is
    // rewritten with the time.
    if (terminal_)
      llvm::errs() << "\r\x1b[K";
    llvm::errs() << tool_ << ": " << step_ << llvm::format(" %.2f s", seconds)
                 << "\n";
  }
  step_.clear();
  progressShown_ = false;
}

void StepTimer::progress(size_t done, size_t total, size_t perUnit,
                         llvm::StringRef unit) {
  if (!steps_ || !terminal_)
    return;
  double seconds =
      std::chrono::duration<double>(Clock::now() - stepStart_).count();
  double rate = seconds > 0 ? double(done * perUnit) / seconds : 0;
  double eta = done ? seconds / double(done) * double(total - done) : 0;
  llvm::errs() << "\r\x1b[K" << tool_ << ": " << step_
               << llvm::format(": batch %zu/%zu, %.1f ", done, total, rate)
               << unit << llvm::format("/s, ETA %.0f s", eta);
  llvm::errs().flush();
  progressShown_ = true;
}

void StepTimer::detail(const llvm::Twine &line) {
  if (verbosity_ != Verbosity::Verbose)
    return;
  if (terminal_ && !step_.empty())
    llvm::errs() << "\r\x1b[K";
  llvm::errs() << tool_ << ": " << line << "\n";
  if (terminal_ && !step_.empty())
    llvm::errs() << tool_ << ": " << step_ << "...";
}

void StepTimer::summary(const llvm::Twine &line) {
  end();
  if (verbosity_ == Verbosity::Quiet)
    return;
  llvm::outs() << tool_ << ": " << line << "\n";
}
